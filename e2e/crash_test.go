package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"tandem/internal/testdb"
)

// A change is acknowledged only once it is durable: killed with SIGKILL at
// a random moment under sixteen writing clients, several times over, the
// server loses no contact it answered 201 for, and the audit trail verifies
// afterwards. On every database.
func TestCrash_KillNineUnderLoadLosesNothingAcknowledged(t *testing.T) {
	for _, b := range testdb.Backends(t) {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			database := ""
			if b == testdb.Postgres {
				admin, _ := testdb.Server()
				dbURL, drop, err := testdb.Create(context.Background(), admin)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { drop() })
				database = dbURL
			}
			crashRounds(t, t.TempDir(), database)
		})
	}
}

// crashRun runs the binary on the data folder (and database) to its end.
func crashRun(t *testing.T, data, database string, args ...string) string {
	t.Helper()
	full := append([]string{"--data", data}, args...)
	if database != "" {
		full = append([]string{"--database", database}, full...)
	}
	cmd := exec.Command(tandemBinary, full...)
	cmd.Env = append(os.Environ(), "TANDEM_DATA=", "TANDEM_DATABASE=", "TANDEM_MASTER_KEY_FILE=")
	out, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("tandem %s: %v: %s", strings.Join(args, " "), err, stderr)
	}
	return strings.TrimSpace(string(out))
}

// crashServer starts `tandem serve` and returns its URL and process.
func crashServer(t *testing.T, data, database string) (string, *exec.Cmd) {
	t.Helper()
	args := []string{"serve", "--listen", "127.0.0.1:0", "--data", data}
	if database != "" {
		args = append(args, "--database", database)
	}
	cmd := exec.Command(tandemBinary, args...)
	cmd.Env = append(os.Environ(), "TANDEM_DATA=", "TANDEM_DATABASE=", "TANDEM_MASTER_KEY_FILE=")
	cmd.Stderr = io.Discard
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := servingAt.FindStringSubmatch(sc.Text()); m != nil {
				urls <- m[1]
			}
		}
	}()
	select {
	case u := <-urls:
		return u, cmd
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatal("the server did not start within a minute")
	}
	return "", nil
}

func crashRounds(t *testing.T, data, database string) {
	// A small force, through the store's own code.
	crashRun(t, data, database, "bench", "seed", "--sources", "12", "--officers", "24", "--contacts", "120", "--seed", "7")
	token := crashRun(t, data, database, "token", "issue", "--username", "u001.h01", "--ttl", "1h")
	hc := &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 32}}
	var sources []string
	var handler string
	acked := map[string]string{} // contact id -> source id
	rnd := rand.New(rand.NewSource(1))
	const rounds = 4
	for round := 0; round < rounds; round++ {
		url, cmd := crashServer(t, data, database)
		if sources == nil {
			sources, handler = crashSources(t, hc, url, token)
		}
		var mu sync.Mutex
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for c := 0; c < 16; c++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					src := sources[(c+i)%len(sources)]
					body := fmt.Sprintf(`{"kind":"phone","occurred_at":%q,"officer_ids":[%q],"summary":"round %d client %d call %d"}`,
						time.Now().Add(-time.Hour).UTC().Format(time.RFC3339), handler, round, c, i)
					req, _ := http.NewRequest("POST", url+"/api/v1/sources/"+src+"/contacts", strings.NewReader(body))
					req.Header.Set("Authorization", "Bearer "+token)
					req.Header.Set("Content-Type", "application/json")
					resp, err := hc.Do(req)
					if err != nil {
						return // the server is gone
					}
					var got struct {
						ID string `json:"id"`
					}
					err = json.NewDecoder(resp.Body).Decode(&got)
					resp.Body.Close()
					if resp.StatusCode == http.StatusCreated && err == nil && got.ID != "" {
						mu.Lock()
						acked[got.ID] = src
						mu.Unlock()
					}
				}
			}()
		}
		time.Sleep(time.Duration(300+rnd.Intn(1200)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		close(stop)
		wg.Wait()
		hc.CloseIdleConnections()
		mu.Lock()
		t.Logf("round %d: killed with %d contacts acknowledged so far", round+1, len(acked))
		mu.Unlock()
	}
	if len(acked) == 0 {
		t.Fatal("no contact was acknowledged before the kills: the test tried nothing")
	}
	// Every acknowledged contact is there after the last kill.
	url, cmd := crashServer(t, data, database)
	missing := 0
	for id, src := range acked {
		req, _ := http.NewRequest("GET", url+"/api/v1/sources/"+src+"/contacts/"+id, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			missing++
		}
	}
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()
	if missing > 0 {
		t.Fatalf("%d of %d acknowledged contacts are missing after kill -9", missing, len(acked))
	}
	out := crashRun(t, data, database, "audit", "verify")
	if !strings.Contains(out, "intact") {
		t.Fatalf("audit verify after the kills: %s", out)
	}
	if database == "" {
		if _, err := os.Stat(filepath.Join(data, "tandem.db")); err != nil {
			t.Fatalf("no SQLite database in the data folder: %v", err)
		}
	}
}

// crashSources returns the sources the handler handles, and the handler's
// id.
func crashSources(t *testing.T, hc *http.Client, url, token string) ([]string, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url+"/api/v1/sources", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var page struct {
		Sources []struct {
			ID       string `json:"id"`
			Handlers []struct {
				OfficerID string `json:"officer_id"`
				Role      string `json:"role"`
			} `json:"handlers"`
		} `json:"sources"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil {
		t.Fatal(err)
	}
	var ids []string
	handler := ""
	for _, s := range page.Sources {
		for _, h := range s.Handlers {
			if h.Role == "handler" && handler == "" {
				handler = h.OfficerID
			}
		}
	}
	for _, s := range page.Sources {
		for _, h := range s.Handlers {
			if h.OfficerID == handler {
				ids = append(ids, s.ID)
				break
			}
		}
	}
	if len(ids) == 0 {
		t.Fatal("the handler has no source")
	}
	return ids, handler
}
