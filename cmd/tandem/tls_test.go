package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"html"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"tandem/internal/testdb"
)

// selfSigned writes a certificate for 127.0.0.1 and its key, as PEM files.
func selfSigned(t *testing.T) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "tandem test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

// TestServe_TLSHostCookieAndHSTS: with --tls-cert and --tls-key the binary
// serves HTTPS; the session cookie is a __Host- cookie, Secure, on path /;
// every page and API answer carries HSTS; and a form posted from another
// site is refused before anything reads it.
func TestServe_TLSHostCookieAndHSTS(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		dir := dataFolder(t, backend)
		const pw = "a long enough passphrase"
		mustRun(t, run{stdin: pw + "\n"}, "user", "add", "--data", dir, "--username", "carol", "--name", "Carol Controller",
			"--gender", "female", "--roles", "controller", "--unit", "north", "--dedicated", "--password-stdin")
		certFile, keyFile := selfSigned(t)
		if res := runBin(t, run{}, "serve", "--data", dir, "--tls-cert", certFile); res.code != 2 || !strings.Contains(res.stderr, "--tls-key") {
			t.Errorf("--tls-cert alone: exit %d, %q", res.code, res.stderr)
		}
		srv := startServer(t, dir, "--tls-cert", certFile, "--tls-key", keyFile)
		if !strings.HasPrefix(srv.url, "https://") {
			t.Fatalf("serving at %s, want https", srv.url)
		}
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar, Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		for _, path := range []string{"/login", "/api/v1/officers", "/healthz"} {
			resp, err := c.Get(srv.url + path)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if h := resp.Header.Get("Strict-Transport-Security"); !strings.Contains(h, "max-age=") {
				t.Errorf("GET %s: Strict-Transport-Security %q", path, h)
			}
		}
		resp, err := c.Get(srv.url + "/login")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		m := regexp.MustCompile(`name="login_token" value="([^"]+)"`).FindSubmatch(body)
		if m == nil {
			t.Fatalf("no login_token on the sign-in page")
		}
		// The page writes the token as HTML: "+" as "&#43;".
		form := url.Values{"login_token": {html.UnescapeString(string(m[1]))}, "username": {"carol"}, "password": {pw}}
		// From another site's page: refused, and no session.
		req, _ := http.NewRequest("POST", srv.url+"/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		resp, err = c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden || len(resp.Cookies()) != 0 {
			t.Errorf("a cross-site sign-in: %d, cookies %v; want 403 and none", resp.StatusCode, resp.Cookies())
		}
		resp, err = c.PostForm(srv.url+"/login", form)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign in over TLS: %d %s", resp.StatusCode, regexp.MustCompile(`<p class="error"[^>]*>[^<]*`).Find(b))
		}
		var session *http.Cookie
		for _, ck := range resp.Cookies() {
			if strings.Contains(ck.Name, "session") {
				session = ck
			}
		}
		if session == nil || session.Name != "__Host-tandem_session" || !session.Secure || session.Path != "/" || session.Domain != "" || !session.HttpOnly {
			t.Errorf("the session cookie over TLS: %+v", session)
		}
	})
}
