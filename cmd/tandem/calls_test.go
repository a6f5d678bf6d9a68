package main

// `tandem calls import` and POST /call-records, from outside: the real
// binary against a data folder with officers who have work phones and a
// source with a registered number.

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"tandem/internal/testdb"
)

// The numbers of the call-record fixture: those of the Asterisk sample in
// shared/data, so that its lines are used as they are.
const (
	cdrAlexPhones = "07700 900101,7001" // DC Alex Morgan: mobile and desk extension
	cdrPriyaPhone = "+44 7700 900102"   // DS Priya Shah
	cdrSourceTel  = "+44 7700 900555"   // the source, registered in one spelling; the PBX writes others
)

// cdrSample is asterisk-cdr-sample.csv: line 1 Alex calls the source,
// line 2 the source calls Alex's extension, line 3 Alex calls a number no
// one registered (not answered), line 4 Priya calls the source across the
// March change of clocks, line 5 an officer with no registered phone
// dials 999.
const cdrSample = `"","07700900101","07700900555","from-internal","""DC Alex Morgan"" <07700900101>","SIP/7001-00000a1b","SIP/trunk-00000a1c","Dial","SIP/trunk/07700900555,60,tT","2026-03-02 09:15:04","2026-03-02 09:15:11","2026-03-02 09:21:40",396,389,"ANSWERED","DOCUMENTATION","1772442904.2587"
"","+447700900555","7001","from-trunk","""Unknown"" <+447700900555>","SIP/trunk-00000a20","SIP/7001-00000a21","Dial","SIP/7001,30","2026-03-02 22:47:31","2026-03-02 22:47:35","2026-03-03 00:02:09",4478,4474,"ANSWERED","DOCUMENTATION","1772491651.2601"
"","07700900101","07700 900556","from-internal","""DC Alex Morgan"" <07700900101>","SIP/7001-00000a30","","Dial","SIP/trunk/07700900556,60","2026-03-03 11:02:00",,"2026-03-03 11:02:30",30,0,"NO ANSWER","DOCUMENTATION","1772535720.2650"
"billing","07700900102","00447700900555","from-internal","""DS Priya Shah"" <07700900102>","SIP/7002-00000a41","SIP/trunk-00000a42","Dial","SIP/trunk/00447700900555,60,tT","2026-03-29 00:58:10","2026-03-29 00:58:15","2026-03-29 02:03:02",292,287,"ANSWERED","BILLING","1774745890.2700"
"","07700900103","999","from-internal","""PC Sam Reid"" <07700900103>","SIP/7003-00000a50","","Hangup","","2026-03-04 08:00:00",,"2026-03-04 08:00:01",1,0,"FAILED","DOCUMENTATION","1772611200.2711"
`

// cdrBadLines are two lines to append to the sample: line 6 in the hour
// the clocks skipped, line 7 with 15 fields.
const cdrBadLines = `"","07700900101","07700900555","from-internal","","SIP/7001-1","","Dial","","2026-03-29 01:30:00","2026-03-29 01:30:05","2026-03-29 01:32:00",120,115,"ANSWERED","DOCUMENTATION","1774747800.1"
"","07700900101","07700900555","from-internal","","SIP/7001-2","","Dial","","2026-03-05 10:00:00","2026-03-05 10:00:05","2026-03-05 10:02:00",120,115,"ANSWERED"
`

// cdrFolder is a data folder with a controller, two handlers with work
// phones (Alex and Priya, accredited) and a source of Alex's with a
// registered number, and the server that made it, still running.
type cdrFolder struct {
	dir            string
	ctl, alex, pri account
	sourceID       string
	srv            *server
	api            *api
}

