package checkpoint_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"tandem/checkpoint"
)

// timeOf maps any number onto a time a checkpoint line can hold: years 1
// to 9999, in microseconds.
func timeOf(n int64) time.Time {
	const span = int64(9998*365*24*3600) * 1e6
	us := n % span
	if us < 0 {
		us += span
	}
	// Not time.Duration: it spans under 300 years.
	year1 := time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	return time.Unix(year1+us/1e6, us%1e6*1e3).UTC()
}

func FuzzParse(f *testing.F) {
	good := checkpoint.Sign(key, 42, hashOf(42), t0).Line()
	f.Add(good)
	f.Add(strings.TrimSuffix(good, "\n"))
	f.Add(good + good)
	f.Add("")
	f.Add("\n")
	f.Add("v1 1 " + strings.Repeat("0", 64) + " 0001-01-01T00:00:00.000000Z " + strings.Repeat("A", 86) + "==")
	f.Add(strings.Replace(good, " 42 ", " +42 ", 1))
	f.Add(strings.Replace(good, "\n", "\r\n", 1))
	f.Add("v1 9223372036854775808 x y z")
	f.Fuzz(func(t *testing.T, line string) {
		c, err := checkpoint.Parse(line)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "checkpoint line: ") {
				t.Fatalf("error %q does not say it is about a checkpoint line", err)
			}
			return
		}
		// Parse is strict: a line it reads is the line Line writes.
		if got, want := c.Line(), strings.TrimSuffix(line, "\n")+"\n"; got != want {
			t.Fatalf("Parse(%q) then Line() = %q, want the line back", line, got)
		}
		back, err := checkpoint.Parse(c.Line())
		if err != nil {
			t.Fatalf("the line of a parsed checkpoint does not parse: %v", err)
		}
		if !same(back, c) {
			t.Fatalf("Parse(Line()) = %+v, want %+v", back, c)
		}
	})
}

func FuzzReadAll(f *testing.F) {
	cps := signedEvery()
	whole := cps[0].Line() + cps[1].Line() + cps[2].Line()
	f.Add([]byte(whole), int64(3500))
	f.Add([]byte(whole), int64(2500))
	f.Add([]byte(whole[:len(whole)-7]), int64(3000))
	f.Add([]byte(cps[1].Line()+cps[0].Line()), int64(3000))
	f.Add([]byte(""), int64(0))
	f.Add([]byte("\n\n"), int64(-1))
	f.Add([]byte(strings.ReplaceAll(whole, "\n", "\r\n")), int64(math.MaxInt64))
	f.Fuzz(func(t *testing.T, data []byte, head int64) {
		got, err := checkpoint.ParseAll(data)
		// What was read is the file up to the bad line, byte for byte.
		var read strings.Builder
		for _, c := range got {
			read.WriteString(c.Line())
		}
		if !bytes.HasPrefix(data, []byte(read.String())) {
			t.Fatalf("the checkpoints read are not the start of the file:\n%q\n%q", read.String(), data)
		}
		if err == nil && read.String() != string(data) {
			t.Fatalf("no error, but the checkpoints read are not the whole file")
		}
		if n := "line " + strconv.Itoa(len(got)+1); err != nil && !strings.HasPrefix(err.Error(), n+":") && !strings.HasPrefix(err.Error(), n+" ") {
			t.Fatalf("error %q after %d checkpoints, want it to name line %d", err, len(got), len(got)+1)
		}
		// Whatever the file holds, Verify judges it without panicking, and
		// passes it only if every checkpoint was signed by the key, in order,
		// for entries the chain still has.
		if err := checkpoint.Verify(pub(key), got, chain(head), head); err == nil {
			for i, c := range got {
				if c.Seq > head || c.Hash != hashOf(c.Seq) || (i > 0 && c.Seq <= got[i-1].Seq) {
					t.Fatalf("Verify passed checkpoint %d (%+v) against a chain of %d entries", i+1, c, head)
				}
			}
		}
	})
}

func FuzzVerify(f *testing.F) {
	f.Add(int64(42), int64(0), "entry", 10, byte('3'))
	f.Add(int64(1), int64(-1), "", 0, byte('v'))
	f.Add(int64(math.MaxInt64), int64(1)<<62, "x", 150, byte('='))
	f.Add(int64(2000), int64(5), "y", 199, byte('\n'))
	f.Fuzz(func(t *testing.T, seq, nanos int64, entry string, pos int, b byte) {
		if seq <= 0 {
			seq = seq&math.MaxInt64 | 1
		}
		sum := sha256.Sum256([]byte(entry))
		c := checkpoint.Sign(key, seq, hex.EncodeToString(sum[:]), timeOf(nanos))
		line := []byte(c.Line())
		// A chain that has whatever the checkpoint claims: only the
		// signature stands between a changed line and a pass.
		claims := func(changed checkpoint.Checkpoint) func(int64) (string, bool) {
			return func(s int64) (string, bool) { return changed.Hash, s == changed.Seq }
		}
		back, err := checkpoint.Parse(string(line))
		if err != nil {
			t.Fatalf("a signed line does not parse: %v\n%q", err, line)
		}
		if err := checkpoint.Verify(pub(key), []checkpoint.Checkpoint{back}, claims(back), math.MaxInt64); err != nil {
			t.Fatalf("a signed checkpoint does not verify: %v", err)
		}
		if err := checkpoint.Verify(pub(other), []checkpoint.Checkpoint{back}, claims(back), math.MaxInt64); err == nil {
			t.Fatalf("a checkpoint verified with another key")
		}
		// Change one byte of the line: either it no longer parses, or it
		// no longer verifies, or it says what it said.
		if pos < 0 {
			pos = -(pos + 1)
		}
		line[pos%len(line)] = b
		changed, err := checkpoint.Parse(string(line))
		if err != nil {
			return
		}
		err = checkpoint.Verify(pub(key), []checkpoint.Checkpoint{changed}, claims(changed), math.MaxInt64)
		if err == nil && !same(changed, c) {
			t.Fatalf("a changed line verified: %q\nwas %+v, now %+v", line, c, changed)
		}
		if err != nil && !strings.Contains(err.Error(), "the signature does not verify") {
			t.Fatalf("a changed line is refused for %q, want its signature", err)
		}
	})
}
