package e2e

import (
	"bufio"
	"bytes"
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
	"testing"
	"time"
)

// demoPassword is the password of every demo account (CONTRACT "The demo").
const demoPassword = "tandem-demo"

// baseURL is where the server under test answers, set by TestMain.
var baseURL string

// serverLog holds what the server wrote on stderr, shown when a test fails.
var serverLog lockedBuffer

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	if err := resetScreenshots(); err != nil {
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
	srv, err := startServer(bin, filepath.Join(tmp, "data"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: start `tandem serve --demo`:", err)
		fmt.Fprintln(os.Stderr, serverLog.String())
		return 1
	}
	baseURL = srv.url

	code := m.Run()

	if err := srv.stop(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: the server did not stop cleanly on SIGINT:", err)
		code = 1
	}
	if code != 0 {
		fmt.Fprintln(os.Stderr, "e2e: the server's log (last 60 lines):")
		fmt.Fprintln(os.Stderr, lastLines(serverLog.String(), 60))
	}
	return code
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

type server struct {
	url  string
	cmd  *exec.Cmd
	done chan error
}

var servingAt = regexp.MustCompile(`Tandem is serving at (http://\S+)`)

// startServer runs `tandem serve --demo` on a free port of the loopback
// interface and waits until /healthz answers.
func startServer(bin, data string) (*server, error) {
	cmd := exec.Command(bin, "serve", "--demo", "--listen", "127.0.0.1:0", "--data", data)
	cmd.Env = append(os.Environ(), "TANDEM_DATA=", "TANDEM_DATABASE=", "TANDEM_MASTER_KEY_FILE=")
	cmd.Stderr = &serverLog
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{cmd: cmd, done: make(chan error, 1)}
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(&serverLog, "stdout: "+line)
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
		return nil, fmt.Errorf("the server exited before serving: %v", err)
	case <-time.After(90 * time.Second):
		_ = cmd.Process.Kill()
		return nil, errors.New("no \"Tandem is serving at\" line within 90 s")
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
			return nil, fmt.Errorf("/healthz did not answer 200 within 30 s (last error %v)", err)
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
