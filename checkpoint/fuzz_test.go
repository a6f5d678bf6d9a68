package checkpoint_test

import (
	"bytes"
	"testing"

	"tandem/checkpoint"
)

// FuzzParseAll feeds the checkpoint file's reader any bytes: it never
// panics, and what it returns is whole notes that read back the same, one
// after another from the start of the file, and that the log's key opens
// only when they are the log's own.
func FuzzParseAll(f *testing.F) {
	k, _, err := checkpoint.NewKey()
	if err != nil {
		f.Fatal(err)
	}
	var file []byte
	for _, n := range []int{1, 2, 9} {
		c := mustSign(f, k, uint64(n), rootOf(f, 0, n))
		file = append(file, c.Note...)
		f.Add(bytes.Clone(file))
	}
	f.Add(file[:len(file)-7])
	f.Add([]byte("tandem/x\n1\n\n\n\u2014 x\n"))
	f.Add([]byte("\n\n\n\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cps, err := checkpoint.ParseAll(data)
		var whole []byte
		for _, c := range cps {
			whole = append(whole, c.Note...)
			again, err := checkpoint.ParseAll(c.Note)
			if err != nil || len(again) != 1 || again[0].Size != c.Size || !bytes.Equal(again[0].Root, c.Root) {
				t.Fatalf("note %q reads back as %+v, %v", c.Note, again, err)
			}
			if _, err := checkpoint.Open(c.Note, k.Verifier()); err == nil && !bytes.Contains(file, c.Note) {
				t.Fatalf("a note the log never signed opens under its key: %q", c.Note)
			}
		}
		if !bytes.HasPrefix(data, whole) {
			t.Fatalf("the notes read are not the file's start")
		}
		if err == nil && len(whole) != len(data) {
			t.Fatalf("no error, but %d of %d bytes read", len(whole), len(data))
		}
	})
}
