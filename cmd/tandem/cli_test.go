package main

import (
	"bytes"
	"database/sql"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // a folder's PostgreSQL database, opened straight
	_ "modernc.org/sqlite"

	"tandem/internal/testdb"
)

// initialised returns a data folder that already holds a store and a master
// key, so that a command's output is its own and not first-start notices.
func initialised(t *testing.T) string {
	t.Helper()
	return initialisedOn(t, testdb.SQLite)
}

// initialisedOn is initialised with the folder's database on backend.
func initialisedOn(t *testing.T, backend testdb.Backend) string {
	t.Helper()
	dir := dataFolder(t, backend)
	mustRun(t, run{}, firstAdmin("--data", dir)...)
	return dir
}

// firstAdmin is the command that creates a store: the first administrator.
func firstAdmin(extra ...string) []string {
	return append([]string{"user", "add", "--username", "first.admin", "--name", "First Admin", "--gender", "female", "--roles", "admin"}, extra...)
}

var oneID = regexp.MustCompile(`^\S+\n$`)

func TestCLI_UserAddPrintsID(t *testing.T) {
	t.Parallel()
	dir := initialised(t)
	res := runBin(t, run{}, "user", "add", "--data", dir, "--as", "first.admin", "--username", "harry", "--name", "Harry Handler",
		"--gender", "male", "--roles", "handler", "--unit", "north", "--dedicated")
	if res.code != 0 {
		t.Fatalf("exit %d, stderr: %s", res.code, res.stderr)
	}
	if !oneID.MatchString(res.stdout) {
		t.Errorf("stdout must be the new officer's id on one line; got %q", res.stdout)
	}
	if res.stderr != "" {
		t.Errorf("stderr must be empty on success; got %q", res.stderr)
	}
	// The same username again is bad input, not a crash.
	res = runBin(t, run{}, "user", "add", "--data", dir, "--as", "first.admin", "--username", "harry", "--name", "Harry Again",
		"--gender", "male", "--roles", "handler", "--unit", "north")
	if res.code != 2 {
		t.Errorf("a taken username: exit %d, want 2; stderr: %s", res.code, res.stderr)
	}
	assertOneCleanLine(t, res.stderr)
}

