package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"strings"
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
	phones := fs.String("work-phones", "", "comma-separated registered work numbers or extensions")
	pwStdin := fs.Bool("password-stdin", false, "read a password from the first line of standard input")
	if err := m.parse(fs, g, args); err != nil {
		return err
	}
	for _, f := range []struct{ name, value string }{{"username", *username}, {"name", *name}, {"gender", *gender}, {"roles", *roles}} {
		if strings.TrimSpace(f.value) == "" {
			return usagef("user add: --%s is required", f.name)
		}
	}
	c := tandem.OfficerCreate{Username: *username, Name: *name, Gender: *gender, Unit: *unit, Dedicated: *dedicated}
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
	o, err := store.CreateOfficer(tandem.NewContextWithOfficer(ctx, cliOfficer), c)
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
	token, err := store.IssueToken(tandem.NewContextWithOfficer(ctx, cliOfficer), *username, *ttl)
	if err != nil {
		return err
	}
	fmt.Fprintln(m.Stdout, token)
	return nil
}

func (m *Main) auditVerify(ctx context.Context, g *globals, args []string) error {
	fs := flag.NewFlagSet("audit verify", flag.ContinueOnError)
	if err := m.parse(fs, g, args); err != nil {
		return err
	}
	store, err := m.openExisting(ctx, g, m.logger())
	if err != nil {
		return err
	}
	defer store.Close()
	summary, err := store.VerifyAudit(ctx)
	if err != nil {
		return checkFailed{err.Error()}
	}
	fmt.Fprintln(m.Stdout, summary)
	return nil
}
