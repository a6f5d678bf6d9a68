package phone

import (
	"strings"
	"testing"
)

func TestNormalize_UKSpellingsAllGiveOneE164(t *testing.T) {
	const want = "+447700900123"
	for _, raw := range []string{
		"07700900123",
		"07700 900123",
		"+447700900123",
		"447700900123",
		"00447700900123",
		"(+44) 7700 900 123",
		"+44 (0)7700 900123",
		"+44 (0) 7700 900123",
		"+44( 0 )7700900123",
		"44 (0)7700 900123",
		"0044-7700-900123",
		"+44.7700.900.123",
		"07700-900-123",
		"07700.900.123",
		"(07700) 900123",
		"\t07700\t900123\t",
		"  +44 7700 900123  ",
		"tel:+447700900123",
		"TEL:+44-7700-900123",
		"tel:07700900123",
		"7700900123", // national, trunk prefix left off
	} {
		t.Run(raw, func(t *testing.T) {
			got, ok := Normalize(raw, "44")
			if !ok || got != want {
				t.Errorf("Normalize(%q, 44) = %q, %v; want %q, true", raw, got, ok, want)
			}
		})
	}
}

func TestNormalize_OtherCountries(t *testing.T) {
	for _, tc := range []struct{ raw, cc, want string }{
		{"(202) 555-0143", "1", "+12025550143"},
		{"202-555-0143", "1", "+12025550143"},
		{"202.555.0143", "1", "+12025550143"},
		{"1 202 555 0143", "1", "+12025550143"},
		{"+1 (202) 555-0143", "1", "+12025550143"},
		{"001 202 555 0143", "1", "+12025550143"},
		{"12025550143", "1", "+12025550143"},
		// A number of another country written in full keeps its own code.
		{"+353 1 234 5678", "44", "+35312345678"},
		{"00353 1 234 5678", "44", "+35312345678"},
		{"+447700900123", "1", "+447700900123"},
		// National spellings take the default country.
		{"01 234 5678", "353", "+35312345678"},
		{"030 1234567", "49", "+49301234567"},
		{"1234567", "44", "+441234567"},
	} {
		t.Run(tc.cc+" "+tc.raw, func(t *testing.T) {
			got, ok := Normalize(tc.raw, tc.cc)
			if !ok || got != tc.want {
				t.Errorf("Normalize(%q, %q) = %q, %v; want %q, true", tc.raw, tc.cc, got, ok, tc.want)
			}
		})
	}
}

func TestNormalize_ShortNumbersAreExtensions(t *testing.T) {
	for _, tc := range []struct{ raw, want string }{
		{"7001", "7001"},
		{"1", "1"},
		{"0", "0"},
		{"999", "999"},
		{"70-01", "7001"},
		{" 7001 ", "7001"},
		{"(7001)", "7001"},
		{"123456", "123456"},
		{"012345", "012345"},
		{"0044", "0044"},
		{"tel:7001", "7001"},
	} {
		t.Run(tc.raw, func(t *testing.T) {
			got, ok := Normalize(tc.raw, "44")
			if !ok || got != tc.want {
				t.Errorf("Normalize(%q, 44) = %q, %v; want %q, true", tc.raw, got, ok, tc.want)
			}
		})
	}
}