// cdrOfficer adds an officer with work phones and issues a token.
func cdrOfficer(t *testing.T, dir, username, name, gender, roles, phones string) account {
	t.Helper()
	args := []string{"user", "add", "--data", dir, "--username", username, "--name", name, "--gender", gender,
		"--roles", roles, "--unit", "north", "--dedicated"}
	if phones != "" {
		args = append(args, "--work-phones", phones)
	}
	c := confirmersOf(dir)
	if strings.Contains(roles, "controller") && c.first() {
		args = append(args, "--bootstrap")
	}
	id := strings.TrimSpace(mustRun(t, run{}, args...).stdout)
	c.confirm(t, func(args ...string) result { return mustRun(t, run{}, args...) }, dir, username, roles, "north")
	token := strings.TrimSpace(mustRun(t, run{}, "token", "issue", "--data", dir, "--username", username).stdout)
	return account{id: id, token: token}
}

func newCDRFolder(t *testing.T, backend testdb.Backend) *cdrFolder {
	t.Helper()
	f := &cdrFolder{dir: dataFolder(t, backend)}
	f.ctl = cdrOfficer(t, f.dir, "carol", "Carol Controller", "female", "controller", "")
	f.alex = cdrOfficer(t, f.dir, "alex", "DC Alex Morgan", "female", "handler", cdrAlexPhones)
	f.pri = cdrOfficer(t, f.dir, "priya", "DS Priya Shah", "female", "handler", cdrPriyaPhone)
	f.srv = startServer(t, f.dir)
	f.api = newAPI(t, f.srv.url)
	course := map[string]any{"course": "Source handler course", "hours": 70, "completed_on": time.Now().UTC().AddDate(0, -2, 0).Format("2006-01-02"),
		"covers_risk_management": true}
	for _, o := range []account{f.alex, f.pri} {
		f.api.do(f.ctl.token, "POST", "/officers/"+o.id+"/training", course, 201, nil)
	}
	var src struct {
		ID string `json:"id"`
	}
	f.api.do(f.alex.token, "POST", "/sources", map[string]any{
		"gender": "female", "date_of_birth": "1991-07-14", "legal_name": "Rhiannon Callwater", "aliases": []string{"Rhi"},
		"address": "4 Quay Street, Northtown", "phone_numbers": []string{cdrSourceTel, "0161 496 0555"},
		"recruited_on": "2025-11-03", "recruitment_circumstances": "Came forward after a burglary.", "unit": "north",
	}, 201, &src)
	f.sourceID = src.ID
	return f
}

// stop stops the server, so that the folder is the command line's alone.
func (f *cdrFolder) stop(t *testing.T) {
	t.Helper()
	if code := f.srv.stop(); code != 0 {
		t.Fatalf("serve after SIGTERM: exit %d; stderr %s", code, f.srv.stderr)
	}
}

