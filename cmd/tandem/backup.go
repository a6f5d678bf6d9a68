package main

import (
	"archive/tar"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"tandem/backup"
	"tandem/seal"
)

// backedUp are the data folder's files a backup holds. The master key is
// never among them: a backup opens only with the key kept elsewhere.
var backedUp = []string{"tandem.db", "audit.checkpoints", "checkpoint.key"}

func (m *Main) backup(ctx context.Context, g *globals, args []string) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	as := fs.String("as", "", "the username of the administrator, controller or auditor who takes the copy")
	file, err := m.parseWithFile(fs, g, args)
	if err != nil {
		return err
	}
	if file == "" {
		return usagef("backup: name the file to write: tandem backup FILE --as USERNAME")
	}
	if *as == "" {
		return usagef("backup: --as is required: the officer who takes the copy is on the record")
	}
	if g.database != "" {
		return usagef("--database: a PostgreSQL store is backed up with pg_dump; tandem backup covers the embedded database")
	}
	key, err := readMasterKey("--master-key", g.masterKey)
	if err != nil {
		return err
	}
	master, err := seal.NewKey(key)
	if err != nil {
		return err
	}
	store, actx, err := m.openAs(ctx, g, *as)
	if err != nil {
		return err
	}
	// The backup is an export of everything: on the record first, so that
	// the copy carries its own entry.
	if err := store.NoteExport(actx, "backup", "backup written to "+filepath.Base(file)); err != nil {
		store.Close()
		return err
	}
	snapshot := filepath.Join(g.data, fmt.Sprintf(".backup-%d.db", time.Now().UnixNano()))
	err = store.Snapshot(ctx, snapshot)
	cerr := store.Close() // writes a checkpoint of the head just copied
	defer os.Remove(snapshot)
	if err != nil {
		return err
	}
	if cerr != nil {
		return cerr
	}
	out, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return usagef("backup: %s exists already: name a new file", file)
	} else if err != nil {
		return usagef("backup: %v", err)
	}
	ok := false
	defer func() {
		out.Close()
		if !ok {
			os.Remove(file) // never a half-written backup
		}
	}()
	enc, err := backup.NewWriter(out, master)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(enc)
	n := 0
	for _, name := range backedUp {
		src := filepath.Join(g.data, name)
		if name == "tandem.db" {
			src = snapshot
		}
		if name == "checkpoint.key" && !same(g.checkpointKey, src) {
			continue // kept elsewhere: it stays there
		}
		if err := addFile(tw, name, src); errors.Is(err, os.ErrNotExist) {
			continue
		} else if err != nil {
			return err
		}
		n++
	}
	if err := tw.Close(); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	if err := out.Sync(); err != nil {
		return err
	}
	ok = true
	fmt.Fprintf(m.Stdout, "backup written to %s: %d files, encrypted; it opens only with this master key\n", file, n)
	return nil
}

func addFile(tw *tar.Writer, name, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: info.Size(), ModTime: info.ModTime(), Typeflag: tar.TypeReg}); err != nil {
		return err
	}
	_, err = io.Copy(tw, f)
	return err
}

func (m *Main) restore(ctx context.Context, g *globals, args []string) error {
	file, err := m.parseWithFile(flag.NewFlagSet("restore", flag.ContinueOnError), g, args)
	if err != nil {
		return err
	}
	if file == "" {
		return usagef("restore: name the backup file: tandem restore FILE")
	}
	if g.database != "" {
		return usagef("--database: a PostgreSQL store is restored with pg_restore")
	}
	if _, err := os.Stat(filepath.Join(g.data, "tandem.db")); err == nil {
		return usagef("--data: %s holds a store already: restore onto an empty data folder", g.data)
	}
	if _, err := os.Stat(g.masterKey); err != nil {
		return usagef("--master-key: give the master key the backup was made under (there is none at %s)", g.masterKey)
	}
	key, err := readMasterKey("--master-key", g.masterKey)
	if err != nil {
		return err
	}
	master, err := seal.NewKey(key)
	if err != nil {
		return err
	}
	in, err := os.Open(file)
	if err != nil {
		return usagef("restore: %v", err)
	}
	defer in.Close()
	release, err := lockFolder(g.data, "restore onto a folder no server uses")
	if err != nil {
		return err
	}
	defer release()
	// Into a folder of its own first, then into place: a backup that does
	// not open whole leaves nothing behind.
	staging, err := os.MkdirTemp(g.data, ".restore-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(staging)
	dec, err := backup.NewReader(in, master)
	if err != nil {
		return usagef("restore: %v", err)
	}
	tr := tar.NewReader(dec)
	var got []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return usagef("restore: %s: %v", file, errors.Unwrap(err))
		}
		if !known(h.Name) {
			return usagef("restore: %s holds an unexpected file %q: not a Tandem backup", file, h.Name)
		}
		f, err := os.OpenFile(filepath.Join(staging, h.Name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return err
		}
		if _, err := io.Copy(f, tr); err != nil {
			f.Close()
			return usagef("restore: %s: %v", file, err)
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return err
		}
		f.Close()
		got = append(got, h.Name)
	}
	if len(got) == 0 || got[0] != "tandem.db" {
		return usagef("restore: %s holds no database", file)
	}
	for _, name := range got {
		if err := os.Rename(filepath.Join(staging, name), filepath.Join(g.data, name)); err != nil {
			return err
		}
	}
	// The restored store must open with the key and verify whole.
	store, err := m.openExisting(ctx, g, m.logger())
	if err != nil {
		return err
	}
	summary, verr := store.VerifyAudit(ctx)
	if err := store.Close(); err != nil && verr == nil {
		verr = err
	}
	if verr != nil {
		return checkFailed{"restored, but the audit trail does not verify: " + verr.Error()}
	}
	fmt.Fprintf(m.Stdout, "restored %d files into %s; %s\n", len(got), g.data, summary)
	return nil
}

func known(name string) bool {
	for _, n := range backedUp {
		if n == name {
			return true
		}
	}
	return false
}