func TestNormalize_Refusals(t *testing.T) {
	for _, tc := range []struct{ name, raw, cc string }{
		{"empty", "", "44"},
		{"blank", "   ", "44"},
		{"only separators", "(-.)", "44"},
		{"only plus", "+", "44"},
		{"letters", "07700 9OO123", "44"},
		{"a name", "Jo Bloggs", "44"},
		{"caller ID with name", `"Jo" <07700900123>`, "44"},
		{"extension suffix", "07700900123 ext 12", "44"},
		{"tel: with parameters", "tel:+447700900123;ext=1", "44"},
		{"tel: not at the start", "07700tel:900123", "44"},
		{"withheld", "anonymous", "44"},
		{"star code", "*69", "44"},
		{"hash", "7001#", "44"},
		{"slash", "07700/900123", "44"},
		{"plus in the middle", "44+7700900123", "44"},
		{"two pluses", "++447700900123", "44"},
		{"sixteen digits", "+4477009001234567", "44"},
		{"more than fifteen digits after 00", "004477009001234567", "44"},
		{"plus and too few digits", "+4412", "44"},
		{"plus and seven digits", "+4412345", "44"},
		{"plus then zero", "+07700900123", "44"},
		{"000 prefix", "0007700900123", "44"},
		{"eleven digits in no country", "12345678901", "44"},
		{"national too short after trunk", "0123456", "1"},
		{"non-ASCII digit", "０７７００９００１２３", "44"},
		{"country code empty", "07700900123", ""},
		{"country code with plus", "07700900123", "+44"},
		{"country code too long", "07700900123", "4444"},
		{"country code starting 0", "07700900123", "044"},
		{"country code not digits", "07700900123", "UK"},
		{"extension with bad country code", "7001", "x"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got, ok := Normalize(tc.raw, tc.cc); ok || got != "" {
				t.Errorf("Normalize(%q, %q) = %q, %v; want \"\", false", tc.raw, tc.cc, got, ok)
			}
		})
	}
}

func TestNormalize_ResultIsStable(t *testing.T) {
	for _, raw := range []string{"07700 900123", "+44 (0)7700 900123", "(202) 555-0143", "7001", "0", "1234567"} {
		for _, cc := range []string{"44", "1", "353"} {
			once, ok := Normalize(raw, cc)
			if !ok {
				continue
			}
			if twice, ok := Normalize(once, cc); !ok || twice != once {
				t.Errorf("Normalize(Normalize(%q, %q)) = %q, %v; want %q", raw, cc, twice, ok, once)
			}
		}
	}
}

// validOutput reports whether s is a result Normalize may give: "+" and
// 8–15 digits, or 1–6 digits.
func validOutput(s string) bool {
	d := strings.TrimPrefix(s, "+")
	if d == "" || strings.Trim(d, "0123456789") != "" {
		return false
	}
	if d != s {
		return len(d) >= 8 && len(d) <= 15 && d[0] != '0'
	}
	return len(d) <= 6
}

func FuzzNormalize(f *testing.F) {
	for _, raw := range []string{
		"07700900123", "07700 900123", "+447700900123", "447700900123", "00447700900123",
		"(+44) 7700 900 123", "+44 (0)7700 900123", "0044-7700-900123", "+44.7700.900.123",
		"(202) 555-0143", "001 202 555 0143", "7001", "tel:+1-202-555-0143", "+44 ( 0 )", "",
	} {
		for _, cc := range []string{"44", "1", "353", ""} {
			f.Add(raw, cc)
		}
	}
	f.Fuzz(func(t *testing.T, raw, cc string) {
		got, ok := Normalize(raw, cc)
		// The byte form, appended to what a caller already holds, agrees.
		appended, aok := AppendNormalized([]byte("x:"), []byte(raw), cc)
		if aok != ok || string(appended) != "x:"+got {
			t.Fatalf("AppendNormalized(\"x:\", %q, %q) = %q, %v; Normalize gives %q, %v", raw, cc, appended, aok, got, ok)
		}
		if !ok {
			if got != "" {
				t.Fatalf("Normalize(%q, %q) = %q, false; want \"\" with false", raw, cc, got)
			}
			return
		}
		if !validOutput(got) {
			t.Fatalf("Normalize(%q, %q) = %q: not \"+\" and 8–15 digits, nor 1–6 digits", raw, cc, got)
		}
		if again, ok := Normalize(got, cc); !ok || again != got {
			t.Fatalf("Normalize(%q, %q) = %q, but normalising that gives %q, %v", raw, cc, got, again, ok)
		}
	})
}