func TestCLI_BadInputExits2WithOneLine(t *testing.T) {
	t.Parallel()
	dir := initialised(t)
	base := func(over map[string]string, drop string) []string {
		flags := map[string]string{"--username": "x.y", "--name": "X Y", "--gender": "female", "--roles": "handler", "--unit": "north"}
		for k, v := range over {
			flags[k] = v
		}
		args := []string{"user", "add", "--data", dir, "--as", "first.admin"}
		for _, k := range []string{"--username", "--name", "--gender", "--roles", "--unit"} {
			if k != drop {
				args = append(args, k, flags[k])
			}
		}
		return args
	}
	tests := []struct {
		name    string
		args    []string
		mention string // what the one line must name
	}{
		{"gender in capitals", base(map[string]string{"--gender": "F"}, ""), "gender"},
		{"admin with another role", base(map[string]string{"--roles": "admin,handler"}, ""), "admin"},
		{"unknown role", base(map[string]string{"--roles": "handler,boss"}, ""), "boss"},
		{"missing username", base(nil, "--username"), "--username"},
		{"unknown flag", append(base(nil, ""), "--colour", "blue"), "colour"},
		{"unknown command", []string{"--data", dir, "frobnicate"}, "frobnicate"},
		{"no command", []string{"--data", dir}, "command"},
		{"token for nobody", []string{"token", "issue", "--data", dir, "--username", "nobody"}, "nobody"},
		{"token without username", []string{"token", "issue", "--data", dir}, "--username"},
		{"token with a bad ttl", []string{"token", "issue", "--data", dir, "--username", "x", "--ttl", "forever"}, "ttl"},
		{"serve on a bad address", []string{"serve", "--data", dir, "--listen", "not-an-address"}, "listen"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := runBin(t, run{}, tt.args...)
			if res.code != 2 {
				t.Errorf("exit %d, want 2; stderr: %s", res.code, res.stderr)
			}
			assertOneCleanLine(t, res.stderr)
			if !strings.Contains(res.stderr, tt.mention) {
				t.Errorf("stderr %q does not name %q", res.stderr, tt.mention)
			}
			if res.stdout != "" {
				t.Errorf("stdout must be empty on bad input; got %q", res.stdout)
			}
		})
	}
	// Nothing was half-written: no officer was created by any of them (the
	// one officer is the administrator who created the store).
	db := openDB(t, filepath.Join(dir, "tandem.db"))
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM officers`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("bad input changed the officers: %d, want only the first administrator", n)
	}
}

// TestCLI_BadInputOnFreshDataFolder: CONTRACT's "one clear line on stderr"
// holds on the very first run too: bad input is refused before anything is
// created, so no first-start notice joins the error line.
func TestCLI_BadInputOnFreshDataFolder(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "data")
	res := runBin(t, run{}, "user", "add", "--data", dir, "--username", "x", "--name", "X",
		"--gender", "F", "--roles", "handler", "--unit", "north")
	if res.code != 2 {
		t.Errorf("exit %d, want 2", res.code)
	}
	assertOneCleanLine(t, res.stderr)
}

func TestCLI_PasswordStdin(t *testing.T) {
	t.Parallel()
	dir := initialised(t)
	add := func(username, stdin string, withFlag bool) result {
		args := []string{"user", "add", "--data", dir, "--as", "first.admin", "--username", username, "--name", "Pat " + username,
			"--gender", "female", "--roles", "controller", "--unit", "north"}
		if withFlag {
			args = append(args, "--password-stdin")
		}
		return runBin(t, run{stdin: stdin}, args...)
	}
	const password = "correct horse battery staple"
	if res := add("with.pw", password+"\n", true); res.code != 0 || !oneID.MatchString(res.stdout) {
		t.Fatalf("--password-stdin: exit %d, stdout %q, stderr %s", res.code, res.stdout, res.stderr)
	}
	if res := add("no.pw", "", false); res.code != 0 {
		t.Fatalf("without a password: exit %d, stderr %s", res.code, res.stderr)
	}
	// A password too short to accept proves stdin was read and checked.
	res := add("short.pw", "short\n", true)
	if res.code != 2 || !strings.Contains(res.stderr, "password") {
		t.Errorf("a short password on stdin: exit %d, stderr %q; want 2 naming the password", res.code, res.stderr)
	}
	assertOneCleanLine(t, res.stderr)
	res = add("empty.pw", "", true)
	if res.code != 2 {
		t.Errorf("--password-stdin with nothing on stdin: exit %d, want 2", res.code)
	}
	assertOneCleanLine(t, res.stderr)

	db := openDB(t, filepath.Join(dir, "tandem.db"))
	hash := func(username string) string {
		var h string
		if err := db.QueryRow(`SELECT password_hash FROM officers WHERE username = ?`, username).Scan(&h); err != nil {
			t.Fatalf("%s: %v", username, err)
		}
		return h
	}
	if h := hash("with.pw"); h == "" || strings.Contains(h, password) {
		t.Errorf("with --password-stdin the password must be stored hashed; got %q", h)
	}
	if h := hash("no.pw"); h != "" {
		t.Errorf("without --password-stdin no password is set; got hash %q", h)
	}
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM officers WHERE username IN ('short.pw', 'empty.pw')`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("refused passwords still created %d officers", n)
	}
}

