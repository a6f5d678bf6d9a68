package main

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
)

// lockFolder takes the data folder's lock: held by serve while it runs, and
// by the commands that must have the folder at rest (keys rotate, restore).
// A server keeps the master key in memory: rotating the keys under it
// would leave it wrapping new data keys with the old one.
func lockFolder(dir, why string) (release func(), err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(filepath.Join(dir, "tandem.lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, usagef("--data: %s is in use by a running tandem serve: %s", dir, why)
		}
		return nil, err
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
