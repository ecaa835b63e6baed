package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/hostgate/hostgate/store"
)

// validEmail accepts a bare address (no display name).
func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && a.Name == ""
}

// listUsers prints every host: never a hash or a secret.
func listUsers(ctx context.Context, st store.Users, out io.Writer) error {
	users, err := st.ListUsers(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tUSERNAME\tE-MAIL\tSIGNS IN WITH\tCREATED\tSTATUS")
	for _, u := range users {
		how := "password"
		switch {
		case u.Issuer != "" && u.PasswordHash != "":
			how = "password, " + u.Issuer
		case u.Issuer != "":
			how = u.Issuer
		case u.PasswordHash == "":
			how = "nothing yet"
		}
		status := "active"
		if u.Disabled() {
			status = "disabled " + u.DisabledAt.UTC().Format(time.DateOnly)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", u.ID, dash(u.Username), dash(u.Email), how,
			u.CreatedAt.UTC().Format(time.DateOnly), status)
	}
	return tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// findUser finds a host by username, id or e-mail address (compared
// without regard to case). An address two hosts share names neither.
func findUser(ctx context.Context, st store.Users, who string) (store.User, error) {
	if u, err := st.GetUserByUsername(ctx, who); err == nil || !errors.Is(err, store.ErrNotFound) {
		return u, err
	}
	if u, err := st.GetUser(ctx, who); err == nil || !errors.Is(err, store.ErrNotFound) {
		return u, err
	}
	users, err := st.ListUsers(ctx)
	if err != nil {
		return store.User{}, err
	}
	var found []store.User
	for _, u := range users {
		if u.Email != "" && strings.EqualFold(u.Email, who) {
			found = append(found, u)
		}
	}
	switch len(found) {
	case 0:
		return store.User{}, fmt.Errorf("there is no host %s (see: hostgate user list)", who)
	case 1:
		return found[0], nil
	}
	return store.User{}, fmt.Errorf("%d hosts have the address %s; name one by its id (see: hostgate user list)", len(found), who)
}

// adminStore is what disabling and enabling need.
type adminStore interface {
	store.Users
	store.Audit
}

// setDisabled disables or enables a host and records it.
func setDisabled(ctx context.Context, st adminStore, out io.Writer, who string, disable bool) error {
	u, err := findUser(ctx, st, who)
	if err != nil {
		return err
	}
	now := time.Now()
	name := u.Username
	if name == "" {
		name = dash(u.Email) + " (" + u.ID + ")"
	}
	if disable {
		if err := st.DisableUser(ctx, u.ID, now); err != nil {
			return err
		}
		_ = st.AddAuditEvent(ctx, store.AuditEvent{At: now, UserID: u.ID, Kind: "user.disabled"})
		fmt.Fprintf(out, "Disabled host %s: every app's access is revoked and every browser signed out.\n", name)
		return nil
	}
	if err := st.EnableUser(ctx, u.ID); err != nil {
		return err
	}
	_ = st.AddAuditEvent(ctx, store.AuditEvent{At: now, UserID: u.ID, Kind: "user.enabled"})
	fmt.Fprintf(out, "Enabled host %s: it can sign in again; its apps must be approved again.\n", name)
	return nil
}
