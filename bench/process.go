package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Server is a server process under measurement.
type Server struct {
	URL string
	cmd *exec.Cmd
	// ColdStart is the time from starting the process to its first
	// healthy answer.
	ColdStart time.Duration
	stderr    *tail
}

var serving = regexp.MustCompile(`serving at (http://[0-9.:\[\]a-z]+)`)

// Start starts a server process and waits until it answers /healthz. The
// server must print "serving at http://ADDR" on its standard output.
func Start(ctx context.Context, binary string, args ...string) (*Server, error) {
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = append(os.Environ(), "GOGC=100")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	s := &Server{cmd: cmd, stderr: &tail{}}
	cmd.Stderr = s.stderr
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := serving.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
	}()
	select {
	case s.URL = <-found:
	case <-time.After(10 * time.Minute):
		s.Stop()
		return nil, fmt.Errorf("%s did not start: %s", binary, s.stderr)
	}
	hc := &http.Client{Timeout: time.Second}
	for {
		resp, err := hc.Get(s.URL + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Since(t0) > 10*time.Minute {
			s.Stop()
			return nil, fmt.Errorf("%s never answered /healthz: %s", binary, s.stderr)
		}
		time.Sleep(2 * time.Millisecond)
	}
	s.ColdStart = time.Since(t0)
	return s, nil
}

// Memory returns the process's resident memory now and at its peak, in
// bytes.
func (s *Server) Memory() (rss, peak int64, err error) {
	return memoryOf(s.cmd.Process.Pid)
}

func memoryOf(pid int) (rss, peak int64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		n, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "VmRSS:":
			rss = n * 1024
		case "VmHWM:":
			peak = n * 1024
		}
	}
	return rss, peak, nil
}

// Stop asks the server to finish (SIGTERM) and waits for it.
func (s *Server) Stop() error {
	if s.cmd.Process == nil {
		return nil
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return fmt.Errorf("the server exited with %v: %s", err, s.stderr)
		}
		return err
	case <-time.After(time.Minute):
		s.cmd.Process.Kill()
		return fmt.Errorf("the server did not stop within a minute")
	}
}

// Exec runs a command to its end and returns its standard output, its
// wall time and its peak resident memory.
func Exec(ctx context.Context, stdin io.Reader, binary string, args ...string) (string, time.Duration, int64, error) {
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Stdin = stdin
	var out strings.Builder
	errs := &tail{}
	cmd.Stdout, cmd.Stderr = &out, errs
	t0 := time.Now()
	err := cmd.Run()
	took := time.Since(t0)
	var peak int64
	if cmd.ProcessState != nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			peak = ru.Maxrss * 1024
		}
	}
	if err != nil {
		return out.String(), took, peak, fmt.Errorf("%s %s: %v: %s", binary, strings.Join(args, " "), err, errs)
	}
	return out.String(), took, peak, nil
}

// tail keeps the last few kilobytes written to it, for error messages.
type tail struct{ b []byte }

func (t *tail) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if len(t.b) > 4096 {
		t.b = t.b[len(t.b)-4096:]
	}
	return len(p), nil
}

func (t *tail) String() string { return strings.TrimSpace(string(t.b)) }
