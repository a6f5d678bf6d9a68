package checkpoint_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
	"golang.org/x/mod/sumdb/note"

	"tandem/checkpoint"
)

// newKey returns a new log key for a test.
func newKey(t testing.TB) *checkpoint.Key {
	t.Helper()
	k, _, err := checkpoint.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// entryHash is the hex hash of a made-up audit entry n.
func entryHash(n int) string {
	sum := sha256.Sum256([]byte("entry " + strconv.Itoa(n)))
	return hex.EncodeToString(sum[:])
}

// rootOf returns the root of the tree of the first n made-up entries,
// computed the slow way, straight from RFC 6962's definition, so that the
// compact ranges are checked against something they do not share.
func rootOf(t testing.TB, lo, hi int) []byte {
	t.Helper()
	switch n := hi - lo; {
	case n == 0:
		return checkpoint.Hasher.EmptyRoot()
	case n == 1:
		raw, _ := hex.DecodeString(entryHash(lo + 1))
		return checkpoint.Hasher.HashLeaf(raw)
	default:
		k := 1
		for k*2 < n {
			k *= 2
		}
		return checkpoint.Hasher.HashChildren(rootOf(t, lo, lo+k), rootOf(t, lo+k, hi))
	}
}

// rangeOf builds the compact range of the first n made-up entries.
func rangeOf(t testing.TB, n int) *compact.Range {
	t.Helper()
	r := checkpoint.Ranges.NewEmptyRange(0)
	for i := 1; i <= n; i++ {
		leaf, err := checkpoint.LeafHash(entryHash(i))
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Append(leaf, nil); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

func TestRoot_IsRFC6962sTreeHead(t *testing.T) {
	for n := 0; n <= 33; n++ {
		got, err := checkpoint.Root(rangeOf(t, n))
		if err != nil {
			t.Fatal(err)
		}
		if want := rootOf(t, 0, n); !bytes.Equal(got, want) {
			t.Errorf("the root of %d entries is %x, want %x", n, got, want)
		}
	}
}

func TestLeafHash_IsTheEntrysRawHashAsALeaf(t *testing.T) {
	h := entryHash(7)
	raw, _ := hex.DecodeString(h)
	want := sha256.Sum256(append([]byte{0}, raw...))
	got, err := checkpoint.LeafHash(h)
	if err != nil || !bytes.Equal(got, want[:]) {
		t.Errorf("LeafHash(%s) = %x, %v; want SHA-256(0x00 || raw) = %x", h, got, err, want)
	}
	for _, bad := range []string{"", "abc", strings.Repeat("g", 64), h[:62]} {
		if _, err := checkpoint.LeafHash(bad); err == nil {
			t.Errorf("LeafHash(%q) took a hash that is not 32 bytes of hex", bad)
		}
	}
}

func TestSign_OpensWithTheLogsVerifier(t *testing.T) {
	k := newKey(t)
	root := rootOf(t, 0, 5)
	c, err := checkpoint.Sign(k, 5, root)
	if err != nil {
		t.Fatal(err)
	}
	// The note package itself, with nothing of ours but the verifier key:
	// the C2SP layout, origin, size and base64 root.
	v, err := note.NewVerifier(k.VerifierKey())
	if err != nil {
		t.Fatalf("the verifier key %q: %v", k.VerifierKey(), err)
	}
	n, err := note.Open(c.Note, note.VerifierList(v))
	if err != nil {
		t.Fatalf("note.Open: %v\n%s", err, c.Note)
	}
	want := k.Origin() + "\n5\n" + base64.StdEncoding.EncodeToString(root) + "\n"
	if n.Text != want {
		t.Errorf("the note's text is %q, want %q", n.Text, want)
	}
	if !strings.HasPrefix(k.Origin(), "tandem/") || len(k.Origin()) != len("tandem/")+16 {
		t.Errorf("the origin %q is not tandem/<16 hex digits>", k.Origin())
	}
	back, err := checkpoint.Open(c.Note, k.Verifier())
	if err != nil || back.Size != 5 || !bytes.Equal(back.Root, root) || back.Origin != k.Origin() {
		t.Errorf("Open gives %+v, %v", back, err)
	}
	// Another key's verifier does not open it; a changed size breaks it.
	if _, err := checkpoint.Open(c.Note, newKey(t).Verifier()); err == nil || !strings.Contains(err.Error(), "not signed by the log's key") {
		t.Errorf("opened under another log's key: %v", err)
	}
	forged := bytes.Replace(c.Note, []byte("\n5\n"), []byte("\n6\n"), 1)
	if _, err := checkpoint.Open(forged, k.Verifier()); err == nil || !strings.Contains(err.Error(), "signature does not verify") {
		t.Errorf("a size changed after signing: %v", err)
	}
}

func TestOpen_RefusesTextOtherThanThreeLines(t *testing.T) {
	k := newKey(t)
	root := base64.StdEncoding.EncodeToString(rootOf(t, 0, 3))
	signer := signerOf(t, k)
	for name, text := range map[string]string{
		"an extension line": k.Origin() + "\n3\n" + root + "\nextra\n",
		"no root":           k.Origin() + "\n3\n",
		"size +3":           k.Origin() + "\n+3\n" + root + "\n",
		"size 03":           k.Origin() + "\n03\n" + root + "\n",
		"a short root":      k.Origin() + "\n3\n" + root[:20] + "\n",
		"another origin":    "tandem/0000000000000000\n3\n" + root + "\n",
	} {
		msg, err := note.Sign(&note.Note{Text: text}, signer)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := checkpoint.Open(msg, k.Verifier()); err == nil {
			t.Errorf("%s: opened %q", name, text)
		}
	}
}

func TestVerify(t *testing.T) {
	k := newKey(t)
	sign := func(n int) checkpoint.Checkpoint {
		c, err := checkpoint.Sign(k, uint64(n), rootOf(t, 0, n))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	cps := []checkpoint.Checkpoint{sign(3), sign(8), sign(13)}
	roots := func(trail int) func(uint64) ([]byte, bool) {
		return func(n uint64) ([]byte, bool) {
			if int(n) > trail {
				return nil, false
			}
			return rootOf(t, 0, int(n)), true
		}
	}
	if err := checkpoint.Verify(k.Verifier(), cps, roots(13), 13); err != nil {
		t.Errorf("a whole trail: %v", err)
	}
	if err := checkpoint.Verify(k.Verifier(), cps, roots(20), 20); err != nil {
		t.Errorf("a trail grown since: %v", err)
	}
	rewritten := func(n uint64) ([]byte, bool) {
		if n >= 8 {
			return rootOf(t, 1, int(n)+1), true
		}
		return rootOf(t, 0, int(n)), true
	}
	for name, c := range map[string]struct {
		cps   []checkpoint.Checkpoint
		roots func(uint64) ([]byte, bool)
		size  uint64
		want  string
	}{
		"cut off":       {cps, roots(10), 10, "entry 11, under checkpoint 3 of 13 entries, is missing: entries were cut off"},
		"rewritten":     {cps, rewritten, 13, "the first 8 entries do not match checkpoint 2: the trail was rewritten"},
		"reordered":     {[]checkpoint.Checkpoint{cps[1], cps[0]}, roots(13), 13, "checkpoint 2 (3 entries) does not come after checkpoint 1 (8 entries)"},
		"repeated":      {[]checkpoint.Checkpoint{cps[0], cps[0]}, roots(13), 13, "reordered or repeated"},
		"another key":   {[]checkpoint.Checkpoint{cps[0], mustSign(t, newKey(t), 8, rootOf(t, 0, 8))}, roots(13), 13, "checkpoint 2 (8 entries): it is not signed by the log's key"},
		"a byte edited": {[]checkpoint.Checkpoint{edited(cps[0])}, roots(13), 13, "checkpoint 1 (3 entries): its signature does not verify"},
	} {
		err := checkpoint.Verify(k.Verifier(), c.cps, c.roots, c.size)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v; want %q", name, err, c.want)
		}
	}
}

func mustSign(t testing.TB, k *checkpoint.Key, n uint64, root []byte) checkpoint.Checkpoint {
	t.Helper()
	c, err := checkpoint.Sign(k, n, root)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// edited changes one character of a checkpoint's signature.
func edited(c checkpoint.Checkpoint) checkpoint.Checkpoint {
	b := bytes.Clone(c.Note)
	i := bytes.LastIndexByte(b[:len(b)-1], ' ') + 20 // past the key hash, into the signature
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	c.Note = b
	return c
}

func TestDue(t *testing.T) {
	for _, c := range []struct {
		last    uint64
		hasLast bool
		since   int
		size    uint64
		want    bool
	}{
		{0, false, 0, 0, false},
		{0, false, 0, 1, true},
		{10, true, 0, 10, false},
		{10, true, 100, 9, false}, // a shorter trail is never signed
		{10, true, 59, 11, false},
		{10, true, 60, 11, true},
		{10, true, 0, 1009, false},
		{10, true, 0, 1010, true},
	} {
		got := checkpoint.Due(c.last, c.hasLast, secs(c.since), c.size, 1000, secs(60))
		if got != c.want {
			t.Errorf("Due(last %d %v, %ds ago, size %d) = %v, want %v", c.last, c.hasLast, c.since, c.size, got, c.want)
		}
	}
}

// TestProofs_VerifyUnderTheLibrarysVerifier builds proofs the way the
// store does, from the nodes each leaf completes, and checks them with
// transparency-dev/merkle's verifier at every pair of sizes up to 40.
func TestProofs_VerifyUnderTheLibrarysVerifier(t *testing.T) {
	const most = 40
	nodes := map[compact.NodeID][]byte{}
	r := checkpoint.Ranges.NewEmptyRange(0)
	for i := 1; i <= most; i++ {
		leaf, _ := checkpoint.LeafHash(entryHash(i))
		if err := r.Append(leaf, func(id compact.NodeID, h []byte) { nodes[id] = h }); err != nil {
			t.Fatal(err)
		}
	}
	fetch := func(p proof.Nodes) [][]byte {
		var hs [][]byte
		for _, id := range p.IDs {
			h, ok := nodes[id]
			if !ok {
				t.Fatalf("node %+v was never made", id)
			}
			hs = append(hs, bytes.Clone(h))
		}
		out, err := p.Rehash(hs, checkpoint.Hasher.HashChildren)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	for size := 1; size <= most; size++ {
		root := rootOf(t, 0, size)
		for seq := 1; seq <= size; seq++ {
			p, err := proof.Inclusion(uint64(seq-1), uint64(size))
			if err != nil {
				t.Fatal(err)
			}
			leaf, _ := checkpoint.LeafHash(entryHash(seq))
			if err := proof.VerifyInclusion(checkpoint.Hasher, uint64(seq-1), uint64(size), leaf, fetch(p), root); err != nil {
				t.Errorf("entry %d in %d: %v", seq, size, err)
			}
		}
		for from := 0; from <= size; from++ {
			p, err := proof.Consistency(uint64(from), uint64(size))
			if err != nil {
				t.Fatal(err)
			}
			old := checkpoint.Checkpoint{Size: uint64(from), Root: rootOf(t, 0, from)}
			next := checkpoint.Checkpoint{Size: uint64(size), Root: root}
			if err := checkpoint.Consistent(old, next, fetch(p)); err != nil {
				t.Errorf("%d to %d: %v", from, size, err)
			}
		}
	}
	// A fork: the same sizes, another history, fails the same proof.
	old := checkpoint.Checkpoint{Size: 5, Root: rootOf(t, 1, 6)}
	p, _ := proof.Consistency(5, 9)
	if err := checkpoint.Consistent(old, checkpoint.Checkpoint{Size: 9, Root: rootOf(t, 0, 9)}, fetch(p)); err == nil {
		t.Errorf("a rewritten first 5 entries passed as consistent")
	}
	if err := checkpoint.Consistent(checkpoint.Checkpoint{Size: 9, Root: rootOf(t, 0, 9)}, checkpoint.Checkpoint{Size: 5, Root: rootOf(t, 0, 5)}, nil); err == nil ||
		!strings.Contains(err.Error(), "shrank from 9 entries to 5") {
		t.Errorf("a log that shrank: %v", err)
	}
	if err := checkpoint.Consistent(checkpoint.Checkpoint{Size: 9, Root: rootOf(t, 0, 9)}, checkpoint.Checkpoint{Size: 9, Root: rootOf(t, 1, 10)}, nil); err == nil ||
		!strings.Contains(err.Error(), "forked") {
		t.Errorf("a log that forked at the same size: %v", err)
	}
}

func ExampleSign() {
	k, _, _ := checkpoint.NewKey()
	c, _ := checkpoint.Sign(k, 0, checkpoint.Hasher.EmptyRoot())
	lines := strings.Split(string(c.Note), "\n")
	fmt.Println(lines[1], lines[2], lines[3] == "", strings.HasPrefix(lines[4], "— "+k.Origin()+" "))
	// Output: 0 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU= true true
}

func secs(n int) time.Duration { return time.Duration(n) * time.Second }

func signerOf(t *testing.T, k *checkpoint.Key) note.Signer { return checkpoint.SignerOf(k) }
