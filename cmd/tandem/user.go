package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"tandem/checkpoint"
	"tandem/sqlstore"
	"time"

	"tandem"
)

func (m *Main) userAdd(ctx context.Context, g *globals, args []string) error {
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	username := fs.String("username", "", "login name")
	name := fs.String("name", "", "full name")
	gender := fs.String("gender", "", "female, male or another lowercase word")
	roles := fs.String("roles", "", "comma-separated: admin, handler, controller, authorising_officer, auditor")
	unit := fs.String("unit", "", "the officer's unit")
	dedicated := fs.Bool("dedicated", false, "the officer serves in a dedicated source unit")
	senior := fs.Bool("senior", false, "an authorising officer of the higher rank juvenile and vulnerable sources need")
	phones := fs.String("work-phones", "", "comma-separated registered work numbers or extensions")
	pwStdin := fs.Bool("password-stdin", false, "read a password from the first line of standard input")
	as := fs.String("as", "", "the username of the administrator who adds the officer (not needed for a store's first administrator)")
	bootstrap := fs.Bool("bootstrap", false, "the store's first controller, confirmed as it is made (only while the store has no confirmed controller)")
	if err := m.parse(fs, g, args); err != nil {
		return err
	}
	for _, f := range []struct{ name, value string }{{"username", *username}, {"name", *name}, {"gender", *gender}, {"roles", *roles}} {
		if strings.TrimSpace(f.value) == "" {
			return usagef("user add: --%s is required", f.name)
		}
	}
	c := tandem.OfficerCreate{Username: *username, Name: *name, Gender: *gender, Unit: *unit, Dedicated: *dedicated, Senior: *senior, Bootstrap: *bootstrap}
	for _, r := range strings.Split(*roles, ",") {
		c.Roles = append(c.Roles, tandem.Role(strings.TrimSpace(r)))
	}
	for _, p := range strings.Split(*phones, ",") {
		if p = strings.TrimSpace(p); p != "" {
			c.WorkPhones = append(c.WorkPhones, p)
		}
	}
	if *pwStdin {
		line, err := bufio.NewReader(m.Stdin).ReadString('\n')
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			if err != nil {
				return usagef("user add: --password-stdin: no password on standard input")
			}
			return usagef("user add: --password-stdin: the password is empty")
		}
		c.Password = line
	}
	// Bad input is refused before the data folder is touched.
	if err := c.Validate(); err != nil {
		return err
	}
	store, err := m.open(ctx, g, m.logger())
	if err != nil {
		return err
	}
	defer store.Close()
	// Only while the store has no administrator may an officer be added
	// without one named: that is how a store gets its first.
	actor := cliOfficer
	if *as != "" {
		if actor, err = store.ActingAs(ctx, *as); err != nil {
			return err
		}
	} else if has, err := store.HasAdministrator(ctx); err != nil {
		return err
	} else if has {
		return usagef("user add: --as is required: the administrator who adds the officer (only a store's first administrator is added without one)")
	}
	o, err := store.CreateOfficer(tandem.NewContextWithOfficer(ctx, actor), c)
	if err != nil {
		return err
	}
	fmt.Fprintln(m.Stdout, o.ID)
	return nil
}

func (m *Main) tokenIssue(ctx context.Context, g *globals, args []string) error {
	fs := flag.NewFlagSet("token issue", flag.ContinueOnError)
	username := fs.String("username", "", "the officer the token acts for")
	ttl := fs.Duration("ttl", 24*time.Hour, "how long the token lives")
	if err := m.parse(fs, g, args); err != nil {
		return err
	}
	if *username == "" {
		return usagef("token issue: --username is required")
	}
	if err := tandem.ValidTokenTTL(*ttl); err != nil {
		return err
	}
	store, err := m.openExisting(ctx, g, m.logger())
	if err != nil {
		return err
	}
	defer store.Close()
	// A token is issued as the officer it is for: the trail names them.
	holder, err := store.ActingAs(ctx, *username)
	switch tandem.ErrorCode(err) {
	case "":
	case tandem.EINVALID:
		return usagef("token issue: --username: no officer has the username %q", *username)
	case tandem.EFORBIDDEN:
		return usagef("token issue: the account %q is disabled: it gets no token", *username)
	default:
		return err
	}
	token, err := store.IssueToken(tandem.NewContextWithOfficer(ctx, holder), *username, *ttl)
	if err != nil {
		return err
	}
	fmt.Fprintln(m.Stdout, token)
	return nil
}

// userDisable disables a leaver's account, as the administrator named.
func (m *Main) userDisable(ctx context.Context, g *globals, args []string) error {
	return m.actOnAccount(ctx, g, args, "user disable", "the account to disable", "why (kept in the audit trail)",
		"the username of the administrator who disables it", "disabled",
		func(store *sqlstore.Store, actx context.Context, id, reason string) error {
			_, err := store.DisableOfficer(actx, id, reason)
			return err
		})
}

