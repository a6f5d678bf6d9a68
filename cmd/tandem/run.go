package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"tandem"
	"tandem/checkpoint"
	"tandem/sqlstore"
)

// Exit codes (CONTRACT "Commands").
const (
	exitOK    = 0
	exitCheck = 1 // a check failed, or the program could not do its work
	exitUsage = 2 // bad usage or bad input
)

// Main is the program: main() runs it, and so do the end-to-end tests,
// with their own streams, environment, clock and context.
type Main struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	Clock  tandem.Clock
	// Listening, when set, receives the server's URL once it accepts
	// connections.
	Listening func(url string)
}

// NewMain returns a Main wired to the process.
func NewMain() *Main {
	return &Main{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Clock: tandem.SystemClock{}}
}

// usageError is bad usage: exit code 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// checkFailed is a check that ran and failed: exit code 1.
type checkFailed struct{ msg string }

func (e checkFailed) Error() string { return e.msg }

const usage = `usage: tandem [--data DIR] [--database URL] [--master-key FILE] [--checkpoint-key FILE] COMMAND

commands:
  serve [--listen ADDR] [--demo] [--tls-cert FILE --tls-key FILE] [--metrics-listen ADDR]
                                      serve the web UI and the API (and Prometheus metrics at
                                      /metrics on --metrics-listen, apart from the app)
  user add --username U --name "N" --gender G --roles R1,R2 [--unit UNIT] [--dedicated] [--senior] [--password-stdin] [--bootstrap] --as ADMIN
                                      (--as may be left out only for a store's first administrator;
                                      --bootstrap confirms the store's first controller as it is made)
  user confirm --username U --reason R --as CONTROLLER
                                      the second person's confirmation of an account an administrator made or changed
  user disable --username U --reason R --as ADMIN
                                      disable a leaver's account: its sessions and tokens stop
  token issue --username U [--ttl DURATION]
  token revoke --username U --as ADMIN
                                      revoke every API token of U
  audit verify [--witness STATE]      check the audit trail and every record (and hold it to a witness)
  audit witness --url BASE --token TOKEN --state FILE [--key VKEY]
                                      hold a server's audit log to its past, from another machine
  audit key                           the key that verifies the audit checkpoints, for a witness
  keys rotate --new-master-key FILE --as ADMIN
                                      re-wrap every key under a new master key
  calls import --format asterisk|csv [--tz ZONE] --as USERNAME FILE
                                      import call records and reconcile them
  settings list                       the rules' numbers in force
  settings set --key K --value V --reason R --as USERNAME
                                      change one (audited)
  backup FILE --as USERNAME           an encrypted, consistent copy, taken while serving
  restore FILE                        restore a backup onto an empty data folder
  bench seed --sources N --officers M --contacts K --calls L [--seed S]
                                      load a synthetic force into an empty store
  bench run [--dir DIR] [--contacts 200000,2000000] [--postgres URL]
                                      measure it all (docs/performance.md)
`

// Run runs the command in args and returns the exit code. Every error
// reaches the user as one line on stderr; never a stack trace.
func (m *Main) Run(ctx context.Context, args []string) (code int) {
	defer func() {
		if p := recover(); p != nil {
			fmt.Fprintf(m.Stderr, "tandem: internal error: %v\n", p)
			code = exitCheck
		}
	}()
	err := m.run(ctx, args)
	if err == nil {
		return exitOK
	}
	fmt.Fprintln(m.Stderr, "tandem: "+oneLine(err))
	var ue usageError
	var cf checkFailed
	switch {
	case errors.As(err, &ue):
		return exitUsage
	case errors.As(err, &cf):
		return exitCheck
	}
	switch tandem.ErrorCode(err) {
	case tandem.EINVALID, tandem.ECONFLICT, tandem.ENOTFOUND, tandem.ETOOLARGE, tandem.EPOLICY:
		return exitUsage
	}
	return exitCheck
}

func oneLine(err error) string {
	msg := err.Error()
	var e *tandem.Error
	if errors.As(err, &e) {
		msg = e.Message
		if e.Field != "" && !strings.Contains(msg, e.Field) {
			msg = "--" + strings.ReplaceAll(e.Field, "_", "-") + ": " + msg
		}
	}
	return strings.ReplaceAll(strings.TrimSpace(msg), "\n", " ")
}

// globals are the settings every command takes (CONTRACT "Where data lives").
type globals struct {
	data          string
	database      string
	masterKey     string
	checkpointKey string
}

