package seal_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"tandem/seal"
)

// FuzzOpen feeds Open any text and any associated data. Open must never
// panic, must fail with ErrOpen and nothing else, and must open only a
// value Seal produced, under the associated data it was sealed with, to the
// plaintext it was given: no other text, however close, opens.
func FuzzOpen(f *testing.F) {
	k := mustKey(f, material(9))
	other := mustKey(f, material(10))
	// What Seal produced under k, fixed here rather than sealed afresh:
	// the fuzzing workers run this set-up each on its own, and a fresh
	// nonce in each would make their lists disagree.
	type made struct{ sealed, ad, plaintext string }
	produced := map[string]made{}
	for _, m := range []made{
		{"s1.3hrn66m8w+SPxu/mDOLeRpfogNqWH5HAgN9E14kOCZuVG9TKgPyeUG/Lncb7FMsITg", "tandem/source/src-1/legal_name/v1", "Zebediah Quillfeather"},
		{"s1.1CIuj1DkwIYp6u8C2f6caF2eLQRTT3dqLsk5+A", "tandem/source/src-1/aliases/v1", ""},
		{"s1.9Uq2T5rSOSMHVAEgpBfK3llsf4GdpwfFM8+uWCuwP3oc1dUJMrBV3C7vg3et", "tandem/source/src-1/phone_numbers/v1", "[\"+447700900987\"]"},
		{"s1.cnRtErBIFUtdhxGdWh1PwIRNJUlu8BK3g0pvSW+PdAI9D/DlD+k", "tandem/source/src-2/date_of_birth/v7", "1987-03-19"},
		{"s1.NXBEmI4k59Jh1ePzgaeHMxT0kckDiyu93IYHRhqTWnQtv7INqk5i8J6TNf8+/Tu2hTz0NOPiJPRxDDux", "tandem/key/source/src-1/v1", string(make([]byte, 32))},
	} {
		// The fixed values are what Seal gives: they open to their
		// plaintext, which a fresh sealing opens to as well.
		if got, err := k.Open(m.sealed, m.ad); err != nil || string(got) != m.plaintext {
			f.Fatalf("the fixed sealed value for %q does not open: %q, %v", m.plaintext, got, err)
		}
		if got, err := k.Open(k.Seal([]byte(m.plaintext), m.ad), m.ad); err != nil || string(got) != m.plaintext {
			f.Fatalf("a fresh sealing of %q does not open: %q, %v", m.plaintext, got, err)
		}
		produced[m.sealed] = m
		s := m.sealed
		f.Add(s, m.ad)
		// Near misses: the right value under the wrong associated data, and
		// the value cut, extended and garbled.
		f.Add(s, m.ad+"x")
		f.Add(s, seal.FieldAD("source", "src-9", "legal_name", 1))
		f.Add(s[:len(s)-1], m.ad)
		f.Add(s+"A", m.ad)
		f.Add(strings.Replace(s, "s1.", "s2.", 1), m.ad)
		f.Add(s[:3]+strings.ToUpper(s[3:]), m.ad)
	}
	// A value another key sealed.
	f.Add("s1.BfQx1NmPzEt0ncFhAOnlBO3UbbbU0hnRETAMOqMRLOe93adBDDNfxLgmstYwVnKsZQ", "tandem/source/src-1/legal_name/v1")
	f.Add("", "")
	f.Add("s1.", "")
	f.Add("s1.====", "ad")
	f.Add("s1."+strings.Repeat("A", 40), "ad")
	f.Add("s1.\x00\xff", "\x00")
	f.Fuzz(func(t *testing.T, sealed, ad string) {
		got, err := k.Open(sealed, ad)
		want, ok := produced[sealed]
		switch {
		case err != nil && !errors.Is(err, seal.ErrOpen):
			t.Fatalf("Open(%q, %q): error %v is not ErrOpen", sealed, ad, err)
		case err != nil && got != nil:
			t.Fatalf("Open(%q, %q) failed yet returned %q", sealed, ad, got)
		case err == nil && !ok:
			t.Fatalf("Open(%q, %q) opened a value Seal never produced, to %q", sealed, ad, got)
		case err == nil && want.ad != ad:
			t.Fatalf("Open(%q) opened under associated data %q; it was sealed under %q", sealed, ad, want.ad)
		case err == nil && string(got) != want.plaintext:
			t.Fatalf("Open(%q, %q) = %q, sealed from %q", sealed, ad, got, want.plaintext)
		case err != nil && ok && want.ad == ad:
			t.Fatalf("Open(%q, %q): %v; the value was sealed under this associated data", sealed, ad, err)
		}
		// Another key opens nothing of this key's.
		if got, err := other.Open(sealed, ad); err == nil && ok {
			t.Fatalf("another key opened %q to %q", sealed, got)
		}
		_ = seal.IsSealed(sealed)
	})
}

// FuzzSealRoundTrip: whatever the plaintext and associated data, a sealed
// value opens to its plaintext under its associated data, and under no
// other.
func FuzzSealRoundTrip(f *testing.F) {
	k := mustKey(f, material(11))
	f.Add([]byte("Flat 9 Marrowbone Yard"), seal.FieldAD("source", "s", "address", 1), "x")
	f.Add([]byte{}, "", "a")
	f.Add([]byte{0, 0xff}, "\x00", "\x01")
	f.Fuzz(func(t *testing.T, plaintext []byte, ad, suffix string) {
		s := k.Seal(plaintext, ad)
		if !seal.IsSealed(s) {
			t.Fatalf("Seal gave %q, which IsSealed refuses", s)
		}
		got, err := k.Open(s, ad)
		if err != nil || !bytes.Equal(got, plaintext) {
			t.Fatalf("round trip of %q under %q: %q, %v", plaintext, ad, got, err)
		}
		if suffix == "" {
			return
		}
		if got, err := k.Open(s, ad+suffix); !errors.Is(err, seal.ErrOpen) || got != nil {
			t.Fatalf("opened under %q although sealed under %q: %q, %v", ad+suffix, ad, got, err)
		}
	})
}
