// Package phone writes telephone numbers in one form, so that a number in a
// call record can be matched to a registered number however either was
// spelled.
package phone

// maxDigits is the most digits an E.164 number has, country code included.
const maxDigits = 15

// minDigits is the fewest digits accepted after the "+" of an E.164 number:
// fewer cannot be a country code and a subscriber number of any country
// Tandem is likely to meet, and a short code is an extension instead.
const minDigits = 8

// maxExtension is the longest internal extension (PBX short number).
const maxExtension = 6

// Normalize writes raw, a phone number in any of its usual spellings, in one
// form: E.164 ("+447700900123") for a public number, using countryCode (the
// default country calling code without "+", such as "44" or "1") for a
// number written the national way; or the digits alone for a short internal
// extension ("7001"). It reports false, with "", for anything that is not a
// phone number, and for every raw when countryCode is not 1–3 digits without
// a leading 0: a misconfiguration must not match numbers by accident.
//
// The rules, in the order they apply:
//
//   - A leading "tel:" (any case) is dropped. Spaces, tabs, dashes, dots and
//     parentheses are separators and are dropped. A "+" may come only before
//     the first digit, once. Any other character (a letter, "*", "#", "/"…)
//     refuses the number.
//   - "(0)" after the first digit is the national trunk prefix written in
//     brackets beside the country code ("+44 (0)7700 900123") and is dropped
//     with its brackets.
//   - Without a "+", 1–6 digits are an internal extension, kept as digits
//     whatever they begin with ("0", "999", "0044" stay as they are): a
//     PBX's short numbers are never public numbers.
//   - "+" then digits: international; the digits are the E.164 number.
//   - "00" then digits: international; the "00" is the international prefix.
//   - a leading "0" (the national trunk prefix): the country code, then the
//     rest.
//   - digits that begin with the country code and are long enough to hold a
//     national number after it (at least len(countryCode)+9 digits, so 11
//     for "44"): international written without "+" ("447700900123").
//   - any other 7–10 digits: a national number written without its trunk
//     prefix; the country code, then the digits.
//   - anything else (11 or more digits not starting with the country code)
//     is refused: it cannot be placed in a country.
//
// An E.164 result must have 8–15 digits and must not begin with 0 (no
// country code does); otherwise the number is refused. Normalize is
// idempotent: normalising its result with the same country code returns it
// unchanged.
func Normalize(raw, countryCode string) (string, bool) {
	var buf [1 + maxDigits]byte
	out, ok := AppendNormalized(buf[:0], raw, countryCode)
	if !ok {
		return "", false
	}
	return string(out), true
}

// AppendNormalized appends Normalize's form of raw to dst, and reports
// false, leaving dst as it was, where Normalize refuses raw. It allocates
// nothing when dst has room: for a call import, which normalises two
// numbers of every line of a file and keeps one line in a hundred.
func AppendNormalized[T ~string | ~[]byte](dst []byte, raw T, countryCode string) ([]byte, bool) {
	if !validCountryCode(countryCode) {
		return dst, false
	}
	var buf [2 + maxDigits]byte
	digits, plus, ok := scan(raw, &buf)
	if !ok {
		return dst, false
	}
	n := len(digits)
	var national bool // the country code goes before the digits
	switch {
	case !plus && n <= maxExtension:
		return append(dst, digits...), true
	case plus:
	case n >= 2 && digits[0] == '0' && digits[1] == '0':
		digits = digits[2:]
	case digits[0] == '0':
		digits, national = digits[1:], true
	case n >= len(countryCode)+9 && string(digits[:len(countryCode)]) == countryCode:
	case n >= 7 && n <= 10:
		national = true
	default:
		return dst, false
	}
	total := len(digits)
	if national {
		total += len(countryCode)
	}
	first := byte(0)
	switch {
	case national:
		first = countryCode[0]
	case len(digits) > 0:
		first = digits[0]
	}
	if total < minDigits || total > maxDigits || first == '0' {
		return dst, false
	}
	dst = append(dst, '+')
	if national {
		dst = append(dst, countryCode...)
	}
	return append(dst, digits...), true
}

func validCountryCode(cc string) bool {
	if len(cc) < 1 || len(cc) > 3 || cc[0] == '0' {
		return false
	}
	for i := 0; i < len(cc); i++ {
		if cc[i] < '0' || cc[i] > '9' {
			return false
		}
	}
	return true
}

// scan returns the digits of raw and whether it began with "+", or false
// when raw holds a character no phone number is spelled with, no digit, or
// more digits than any spelling of an E.164 number ("00" and 15 digits).
func scan[T ~string | ~[]byte](raw T, buf *[2 + maxDigits]byte) (digits []byte, plus, ok bool) {
	s := raw
	for len(s) > 0 && isSeparator(s[0]) {
		s = s[1:]
	}
	if len(s) >= 4 && (s[0]|0x20) == 't' && (s[1]|0x20) == 'e' && (s[2]|0x20) == 'l' && s[3] == ':' {
		s = s[4:]
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			if n == len(buf) {
				return nil, false, false
			}
			buf[n] = c
			n++
		case c == '+':
			if plus || n > 0 {
				return nil, false, false
			}
			plus = true
		case c == '(' && n > 0:
			if j, ok := trunkInBrackets(s, i); ok {
				i = j
			}
		case isSeparator(c):
		default:
			return nil, false, false
		}
	}
	if n == 0 {
		return nil, false, false
	}
	return buf[:n], plus, true
}

// trunkInBrackets reports whether s[i:] begins with "(0)", blanks allowed
// inside the brackets, and returns the index of its ")".
func trunkInBrackets[T ~string | ~[]byte](s T, i int) (int, bool) {
	j := i + 1
	for j < len(s) && (s[j] == ' ' || s[j] == '\t') {
		j++
	}
	if j >= len(s) || s[j] != '0' {
		return 0, false
	}
	j++
	for j < len(s) && (s[j] == ' ' || s[j] == '\t') {
		j++
	}
	if j >= len(s) || s[j] != ')' {
		return 0, false
	}
	return j, true
}

// isSeparator reports whether c is one of the characters people put between
// the digits of a phone number.
func isSeparator(c byte) bool {
	switch c {
	case ' ', '\t', '-', '.', '(', ')':
		return true
	}
	return false
}
