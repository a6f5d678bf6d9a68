package checkpoint

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// Key is the log's signing key: its name is the log's origin,
// "tandem/<install id>", the first line of every checkpoint it signs.
type Key struct {
	signer   note.Signer
	verifier note.Verifier
	vkey     string
}

// Origin returns the log's origin, the key's name.
func (k *Key) Origin() string { return k.signer.Name() }

// Verifier returns the verifier of the key's signatures.
func (k *Key) Verifier() note.Verifier { return k.verifier }

// VerifierKey returns the public key in the note package's text form,
// "<origin>+<hash>+<base64 key>": what a witness pins.
func (k *Key) VerifierKey() string { return k.vkey }

// keyPrefix opens a key file: the note package's private key form,
// "PRIVATE+KEY+<name>+<hash>+<base64 key>", on one line.
const keyPrefix = "PRIVATE+KEY+"

// LoadOrCreateKey reads the signing key from the file at path, or, when
// there is no file there, creates one with a new random key and a new
// install id (created is then true, so that the caller can say so: a new
// key cannot vouch for checkpoints signed before it).
//
// The file is one line, the note package's private key, readable by its
// owner only. A file of any other form, or that group or others may read
// or write, is refused: a key others could read proves nothing, and
// replacing a damaged key would make every earlier checkpoint fail. The
// folder must exist.
func LoadOrCreateKey(path string) (key *Key, created bool, err error) {
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
func LoadKey(path string) (*Key, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("checkpoint key: %w", err)
	}
	defer f.Close()
	return readKey(path, f)
}

// readKey checks the mode of an open key file, then its form.
func readKey(path string, f *os.File) (*Key, error) {
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
	// A key file is under two hundred bytes; reading no more than this keeps
	// a wrong path (a database, say) from being read whole.
	data, err := io.ReadAll(io.LimitReader(f, 1024))
	if err != nil {
		return nil, fmt.Errorf("checkpoint key: %w", err)
	}
	k, why := parseKey(strings.TrimSuffix(string(data), "\n"))
	if why != "" {
		// The error never quotes the file: it holds a secret.
		return nil, fmt.Errorf("checkpoint key %s is not a key file (%s): want one line %s<name>+<hash>+<base64 key>", path, why, keyPrefix)
	}
	return k, nil
}

// parseKey reads a private key in the note package's form, or says why it
// is not one. The note package signs with it; the public half is derived
// here, for the verifier key a witness pins.
func parseKey(skey string) (*Key, string) {
	if strings.ContainsAny(skey, "\r\n") {
		return nil, "it is not one line"
	}
	if strings.HasPrefix(skey, "tandem-checkpoint-key v1 ") {
		return nil, "it is a key of the earlier format, from before checkpoints were signed notes: move it and audit.checkpoints aside, keeping them with the folder's records, and a new key and log start at the next serve"
	}
	if !strings.HasPrefix(skey, keyPrefix) {
		return nil, "it does not start " + keyPrefix
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		return nil, "the note package refuses it"
	}
	// PRIVATE+KEY+<name>+<hash>+<key>: the key's base64 may hold a '+'.
	parts := strings.SplitN(skey, "+", 5)
	if len(parts) != 5 {
		return nil, "it has too few parts"
	}
	raw, err := base64.StdEncoding.Strict().DecodeString(parts[4])
	if err != nil || len(raw) != 1+ed25519.SeedSize || raw[0] != 1 {
		return nil, "it is not an Ed25519 key"
	}
	pub := ed25519.NewKeyFromSeed(raw[1:]).Public().(ed25519.PublicKey)
	vkey, err := note.NewEd25519VerifierKey(signer.Name(), pub)
	if err != nil {
		return nil, "its name is not a note key name"
	}
	verifier, err := note.NewVerifier(vkey)
	if err != nil || verifier.KeyHash() != signer.KeyHash() {
		return nil, "its hash does not match its key"
	}
	if !strings.HasPrefix(signer.Name(), OriginPrefix) {
		return nil, "its name does not start " + OriginPrefix
	}
	return &Key{signer: signer, verifier: verifier, vkey: vkey}, ""
}

// OriginPrefix opens every Tandem log's origin; the install id follows.
const OriginPrefix = "tandem/"

// NewKey returns a new random key for the origin "tandem/<install id>",
// with a new random install id, and its private key in the note
// package's text form.
func NewKey() (*Key, string, error) {
	id := make([]byte, 8)
	if _, err := rand.Read(id); err != nil {
		return nil, "", err
	}
	skey, _, err := note.GenerateKey(rand.Reader, OriginPrefix+hex.EncodeToString(id))
	if err != nil {
		return nil, "", err
	}
	k, why := parseKey(skey)
	if why != "" {
		return nil, "", errors.New("a new key: " + why)
	}
	return k, skey, nil
}

// ParseVerifierKey reads a verifier key as VerifierKey writes it, for a
// log's origin.
func ParseVerifierKey(vkey string) (note.Verifier, error) {
	v, err := note.NewVerifier(strings.TrimSpace(vkey))
	if err != nil {
		return nil, fmt.Errorf("the log's key is not a note verifier key (<name>+<hash>+<base64 key>)")
	}
	if !strings.HasPrefix(v.Name(), OriginPrefix) {
		return nil, fmt.Errorf("the log's key is named %q, not %s<install id>", v.Name(), OriginPrefix)
	}
	return v, nil
}

// createKey writes a new key file. O_EXCL keeps it from replacing a key
// another process has just made; the file and its folder are synced so
// that a crash cannot leave checkpoints signed by a key that is lost.
func createKey(path string) (*Key, error) {
	k, skey, err := NewKey()
	if err != nil {
		return nil, fmt.Errorf("checkpoint key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create the checkpoint key: %w", err)
	}
	_, err = f.WriteString(skey + "\n")
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
	return k, nil
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
