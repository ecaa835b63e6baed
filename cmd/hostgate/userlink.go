package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/hostgate/hostgate/store"
)

// linkStore is what linking an identity needs.
type linkStore interface {
	store.Users
	store.Identities
	store.Audit
}

// linkUser ties an OpenID Connect identity to the host named name,
// creating the host (with no password) if there is none: how an operator
// admits a person at a provider that is trusted for no e-mail domain.
func linkUser(ctx context.Context, st linkStore, out io.Writer, name, issuer, subject string) error {
	if u, err := url.Parse(issuer); err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return fmt.Errorf("--issuer %q must be the provider's issuer URL, as the sign-in refusal page shows it", issuer)
	}
	if subject == "" || len(subject) > 255 || strings.ContainsAny(subject, "\r\n") {
		return errors.New("--subject must be the person's subject at the provider, as the sign-in refusal page shows it")
	}
	if name == "" || len(name) > 64 || strings.ContainsAny(name, " \t\r\n") {
		return errors.New("the username must be 1 to 64 characters without spaces")
	}
	if other, err := st.GetUserBySubject(ctx, issuer, subject); err == nil {
		if other.Username == name {
			fmt.Fprintf(out, "Host %s already signs in with this identity.\n", name)
			return nil
		}
		return fmt.Errorf("this identity already signs in as host %s; unlink it there first", dash(other.Username))
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	u, err := st.GetUserByUsername(ctx, name)
	created := false
	if errors.Is(err, store.ErrNotFound) {
		u = store.User{ID: randomID(), Username: name, CreatedAt: time.Now()}
		if err := st.CreateUser(ctx, u); err != nil {
			return fmt.Errorf("create host %s: %w", name, err)
		}
		created = true
	} else if err != nil {
		return err
	}
	if err := st.SetUserIdentity(ctx, u.ID, issuer, subject); err != nil {
		return fmt.Errorf("link host %s: %w", name, err)
	}
	_ = st.AddAuditEvent(ctx, store.AuditEvent{At: time.Now(), UserID: u.ID, Kind: "user.linked", Detail: "oidc " + issuer + " by the operator"})
	if created {
		fmt.Fprintf(out, "Created host %s, who signs in at %s (no password).\n", name, issuer)
	} else {
		fmt.Fprintf(out, "Host %s now signs in at %s too.\n", name, issuer)
	}
	return nil
}
