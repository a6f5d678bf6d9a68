package e2e

import (
	"bufio"
	"bytes"
	"context"
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
	"sync/atomic"
	"testing"
	"time"

	"tandem/internal/testdb"
)

// demoPassword is the password of every demo account (CONTRACT "The demo").
const demoPassword = "tandem-demo"

// servers are the servers under test, started by TestMain: `tandem serve
// --demo` on SQLite, and a second on PostgreSQL when TANDEM_TEST_POSTGRES
// names a server (testdb). Each test runs against every one of them, as
// subtests named for their databases (onEveryServer).
var servers []*server

// tandemBinary is the binary the tests run, built by TestMain.
var tandemBinary string

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) (code int) {
	if err := resetScreenshots(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	backends, err := testdb.List()
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	tmp, err := os.MkdirTemp("", "tandem-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(tmp)

	bin, err := buildTandem(tmp)
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: build the tandem binary:", err)
		return 1
	}
	tandemBinary = bin
	// The servers stop before their databases are dropped. One that does
	// not stop cleanly fails the run, and any failure shows their logs.
	var drops []func() error
	defer func() {
		for _, srv := range servers {
			if err := srv.stop(); err != nil {
				fmt.Fprintf(os.Stderr, "e2e: the %s server did not stop cleanly on SIGINT: %v\n", srv.name, err)
				code = 1
			}
		}
		// A server on PostgreSQL that made an SQLite database did not run
		// on PostgreSQL.
		for _, srv := range servers {
			if _, err := os.Stat(filepath.Join(srv.data, "tandem.db")); srv.name == string(testdb.Postgres) && err == nil {
				fmt.Fprintf(os.Stderr, "e2e: the %s server made an SQLite database in %s\n", srv.name, srv.data)
				code = 1
			}
		}
		for _, drop := range drops {
			if err := drop(); err != nil {
				fmt.Fprintln(os.Stderr, "e2e: drop the test database:", err)
				code = 1
			}
		}
		if code != 0 {
			for _, srv := range servers {
				fmt.Fprintf(os.Stderr, "e2e: the %s server's log (last 60 lines):\n", srv.name)
				fmt.Fprintln(os.Stderr, lastLines(srv.log.String(), 60))
			}
		}
	}()
	for _, b := range backends {
		database := ""
		if b == testdb.Postgres {
			admin, _ := testdb.Server()
			dbURL, drop, err := testdb.Create(context.Background(), admin)
			if err != nil {
				fmt.Fprintln(os.Stderr, "e2e:", err)
				return 1
			}
			drops = append(drops, drop)
			database = dbURL
		}
		srv, err := startServer(bin, string(b), filepath.Join(tmp, "data-"+string(b)), database)
		if err != nil {
			fmt.Fprintf(os.Stderr, "e2e: start `tandem serve --demo` on %s: %v\n", b, err)
			fmt.Fprintln(os.Stderr, srv.log.String())
			return 1
		}
		servers = append(servers, srv)
	}
	return m.Run()
}

// onEveryServer runs test against each server under test, as subtests
// named for their databases. They run in parallel: each server has a
// database of its own, and a browser test spends most of its time waiting
// for pages.
func onEveryServer(t *testing.T, test func(t *testing.T, srv *server)) {
	t.Helper()
	for _, srv := range servers {
		t.Run(srv.name, func(t *testing.T) {
			t.Parallel()
			test(t, srv)
		})
	}
}

// buildTandem builds cmd/tandem from the module root into dir: the tests run
// the real binary, as an operator would.
func buildTandem(dir string) (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("not inside the tandem module")
	}
	bin := filepath.Join(dir, "tandem")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/tandem")
	cmd.Dir = filepath.Dir(gomod)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("%v\n%s", err, out)
	}
	return bin, nil
}

// server is `tandem serve --demo` running as a subprocess.
type server struct {
	name string // the database: "sqlite" or "postgres"
	data string // the data folder
	url  string
	cmd  *exec.Cmd
	done chan error
	// log holds what the server wrote, shown when a test fails.
	log lockedBuffer
	// shots counts its pages' screenshots, numbered in the order visited.
	shots atomic.Int32
}

var servingAt = regexp.MustCompile(`Tandem is serving at (http://\S+)`)

// startServer runs `tandem serve --demo` on the data folder data, and on
// the PostgreSQL database when it is not "" (the keys and checkpoints stay
// in the folder), on a free port of the loopback interface, and waits until
// /healthz answers. The server it returns, even with an error, holds what
// the process wrote.
func startServer(bin, name, data, database string) (*server, error) {
	args := []string{"serve", "--demo", "--listen", "127.0.0.1:0", "--data", data}
	if database != "" {
		args = append(args, "--database", database)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "TANDEM_DATA=", "TANDEM_DATABASE=", "TANDEM_MASTER_KEY_FILE=")
	s := &server{name: name, data: data, cmd: cmd, done: make(chan error, 1)}
	cmd.Stderr = &s.log
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return s, err
	}
	if err := cmd.Start(); err != nil {
		return s, err
	}
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(&s.log, "stdout: "+line)
			if m := servingAt.FindStringSubmatch(line); m != nil {
				select {
				case urls <- m[1]:
				default:
				}
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
		s.done <- cmd.Wait()
	}()

	// The demo loads several months of history before the server listens.
	select {
	case s.url = <-urls:
	case err := <-s.done:
		return s, fmt.Errorf("the server exited before serving: %v", err)
	case <-time.After(90 * time.Second):
		_ = cmd.Process.Kill()
		return s, errors.New("no \"Tandem is serving at\" line within 90 s")
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(s.url + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			return s, fmt.Errorf("/healthz did not answer 200 within 30 s (last error %v)", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// stop sends SIGINT, as an operator's Ctrl-C, and expects exit code 0
// (CONTRACT "Commands").
func (s *server) stop() error {
	if err := s.cmd.Process.Signal(os.Interrupt); err != nil {
		return err
	}
	select {
	case err := <-s.done:
		return err
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		return errors.New("still running 30 s after SIGINT; killed")
	}
}

// lockedBuffer is a bytes.Buffer that the server's stdout reader and the
// process's stderr copier may write at the same time.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
