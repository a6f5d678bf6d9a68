package seal

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// NormalPhone writes a phone number the same way whatever its spelling:
// digits only, with a leading + for an international number ("00" counts as
// "+"). Call records' numbers are normalised the same way before matching.
func NormalPhone(p string) string {
	p = strings.TrimSpace(p)
	plus := strings.HasPrefix(p, "+")
	var b strings.Builder
	for _, r := range p {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	d := b.String()
	if !plus && strings.HasPrefix(d, "00") {
		d, plus = d[2:], true
	}
	if plus {
		return "+" + d
	}
	return d
}

// NormalName writes a person's name the same way whatever its case,
// accents, punctuation or spacing: "  O'Brien,  Séan " and "sean obrien"
// are one name.
func NormalName(name string) string {
	var b strings.Builder
	space := false
	for _, r := range norm.NFD.String(name) {
		switch {
		case unicode.Is(unicode.Mn, r): // accents fall away
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(unicode.ToLower(r))
		case unicode.IsSpace(r) || r == '-' || r == ',':
			space = true
		}
	}
	return b.String()
}
