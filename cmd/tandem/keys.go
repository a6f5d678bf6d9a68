package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

// keysRotate re-wraps every key under a new master key, in one transaction.
// When the data folder's own master.key was in use, the new key replaces
// it (atomically), so the program runs with it from now on; otherwise the
// operator runs with --master-key FILE from now on.
func (m *Main) keysRotate(ctx context.Context, g *globals, args []string) error {
	fs := flag.NewFlagSet("keys rotate", flag.ContinueOnError)
	newKey := fs.String("new-master-key", "", "file holding the new master key (32 bytes)")
	as := fs.String("as", "", "the username of the administrator who rotates the keys")
	if err := m.parse(fs, g, args); err != nil {
		return err
	}
	if *newKey == "" || *as == "" {
		return usagef("keys rotate: --new-master-key and --as are required")
	}
	next, err := readMasterKey("--new-master-key", *newKey)
	if err != nil {
		return err
	}
	current, err := readMasterKey("--master-key", g.masterKey)
	if err == nil && string(current) == string(next) {
		return usagef("--new-master-key: it is the key in use; give a new one")
	}
	release, err := lockFolder(g.data, "stop it first; the keys are rotated with the data folder at rest")
	if err != nil {
		return err
	}
	defer release()
	store, actx, err := m.openAs(ctx, g, *as)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.RotateMasterKey(actx, next); err != nil {
		return err
	}
	defaultKey := filepath.Join(g.data, "master.key")
	if same(g.masterKey, defaultKey) {
		if err := replaceFile(defaultKey, next); err != nil {
			return fmt.Errorf("the keys are re-wrapped under %s, but %s could not be replaced (%v): run with --master-key %s from now on", *newKey, defaultKey, err, *newKey)
		}
		fmt.Fprintf(m.Stdout, "keys re-wrapped under the new master key; %s now holds it, and the old key opens nothing\n", defaultKey)
		return nil
	}
	fmt.Fprintf(m.Stdout, "keys re-wrapped under the new master key; run with --master-key %s from now on: the old key opens nothing\n", *newKey)
	return nil
}

func same(a, b string) bool {
	aa, err1 := filepath.Abs(a)
	bb, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && aa == bb
}

// replaceFile writes data to path through a temporary file and a rename,
// so that the file is always either the old key or the new one.
func replaceFile(path string, data []byte) error {
	tmp := path + ".new"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
