// Package signin tells who the host at the browser is: local accounts with
// argon2id password hashes, browser sessions held in cookies whose values the
// store sees only hashed, and CSRF tokens bound to the browser and to the
// form they protect.
package signin
