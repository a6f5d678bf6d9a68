package seal

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

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
