package signin

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/hostgate/hostgate/store"
)

// idClaims are the ID token claims hostgate reads beyond the standard
// ones go-oidc checks.
type idClaims struct {
	Email string `json:"email"`
	// EmailVerified is a boolean, or the string "true" from a few
	// providers that send it so.
	EmailVerified json.RawMessage `json:"email_verified"`
	// HostedDomain is Google's "hd": the Workspace domain of the account,
	// absent for a personal Google account.
	HostedDomain string `json:"hd"`
	AZP          string `json:"azp"`
}

// verifiedEmail returns the e-mail address only if the provider says it
// verified it; an address without that word never counts.
func (c idClaims) verifiedEmail() string {
	v := strings.TrimSpace(string(c.EmailVerified))
	if v != "true" && v != `"true"` {
		return ""
	}
	if at := strings.LastIndexByte(c.Email, '@'); at < 1 || at == len(c.Email)-1 {
		return ""
	}
	return c.Email
}

// googleIssuer is Google's issuer: its e-mail claim alone does not tell a
// Workspace account from a personal one with the same address, its "hd"
// claim does.
const googleIssuer = "https://accounts.google.com"

// trusts reports whether the provider may vouch for this verified
// address: its domain is one of the provider's, and, at Google, the
// account belongs to that Workspace domain.
func (p *oidcProvider) trusts(email, hostedDomain string) bool {
	domain := strings.ToLower(email[strings.LastIndexByte(email, '@')+1:])
	if !slices.Contains(p.Domains, domain) {
		return false
	}
	if p.Issuer == googleIssuer && !slices.Contains(p.Domains, strings.ToLower(hostedDomain)) {
		return false
	}
	return true
}

// admit decides which host an identity the provider vouched for signs in
// as. The rule:
//
//  1. An identity already tied to a host signs in as that host.
//  2. A provider trusted for e-mail domains (Domains) admits a verified
//     address in one of them: as the existing host whose e-mail is that
//     address if there is exactly one, not yet tied to an identity (the
//     identity is tied to it now); else as a new host.
//  3. A provider that admits any account (AllowAnyAccount) gives every new
//     identity a new host. It never matches an existing host by e-mail:
//     it is not trusted for any domain.
//  4. Anything else is refused: an operator ties the identity to a host
//     with `hostgate user link`.
//
// An unverified address never matches a host nor passes a domain rule.
func (m *Manager) admit(ctx context.Context, p *oidcProvider, subject string, c idClaims) (store.User, *refusal) {
	email := c.verifiedEmail()
	u, err := m.store.GetUserBySubject(ctx, p.Issuer, subject)
	switch {
	case err == nil:
		if u.Disabled() {
			return store.User{}, &refusal{http.StatusForbidden, "disabled", disabledMsg, ""}
		}
		if email != "" && email != u.Email {
			if err := m.store.SetUserEmail(ctx, u.ID, email); err != nil {
				m.log.ErrorContext(ctx, "record e-mail", "host_id", u.ID, "err", err)
			}
		}
		return u, nil
	case !errors.Is(err, store.ErrNotFound):
		m.log.ErrorContext(ctx, "find host by identity", "err", err)
		return store.User{}, internalRefusal()
	}
	switch {
	case email != "" && len(p.Domains) > 0 && p.trusts(email, c.HostedDomain):
		return m.admitByEmail(ctx, p, subject, email)
	case p.AllowAnyAccount:
		return m.createHost(ctx, p, subject, email)
	case len(p.Domains) > 0 && c.Email != "" && email == "":
		return store.User{}, &refusal{http.StatusForbidden, "email_unverified",
			p.Label + " has not verified your e-mail address, so it cannot sign you in here.", ""}
	case len(p.Domains) > 0:
		return store.User{}, &refusal{http.StatusForbidden, "domain_refused",
			"Only accounts with a verified address at " + strings.Join(p.Domains, ", ") + " can sign in with " + p.Label + " here.", ""}
	}
	return store.User{}, &refusal{http.StatusForbidden, "unknown_identity",
		"Your " + p.Label + " account has no hostgate account here. Ask whoever runs this hostgate to add you.",
		"hostgate user link NAME --issuer " + p.Issuer + " --subject " + subject}
}

