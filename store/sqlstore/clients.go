package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/hostgate/hostgate/store"
)

const clientCols = `id, name, redirect_uris, grant_types, response_types, scope, auth_method,
	secret_hash, client_uri, logo_uri, software_id, software_version, application_type,
	metadata_url, metadata_expires_at, registered_from, created_at, last_used_at`

func clientArgs(c store.Client) []any {
	return []any{c.ID, c.Name, lv(c.RedirectURIs), lv(c.GrantTypes), lv(c.ResponseTypes),
		c.Scope, c.AuthMethod, c.SecretHash, c.ClientURI, c.LogoURI, c.SoftwareID,
		c.SoftwareVersion, c.ApplicationType, c.MetadataURL, tv(c.MetadataExpiresAt),
		c.RegisteredFrom, tv(c.CreatedAt), tv(c.LastUsedAt)}
}

const insertClient = `INSERT INTO clients (` + clientCols + `)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// CreateClient implements [store.Clients].
func (s *Store) CreateClient(ctx context.Context, c store.Client) error {
	_, err := s.exec(ctx, "create client", insertClient, clientArgs(c)...)
	return err
}

// PutClient implements [store.Clients]. It replaces every column of an
// existing client in place (an upsert, not INSERT OR REPLACE: deleting the
// row would cascade to its grants and approvals).
func (s *Store) PutClient(ctx context.Context, c store.Client) error {
	_, err := s.exec(ctx, "put client", insertClient+` ON CONFLICT (id) DO UPDATE SET
		name = excluded.name, redirect_uris = excluded.redirect_uris,
		grant_types = excluded.grant_types, response_types = excluded.response_types,
		scope = excluded.scope, auth_method = excluded.auth_method,
		secret_hash = excluded.secret_hash, client_uri = excluded.client_uri,
		logo_uri = excluded.logo_uri, software_id = excluded.software_id,
		software_version = excluded.software_version,
		application_type = excluded.application_type,
		metadata_url = excluded.metadata_url,
		metadata_expires_at = excluded.metadata_expires_at,
		registered_from = excluded.registered_from,
		created_at = excluded.created_at, last_used_at = excluded.last_used_at`,
		clientArgs(c)...)
	return err
}

// GetClient implements [store.Clients].
func (s *Store) GetClient(ctx context.Context, id string) (store.Client, error) {
	var c store.Client
	err := s.r.QueryRowContext(ctx, `SELECT `+clientCols+` FROM clients WHERE id = ?`, id).Scan(
		&c.ID, &c.Name, lc(&c.RedirectURIs), lc(&c.GrantTypes), lc(&c.ResponseTypes),
		&c.Scope, &c.AuthMethod, &c.SecretHash, &c.ClientURI, &c.LogoURI, &c.SoftwareID,
		&c.SoftwareVersion, &c.ApplicationType, &c.MetadataURL, tc(&c.MetadataExpiresAt),
		&c.RegisteredFrom, tc(&c.CreatedAt), tc(&c.LastUsedAt))
	if err != nil {
		return store.Client{}, wrap("get client", err)
	}
	return c, nil
}

// TouchClient implements [store.Clients].
func (s *Store) TouchClient(ctx context.Context, id string, at time.Time) error {
	return s.mustChange(ctx, "touch client",
		`UPDATE clients SET last_used_at = ? WHERE id = ?`, tv(at), id)
}

// DeleteStaleClients implements [store.Clients]. A client's approvals go
// with it. A code or grant made for a client meanwhile keeps it (see
// deleteLocked).
func (s *Store) DeleteStaleClients(ctx context.Context, createdBefore time.Time) (int64, error) {
	var n int64
	err := s.write(ctx, func(tx *txn) (err error) {
		n, err = deleteLocked(ctx, tx, "delete stale clients", staleClientsSQL, tn(createdBefore))
		return err
	})
	return n, err
}

const staleClientsSQL = `DELETE FROM clients
	WHERE created_at < ? AND last_used_at IS NULL
	AND NOT EXISTS (SELECT 1 FROM auth_codes WHERE auth_codes.client_id = clients.id)
	AND NOT EXISTS (SELECT 1 FROM grants WHERE grants.client_id = clients.id)`

const countClientsSQL = `SELECT count(*) FROM clients WHERE registered_from = ? AND created_at >= ?`

// CountClientsFrom implements [store.Clients].
func (s *Store) CountClientsFrom(ctx context.Context, addr string, since time.Time) (int64, error) {
	var n int64
	err := s.r.QueryRowContext(ctx, countClientsSQL, addr, tn(since)).Scan(&n)
	if err != nil {
		return 0, wrap("count clients", err)
	}
	return n, nil
}

const approvalCols = `user_id, client_id, scopes, connections, write_policy, created_at, updated_at`

// PutApproval implements [store.Approvals]. A new approval with no write
// policy starts at [store.WriteAsk]; replacing an approval never touches its
// stored policy (re-approving an app keeps the host's choice). An unknown
// policy is refused.
func (s *Store) PutApproval(ctx context.Context, a store.Approval) error {
	p := a.WritePolicy
	if p == "" {
		p = store.WriteAsk
	}
	if !p.Valid() {
		return fmt.Errorf("sqlstore: put approval: unknown write policy %q", a.WritePolicy)
	}
	_, err := s.exec(ctx, "put approval", `INSERT INTO approvals (`+approvalCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (user_id, client_id) DO UPDATE SET
		scopes = excluded.scopes, connections = excluded.connections,
		created_at = excluded.created_at, updated_at = excluded.updated_at`,
		a.UserID, a.ClientID, lv(a.Scopes), lv(a.Connections), string(p), tv(a.CreatedAt), tv(a.UpdatedAt))
	return err
}

