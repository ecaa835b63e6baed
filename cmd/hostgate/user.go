package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hostgate/hostgate/oauthpkce/signin"
	"github.com/hostgate/hostgate/store"
)

func runUser(args []string) error {
	if len(args) < 2 || (args[0] != "add" && args[0] != "passwd") {
		return errors.New("usage: hostgate user add|passwd NAME [--data-dir DIR]  (password from HOSTGATE_PASSWORD or stdin)\n" +
			"  add creates the host, or sets its password; passwd only sets the password of an existing host.\n" +
			"  Setting a password signs the host out of every browser.")
	}
	cmd, name := args[0], args[1]
	fs := flag.NewFlagSet("user "+cmd, flag.ContinueOnError)
	var cfg Config
	bindFlags(fs, &cfg, defaults("hostgate-data"))
	if err := fs.Parse(args[2:]); err != nil {
		return err
	}
	password := os.Getenv("HOSTGATE_PASSWORD")
	if password == "" {
		fmt.Fprintf(os.Stderr, "Password for %s: ", name)
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil && line == "" {
			return fmt.Errorf("read password: %w", err)
		}
		password = strings.TrimRight(line, "\r\n")
	}
	a, err := open(cfg, os.Stderr, nil)
	if err != nil {
		return err
	}
	defer a.close()
	ctx := context.Background()
	if cmd == "passwd" {
		if _, err := a.store.GetUserByUsername(ctx, name); errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("there is no host %s; create it with: hostgate user add %s", name, name)
		} else if err != nil {
			return err
		}
	}
	created, err := ensureUser(ctx, a.store, name, password)
	if err != nil {
		return err
	}
	if created {
		fmt.Printf("Created host %s.\n", name)
	} else {
		fmt.Printf("Set a new password for host %s and signed it out of every browser.\n", name)
	}
	return nil
}

// userStore is what ensureUser needs: the accounts and their sessions.
type userStore interface {
	store.Users
	store.Sessions
}

// ensureUser creates a local host account or sets its password. Setting a
// password ends every browser session of the host: whoever knew the old
// one is signed out.
func ensureUser(ctx context.Context, st userStore, name, password string) (created bool, err error) {
	if name == "" || len(name) > 64 || strings.ContainsAny(name, " \t\r\n") {
		return false, errors.New("the username must be 1 to 64 characters without spaces")
	}
	if utf8.RuneCountInString(password) < 8 {
		return false, errors.New("the password must be at least 8 characters")
	}
	hash, err := signin.HashPassword(password, signin.DefaultParams)
	if err != nil {
		return false, err
	}
	u, err := st.GetUserByUsername(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		err = st.CreateUser(ctx, store.User{ID: randomID(), Username: name, PasswordHash: hash, CreatedAt: time.Now()})
		return err == nil, err
	}
	if err != nil {
		return false, err
	}
	if err := st.SetPasswordHash(ctx, u.ID, hash); err != nil {
		return false, err
	}
	if _, err := st.DeleteUserSessions(ctx, u.ID); err != nil {
		return false, fmt.Errorf("end the sessions of %s: %w", name, err)
	}
	return false, nil
}

func randomID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// randomPassword returns a password of 16 characters for the demo account.
func randomPassword() string {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
