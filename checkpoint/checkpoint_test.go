package checkpoint_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"tandem/checkpoint"
)

var (
	// Fixed keys keep failures reproducible.
	key   = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))
	other = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{8}, ed25519.SeedSize))
	t0    = time.Date(2025, time.March, 10, 9, 0, 0, 123456789, time.UTC)
)

func pub(k ed25519.PrivateKey) ed25519.PublicKey { return k.Public().(ed25519.PublicKey) }

// hashOf stands for the hash of audit entry seq.
func hashOf(seq int64) string {
	sum := sha256.Sum256([]byte(strconv.FormatInt(seq, 10)))
	return hex.EncodeToString(sum[:])
}

// chain stands for a whole audit chain of head entries.
func chain(head int64) func(int64) (string, bool) {
	return func(seq int64) (string, bool) {
		if seq < 1 || seq > head {
			return "", false
		}
		return hashOf(seq), true
	}
}

// same reports whether two checkpoints say the same thing with the same
// signature.
func same(a, b checkpoint.Checkpoint) bool {
	return a.Seq == b.Seq && a.Hash == b.Hash && a.At.Equal(b.At) && bytes.Equal(a.Sig, b.Sig)
}

var lineForm = regexp.MustCompile(`^v1 [1-9][0-9]* [0-9a-f]{64} \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z [A-Za-z0-9+/]{86}==\n$`)

func TestSign_LineParsesBack(t *testing.T) {
	for _, tc := range []struct {
		name string
		seq  int64
		at   time.Time
	}{
		{"UTC time with nanoseconds", 1, t0},
		{"time in another zone", 2000, t0.In(time.FixedZone("CET", 3600))},
		{"whole second", 7, t0.Truncate(time.Second)},
		{"largest seq", math.MaxInt64, t0},
		{"last microsecond of year 9999", 12, time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := checkpoint.Sign(key, tc.seq, hashOf(tc.seq), tc.at)
			if want := tc.at.UTC().Truncate(time.Microsecond); !c.At.Equal(want) || c.At.Location() != time.UTC {
				t.Errorf("signed time %v, want %v in UTC", c.At, want)
			}
			line := c.Line()
			if !lineForm.MatchString(line) {
				t.Fatalf("line %q is not of the form v1 <seq> <hash> <time> <signature>", line)
			}
			for _, in := range []string{line, strings.TrimSuffix(line, "\n")} {
				back, err := checkpoint.Parse(in)
				if err != nil {
					t.Fatalf("Parse(%q): %v", in, err)
				}
				if !same(back, c) {
					t.Errorf("Parse(%q) = %+v, want %+v", in, back, c)
				}
				if err := checkpoint.Verify(pub(key), []checkpoint.Checkpoint{back}, chain(tc.seq), tc.seq); err != nil {
					t.Errorf("the checkpoint read back does not verify: %v", err)
				}
			}
		})
	}
}

func TestLine_WritesFieldsInOrder(t *testing.T) {
	c := checkpoint.Sign(key, 42, hashOf(42), t0)
	want := "v1 42 " + hashOf(42) + " 2025-03-10T09:00:00.123456Z " + base64.StdEncoding.EncodeToString(c.Sig) + "\n"
	if got := c.Line(); got != want {
		t.Errorf("Line() = %q, want %q", got, want)
	}
}

func TestParse_RefusesMalformedLines(t *testing.T) {
	good := strings.TrimSuffix(checkpoint.Sign(key, 42, hashOf(42), t0).Line(), "\n")
	f := strings.Split(good, " ")
	// with returns the good line with field i replaced.
	with := func(i int, v string) string {
		g := append([]string(nil), f...)
		g[i] = v
		return strings.Join(g, " ")
	}
	sigOf := func(n int) string { return base64.StdEncoding.EncodeToString(make([]byte, n)) }
	for _, tc := range []struct {
		name, line, want string
	}{
		{"empty", "", "the line is empty"},
		{"only a newline", "\n", "the line is empty"},
		{"four fields", strings.Join(f[:4], " "), "the line has 4 fields, want 5"},
		{"trailing space", good + " ", "the line has 6 fields, want 5"},
		{"two spaces between fields", strings.Replace(good, " ", "  ", 1), "the line has 6 fields, want 5"},
		{"tab between fields", strings.Replace(good, " ", "\t", 1), `control character '\t' at byte 3`},
		{"Windows line end", good + "\r\n", `control character '\r' at byte ` + strconv.Itoa(len(good)+1)},
		{"two lines in one", good + "\n" + good, `control character '\n'`},
		{"version 2", with(0, "v2"), `the version "v2" is not v1`},
		{"version in capitals", with(0, "V1"), `the version "V1" is not v1`},
		{"seq zero", with(1, "0"), `the seq "0" is not a positive integer`},
		{"seq negative", with(1, "-42"), `the seq "-42" is not a positive integer`},
		{"seq with a plus sign", with(1, "+42"), `the seq "+42" is not a positive integer`},
		{"seq with a leading zero", with(1, "042"), `the seq "042" is not a positive integer`},
		{"seq not a number", with(1, "forty"), `the seq "forty" is not a positive integer`},
		{"seq past int64", with(1, "9223372036854775808"), `the seq "9223372036854775808" is not a positive integer`},
		{"hash in capitals", with(2, strings.ToUpper(f[2])), "is not 64 lowercase hex digits"},
		{"hash one digit short", with(2, f[2][:63]), "is not 64 lowercase hex digits"},
		{"hash one digit long", with(2, f[2]+"0"), "is not 64 lowercase hex digits"},
		{"hash with a non-hex letter", with(2, "g"+f[2][1:]), "is not 64 lowercase hex digits"},
		{"time without microseconds", with(3, "2025-03-10T09:00:00Z"), `the time "2025-03-10T09:00:00Z" is not UTC with microseconds`},
		{"time with milliseconds", with(3, "2025-03-10T09:00:00.123Z"), "is not UTC with microseconds"},
		{"time with nanoseconds", with(3, "2025-03-10T09:00:00.123456789Z"), "is not UTC with microseconds"},
		{"time with an offset", with(3, "2025-03-10T09:00:00.123456+01:00"), "is not UTC with microseconds"},
		{"time on a day that does not exist", with(3, "2025-02-30T09:00:00.123456Z"), "is not UTC with microseconds"},
		{"time as a number", with(3, "1741597200"), "is not UTC with microseconds"},
		{"signature not base64", with(4, "not*base64"), `the signature "not*base64" is not base64`},
		{"signature without padding", with(4, strings.TrimRight(f[4], "=")), "is not base64"},
		{"signature one byte short", with(4, sigOf(63)), "the signature has 63 bytes, want 64"},
		{"signature one byte long", with(4, sigOf(65)), "the signature has 65 bytes, want 64"},
		{"signature empty", with(4, ""), "the signature has 0 bytes, want 64"},
		{"long field cut short in the error", with(2, strings.Repeat("x", 5000)), `"` + strings.Repeat("x", 72) + `"…`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := checkpoint.Parse(tc.line)
			if err == nil {
				t.Fatalf("Parse(%q) = %+v, want an error", tc.line, c)
			}
			if !strings.HasPrefix(err.Error(), "checkpoint line: ") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not say %q", err, tc.want)
			}
			if !same(c, checkpoint.Checkpoint{}) {
				t.Errorf("Parse returned %+v with its error, want nothing", c)
			}
		})
	}
	if _, err := checkpoint.Parse(good); err != nil {
		t.Fatalf("the line the cases spoil does not parse: %v", err)
	}
}