func (m *Main) globalFlags(fs *flag.FlagSet, g *globals) {
	// The current values are the defaults: a global flag given before the
	// command stays set when the command's own flags are parsed.
	fs.StringVar(&g.data, "data", g.data, "data folder (default $TANDEM_DATA or ./tandem-data)")
	fs.StringVar(&g.database, "database", g.database, "PostgreSQL URL instead of the embedded database (default $TANDEM_DATABASE)")
	fs.StringVar(&g.masterKey, "master-key", g.masterKey, "master key file (default $TANDEM_MASTER_KEY_FILE or DIR/master.key)")
	fs.StringVar(&g.checkpointKey, "checkpoint-key", g.checkpointKey, "audit checkpoint signing key (default $TANDEM_CHECKPOINT_KEY_FILE or DIR/checkpoint.key)")
}

// resolve fills unset globals from the environment, then the defaults: a
// flag beats the environment.
func (m *Main) resolve(g *globals) {
	if g.data == "" {
		g.data = m.Getenv("TANDEM_DATA")
	}
	if g.data == "" {
		g.data = "tandem-data"
	}
	if g.database == "" {
		g.database = m.Getenv("TANDEM_DATABASE")
	}
	if g.masterKey == "" {
		g.masterKey = m.Getenv("TANDEM_MASTER_KEY_FILE")
	}
	if g.masterKey == "" {
		g.masterKey = filepath.Join(g.data, "master.key")
	}
	if g.checkpointKey == "" {
		g.checkpointKey = m.Getenv("TANDEM_CHECKPOINT_KEY_FILE")
	}
	if g.checkpointKey == "" {
		g.checkpointKey = filepath.Join(g.data, "checkpoint.key")
	}
}

func (m *Main) run(ctx context.Context, args []string) error {
	var g globals
	top := flag.NewFlagSet("tandem", flag.ContinueOnError)
	top.SetOutput(io.Discard)
	m.globalFlags(top, &g)
	if err := top.Parse(args); err != nil {
		return usagef("%v\n%s", err, usage)
	}
	rest := top.Args()
	if len(rest) == 0 {
		return usagef("no command given; %s", strings.SplitN(usage, "\n", 2)[0])
	}
	cmd, rest := rest[0], rest[1:]
	if (cmd == "user" || cmd == "token" || cmd == "audit" || cmd == "keys" || cmd == "calls" || cmd == "settings" || cmd == "bench") && len(rest) > 0 {
		cmd, rest = cmd+" "+rest[0], rest[1:]
	}
	switch cmd {
	case "serve":
		return m.serve(ctx, &g, rest)
	case "user add":
		return m.userAdd(ctx, &g, rest)
	case "token issue":
		return m.tokenIssue(ctx, &g, rest)
	case "user disable":
		return m.userDisable(ctx, &g, rest)
	case "user confirm":
		return m.userConfirm(ctx, &g, rest)
	case "token revoke":
		return m.tokenRevoke(ctx, &g, rest)
	case "audit verify":
		return m.auditVerify(ctx, &g, rest)
	case "audit witness":
		return m.auditWitness(ctx, &g, rest)
	case "audit key":
		return m.auditKey(ctx, &g, rest)
	case "keys rotate":
		return m.keysRotate(ctx, &g, rest)
	case "calls import":
		return m.callsImport(ctx, &g, rest)
	case "settings list":
		return m.settingsList(ctx, &g, rest)
	case "settings set":
		return m.settingsSet(ctx, &g, rest)
	case "bench seed":
		return m.benchSeed(ctx, &g, rest)
	case "bench run":
		return m.benchRun(ctx, &g, rest)
	case "bench ceiling":
		return m.benchCeiling(ctx, &g, rest)
	case "backup":
		return m.backup(ctx, &g, rest)
	case "restore":
		return m.restore(ctx, &g, rest)
	case "help", "-h", "--help":
		fmt.Fprint(m.Stdout, usage)
		return nil
	}
	return usagef("unknown command %q; run tandem help", cmd)
}

// parse parses a command's flags, the globals among them; the command
// takes no other argument.
func (m *Main) parse(fs *flag.FlagSet, g *globals, args []string) error {
	extra, err := m.parseWithFile(fs, g, args)
	if err != nil {
		return err
	}
	if extra != "" {
		return usagef("%s: unexpected argument %q", fs.Name(), extra)
	}
	return nil
}

// parseWithFile parses a command's flags around one file argument, which
// may come before, between or after them. "" when none is given.
func (m *Main) parseWithFile(fs *flag.FlagSet, g *globals, args []string) (string, error) {
	fs.SetOutput(io.Discard)
	m.globalFlags(fs, g)
	var file string
	for {
		if err := fs.Parse(args); err != nil {
			return "", usagef("%s: %v", fs.Name(), err)
		}
		if fs.NArg() == 0 {
			break
		}
		if file != "" {
			return "", usagef("%s: one file only; %q is one too many", fs.Name(), fs.Arg(0))
		}
		file, args = fs.Arg(0), fs.Args()[1:]
	}
	m.resolve(g)
	return file, nil
}

