package calls

import (
	"os"
	"strings"
	"testing"
)

// A reader told which numbers to keep passes over the other records,
// counts them, and still reports every record that is not well formed,
// whatever its numbers; the records it keeps are read exactly as without
// the filter, keys included.
func TestOnly_PassesOverWhatTheImportWouldNotKeep(t *testing.T) {
	keepIf := func(number string) func(from, to []byte) bool {
		return func(from, to []byte) bool { return string(from) == number || string(to) == number }
	}
	t.Run("asterisk", func(t *testing.T) {
		data, err := os.ReadFile("testdata/asterisk-cdr-sample.csv")
		if err != nil {
			t.Fatal(err)
		}
		bad := `"","07700900777","07700900888","x","y","z","w","Dial","v","2026-03-02 09:15:04","","2026-03-02 09:10:00",10,0,"NO ANSWER","DOCUMENTATION"` + "\n"
		in := string(data) + bad
		all := readAll(t, NewAsteriskReader(strings.NewReader(in), london(t)))
		r := NewAsteriskReader(strings.NewReader(in), london(t))
		r.(*asteriskReader).Only(keepIf("07700900101"))
		got := readAll(t, r)
		if o := outline(got); o != "1: ok\n3: ok\n6: error start 2026-03-02 09:15:04 is after end 2026-03-02 09:10:00\n" {
			t.Fatalf("with the filter:\n%s", o)
		}
		if n := r.(*asteriskReader).Passed(); n != 3 {
			t.Errorf("Passed() = %d, want 3 (lines 2, 4 and 5)", n)
		}
		for _, g := range got[:2] {
			w := all[g.call.Line-1].call
			if *g.call != *w {
				t.Errorf("line %d with the filter:\n got %+v\nwant %+v", g.call.Line, *g.call, *w)
			}
		}
	})
	t.Run("csv", func(t *testing.T) {
		in := "start,from,to,duration_seconds\n" +
			"2026-03-02T09:15:04Z,07700900101,07700900555,60\n" +
			"2026-03-02T09:20:00Z,07700900102,07700900555,60\n" +
			"2026-03-02T09:25:00,07700900102,07700900555,60\n" +
			"2026-03-02T09:30:00Z, 07700900555 ,07700900101,5\n"
		r, err := NewCSVReader(strings.NewReader(in))
		if err != nil {
			t.Fatal(err)
		}
		var asked []string
		r.(*csvReader).Only(func(from, to []byte) bool {
			asked = append(asked, string(from)+">"+string(to))
			return keepIf("07700900101")(from, to)
		})
		got := readAll(t, r)
		if o := outline(got); o != "2: ok\n4: error start \"2026-03-02T09:25:00\" is not an RFC 3339 time with a zone, such as 2026-03-02T09:15:04Z\n5: ok\n" {
			t.Fatalf("with the filter:\n%s", o)
		}
		// The numbers are asked about as the call would carry them: trimmed.
		if strings.Join(asked, " ") != "07700900101>07700900555 07700900102>07700900555 07700900555>07700900101" {
			t.Errorf("asked about %q", asked)
		}
		if n := r.(*csvReader).Passed(); n != 1 {
			t.Errorf("Passed() = %d, want 1", n)
		}
	})
}
