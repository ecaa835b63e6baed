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
	if len(args) < 2 || args[0] != "add" {
		return errors.New("usage: hostgate user add NAME [--data-dir DIR]  (password from HOSTGATE_PASSWORD or stdin)")
	}
	name := args[1]
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
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
	created, err := ensureUser(context.Background(), a.store, name, password)
	if err != nil {
		return err
	}
	if created {
		fmt.Printf("Created host %s.\n", name)
	} else {
		fmt.Printf("Set a new password for host %s.\n", name)
	}
	return nil
}

// ensureUser creates a local host account or sets its password.
func ensureUser(ctx context.Context, st store.Users, name, password string) (created bool, err error) {
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
	return false, st.SetPasswordHash(ctx, u.ID, hash)
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
