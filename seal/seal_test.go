package seal_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"tandem/phone"
	"tandem/seal"
)

// material returns 32 bytes of key material made of one repeated byte, so
// that two keys in a test differ visibly.
func material(b byte) []byte { return bytes.Repeat([]byte{b}, seal.KeySize) }

func mustKey(t testing.TB, m []byte) *seal.Key {
	t.Helper()
	k, err := seal.NewKey(m)
	if err != nil {
		t.Fatalf("NewKey: %v", err)
	}
	return k
}

func TestSealOpen_RoundTrip(t *testing.T) {
	k := mustKey(t, material(1))
	tests := []struct {
		name      string
		plaintext []byte
		ad        string
	}{
		{"empty", []byte{}, seal.FieldAD("source", "s1", "legal_name", 1)},
		{"a name", []byte("Zebediah Quillfeather"), seal.FieldAD("source", "s1", "legal_name", 1)},
		{"unicode", []byte("Séan O'Brien, Flat 9 Marrowbone Yard — ☎ +44 7700 900987"), seal.FieldAD("source", "s1", "address", 3)},
		{"json", []byte(`["+447700900987","0044 7700-900123"]`), seal.FieldAD("source", "s1", "phone_numbers", 1)},
		{"binary", []byte{0, 1, 2, 0xff, 0xfe, 0}, seal.KeyAD("source", "s1", 1)},
		{"long", bytes.Repeat([]byte("recruitment circumstances "), 4000), seal.FieldAD("source", "s1", "recruitment_circumstances", 1)},
		{"empty ad", []byte("x"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sealed := k.Seal(tt.plaintext, tt.ad)
			if !seal.IsSealed(sealed) {
				t.Errorf("IsSealed(%q) = false", sealed)
			}
			if len(tt.plaintext) >= 4 && strings.Contains(sealed, string(tt.plaintext)) {
				t.Errorf("the sealed value carries its plaintext")
			}
			got, err := k.Open(sealed, tt.ad)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if !bytes.Equal(got, tt.plaintext) {
				t.Errorf("Open = %q, want %q", got, tt.plaintext)
			}
			// A second sealing of the same value differs (a fresh nonce) and
			// opens to the same.
			again := k.Seal(tt.plaintext, tt.ad)
			if again == sealed {
				t.Errorf("two sealings of the same value are equal: the nonce is not fresh")
			}
			if got, err := k.Open(again, tt.ad); err != nil || !bytes.Equal(got, tt.plaintext) {
				t.Errorf("the second sealing: Open = %q, %v", got, err)
			}
			// Another key with the same material opens it too: the key is
			// its material, nothing else.
			if got, err := mustKey(t, material(1)).Open(sealed, tt.ad); err != nil || !bytes.Equal(got, tt.plaintext) {
				t.Errorf("a key from the same material: Open = %q, %v", got, err)
			}
		})
	}
}

func TestOpen_WrongAssociatedDataFails(t *testing.T) {
	k := mustKey(t, material(2))
	ad := seal.FieldAD("source", "src-1", "legal_name", 1)
	sealed := k.Seal([]byte("Zebediah Quillfeather"), ad)
	wrong := []struct{ name, ad string }{
		{"another record type", seal.FieldAD("officer", "src-1", "legal_name", 1)},
		{"another record", seal.FieldAD("source", "src-2", "legal_name", 1)},
		{"another field", seal.FieldAD("source", "src-1", "address", 1)},
		{"another key version", seal.FieldAD("source", "src-1", "legal_name", 2)},
		{"a wrapped key's", seal.KeyAD("source", "src-1", 1)},
		{"empty", ""},
		{"one byte more", ad + " "},
		{"one byte less", ad[:len(ad)-1]},
		{"case", strings.ToUpper(ad)},
	}
	for _, w := range wrong {
		t.Run(w.name, func(t *testing.T) {
			if w.ad == ad {
				t.Fatalf("the test's wrong associated data %q is the right one", w.ad)
			}
			got, err := k.Open(sealed, w.ad)
			if !errors.Is(err, seal.ErrOpen) {
				t.Errorf("Open with %q: err = %v, want ErrOpen", w.ad, err)
			}
			if got != nil {
				t.Errorf("Open with %q returned %q", w.ad, got)
			}
		})
	}
	// The associated data of different records, fields and versions, and
	// of wrapped keys, are all different: no two bind the same.
	seen := map[string]bool{}
	add := func(ad string) {
		if seen[ad] {
			t.Errorf("associated data %q made twice", ad)
		}
		seen[ad] = true
	}
	for _, rec := range []string{"source", "officer"} {
		for _, id := range []string{"a", "b"} {
			for _, v := range []int{1, 2, 10} {
				add(seal.KeyAD(rec, id, v))
				for _, field := range []string{"legal_name", "address"} {
					add(seal.FieldAD(rec, id, field, v))
				}
			}
		}
	}
}

