package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"tandem/internal/testdb"
)

// TestServe_SIGTERMFinishesRequestInFlight starts the real server, begins a
// request and leaves its body half-sent, sends SIGTERM, and checks that the
// server stops taking new connections yet still answers the request in
// flight, then exits 0 (CONTRACT: "SIGINT/SIGTERM: finish in-flight
// requests, exit 0").
func TestServe_SIGTERMFinishesRequestInFlight(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		dir := dataFolder(t, backend)
		mustRun(t, run{}, "user", "add", "--data", dir, "--username", "admin", "--name", "Ada Admin",
			"--gender", "female", "--roles", "admin")
		token := strings.TrimSpace(mustRun(t, run{}, "token", "issue", "--data", dir, "--username", "admin").stdout)

		srv := startServer(t, dir)
		if !strings.Contains(srv.url, "127.0.0.1:") || strings.HasSuffix(srv.url, ":0") {
			t.Fatalf("serve printed %q; want the real address it listens on", srv.url)
		}
		resp, err := http.Get(srv.url + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("/healthz: %d", resp.StatusCode)
		}

		// The request goes out with "Expect: 100-continue" and no body yet: the
		// server answers 100 Continue only once the handler starts reading the
		// body, so the test knows the request is in flight, not merely queued.
		body := `{"username":"late.arrival","name":"Late Arrival","gender":"male","unit":"north","roles":["handler"],"dedicated":true,"work_phones":[]}`
		conn, err := net.DialTimeout("tcp", strings.TrimPrefix(srv.url, "http://"), 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		conn.SetDeadline(time.Now().Add(20 * time.Second))
		head := fmt.Sprintf("POST /api/v1/officers HTTP/1.1\r\nHost: tandem\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n", token, len(body))
		if _, err := conn.Write([]byte(head)); err != nil {
			t.Fatal(err)
		}
		answers := bufio.NewReader(conn)
		cont, err := http.ReadResponse(answers, nil)
		if err != nil || cont.StatusCode != http.StatusContinue {
			t.Fatalf("want 100 Continue once the handler reads the body; got %v, %v", cont, err)
		}

		if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		// Shutdown has begun once the listener refuses new connections; the
		// request above is still in flight, its body not yet sent.
		eventually(t, 10*time.Second, "the server to stop accepting connections", func() bool {
			c, err := net.DialTimeout("tcp", strings.TrimPrefix(srv.url, "http://"), time.Second)
			if err != nil {
				return true
			}
			c.Close()
			return false
		})
		select {
		case <-srv.done:
			t.Fatalf("the server exited with a request in flight\nstderr: %s", srv.stderr)
		default:
		}

		if _, err := conn.Write([]byte(body)); err != nil {
			t.Fatalf("send the body: %v", err)
		}
		answer, err := http.ReadResponse(answers, nil)
		if err != nil {
			t.Fatalf("the request in flight got no answer: %v\nstderr: %s", err, srv.stderr)
		}
		defer answer.Body.Close()
		if answer.StatusCode != http.StatusCreated {
			t.Errorf("the request in flight: status %d, want 201", answer.StatusCode)
		}
		var officer struct {
			ID       string `json:"id"`
			Username string `json:"username"`
		}
		if err := json.NewDecoder(answer.Body).Decode(&officer); err != nil || officer.ID == "" || officer.Username != "late.arrival" {
			t.Errorf("the request in flight: answer %+v, %v", officer, err)
		}

		if code := srv.wait(); code != 0 {
			t.Errorf("exit %d after SIGTERM, want 0\nstderr: %s", code, srv.stderr)
		}
		if stackTrace.MatchString(srv.stderr.String()) {
			t.Errorf("the server's log shows Go internals:\n%s", srv.stderr)
		}
		// What the request wrote is whole and audited.
		res := mustRun(t, run{}, "audit", "verify", "--data", dir)
		if !strings.Contains(res.stdout, "intact") {
			t.Errorf("audit verify after shutdown: %q", res.stdout)
		}
	})
}

// TestServe_PublicAndProtectedRoutes checks the server's basic promises
// from outside: /healthz needs no credentials, the API does, and errors
// have CONTRACT's shape.
func TestServe_PublicAndProtectedRoutes(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, backend testdb.Backend) {
		dir := dataFolder(t, backend)
		srv := startServer(t, dir)
		a := newAPI(t, srv.url)
		status, raw := a.call("", "GET", "/sources", nil)
		if status != 401 {
			t.Errorf("GET /sources without credentials: %d, want 401", status)
		}
		var e apiError
		if err := json.Unmarshal(raw, &e); err != nil || e.Error.Code != "unauthorized" || e.Error.Message == "" {
			t.Errorf("401 body %s does not have CONTRACT's error shape", raw)
		}
		if !strings.Contains(srv.stdout.String(), "user add") {
			t.Errorf("on an empty store serve must say how to create the first administrator; stdout: %s", srv.stdout)
		}
		if code := srv.stop(); code != 0 {
			t.Errorf("exit %d after SIGTERM, want 0", code)
		}
	})
}
