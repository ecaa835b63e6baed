package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hostgate/hostgate/oauthpkce/signin"
	"github.com/hostgate/hostgate/store"
)

const userUsage = `usage: hostgate user COMMAND [--data-dir DIR]
  add NAME [--email ADDRESS]  create a local host, or set its password (from HOSTGATE_PASSWORD or stdin)
  passwd NAME                 set the password of an existing host
  list                        every host: name, e-mail, how it signs in, whether it is disabled
  disable WHO                 stop a host at once: its apps' tokens are revoked and its browsers signed out
  enable WHO                  let a disabled host sign in again (its apps must be approved again)
  link NAME --issuer URL --subject SUB
                              let the identity SUB of the OpenID provider URL sign in as host NAME
                              (created without a password if missing); the refusal page shows both
WHO is a username, an e-mail address or a host id (from list).
Setting a password signs the host out of every browser.`

func runUser(args []string) error {
	return userCommand(args, os.Stdin, os.Stdout)
}

// userCommand runs "hostgate user ..." reading a password from in when the
// environment has none, and reporting to out.
func userCommand(args []string, in io.Reader, out io.Writer) error {
	if len(args) < 1 {
		return errors.New(userUsage)
	}
	cmd, rest := args[0], args[1:]
	var name string
	switch cmd {
	case "list":
	case "add", "passwd", "disable", "enable", "link":
		if len(rest) < 1 || strings.HasPrefix(rest[0], "-") {
			return errors.New(userUsage)
		}
		name, rest = rest[0], rest[1:]
	default:
		return errors.New(userUsage)
	}
	fs := flag.NewFlagSet("user "+cmd, flag.ContinueOnError)
	var cfg Config
	bindFlags(fs, &cfg, defaults("hostgate-data"))
	var email string
	if cmd == "add" {
		fs.StringVar(&email, "email", "", "the address hostgate reaches the host at (alerts about its vendor accounts)")
	}
	var issuer, subject string
	if cmd == "link" {
		fs.StringVar(&issuer, "issuer", "", "the OpenID provider's issuer URL, exactly as it signs its tokens")
		fs.StringVar(&subject, "subject", "", "the person's subject (\"sub\") at that provider")
	}
	if err := fs.Parse(rest); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return errors.New(userUsage)
	}
	if email != "" && !validEmail(email) {
		return fmt.Errorf("%q is not an e-mail address", email)
	}
	var password string
	if cmd == "add" || cmd == "passwd" {
		password = os.Getenv("HOSTGATE_PASSWORD")
		if password == "" {
			fmt.Fprintf(os.Stderr, "Password for %s: ", name)
			line, err := bufio.NewReader(in).ReadString('\n')
			if err != nil && line == "" {
				return fmt.Errorf("read password: %w", err)
			}
			password = strings.TrimRight(line, "\r\n")
		}
	}
	a, err := open(cfg, os.Stderr, nil)
	if err != nil {
		return err
	}
	defer a.close()
	ctx := context.Background()
	switch cmd {
	case "list":
		return listUsers(ctx, a.store, out)
	case "disable", "enable":
		return setDisabled(ctx, a.store, out, name, cmd == "disable")
	case "link":
		return linkUser(ctx, a.store, out, name, issuer, subject)
	case "passwd":
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
	if email != "" {
		u, err := a.store.GetUserByUsername(ctx, name)
		if err == nil {
			err = a.store.SetUserEmail(ctx, u.ID, email)
		}
		if err != nil {
			return fmt.Errorf("set the e-mail address of %s: %w", name, err)
		}
	}
	if created {
		fmt.Fprintf(out, "Created host %s.\n", name)
	} else {
		fmt.Fprintf(out, "Set a new password for host %s and signed it out of every browser.\n", name)
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
