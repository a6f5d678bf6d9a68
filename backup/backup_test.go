package backup_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"tandem/backup"
	"tandem/seal"
)

func key(t *testing.T, b byte) *seal.Key {
	t.Helper()
	k, err := seal.NewKey(bytes.Repeat([]byte{b}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// sealed returns a backup of plain under master.
func sealed(t *testing.T, master *seal.Key, plain []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	w, err := backup.NewWriter(&out, master)
	if err != nil {
		t.Fatal(err)
	}
	// Written in uneven pieces, to cross the chunk boundaries anywhere.
	for len(plain) > 0 {
		n := min(len(plain), 7919)
		if _, err := w.Write(plain[:n]); err != nil {
			t.Fatal(err)
		}
		plain = plain[n:]
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func open(master *seal.Key, b []byte) ([]byte, error) {
	r, err := backup.NewReader(bytes.NewReader(b), master)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}

func TestBackup_RoundTripAnySize(t *testing.T) {
	m := key(t, 1)
	for _, n := range []int{0, 1, 65535, 65536, 65537, 300000} {
		plain := bytes.Repeat([]byte("identity: Zebediah Quillfeather; "), n/33+1)[:n]
		b := sealed(t, m, plain)
		if n > 0 && bytes.Contains(b, []byte("Zebediah")) {
			t.Fatalf("%d bytes: the backup holds plaintext", n)
		}
		got, err := open(m, b)
		if err != nil || !bytes.Equal(got, plain) {
			t.Errorf("%d bytes: round trip: %v (got %d bytes)", n, err, len(got))
		}
	}
}

func TestBackup_AlteredCutOrOtherKeyDoesNotOpen(t *testing.T) {
	m := key(t, 1)
	plain := bytes.Repeat([]byte("x"), 200000)
	b := sealed(t, m, plain)
	head := len("TANDEM-BACKUP-1\n") + strings.Index(string(b[len("TANDEM-BACKUP-1\n"):]), "\n") + 1
	flip := func(at int) []byte { c := bytes.Clone(b); c[at] ^= 1; return c }
	cases := map[string][]byte{
		"a byte of a chunk changed": flip(head + 100),
		"a byte of the last chunk":  flip(len(b) - 3),
		"the last chunk cut off":    b[:len(b)-20],
		"cut after a whole chunk":   b[:head+5+12+65536+16],
		"something after the end":   append(bytes.Clone(b), 'x'),
		"the wrapped key changed":   flip(len("TANDEM-BACKUP-1\n") + 10),
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			if got, err := open(m, c); err == nil {
				t.Errorf("opened (%d bytes)", len(got))
			}
		})
	}
	t.Run("another master key", func(t *testing.T) {
		if _, err := open(key(t, 2), b); err == nil || errors.Is(err, backup.ErrCorrupt) {
			t.Errorf("err = %v, want a message about the master key", err)
		}
	})
	t.Run("not a backup", func(t *testing.T) {
		if _, err := open(m, []byte("SQLite format 3\x00")); err == nil {
			t.Error("opened a file that is no backup")
		}
	})
}