// cdrFile writes text to a file in a temp folder and returns its path.
func cdrFile(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// cdrSummary is the first line `calls import` prints.
type cdrSummary struct {
	lines, imported, duplicates, ignored, rejected, documented, undocumented, alerts int
}

func parseCDRSummary(t *testing.T, line string) cdrSummary {
	t.Helper()
	var s cdrSummary
	_, err := fmt.Sscanf(line, "%d lines: %d calls imported, %d duplicates, %d ignored (no source involved), %d rejected; %d documented, %d undocumented (%d alerts raised)",
		&s.lines, &s.imported, &s.duplicates, &s.ignored, &s.rejected, &s.documented, &s.undocumented, &s.alerts)
	if err != nil {
		t.Fatalf("summary line %q: %v", line, err)
	}
	return s
}

func TestCallsImport_CommandLine(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		f := newCDRFolder(t, backend)
		f.stop(t)
		env := []string{"TANDEM_DATA=" + f.dir}
		sample := cdrFile(t, "Master.csv", cdrSample+cdrBadLines)

		t.Run("bad usage exits 2 with one line", func(t *testing.T) {
			badHeader := cdrFile(t, "calls.csv", "start,from,to,seconds\n2026-03-02T09:15:04Z,07700900101,07700900555,389\n")
			for _, tc := range []struct {
				name    string
				args    []string
				mention string
			}{
				{"asterisk without --tz", []string{"calls", "import", "--as", "carol", "--format", "asterisk", sample}, "--tz"},
				{"an unknown zone", []string{"calls", "import", "--as", "carol", "--format", "asterisk", "--tz", "Europe/Atlantis", sample}, "Europe/Atlantis"},
				{"a missing file", []string{"calls", "import", "--as", "carol", "--format", "asterisk", "--tz", "Europe/London", filepath.Join(t.TempDir(), "nope.csv")}, "nope.csv"},
				{"csv with a bad header", []string{"calls", "import", "--as", "carol", "--format", "csv", badHeader}, `missing column "duration_seconds"`},
				{"no file", []string{"calls", "import", "--as", "carol", "--format", "asterisk", "--tz", "Europe/London"}, "file"},
				{"an unknown format", []string{"calls", "import", "--as", "carol", "--format", "excel", sample}, "--format"},
				{"no one named", []string{"calls", "import", "--format", "asterisk", "--tz", "Europe/London", sample}, "--as"},
				{"nobody named", []string{"calls", "import", "--as", "nobody", "--format", "asterisk", "--tz", "Europe/London", sample}, "nobody"},
			} {
				t.Run(tc.name, func(t *testing.T) {
					res := runBin(t, run{env: env}, tc.args...)
					if res.code != 2 {
						t.Errorf("exit %d, want 2; stdout %q stderr %q", res.code, res.stdout, res.stderr)
					}
					assertOneCleanLine(t, res.stderr)
					if !strings.Contains(res.stderr, tc.mention) {
						t.Errorf("stderr %q does not name %q", res.stderr, tc.mention)
					}
					if res.stdout != "" {
						t.Errorf("stdout on bad usage: %q", res.stdout)
					}
				})
			}
			// Nothing was imported by any of them.
			db := openDB(t, filepath.Join(f.dir, "tandem.db"))
			var n int
			if err := db.QueryRow(`SELECT COUNT(*) FROM call_imports`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != 0 {
				t.Errorf("refused commands recorded %d imports", n)
			}
		})

		t.Run("a good file imports, listing the rejected lines", func(t *testing.T) {
			res := mustRun(t, run{env: env}, "calls", "import", "--as", "carol", "--format", "asterisk", "--tz", "Europe/London", sample)
			t.Logf("stdout:\n%s", res.stdout)
			ls := lines(res.stdout)
			if len(ls) != 3 {
				t.Fatalf("stdout has %d lines, want the summary and two rejected lines:\n%s", len(ls), res.stdout)
			}
			got := parseCDRSummary(t, ls[0])
			want := cdrSummary{lines: 7, imported: 3, ignored: 2, rejected: 2, undocumented: 3, alerts: 3}
			if got != want {
				t.Errorf("summary %+v, want %+v", got, want)
			}
			if !strings.HasPrefix(ls[1], "  line 6: ") || !strings.Contains(ls[1], "does not exist") {
				t.Errorf("first rejected line %q, want line 6, a time the clocks skipped", ls[1])
			}
			if !strings.HasPrefix(ls[2], "  line 7: ") || !strings.Contains(ls[2], "15 fields") {
				t.Errorf("second rejected line %q, want line 7 with 15 fields", ls[2])
			}
			if strings.Contains(res.stdout, "0770090") || strings.Contains(res.stderr, "0770090") {
				t.Errorf("the output quotes a phone number:\n%s%s", res.stdout, res.stderr)
			}
			again := mustRun(t, run{env: env}, "calls", "import", "--as", "carol", "--format", "asterisk", "--tz", "Europe/London", sample)
			if got := parseCDRSummary(t, lines(again.stdout)[0]); got.imported != 0 || got.duplicates != 3 || got.alerts != 0 {
				t.Errorf("the same file again: %+v, want 0 imported, 3 duplicates, no alert", got)
			}
			verify := mustRun(t, run{env: env}, "audit", "verify")
			if !strings.Contains(verify.stdout, "intact") {
				t.Errorf("audit verify after the imports: %q", verify.stdout)
			}
		})

		t.Run("more bad lines than are listed are all counted", func(t *testing.T) {
			// 1,500 lines of rubbish around one good line: however many
			// reasons are listed, the summary counts every rejected line.
			var text strings.Builder
			for i := range 1500 {
				fmt.Fprintf(&text, "garbage line %d\n", i)
				if i == 700 {
					text.WriteString(strings.SplitAfter(cdrSample, "\n")[0])
				}
			}
			res := mustRun(t, run{env: env}, "calls", "import", "--as", "carol", "--format", "asterisk", "--tz", "Europe/London", cdrFile(t, "rubbish.csv", text.String()))
			ls := lines(res.stdout)
			got := parseCDRSummary(t, ls[0])
			if got.lines != 1501 || got.rejected != 1500 || got.imported+got.duplicates+got.ignored != 1 {
				t.Errorf("summary %q: want 1501 lines, 1500 rejected, the good line kept", ls[0])
			}
			if listed := len(ls) - 1; listed < 1 || listed > 1500 {
				t.Errorf("%d rejected lines listed", listed)
			}
		})

		t.Run("csv", func(t *testing.T) {
			now := time.Now().UTC()
			csv := cdrFile(t, "calls.csv", "Duration_Seconds,To,From,Start,Notes\n"+
				fmt.Sprintf("300,+447700900555,7001,%s,kept\n", now.Add(-50*time.Hour).Format(time.RFC3339))+
				fmt.Sprintf("0,07700900555,07700 900101,%s,unanswered\n", now.Add(-49*time.Hour).Format(time.RFC3339))+
				fmt.Sprintf("60,07700900556,07700900101,%s,nobody\n", now.Add(-48*time.Hour).Format(time.RFC3339))+
				"12,07700900555,7001,2026-03-02 09:15:04,no zone\n")
			res := mustRun(t, run{env: env}, "calls", "import", "--as", "carol", "--format", "csv", csv)
			ls := lines(res.stdout)
			got := parseCDRSummary(t, ls[0])
			if want := (cdrSummary{lines: 4, imported: 2, ignored: 1, rejected: 1, undocumented: 1, alerts: 1}); got != want {
				t.Errorf("summary %+v, want %+v\n%s", got, want, res.stdout)
			}
			if len(ls) != 2 || !strings.HasPrefix(ls[1], "  line 5: ") {
				t.Errorf("rejected lines %q, want line 5", ls[1:])
			}
		})
	})
}

