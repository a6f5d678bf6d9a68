package checkpoint

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// keyLabel opens the one line of a key file. The file holds the seed, not
// the 64-byte private key, because the public half is derived from it and
// a file that held both could hold two halves that do not match.
const keyLabel = "tandem-checkpoint-key " + Version + " "

// LoadOrCreateKey reads the signing key from the file at path, or, when
// there is no file there, creates one with a new random key (created is
// then true, so that the caller can say so: a new key cannot vouch for
// checkpoints signed before it).
//
// The file is one line, "tandem-checkpoint-key v1 <base64 seed>", readable
// by its owner only. A file of any other form, or that group or others may
// read or write, is refused: a key others could read proves nothing, and
// replacing a damaged key would make every earlier checkpoint fail. The
// folder must exist.
func LoadOrCreateKey(path string) (key ed25519.PrivateKey, created bool, err error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		key, err = createKey(path)
		if !errors.Is(err, fs.ErrExist) {
			return key, err == nil, err
		}
		// Another process created the key between the two calls: use it.
		f, err = os.Open(path)
	}
	if err != nil {
		return nil, false, fmt.Errorf("checkpoint key: %w", err)
	}
	defer f.Close()
	key, err = readKey(path, f)
	return key, false, err
}

// LoadKey reads the checkpoint key at path and makes none: for checking a
// data folder without changing it.
func LoadKey(path string) (ed25519.PrivateKey, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("checkpoint key: %w", err)
	}
	defer f.Close()
	return readKey(path, f)
}

// readKey checks the mode of an open key file, then its form.
func readKey(path string, f *os.File) (ed25519.PrivateKey, error) {
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("checkpoint key: %w", err)
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("checkpoint key %s is not a regular file", path)
	}
	// Windows reports no Unix permissions to check.
	if perm := info.Mode().Perm(); perm&0o077 != 0 && runtime.GOOS != "windows" {
		return nil, fmt.Errorf("checkpoint key %s has mode %04o, open to others: it must be 0600 (chmod 600 %s)", path, perm, path)
	}
	// A key file is under a hundred bytes; reading no more than this keeps a
	// wrong path (a database, say) from being read whole.
	data, err := io.ReadAll(io.LimitReader(f, 1024))
	if err != nil {
		return nil, fmt.Errorf("checkpoint key: %w", err)
	}
	seed, why := keySeed(string(data))
	if why != "" {
		// The error never quotes the file: it may hold a secret.
		return nil, fmt.Errorf("checkpoint key %s is not a key file (%s): want one line %q", path, why, keyLabel+"<base64 seed>")
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

// keySeed returns the seed a key file holds, or why it holds none.
func keySeed(s string) (seed []byte, why string) {
	rest, ok := strings.CutPrefix(strings.TrimSuffix(s, "\n"), keyLabel)
	if !ok {
		return nil, "it does not start " + strings.TrimSpace(keyLabel)
	}
	seed, err := base64.StdEncoding.Strict().DecodeString(rest)
	switch {
	case err != nil || strings.ContainsAny(rest, "\r\n"):
		return nil, "the seed is not base64"
	case len(seed) != ed25519.SeedSize:
		return nil, fmt.Sprintf("the seed has %d bytes, want %d", len(seed), ed25519.SeedSize)
	}
	return seed, ""
}

// createKey writes a new key file. O_EXCL keeps it from replacing a key
// another process has just made; the file and its folder are synced so
// that a crash cannot leave checkpoints signed by a key that is lost.
func createKey(path string) (ed25519.PrivateKey, error) {
	seed := make([]byte, ed25519.SeedSize)
	if _, err := rand.Read(seed); err != nil {
		return nil, fmt.Errorf("checkpoint key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create the checkpoint key: %w", err)
	}
	_, err = f.WriteString(keyLabel + base64.StdEncoding.EncodeToString(seed) + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = syncDir(filepath.Dir(path))
	}
	if err != nil {
		// A half-written key would be refused at every start: remove it, so
		// that the next start makes a whole one.
		os.Remove(path)
		return nil, fmt.Errorf("create the checkpoint key: %w", err)
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

// syncDir makes a file just created in dir survive a crash: the new name
// lives in the folder, which has to be synced too.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil // folders cannot be opened for syncing there
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
