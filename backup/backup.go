// Package backup writes and reads Tandem's backups: a tar of the data
// folder's files, encrypted in chunks with AES-256-GCM under a random key
// that the master key wraps. Each chunk's associated data carries its
// number and whether it is the last, so chunks cannot be reordered, and a
// backup cut short does not read as complete.
package backup

import (
	"bufio"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"

	"tandem/seal"
)

// magic opens every backup file, with its format version.
const magic = "TANDEM-BACKUP-1\n"

// chunkSize is how much plaintext each sealed chunk holds.
const chunkSize = 64 << 10

// ErrCorrupt is returned for a backup that was altered, cut short, or made
// under another master key.
var ErrCorrupt = errors.New("the backup does not open: it was altered or cut short, or it was made under another master key")

// NewWriter returns a writer that encrypts what is written to it into w.
// Close writes the last chunk; a backup without it does not restore.
func NewWriter(w io.Writer, master *seal.Key) (io.WriteCloser, error) {
	key := seal.RandomKeyMaterial()
	aead, err := gcm(key)
	if err != nil {
		return nil, err
	}
	wrapped := master.Seal(key, "tandem/backup/key/v1")
	if _, err := io.WriteString(w, magic+wrapped+"\n"); err != nil {
		return nil, err
	}
	var prefix [4]byte
	if _, err := rand.Read(prefix[:]); err != nil {
		return nil, err
	}
	return &writer{w: w, aead: aead, prefix: prefix, buf: make([]byte, 0, chunkSize)}, nil
}

type writer struct {
	w      io.Writer
	aead   cipher.AEAD
	prefix [4]byte
	n      uint64
	buf    []byte
	closed bool
}

func (w *writer) Write(p []byte) (int, error) {
	total := len(p)
	for len(p) > 0 {
		room := chunkSize - len(w.buf)
		if room > len(p) {
			room = len(p)
		}
		w.buf = append(w.buf, p[:room]...)
		p = p[room:]
		if len(w.buf) == chunkSize {
			if err := w.flush(false); err != nil {
				return 0, err
			}
		}
	}
	return total, nil
}

func (w *writer) flush(last bool) error {
	nonce := make([]byte, 12)
	copy(nonce, w.prefix[:])
	binary.BigEndian.PutUint64(nonce[4:], w.n)
	sealed := w.aead.Seal(nil, nonce, w.buf, chunkAD(w.n, last))
	var head [5]byte
	binary.BigEndian.PutUint32(head[:4], uint32(len(sealed)))
	if last {
		head[4] = 1
	}
	if _, err := w.w.Write(head[:]); err != nil {
		return err
	}
	if _, err := w.w.Write(nonce); err != nil {
		return err
	}
	if _, err := w.w.Write(sealed); err != nil {
		return err
	}
	w.n++
	w.buf = w.buf[:0]
	return nil
}

func (w *writer) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	return w.flush(true)
}

// NewReader returns a reader of the plaintext of a backup made under the
// master key. It returns ErrCorrupt for a backup altered, cut short, or
// made under another key.
func NewReader(r io.Reader, master *seal.Key) (io.Reader, error) {
	br := bufio.NewReader(r)
	head := make([]byte, len(magic))
	if _, err := io.ReadFull(br, head); err != nil || string(head) != magic {
		return nil, errors.New("this is not a Tandem backup")
	}
	line, err := br.ReadString('\n')
	if err != nil {
		return nil, ErrCorrupt
	}
	key, err := master.Open(strings.TrimSuffix(line, "\n"), "tandem/backup/key/v1")
	if err != nil {
		return nil, fmt.Errorf("the backup's key does not open with this master key: give the master key the backup was made under")
	}
	aead, err := gcm(key)
	if err != nil {
		return nil, err
	}
	return &reader{r: br, aead: aead}, nil
}

type reader struct {
	r    io.Reader
	aead cipher.AEAD
	n    uint64
	buf  []byte
	done bool
}

func (r *reader) Read(p []byte) (int, error) {
	for len(r.buf) == 0 {
		if r.done {
			return 0, io.EOF
		}
		if err := r.next(); err != nil {
			return 0, err
		}
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

func (r *reader) next() error {
	var head [5]byte
	if _, err := io.ReadFull(r.r, head[:]); err != nil {
		return ErrCorrupt // ended before the last chunk
	}
	size := binary.BigEndian.Uint32(head[:4])
	last := head[4] == 1
	if head[4] > 1 || size > chunkSize+uint32(r.aead.Overhead()) {
		return ErrCorrupt
	}
	nonce := make([]byte, 12)
	if _, err := io.ReadFull(r.r, nonce); err != nil {
		return ErrCorrupt
	}
	sealed := make([]byte, size)
	if _, err := io.ReadFull(r.r, sealed); err != nil {
		return ErrCorrupt
	}
	if binary.BigEndian.Uint64(nonce[4:]) != r.n {
		return ErrCorrupt
	}
	plain, err := r.aead.Open(nil, nonce, sealed, chunkAD(r.n, last))
	if err != nil {
		return ErrCorrupt
	}
	r.n++
	r.buf = plain
	if last {
		r.done = true
		// Nothing may follow the last chunk.
		var one [1]byte
		if n, _ := r.r.Read(one[:]); n > 0 {
			return ErrCorrupt
		}
	}
	return nil
}

func chunkAD(n uint64, last bool) []byte {
	ad := make([]byte, 0, 32)
	ad = append(ad, "tandem/backup/chunk/"...)
	ad = binary.BigEndian.AppendUint64(ad, n)
	if last {
		ad = append(ad, 1)
	} else {
		ad = append(ad, 0)
	}
	return ad
}

func gcm(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}
