package main

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// readMasterKey reads a master key file: exactly 32 bytes.
func readMasterKey(flag, path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, usagef("%s: cannot read %s: %v", flag, path, errors.Unwrap(err))
	}
	if len(b) != 32 {
		return nil, usagef("%s: %s holds %d bytes; a master key is exactly 32", flag, path, len(b))
	}
	return b, nil
}

// ensureMasterKey checks the master key file, and creates it (32 random
// bytes, mode 0600) when create allows and it is missing.
func (m *Main) ensureMasterKey(g *globals, create bool) error {
	info, err := os.Stat(g.masterKey)
	switch {
	case err == nil:
		if info.Size() != 32 {
			return usagef("--master-key: %s holds %d bytes; a master key is exactly 32", g.masterKey, info.Size())
		}
		return nil
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("read the master key: %w", err)
	case !create:
		return usagef("--master-key: there is no master key at %s: give the file that holds it", g.masterKey)
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return err
	}
	f, err := os.OpenFile(g.masterKey, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("create the master key: %w", err)
	}
	if _, err := f.Write(key); err != nil {
		f.Close()
		return fmt.Errorf("write the master key: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintf(m.Stderr, "tandem: warning: created a master key at %s; in production keep it elsewhere (--master-key) and back it up apart from the data\n", g.masterKey)
	return nil
}