// SetWritePolicy implements [store.Approvals]. An unknown policy is refused
// before the database is touched.
func (s *Store) SetWritePolicy(ctx context.Context, userID, clientID string, p store.WritePolicy, at time.Time) error {
	if !p.Valid() {
		return fmt.Errorf("sqlstore: set write policy: unknown write policy %q", p)
	}
	return s.mustChange(ctx, "set write policy",
		`UPDATE approvals SET write_policy = ?, updated_at = ? WHERE user_id = ? AND client_id = ?`,
		string(p), tv(at), userID, clientID)
}

func scanApproval(row interface{ Scan(...any) error }) (store.Approval, error) {
	var a store.Approval
	err := row.Scan(&a.UserID, &a.ClientID, lc(&a.Scopes), lc(&a.Connections),
		(*string)(&a.WritePolicy), tc(&a.CreatedAt), tc(&a.UpdatedAt))
	return a, err
}

// GetApproval implements [store.Approvals].
func (s *Store) GetApproval(ctx context.Context, userID, clientID string) (store.Approval, error) {
	a, err := scanApproval(s.r.QueryRowContext(ctx, `SELECT `+approvalCols+
		` FROM approvals WHERE user_id = ? AND client_id = ?`, userID, clientID))
	if err != nil {
		return store.Approval{}, wrap("get approval", err)
	}
	return a, nil
}

// ListApprovals implements [store.Approvals], newest first.
func (s *Store) ListApprovals(ctx context.Context, userID string) ([]store.Approval, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+approvalCols+` FROM approvals
		WHERE user_id = ? ORDER BY created_at DESC, client_id`, userID)
	if err != nil {
		return nil, wrap("list approvals", err)
	}
	defer rows.Close()
	var out []store.Approval
	for rows.Next() {
		a, err := scanApproval(rows)
		if err != nil {
			return nil, wrap("list approvals", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("list approvals", err)
	}
	return out, nil
}

// DeleteApproval implements [store.Approvals].
func (s *Store) DeleteApproval(ctx context.Context, userID, clientID string) error {
	return s.mustChange(ctx, "delete approval",
		`DELETE FROM approvals WHERE user_id = ? AND client_id = ?`, userID, clientID)
}