// admitByEmail signs in the one host whose e-mail is this address, tying
// the identity to it, or creates a host when there is none.
func (m *Manager) admitByEmail(ctx context.Context, p *oidcProvider, subject, email string) (store.User, *refusal) {
	users, err := m.store.ListUsers(ctx)
	if err != nil {
		m.log.ErrorContext(ctx, "list hosts", "err", err)
		return store.User{}, internalRefusal()
	}
	var same []store.User
	for _, u := range users {
		if u.Email != "" && strings.EqualFold(u.Email, email) {
			same = append(same, u)
		}
	}
	switch {
	case len(same) == 0:
		return m.createHost(ctx, p, subject, email)
	case len(same) > 1 || same[0].Subject != "":
		// Which host is meant, or whether the one found is this person at
		// all, is for the operator to say.
		return store.User{}, &refusal{http.StatusForbidden, "email_taken",
			"A hostgate account with your address already signs in another way. Ask whoever runs this hostgate to link this one.",
			"hostgate user link NAME --issuer " + p.Issuer + " --subject " + subject}
	}
	u := same[0]
	if u.Disabled() {
		return store.User{}, &refusal{http.StatusForbidden, "disabled", disabledMsg, ""}
	}
	if err := m.oidcStore.SetUserIdentity(ctx, u.ID, p.Issuer, subject); err != nil {
		m.log.ErrorContext(ctx, "link identity", "host_id", u.ID, "err", err)
		return store.User{}, internalRefusal()
	}
	_ = m.store.AddAuditEvent(ctx, store.AuditEvent{At: m.now(), UserID: u.ID, Kind: "user.linked", Detail: "oidc " + p.Name + " by verified e-mail"})
	m.log.InfoContext(ctx, "identity linked by verified e-mail", "host_id", u.ID, "provider", p.Name)
	u.Issuer, u.Subject = p.Issuer, subject
	return u, nil
}

// createHost makes a host for a new identity. Its username, shown on the
// pages, is the verified address when that is free, else a name made from
// the provider and the subject.
func (m *Manager) createHost(ctx context.Context, p *oidcProvider, subject, email string) (store.User, *refusal) {
	sum := sha256.Sum256([]byte(p.Issuer + "\x00" + subject))
	names := []string{p.Name + "-" + strings.ToLower(base32.StdEncoding.EncodeToString(sum[:])[:10])}
	if email != "" {
		names = append([]string{strings.ToLower(email)}, names...)
	}
	for _, name := range names {
		if _, err := m.store.GetUserByUsername(ctx, name); err == nil {
			continue
		}
		u := store.User{ID: randomString()[:22], Username: name, Issuer: p.Issuer, Subject: subject, Email: email, CreatedAt: m.now()}
		err := m.store.CreateUser(ctx, u)
		if errors.Is(err, store.ErrExists) {
			// A concurrent first sign-in of the same identity created it.
			if u, err := m.store.GetUserBySubject(ctx, p.Issuer, subject); err == nil {
				return u, nil
			}
			continue
		}
		if err != nil {
			m.log.ErrorContext(ctx, "create host", "err", err)
			return store.User{}, internalRefusal()
		}
		_ = m.store.AddAuditEvent(ctx, store.AuditEvent{At: u.CreatedAt, UserID: u.ID, Kind: "user.created", Detail: "oidc " + p.Name})
		m.log.InfoContext(ctx, "host created by oidc sign-in", "host_id", u.ID, "provider", p.Name)
		return u, nil
	}
	return store.User{}, internalRefusal()
}

func internalRefusal() *refusal {
	return &refusal{http.StatusInternalServerError, "internal", "Something went wrong. Please try again.", ""}
}