func TestOpen_WrongKeyFails(t *testing.T) {
	ad := seal.FieldAD("source", "s1", "address", 1)
	sealed := mustKey(t, material(3)).Seal([]byte("Flat 9 Marrowbone Yard"), ad)
	other := material(3)
	other[31] ^= 1 // one bit of the key
	for name, m := range map[string][]byte{"another key": material(4), "one bit different": other} {
		got, err := mustKey(t, m).Open(sealed, ad)
		if !errors.Is(err, seal.ErrOpen) || got != nil {
			t.Errorf("%s: Open = %q, %v; want ErrOpen", name, got, err)
		}
	}
}

func TestOpen_TruncatedOrGarbledFails(t *testing.T) {
	k := mustKey(t, material(5))
	ad := seal.FieldAD("source", "s1", "date_of_birth", 1)
	sealed := k.Seal([]byte("1987-03-19"), ad)
	body := strings.TrimPrefix(sealed, "s1.")
	raw, err := base64.RawStdEncoding.DecodeString(body)
	if err != nil {
		t.Fatalf("the sealed value is not s1. and unpadded base64: %q", sealed)
	}
	flip := func(i int) string {
		b := append([]byte(nil), raw...)
		b[i] ^= 0x01
		return "s1." + base64.RawStdEncoding.EncodeToString(b)
	}
	swapChar := func(s string, i int) string {
		c := byte('A')
		if s[i] == 'A' {
			c = 'B'
		}
		return s[:i] + string(c) + s[i+1:]
	}
	// The last character of unpadded base64 carries unused bits when the
	// length is not a multiple of three: set one, and the text differs
	// while its bytes decode the same.
	if len(raw)%3 == 0 {
		t.Fatalf("the test needs a sealed value whose length is not a multiple of 3; got %d bytes", len(raw))
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	last := strings.IndexByte(alphabet, sealed[len(sealed)-1])
	unusedBit := sealed[:len(sealed)-1] + string(alphabet[last^1])
	tests := map[string]string{
		"an unused bit set":        unusedBit,
		"empty":                    "",
		"the prefix alone":         "s1.",
		"no prefix":                body,
		"another version prefix":   "s2." + body,
		"upper-case prefix":        "S1." + body,
		"cut by one character":     sealed[:len(sealed)-1],
		"cut by four characters":   sealed[:len(sealed)-4],
		"cut to the nonce":         "s1." + base64.RawStdEncoding.EncodeToString(raw[:12]),
		"cut below nonce and tag":  "s1." + base64.RawStdEncoding.EncodeToString(raw[:12+15]),
		"nonce and tag only":       "s1." + base64.RawStdEncoding.EncodeToString(raw[:12+16]),
		"one more byte":            "s1." + base64.RawStdEncoding.EncodeToString(append(append([]byte(nil), raw...), 0)),
		"a nonce bit flipped":      flip(0),
		"a ciphertext bit flipped": flip(12),
		"a tag bit flipped":        flip(len(raw) - 1),
		"a character changed":      swapChar(sealed, 10),
		"padded base64":            "s1." + base64.StdEncoding.EncodeToString(raw) + "==",
		"not base64":               "s1.!!!!" + body[4:],
		"a space inside":           sealed[:10] + " " + sealed[10:],
		"a newline at the end":     sealed + "\n",
		"a line break inside":      sealed[:20] + "\r\n" + sealed[20:],
		"twice":                    sealed + sealed,
		"all zeros":                "s1." + base64.RawStdEncoding.EncodeToString(make([]byte, len(raw))),
	}
	for name, s := range tests {
		t.Run(name, func(t *testing.T) {
			if s == sealed {
				t.Fatalf("the garbled value is the sealed one")
			}
			got, err := k.Open(s, ad)
			if !errors.Is(err, seal.ErrOpen) {
				t.Errorf("Open(%q): err = %v, want ErrOpen", s, err)
			}
			if got != nil {
				t.Errorf("Open(%q) returned %q", s, got)
			}
		})
	}
	// The original still opens: nothing above changed it.
	if got, err := k.Open(sealed, ad); err != nil || string(got) != "1987-03-19" {
		t.Fatalf("the untouched value: Open = %q, %v", got, err)
	}
}

func TestNewKey_RefusesWrongSize(t *testing.T) {
	for _, n := range []int{0, 1, 16, 24, 31, 33, 64} {
		if _, err := seal.NewKey(make([]byte, n)); err == nil {
			t.Errorf("NewKey with %d bytes: no error", n)
		}
		if _, err := seal.NewIndex(make([]byte, n)); err == nil {
			t.Errorf("NewIndex with %d bytes: no error", n)
		}
	}
	if _, err := seal.NewKey(make([]byte, seal.KeySize)); err != nil {
		t.Errorf("NewKey with %d bytes: %v", seal.KeySize, err)
	}
}

func TestRandomKeyMaterial_FreshEachTime(t *testing.T) {
	a, b := seal.RandomKeyMaterial(), seal.RandomKeyMaterial()
	if len(a) != seal.KeySize || len(b) != seal.KeySize {
		t.Fatalf("sizes %d and %d, want %d", len(a), len(b), seal.KeySize)
	}
	if bytes.Equal(a, b) || bytes.Equal(a, make([]byte, seal.KeySize)) {
		t.Errorf("RandomKeyMaterial is not random: %x, %x", a, b)
	}
}

func TestIsSealed(t *testing.T) {
	k := mustKey(t, material(6))
	for s, want := range map[string]bool{
		k.Seal([]byte("x"), "ad"): true,
		"Zebediah Quillfeather":   false,
		"":                        false,
		"S1.abc":                  false,
		"JBSWY3DPEHPK3PXP":        false, // a TOTP secret in clear
	} {
		if got := seal.IsSealed(s); got != want {
			t.Errorf("IsSealed(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestIndex_KeyedDeterministicAndKindBound(t *testing.T) {
	x, err := seal.NewIndex(material(7))
	if err != nil {
		t.Fatal(err)
	}
	y, _ := seal.NewIndex(material(8))
	phone := normalPhone(t, "+44 7700 900123")
	a := x.Sum("phone", phone)
	if len(a) != 64 || strings.Trim(a, "0123456789abcdef") != "" {
		t.Errorf("Sum = %q, want 64 lowercase hex digits", a)
	}
	if strings.Contains(a, "7700900123") {
		t.Errorf("the blind index carries the number: %q", a)
	}
	if b := x.Sum("phone", phone); b != a {
		t.Errorf("Sum is not deterministic: %q then %q", a, b)
	}
	if b := x.Sum("phone", normalPhone(t, "0044 7700-900123")); b != a {
		t.Errorf("two spellings of one number index differently")
	}
	if b := y.Sum("phone", phone); b == a {
		t.Errorf("two index keys give the same index: it is not keyed")
	}
	if b := x.Sum("person", phone); b == a {
		t.Errorf("the same value of another kind gives the same index")
	}
	if b := x.Sum("phone", normalPhone(t, "+44 7700 900124")); b == a {
		t.Errorf("two numbers give the same index")
	}
	// The kind and the value are separated: ("ab", "c") is not ("a", "bc").
	if x.Sum("ab", "c") == x.Sum("a", "bc") {
		t.Errorf("kind and value run together")
	}
}
func TestNormalName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Séan  O'Brien", "sean obrien"},
		{"sean obrien", "sean obrien"},
		{"  O'Brien,  Séan ", "obrien sean"},
		{"SEAN O’BRIEN", "sean obrien"}, // a typographic apostrophe
		{"Zebediah Quillfeather", "zebediah quillfeather"},
		{"Jean-Luc  Picard", "jean luc picard"},
		{"Zoë Ångström", "zoe angstrom"},
		{"Ørsted", "ørsted"}, // a letter of its own, not an accented o
		{"Dmitri\tIvanov\n", "dmitri ivanov"},
		{"Борис Петров", "борис петров"},
		{"Agent 47", "agent 47"},
		{"", ""},
		{" , - ", ""},
		{"O'", "o"},
	}
	for _, tt := range tests {
		if got := seal.NormalName(tt.in); got != tt.want {
			t.Errorf("NormalName(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := seal.NormalName(tt.want); got != tt.want {
			t.Errorf("NormalName is not idempotent on %q: %q", tt.want, got)
		}
	}
	if seal.NormalName("Sean O'Brien") == seal.NormalName("Shaun O'Brien") {
		t.Errorf("two names normalise to one")
	}
}

func TestAssociatedData_Forms(t *testing.T) {
	if got, want := seal.FieldAD("source", "abc", "legal_name", 2), "tandem/source/abc/legal_name/v2"; got != want {
		t.Errorf("FieldAD = %q, want %q", got, want)
	}
	if got, want := seal.KeyAD("keyring", "check", 1), "tandem/key/keyring/check/v1"; got != want {
		t.Errorf("KeyAD = %q, want %q", got, want)
	}
}

// normalPhone writes a number as the store indexes it (package phone).
func normalPhone(t *testing.T, p string) string {
	t.Helper()
	n, ok := phone.Normalize(p, "44")
	if !ok {
		t.Fatalf("phone.Normalize(%q) refused it", p)
	}
	return n
}
