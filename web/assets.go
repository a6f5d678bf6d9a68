package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

//go:embed static
var staticFS embed.FS

// assets are the static files, each served at a URL that carries a hash of
// its content, so a browser may cache it for ever and a new version is a
// new URL.
type assets struct {
	byURL  map[string]asset
	byName map[string]string // file name -> hashed URL
}

type asset struct {
	body        []byte
	contentType string
}

func loadAssets() (*assets, error) {
	a := &assets{byURL: map[string]asset{}, byName: map[string]string{}}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		name := path.Base(p)
		ext := path.Ext(name)
		url := "/static/" + strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:6]) + ext
		a.byURL[url] = asset{body: body, contentType: mime.TypeByExtension(ext)}
		a.byName[name] = url
		return nil
	})
	return a, err
}

// URL returns the hashed URL of a static file.
func (a *assets) URL(name string) string { return a.byName[name] }

func (a *assets) serve(w http.ResponseWriter, r *http.Request) {
	f, ok := a.byURL[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", f.contentType)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	_, _ = w.Write(f.body)
}

// favicon answers the browsers that ask for /favicon.ico whatever a page
// links: it sends them to the icon's hashed URL, with 302 rather than
// 301, since that URL changes with the icon.
func (a *assets) favicon(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, a.URL("favicon.svg"), http.StatusFound)
}