// cdrBigFile streams n Asterisk lines to path: one in every 10,000 a call
// between Alex's work phone and the source, the others traffic between
// random numbers. The calls start 40 days ago, 3 seconds apart, on a
// London clock. It returns how many lines involve the source.
func cdrBigFile(t *testing.T, path string, n int, daysAgo int) int {
	t.Helper()
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	file, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(file, 1<<20)
	const layout = "2006-01-02 15:04:05"
	base := time.Now().UTC().Add(-time.Duration(daysAgo) * 24 * time.Hour).Truncate(time.Second)
	var line []byte
	kept := 0
	seed := uint64(0x9e3779b97f4a7c15)
	next := func() uint64 { // xorshift: fast, and the same file every run
		seed ^= seed << 13
		seed ^= seed >> 7
		seed ^= seed << 17
		return seed
	}
	for i := range n {
		start := base.Add(time.Duration(i) * 3 * time.Second)
		r := next()
		duration := int(10 + r%900)
		billsec := duration - 6
		var src, dst string
		if i%10_000 == 5_000 {
			src, dst, kept = "07700900101", "+447700900555", kept+1
		} else {
			src = "0791" + strconv.FormatUint(1_000_000+(r>>20)%9_000_000, 10)
			dst = "020" + strconv.FormatUint(10_000_000+(r>>40)%90_000_000, 10)
		}
		line = append(line[:0], `"","`...)
		line = append(line, src...)
		line = append(line, `","`...)
		line = append(line, dst...)
		line = append(line, `","from-internal","","SIP/7001-`...)
		line = strconv.AppendInt(line, int64(i), 16)
		line = append(line, `","","Dial","","`...)
		line = start.In(loc).AppendFormat(line, layout)
		line = append(line, `","`...)
		line = start.Add(6*time.Second).In(loc).AppendFormat(line, layout)
		line = append(line, `","`...)
		line = start.Add(time.Duration(duration)*time.Second).In(loc).AppendFormat(line, layout)
		line = append(line, `",`...)
		line = strconv.AppendInt(line, int64(duration), 10)
		line = append(line, ',')
		line = strconv.AppendInt(line, int64(billsec), 10)
		line = append(line, `,"ANSWERED","DOCUMENTATION","`...)
		line = strconv.AppendInt(line, start.Unix(), 10)
		line = append(line, '.')
		line = strconv.AppendInt(line, int64(i), 10)
		line = append(line, "\"\n"...)
		if _, err := w.Write(line); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := file.Close(); err != nil {
		t.Fatal(err)
	}
	return kept
}

// cdrMeasured is a run of the binary with its peak resident memory.
type cdrMeasured struct {
	result
	took time.Duration
	// peak is the process's peak resident set in bytes: ru_maxrss from
	// wait4, or, when that reading cannot be told from the test process's
	// own (Linux carries the parent's high-water mark into a child
	// started with vfork, across exec), the child's VmHWM read from /proc
	// while it ran.
	peak int64
	how  string
}

// cdrRunMeasured runs the binary to completion and measures it.
func cdrRunMeasured(t *testing.T, env []string, args ...string) cdrMeasured {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, tandemBin, args...)
	cmd.Dir = t.TempDir()
	cmd.Env = cleanEnv(env...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	began := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatalf("start tandem: %v", err)
	}
	// VmHWM of the child's own address space, polled until it exits.
	hwm := make(chan int64, 1)
	done := make(chan struct{})
	go func() {
		var last int64
		status := fmt.Sprintf("/proc/%d/status", cmd.Process.Pid)
		for {
			if b, err := os.ReadFile(status); err == nil {
				for _, l := range strings.Split(string(b), "\n") {
					if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
						if kib, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64); err == nil && kib > last {
							last = kib
						}
					}
				}
			}
			select {
			case <-done:
				hwm <- last * 1024
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	err := cmd.Wait()
	m := cdrMeasured{took: time.Since(began)}
	close(done)
	polled := <-hwm
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("tandem %s: %v", strings.Join(args, " "), err)
	}
	m.result = result{code: cmd.ProcessState.ExitCode(), stdout: stdout.String(), stderr: stderr.String()}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		t.Fatalf("no rusage: %T", cmd.ProcessState.SysUsage())
	}
	var self syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &self); err != nil {
		t.Fatal(err)
	}
	m.peak, m.how = int64(ru.Maxrss)*1024, "ru_maxrss" // KiB on Linux
	if ru.Maxrss <= self.Maxrss && polled > 0 {
		// The reading may be the test process's own peak, not the child's.
		m.peak, m.how = polled, fmt.Sprintf("VmHWM polled (ru_maxrss %d KiB is not above the test process's own %d KiB)", ru.Maxrss, self.Maxrss)
	}
	return m
}

