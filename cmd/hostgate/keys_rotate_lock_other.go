//go:build !unix

package main

// lockKeyFile does nothing where hostgate has no portable file lock: the key
// file is still replaced only if it did not change since it was read (see
// writeKeyFile), which catches all but exactly simultaneous rotations.
func lockKeyFile(string) (unlock func(), err error) { return func() {}, nil }