func TestCLI_TokenIssuePrintsOnlyTheToken(t *testing.T) {
	t.Parallel()
	dir := initialised(t)
	mustRun(t, run{}, "user", "add", "--data", dir, "--as", "first.admin", "--username", "aud", "--name", "Alan Auditor",
		"--gender", "male", "--roles", "auditor", "--unit", "standards")
	res := mustRun(t, run{}, "token", "issue", "--data", dir, "--username", "aud", "--ttl", "1h")
	if !oneID.MatchString(res.stdout) {
		t.Errorf("stdout must be exactly one line holding the token; got %q", res.stdout)
	}
	if res.stderr != "" {
		t.Errorf("stderr must be empty; got %q", res.stderr)
	}
	again := mustRun(t, run{}, "token", "issue", "--data", dir, "--username", "aud")
	if again.stdout == res.stdout {
		t.Errorf("two issues gave the same token")
	}
	// The token works against the API: the officer directory, which an
	// account that awaits confirmation may read; the trail waits for a
	// second person.
	srv := startServer(t, dir)
	a := newAPI(t, srv.url)
	a.do(strings.TrimSpace(res.stdout), "GET", "/officers", nil, 200, nil)
	if status, _ := a.call(strings.TrimSpace(res.stdout), "GET", "/audit?limit=1", nil); status != 403 {
		t.Errorf("the unconfirmed auditor reads the trail: status %d, want 403", status)
	}
	if status, _ := a.call("not-a-token", "GET", "/audit", nil); status != 401 {
		t.Errorf("a made-up token: status %d, want 401", status)
	}
	if code := srv.stop(); code != 0 {
		t.Errorf("serve after SIGTERM: exit %d, want 0", code)
	}
}

func TestCLI_AuditVerifyRefusesFolderWithoutStore(t *testing.T) {
	t.Parallel()
	// A mistyped --data must not verify as "intact": it holds nothing.
	dir := filepath.Join(t.TempDir(), "data")
	res := runBin(t, run{}, "audit", "verify", "--data", dir)
	if res.code != 2 {
		t.Fatalf("exit %d, want 2; stderr %s", res.code, res.stderr)
	}
	assertOneCleanLine(t, res.stderr)
	if _, err := os.Stat(dir); err == nil {
		t.Errorf("audit verify created the data folder %s", dir)
	}
	if res := runBin(t, run{}, "token", "issue", "--username", "x", "--data", dir); res.code != 2 {
		t.Errorf("token issue on a folder without a store: exit %d, want 2", res.code)
	}
}

func TestCLI_AuditVerifyFreshStore(t *testing.T) {
	t.Parallel()
	dir := initialised(t)
	res := runBin(t, run{}, "audit", "verify", "--data", dir)
	if res.code != 0 {
		t.Fatalf("exit %d, stderr %s", res.code, res.stderr)
	}
	if ls := lines(res.stdout); len(ls) != 1 || !strings.Contains(ls[0], "intact") {
		t.Errorf("stdout must be a one-line summary; got %q", res.stdout)
	}
}