// open opens the store the globals name, creating the data folder and the
// master key on first use.
func (m *Main) open(ctx context.Context, g *globals, log *slog.Logger) (*sqlstore.Store, error) {
	return m.openWithClock(ctx, g, log, m.Clock, true, commandCache)
}

// commandCache is the page cache of a command that does its work and
// exits: a million-line call import stays under 100 MB with it. The
// server keeps the store's larger default.
var commandCache = sqlstore.WithPageCache(8)

// openExisting opens a data folder that must already hold Tandem's
// database: a command that only reads or issues (token issue, audit verify)
// never creates one.
func (m *Main) openExisting(ctx context.Context, g *globals, log *slog.Logger) (*sqlstore.Store, error) {
	if g.database == "" {
		if _, err := os.Stat(filepath.Join(g.data, "tandem.db")); err != nil {
			return nil, usagef("--data: %s holds no Tandem database; start with tandem serve or tandem user add", g.data)
		}
	}
	return m.openWithClock(ctx, g, log, m.Clock, false, commandCache)
}

// openWithClock opens the store. create says whether a missing master key
// may be made: only by the commands that start a data folder (serve, user
// add), and only at the folder's default path. A key file given but
// missing is an error: a failed secrets mount must not end with
// identities sealed under a key nobody kept.
func (m *Main) openWithClock(ctx context.Context, g *globals, log *slog.Logger, clock tandem.Clock, create bool, extra ...sqlstore.Option) (*sqlstore.Store, error) {
	if g.database != "" && !strings.HasPrefix(g.database, "postgres://") && !strings.HasPrefix(g.database, "postgresql://") {
		return nil, usagef("--database: give a PostgreSQL URL, postgres://USER:PASSWORD@HOST:PORT/DB")
	}
	// The data folder holds the keys and the checkpoints with either
	// database.
	if err := os.MkdirAll(g.data, 0o700); err != nil {
		return nil, fmt.Errorf("create the data folder: %w", err)
	}
	if err := m.ensureMasterKey(g, create && same(g.masterKey, filepath.Join(g.data, "master.key"))); err != nil {
		return nil, err
	}
	key, err := readMasterKey("--master-key", g.masterKey)
	if err != nil {
		return nil, err
	}
	cpKey, _, err := checkpoint.LoadOrCreateKey(g.checkpointKey)
	if err != nil {
		return nil, usagef("--checkpoint-key: %v", err)
	}
	cpLog, err := checkpoint.OpenLog(filepath.Join(g.data, "audit.checkpoints"))
	if err != nil {
		return nil, err
	}
	opts := append([]sqlstore.Option{sqlstore.WithClock(clock), sqlstore.WithLogger(log), sqlstore.WithMasterKey(key), sqlstore.WithCheckpoints(cpLog, cpKey)}, extra...)
	if g.database != "" {
		s, err := sqlstore.OpenPostgres(ctx, g.database, opts...)
		if errors.Is(err, sqlstore.ErrWrongMasterKey) {
			return nil, usagef("--master-key: %v", err)
		} else if tandem.ErrorCode(err) == tandem.EINVALID {
			return nil, usagef("--database: %s", tandem.ErrorMessage(err))
		} else if err != nil {
			return nil, fmt.Errorf("open the PostgreSQL database: %w", err)
		}
		return s, nil
	}
	s, err := sqlstore.OpenSQLite(ctx, filepath.Join(g.data, "tandem.db"), opts...)
	if errors.Is(err, sqlstore.ErrWrongMasterKey) {
		return nil, usagef("--master-key: %v", err)
	} else if err != nil {
		return nil, fmt.Errorf("open the database in %s: %w", g.data, err)
	}
	// The database files are the owner's alone, whatever the umask.
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Chmod(filepath.Join(g.data, "tandem.db"+suffix), 0o600); err != nil && !errors.Is(err, os.ErrNotExist) {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

// openAs opens the store and returns it with a context acting as the
// officer --as names: every command-line change runs, and is audited, as
// that officer, with that officer's roles.
func (m *Main) openAs(ctx context.Context, g *globals, as string) (*sqlstore.Store, context.Context, error) {
	store, err := m.openExisting(ctx, g, m.logger())
	if err != nil {
		return nil, nil, err
	}
	actor, err := store.ActingAs(ctx, as)
	if err != nil {
		store.Close()
		return nil, nil, err
	}
	return store, tandem.NewContextWithOfficer(ctx, actor), nil
}

// cliOfficer is who the audit trail names for changes made at the command
// line by whoever holds the data folder: an administrator.
var cliOfficer = &tandem.Officer{ID: "cli", Username: "cli", Name: "command line", Roles: []tandem.Role{tandem.RoleAdmin}}

func (m *Main) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(m.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
}
