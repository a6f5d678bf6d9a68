package main

// The end-to-end tests run the real binary, built once in TestMain without
// cgo, against temporary data folders, and Main itself where the clock must
// move. Helpers shared by the tests live here.

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"tandem/internal/testdb"
)

// tandemBin is the binary TestMain built.
var tandemBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "tandem-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: temp dir:", err)
		os.Exit(1)
	}
	tandemBin = filepath.Join(dir, "tandem")
	// CGO_ENABLED=0 proves CONTRACT's "one static file, no cgo required".
	build := exec.Command("go", "build", "-o", tandemBin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: CGO_ENABLED=0 go build failed: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// pollEvery is the only pause the tests take: polling, never sleeping for
// an outcome.
const pollEvery = 20 * time.Millisecond

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", within, what)
		}
		time.Sleep(pollEvery)
	}
}

// cleanEnv is the test process's environment without any TANDEM_ setting,
// so that only what a test sets reaches the binary.
func cleanEnv(extra ...string) []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TANDEM_") {
			out = append(out, kv)
		}
	}
	return append(out, extra...)
}

// result is what one run of the binary left behind.
type result struct {
	code           int
	stdout, stderr string
}

// run is a run of the binary: its working folder, environment and stdin.
type run struct {
	dir   string   // working folder; a fresh temp folder when empty
	env   []string // extra environment, NAME=value
	stdin string
}

// postgresFolders are the data folders whose tests keep their database on
// PostgreSQL (dataFolder), each with its database's URL. A run of the
// binary on such a folder, named by --data or TANDEM_DATA, is given the
// database as TANDEM_DATABASE, so that a test reads the same on both
// backends; the keys and checkpoints stay in the folder.
var postgresFolders sync.Map // data folder → PostgreSQL URL

// dataFolder returns a new data folder for a test on backend. On
// PostgreSQL its database is a new one on the server of
// TANDEM_TEST_POSTGRES, dropped when t ends.
func dataFolder(t *testing.T, backend testdb.Backend) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "data")
	if backend == testdb.Postgres {
		keepOnPostgres(t, dir, testdb.PostgresURL(t))
	}
	return dir
}

// keepOnPostgres records that the data folder dir keeps its database at
// dbURL, until t ends; then the folder must hold no SQLite database, which
// a run that missed the PostgreSQL one would have made.
func keepOnPostgres(t *testing.T, dir, dbURL string) {
	postgresFolders.Store(dir, dbURL)
	t.Cleanup(func() {
		postgresFolders.Delete(dir)
		if _, err := os.Stat(filepath.Join(dir, "tandem.db")); err == nil {
			t.Errorf("%s holds an SQLite database: a run on it did not use its PostgreSQL database", dir)
		}
	})
}

// postgresOf returns the URL of the PostgreSQL database the data folder
// dir keeps, if it keeps one.
func postgresOf(dir string) (string, bool) {
	v, ok := postgresFolders.Load(dir)
	if !ok {
		return "", false
	}
	return v.(string), true
}

// databaseEnv returns TANDEM_DATABASE for a run with args and env whose
// data folder keeps its database on PostgreSQL, and nothing otherwise.
func databaseEnv(args, env []string) []string {
	dir := ""
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "TANDEM_DATA="); ok {
			dir = v
		}
	}
	for i, a := range args {
		if v, ok := strings.CutPrefix(a, "--data="); ok {
			dir = v
		} else if a == "--data" && i+1 < len(args) {
			dir = args[i+1]
		}
	}
	if dbURL, ok := postgresOf(dir); ok {
		return []string{"TANDEM_DATABASE=" + dbURL}
	}
	return nil
}

// runBin runs the binary with args and returns its exit code and output.
func runBin(t *testing.T, r run, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, tandemBin, args...)
	cmd.Dir = r.dir
	if cmd.Dir == "" {
		// Never the package folder: a default ./tandem-data must not land
		// in the source tree.
		cmd.Dir = t.TempDir()
	}
	cmd.Env = cleanEnv(append(databaseEnv(args, r.env), r.env...)...)
	cmd.Stdin = strings.NewReader(r.stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := result{stdout: stdout.String(), stderr: stderr.String()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee) && ee.Exited():
		res.code = ee.ExitCode()
	default:
		t.Fatalf("tandem %s: %v\nstderr: %s", strings.Join(args, " "), err, res.stderr)
	}
	return res
}