// userConfirm is the second person's confirmation of an account an
// administrator created or changed, as the controller or authorising
// officer named.
func (m *Main) userConfirm(ctx context.Context, g *globals, args []string) error {
	return m.actOnAccount(ctx, g, args, "user confirm", "the account to confirm", "how you checked it (kept in the audit trail)",
		"the username of the controller or authorising officer who confirms it", "confirmed",
		func(store *sqlstore.Store, actx context.Context, id, reason string) error {
			_, err := store.ConfirmOfficer(actx, id, reason)
			return err
		})
}

// actOnAccount runs a command that does one audited thing to one account
// (--username), with a reason, as the officer named by --as, and says so.
func (m *Main) actOnAccount(ctx context.Context, g *globals, args []string, name, usernameHelp, reasonHelp, asHelp, done string,
	act func(store *sqlstore.Store, actx context.Context, id, reason string) error) error {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	username := fs.String("username", "", usernameHelp)
	reason := fs.String("reason", "", reasonHelp)
	as := fs.String("as", "", asHelp)
	if err := m.parse(fs, g, args); err != nil {
		return err
	}
	if *username == "" || strings.TrimSpace(*reason) == "" || *as == "" {
		return usagef("%s: --username, --reason and --as are required", name)
	}
	store, actx, err := m.openAs(ctx, g, *as)
	if err != nil {
		return err
	}
	defer store.Close()
	target, err := store.FindOfficerByUsername(actx, *username)
	if tandem.ErrorCode(err) == tandem.ENOTFOUND {
		return usagef("%s: --username: no officer has the username %q", name, *username)
	} else if err != nil {
		return err
	}
	if err := act(store, actx, target.ID, *reason); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "%s %s\n", *username, done)
	return nil
}

// tokenRevoke revokes every API token of an officer, as the administrator
// named.
func (m *Main) tokenRevoke(ctx context.Context, g *globals, args []string) error {
	fs := flag.NewFlagSet("token revoke", flag.ContinueOnError)
	username := fs.String("username", "", "the officer whose tokens to revoke")
	as := fs.String("as", "", "the username of the administrator who revokes them")
	if err := m.parse(fs, g, args); err != nil {
		return err
	}
	if *username == "" || *as == "" {
		return usagef("token revoke: --username and --as are required")
	}
	store, actx, err := m.openAs(ctx, g, *as)
	if err != nil {
		return err
	}
	defer store.Close()
	n, err := store.RevokeTokens(actx, *username)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "%d token(s) of %s revoked\n", n, *username)
	return nil
}

func (m *Main) auditVerify(ctx context.Context, g *globals, args []string) error {
	fs := flag.NewFlagSet("audit verify", flag.ContinueOnError)
	witnessPath := fs.String("witness", "", "a witness's state file (tandem audit witness --state): the trail must hold every checkpoint it saw")
	if err := m.parse(fs, g, args); err != nil {
		return err
	}
	var witness *checkpoint.State
	if *witnessPath != "" {
		var err error
		if witness, err = checkpoint.LoadState(*witnessPath); err != nil {
			return usagef("audit verify: the witness: %v", err)
		}
	}
	store, err := m.openForVerify(ctx, g)
	if err != nil {
		// Exit 2: unreadable, which is not the same as tampered (1).
		return usagef("audit verify: the data folder cannot be read: %v", err)
	}
	defer store.Close()
	summary, err := store.VerifyAuditWitnessed(ctx, witness)
	if err != nil {
		return checkFailed{err.Error()}
	}
	fmt.Fprintln(m.Stdout, summary)
	return nil
}

// openForVerify opens the data folder to check it and to write nothing to
// it, so that a copy on read-only media can be verified and the evidence
// is as it was found: no key or checkpoint file made, no migration, no
// checkpoint at close. On PostgreSQL every transaction is read-only, and
// the entries still pending are checked after the head, as the chainer
// would append them, without appending them.
func (m *Main) openForVerify(ctx context.Context, g *globals) (*sqlstore.Store, error) {
	path := filepath.Join(g.data, "tandem.db")
	if g.database == "" {
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("%s holds no Tandem database", g.data)
		}
	}
	key, err := readMasterKey("--master-key", g.masterKey)
	if err != nil {
		return nil, err
	}
	cpKey, err := checkpoint.LoadKey(g.checkpointKey)
	if err != nil {
		return nil, err
	}
	cpLog, err := checkpoint.OpenLog(filepath.Join(g.data, "audit.checkpoints"))
	if err != nil {
		return nil, err
	}
	opts := []sqlstore.Option{sqlstore.WithClock(m.Clock), sqlstore.WithLogger(m.logger()), sqlstore.WithMasterKey(key),
		sqlstore.WithCheckpoints(cpLog, cpKey), sqlstore.ReadOnly()}
	if g.database != "" {
		if !strings.HasPrefix(g.database, "postgres://") && !strings.HasPrefix(g.database, "postgresql://") {
			return nil, fmt.Errorf("--database: give a PostgreSQL URL, postgres://USER:PASSWORD@HOST:PORT/DB")
		}
		// Every transaction read-only: the server refuses a write. The
		// entries still pending are checked after the head, not chained.
		return sqlstore.OpenPostgres(ctx, g.database, opts...)
	}
	return sqlstore.OpenSQLite(ctx, path, opts...)
}