// TestCallsImport_MillionLinesInBoundedMemory runs the real binary over a
// million-line file and holds its peak resident memory under 100 MB: the
// import streams, whatever the size of the file.
func TestCallsImport_MillionLinesInBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("writes and imports a million-line file")
	}
	t.Parallel()
	const n = 1_000_000
	const maxRSS = 100_000_000 // bytes
	f := newCDRFolder(t, testdb.SQLite)
	f.stop(t)
	env := []string{"TANDEM_DATA=" + f.dir}
	path := filepath.Join(t.TempDir(), "Master.csv")
	began := time.Now()
	kept := cdrBigFile(t, path, n, 40)
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %d lines, %d MB, in %s", n, info.Size()>>20, time.Since(began).Round(time.Millisecond))

	// The same command over a fifth of the lines: a streaming import
	// peaks at the same, whatever the size of the file.
	fifth := filepath.Join(t.TempDir(), "Fifth.csv")
	// Days earlier than the big file, so that no call of one is a call of
	// the other (their keys would be the same, and the second import count
	// duplicates).
	cdrBigFile(t, fifth, n/5, 80)
	small := cdrRunMeasured(t, env, "calls", "import", "--as", "carol", "--format", "asterisk", "--tz", "Europe/London", fifth)
	if small.code != 0 {
		t.Fatalf("the smaller import: exit %d: %s", small.code, small.stderr)
	}
	t.Logf("%d lines: peak RSS %.1f MB (%s), %s", n/5, float64(small.peak)/1e6, small.how, small.took.Round(time.Millisecond))

	m := cdrRunMeasured(t, env, "calls", "import", "--as", "carol", "--format", "asterisk", "--tz", "Europe/London", path)
	t.Logf("imported %d lines in %s: %.0f lines/s, peak RSS %.1f MB (%s)", n, m.took.Round(time.Millisecond), float64(n)/m.took.Seconds(), float64(m.peak)/1e6, m.how)
	t.Logf("stdout: %s", strings.TrimSpace(m.stdout))
	if m.code != 0 {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", m.code, m.stdout, m.stderr)
	}
	if m.peak >= maxRSS {
		t.Errorf("peak resident memory %.1f MB, want under %d MB (%d lines peak at %.1f MB)", float64(m.peak)/1e6, maxRSS/1_000_000, n/5, float64(small.peak)/1e6)
	}
	// Whatever the fixed cost, five times the lines must add next to
	// nothing.
	if grew := m.peak - small.peak; grew > 20_000_000 {
		t.Errorf("%d lines take %.1f MB more at peak than %d: the import does not stream", n, float64(grew)/1e6, n/5)
	}
	ls := lines(m.stdout)
	if len(ls) != 1 {
		t.Fatalf("stdout has %d lines, want the summary alone:\n%s", len(ls), m.stdout)
	}
	got := parseCDRSummary(t, ls[0])
	if want := (cdrSummary{lines: n, imported: kept, ignored: n - kept, undocumented: kept, alerts: kept}); got != want {
		t.Errorf("summary %+v, want %+v", got, want)
	}
	if !strings.HasPrefix(ls[0], "1000000 lines: ") {
		t.Errorf("summary %q does not report 1,000,000 lines", ls[0])
	}
	if m.stderr != "" {
		t.Errorf("stderr: %s", m.stderr)
	}
}