func TestCLI_MasterKey(t *testing.T) {
	t.Parallel()
	t.Run("created 0600, 32 bytes, with a warning", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "data")
		res := mustRun(t, run{}, firstAdmin("--data", dir)...)
		info, err := os.Stat(filepath.Join(dir, "master.key"))
		if err != nil {
			t.Fatalf("no master key created: %v", err)
		}
		if info.Mode().Perm() != 0o600 {
			t.Errorf("master.key mode %v, want 0600", info.Mode().Perm())
		}
		if info.Size() != 32 {
			t.Errorf("master.key holds %d bytes, want 32", info.Size())
		}
		if !strings.Contains(res.stderr, "warning") || !strings.Contains(res.stderr, "master key") {
			t.Errorf("no warning about the new master key on stderr: %q", res.stderr)
		}
		if stackTrace.MatchString(res.stderr) {
			t.Errorf("stderr shows Go internals: %q", res.stderr)
		}
		key, _ := os.ReadFile(filepath.Join(dir, "master.key"))
		if bytes.Equal(key, make([]byte, 32)) {
			t.Errorf("the master key is all zeros")
		}
		// The second start keeps the key and says nothing about it.
		res = mustRun(t, run{}, "audit", "verify", "--data", dir)
		if strings.Contains(res.stderr, "master key") {
			t.Errorf("second start warned again: %q", res.stderr)
		}
		if again, _ := os.ReadFile(filepath.Join(dir, "master.key")); !bytes.Equal(key, again) {
			t.Errorf("the master key changed on the second start")
		}
	})
	t.Run("a key of the wrong size exits 2", func(t *testing.T) {
		for _, size := range []int{0, 31, 33} {
			dir := t.TempDir()
			key := filepath.Join(dir, "short.key")
			if err := os.WriteFile(key, bytes.Repeat([]byte{7}, size), 0o600); err != nil {
				t.Fatal(err)
			}
			res := runBin(t, run{}, firstAdmin("--data", filepath.Join(dir, "data"), "--master-key", key)...)
			if res.code != 2 {
				t.Errorf("%d-byte key: exit %d, want 2; stderr %s", size, res.code, res.stderr)
			}
			assertOneCleanLine(t, res.stderr)
			if !strings.Contains(res.stderr, "master-key") {
				t.Errorf("%d-byte key: stderr %q does not name --master-key", size, res.stderr)
			}
		}
	})
	t.Run("the flag beats TANDEM_MASTER_KEY_FILE", func(t *testing.T) {
		dir := t.TempDir()
		bad, good := filepath.Join(dir, "bad.key"), filepath.Join(dir, "good.key")
		os.WriteFile(bad, []byte("too short"), 0o600)
		os.WriteFile(good, bytes.Repeat([]byte{1}, 32), 0o600)
		data := filepath.Join(dir, "data")
		env := []string{"TANDEM_MASTER_KEY_FILE=" + bad}
		if res := runBin(t, run{env: env}, firstAdmin("--data", data)...); res.code != 2 {
			t.Errorf("the environment's bad key: exit %d, want 2 (is TANDEM_MASTER_KEY_FILE read?)", res.code)
		}
		if res := runBin(t, run{env: env}, firstAdmin("--data", data, "--master-key", good)...); res.code != 0 {
			t.Errorf("--master-key with a good key over a bad TANDEM_MASTER_KEY_FILE: exit %d, stderr %s", res.code, res.stderr)
		}
		if _, err := os.Stat(filepath.Join(data, "master.key")); err == nil {
			t.Errorf("a master key was created in the data folder although one was given")
		}
	})
}

func TestCLI_DataFolderFromEnvironmentAndFlag(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	envDir, flagDir := filepath.Join(work, "from-env"), filepath.Join(work, "from-flag")
	env := []string{"TANDEM_DATA=" + envDir}
	add := func(username string, extra ...string) {
		args := append([]string{"user", "add", "--username", username, "--name", "N " + username,
			"--gender", "female", "--roles", "auditor", "--unit", "standards"}, extra...)
		mustRun(t, run{dir: work, env: env}, args...)
	}
	add("env.only")
	add("flag.wins", "--data", flagDir)

	usernames := func(dir string) []string {
		db := openDB(t, filepath.Join(dir, "tandem.db"))
		rows, err := db.Query(`SELECT username FROM officers ORDER BY username`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var u string
			rows.Scan(&u)
			out = append(out, u)
		}
		return out
	}
	if got := usernames(envDir); strings.Join(got, ",") != "env.only" {
		t.Errorf("TANDEM_DATA folder holds %v, want [env.only]", got)
	}
	if got := usernames(flagDir); strings.Join(got, ",") != "flag.wins" {
		t.Errorf("--data folder holds %v, want [flag.wins]: the flag must beat TANDEM_DATA", got)
	}
	if _, err := os.Stat(filepath.Join(work, "tandem-data")); err == nil {
		t.Errorf("the default ./tandem-data was used although TANDEM_DATA was set")
	}
}

// openDB opens a Tandem database straight, as a test inspecting or
// tampering with it does: the SQLite file at path, or, when path is
// DIR/tandem.db of a data folder that keeps its database on PostgreSQL
// (dataFolder), that database.
func openDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	if dbURL, ok := postgresOf(filepath.Dir(path)); ok && filepath.Base(path) == "tandem.db" {
		db, err := sql.Open("pgx", dbURL)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("no database: %v", err)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
