//go:build unix

package main

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// lockKeyFile takes an exclusive lock on path (created if need be), so that
// two rotations never write the key file at once: the second waits for
// nothing, it is refused. The lock goes with the process, so a crashed
// rotation leaves none behind.
func lockKeyFile(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock the key file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, errors.New("another hostgate keys rotate is running on this data dir; let it finish")
		}
		return nil, fmt.Errorf("lock the key file: %w", err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