// cdrPost posts a raw body to the API.
func (a *api) cdrPost(token, path, contentType, body string) (int, []byte) {
	a.t.Helper()
	req, err := http.NewRequest("POST", a.base+path, strings.NewReader(body))
	if err != nil {
		a.t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := a.client.Do(req)
	if err != nil {
		a.t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		a.t.Fatal(err)
	}
	return resp.StatusCode, raw
}

func TestCallRecordsAPI_ImportAsController(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		f := newCDRFolder(t, backend)
		a := f.api
		const path = "/call-records?format=asterisk&tz=Europe/London"
		body := cdrSample + cdrBadLines

		status, raw := a.cdrPost(f.ctl.token, path, "text/csv", body)
		if status != 200 {
			t.Fatalf("POST %s as controller: %d %s", path, status, raw)
		}
		t.Logf("answer: %s", raw)
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(raw, &fields); err != nil {
			t.Fatalf("decode %s: %v", raw, err)
		}
		for _, k := range []string{"imported", "duplicates", "ignored", "matched", "undocumented", "alerts_raised", "rejected"} {
			if _, ok := fields[k]; !ok {
				t.Errorf("the answer has no %q: %s", k, raw)
			}
		}
		var res struct {
			Imported, Duplicates, Ignored, Matched, Undocumented int
			AlertsRaised                                         int `json:"alerts_raised"`
			Rejected                                             []struct {
				Line   int    `json:"line"`
				Reason string `json:"reason"`
			} `json:"rejected"`
		}
		if err := json.Unmarshal(raw, &res); err != nil {
			t.Fatal(err)
		}
		if res.Imported != 3 || res.Duplicates != 0 || res.Ignored != 2 || res.Matched != 0 || res.Undocumented != 3 || res.AlertsRaised != 3 {
			t.Errorf("counts %+v, want 3 imported, 2 ignored, 3 undocumented with 3 alerts", res)
		}
		if len(res.Rejected) != 2 || res.Rejected[0].Line != 6 || res.Rejected[1].Line != 7 || res.Rejected[0].Reason == "" || res.Rejected[1].Reason == "" {
			t.Errorf("rejected %+v, want lines 6 and 7 with reasons", res.Rejected)
		}
		if strings.Contains(string(raw), "0770090") {
			t.Errorf("the answer quotes a phone number: %s", raw)
		}
		if as := a.alerts(f.ctl.token, "rule=UNDOCUMENTED_CALL&source_id="+f.sourceID); len(as) != 3 {
			t.Errorf("%d UNDOCUMENTED_CALL alerts, want 3", len(as))
		}
		var listed struct {
			Calls []struct {
				ID        string `json:"id"`
				OfficerID string `json:"officer_id"`
				Direction string `json:"direction"`
			} `json:"calls"`
		}
		status, raw = a.call(f.alex.token, "GET", "/sources/"+f.sourceID+"/calls", nil)
		if status != 200 || json.Unmarshal(raw, &listed) != nil || len(listed.Calls) != 3 {
			t.Errorf("GET the source's calls as its handler: %d %s", status, raw)
		}
		if strings.Contains(string(raw), "0770090") || strings.Contains(string(raw), "7001") {
			t.Errorf("the calls list carries a number: %s", raw)
		}
		// Again: nothing new.
		if status, raw := a.cdrPost(f.ctl.token, path, "text/csv", body); status != 200 || !strings.Contains(string(raw), `"imported":0`) || !strings.Contains(string(raw), `"duplicates":3`) {
			t.Errorf("the same records again: %d %s", status, raw)
		}

		// A handler may not import.
		if status, raw := a.cdrPost(f.alex.token, path, "text/csv", body); status != 403 {
			t.Errorf("POST as handler: %d %s, want 403", status, raw)
		}
		if status, _ := a.cdrPost("", path, "text/csv", body); status != 401 {
			t.Errorf("POST without credentials: %d, want 401", status)
		}
		// Bad requests name their field.
		for _, tc := range []struct {
			query, field string
		}{
			{"", "format"},
			{"?tz=Europe/London", "format"},
			{"?format=excel", "format"},
			{"?format=asterisk", "tz"},
			{"?format=asterisk&tz=Mars/Olympus", "tz"},
		} {
			status, raw := a.cdrPost(f.ctl.token, "/call-records"+tc.query, "text/csv", body)
			var e apiError
			json.Unmarshal(raw, &e)
			if status != 400 || e.Error.Code != "invalid" || e.Error.Field != tc.field {
				t.Errorf("POST /call-records%s: %d %s, want 400 invalid naming %s", tc.query, status, raw, tc.field)
			}
		}
		if code := f.srv.stop(); code != 0 {
			t.Errorf("serve after SIGTERM: exit %d", code)
		}
	})
}