// mustRun runs the binary and fails the test unless it exits 0.
func mustRun(t *testing.T, r run, args ...string) result {
	t.Helper()
	res := runBin(t, r, args...)
	if res.code != 0 {
		t.Fatalf("tandem %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), res.code, res.stdout, res.stderr)
	}
	return res
}

// lines splits output into its lines, without the final newline.
func lines(s string) []string {
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// stackTrace matches what a Go stack trace or panic leaves in output.
var stackTrace = regexp.MustCompile(`goroutine|panic|\.go:\d*`)

// assertOneCleanLine checks CONTRACT's "one clear line on stderr" and "no
// Go stack trace ever reaches a user".
func assertOneCleanLine(t *testing.T, stderr string) {
	t.Helper()
	if ls := lines(stderr); len(ls) != 1 || strings.TrimSpace(ls[0]) == "" || !strings.HasSuffix(stderr, "\n") {
		t.Errorf("stderr must be exactly one line; got %d:\n%s", len(ls), stderr)
	}
	if stackTrace.MatchString(stderr) {
		t.Errorf("stderr shows Go internals: %q", stderr)
	}
}

// syncBuffer is a buffer that many goroutines may write and read.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// servingLine is the line serve prints once it listens.
var servingLine = regexp.MustCompile(`Tandem is serving at (https?://[^\s]+)`)

// server is `tandem serve` running as a subprocess.
type server struct {
	t      *testing.T
	cmd    *exec.Cmd
	url    string
	stdout *syncBuffer
	stderr *syncBuffer
	done   chan struct{}
	err    error // from Wait, once done is closed
}

// startServer starts `tandem serve --listen 127.0.0.1:0 --data dir`, reads
// the URL it prints and waits until /healthz answers 200.
func startServer(t *testing.T, dir string, extra ...string) *server {
	t.Helper()
	s := &server{t: t, stdout: &syncBuffer{}, stderr: &syncBuffer{}, done: make(chan struct{})}
	s.cmd = exec.Command(tandemBin, append([]string{"serve", "--listen", "127.0.0.1:0", "--data", dir}, extra...)...)
	s.cmd.Dir = t.TempDir()
	s.cmd.Env = cleanEnv(databaseEnv([]string{"--data", dir}, nil)...)
	s.cmd.Stdout, s.cmd.Stderr = s.stdout, s.stderr
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start tandem serve: %v", err)
	}
	go func() {
		s.err = s.cmd.Wait()
		close(s.done)
	}()
	t.Cleanup(func() {
		select {
		case <-s.done:
		default:
			s.cmd.Process.Kill() // the process this test started, by its id
			<-s.done
		}
	})
	eventually(t, 15*time.Second, "serve to print its URL", func() bool {
		select {
		case <-s.done:
			t.Fatalf("tandem serve exited early: %v\nstdout: %s\nstderr: %s", s.err, s.stdout, s.stderr)
		default:
		}
		if m := servingLine.FindStringSubmatch(s.stdout.String()); m != nil {
			s.url = m[1]
			return true
		}
		return false
	})
	waitHealthy(t, s.url)
	return s
}

// waitHealthy polls /healthz until it answers 200.
func waitHealthy(t *testing.T, url string) {
	t.Helper()
	// A test's own self-signed certificate, when serve has --tls-cert.
	c := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	eventually(t, 10*time.Second, url+"/healthz to answer 200", func() bool {
		resp, err := c.Get(url + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
}

// stop sends SIGTERM and returns the exit code.
func (s *server) stop() int {
	s.t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		s.t.Fatalf("SIGTERM: %v", err)
	}
	return s.wait()
}

// wait waits for the server to exit and returns its exit code.
func (s *server) wait() int {
	s.t.Helper()
	select {
	case <-s.done:
	case <-time.After(15 * time.Second):
		s.t.Fatalf("tandem serve did not exit within 15s\nstderr: %s", s.stderr)
	}
	var ee *exec.ExitError
	switch {
	case s.err == nil:
		return 0
	case errors.As(s.err, &ee):
		return ee.ExitCode()
	}
	s.t.Fatalf("tandem serve: %v", s.err)
	return -1
}

// exchange is one API call and its answer, kept for the leak check.
type exchange struct {
	method, path string
	status       int
	body         string
}

// api calls the HTTP API and keeps every answer.
type api struct {
	t      *testing.T
	base   string
	client *http.Client

	mu  sync.Mutex
	log []exchange
}

func newAPI(t *testing.T, url string) *api {
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &api{t: t, base: url + "/api/v1", client: &http.Client{Transport: tr, Timeout: 10 * time.Second}}
}

// call sends body (when not nil) as JSON with the bearer token and returns
// the status and the raw answer.
func (a *api) call(token, method, path string, body any) (int, []byte) {
	a.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			a.t.Fatalf("marshal: %v", err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, a.base+path, rd)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := a.client.Do(req)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		a.t.Fatalf("%s %s: read: %v", method, path, err)
	}
	a.mu.Lock()
	a.log = append(a.log, exchange{method: method, path: path, status: resp.StatusCode, body: string(raw)})
	a.mu.Unlock()
	return resp.StatusCode, raw
}

// do calls the API, checks the status and decodes the answer into out
// (when not nil).
func (a *api) do(token, method, path string, body any, want int, out any) {
	a.t.Helper()
	status, raw := a.call(token, method, path, body)
	if status != want {
		a.t.Fatalf("%s %s: status %d, want %d; body: %s", method, path, status, want, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			a.t.Fatalf("%s %s: decode %s: %v", method, path, raw, err)
		}
	}
}

// exchanges returns every call made so far.
func (a *api) exchanges() []exchange {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]exchange(nil), a.log...)
}

// apiError is CONTRACT's error body.
type apiError struct {
	Error struct {
		Code     string `json:"code"`
		Message  string `json:"message"`
		Field    string `json:"field"`
		Findings []struct {
			Rule     string `json:"rule"`
			Severity string `json:"severity"`
			Message  string `json:"message"`
		} `json:"findings"`
	} `json:"error"`
}

// alert is an alert as GET /alerts lists it.
type alert struct {
	ID              string    `json:"id"`
	Rule            string    `json:"rule"`
	Severity        string    `json:"severity"`
	SourceID        string    `json:"source_id"`
	SourceReference string    `json:"source_reference"`
	ContactID       string    `json:"contact_id"`
	MeetingID       string    `json:"meeting_id"`
	OfficerIDs      []string  `json:"officer_ids"`
	RaisedAt        time.Time `json:"raised_at"`
	Status          string    `json:"status"`
	Message         string    `json:"message"`
	Justification   string    `json:"justification"`
}

// alerts lists alerts with the query (such as "status=open&rule=X").
func (a *api) alerts(token, query string) []alert {
	a.t.Helper()
	var out struct {
		Alerts []alert `json:"alerts"`
	}
	a.do(token, "GET", "/alerts?"+query, nil, http.StatusOK, &out)
	return out.Alerts
}
