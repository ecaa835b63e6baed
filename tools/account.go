package tools

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// WhoamiIn takes no arguments.
type WhoamiIn struct{}

// WhoamiOut says who is calling.
type WhoamiOut struct {
	Host   HostInfo   `json:"host"`
	Client ClientInfo `json:"client"`
	Scopes []string   `json:"scopes" jsonschema_description:"scopes the host granted this app"`
}

// HostInfo names the host.
type HostInfo struct {
	ID       string `json:"id"`
	Username string `json:"username"`
}

// ClientInfo names the MCP client.
type ClientInfo struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

func whoami(d *Deps) Tool {
	return New(Meta{
		Name: "whoami", Title: "Who am I",
		Description: "Tells which hostgate host account this app acts for, which app it is, and which scopes the host granted it.",
		Scope:       ScopeRead, ReadOnly: true, Idempotent: true,
	}, d, func(ctx context.Context, d *Deps, c *Caller, _ WhoamiIn) (WhoamiOut, string, error) {
		out := WhoamiOut{
			Host:   HostInfo{ID: c.UserID, Username: c.Username},
			Client: ClientInfo{ID: c.ClientID, Name: c.ClientName},
			Scopes: slices.Clone(c.Scopes),
		}
		return out, fmt.Sprintf("Acting for host %s through %s with scopes: %s.", c.Username, c.ClientName, strings.Join(c.Scopes, ", ")), nil
	})
}

// ListConnectionsIn pages list_connections.
type ListConnectionsIn struct {
	PageIn
}

// ListConnectionsOut lists the vendor accounts this app may use.
type ListConnectionsOut struct {
	Connections []ConnectionInfo `json:"connections"`
	// ManageURL is where the host connects or reconnects vendor accounts.
	ManageURL string `json:"manage_url"`
	Page
}

func (o *ListConnectionsOut) page() *Page { return &o.Page }
func (o *ListConnectionsOut) items() int  { return len(o.Connections) }
func (o *ListConnectionsOut) keep(n int)  { o.Connections = o.Connections[:n] }

// ConnectionInfo is one vendor account.
type ConnectionInfo struct {
	ID        string `json:"id"`
	Vendor    string `json:"vendor"`
	Label     string `json:"label"`
	Status    string `json:"status" jsonschema:"enum=ok,enum=needs_reauth,enum=error"`
	LastError string `json:"last_error,omitempty"`
	// Team names the team that owns the account; absent for the host's own.
	Team string `json:"team,omitempty" jsonschema_description:"the team that owns this account; its owners reconnect it"`
}

func listConnections(d *Deps) Tool {
	return New(Meta{
		Name: "list_connections", Title: "List connected vendor accounts",
		Description: "Lists the vendor accounts the host shared with this app, with each one's status. A connection whose status is needs_reauth must be reconnected by the host at manage_url.",
		Scope:       ScopeRead, ReadOnly: true, Idempotent: true,
	}, d, func(ctx context.Context, d *Deps, c *Caller, in ListConnectionsIn) (ListConnectionsOut, string, error) {
		p, err := newPager(d, c, "list_connections", struct{}{}, in.PageIn)
		if err != nil {
			return ListConnectionsOut{}, "", err
		}
		conns, err := d.Store.ListConnections(ctx, c.UserID)
		if err != nil {
			return ListConnectionsOut{}, "", fmt.Errorf("list connections: %w", err)
		}
		var all []ConnectionInfo
		for _, cn := range conns {
			if !slices.Contains(c.Connections, cn.ID) {
				continue
			}
			info := ConnectionInfo{ID: cn.ID, Vendor: cn.Vendor, Label: cn.Label, Status: string(cn.Status), LastError: cn.LastError}
			if cn.TeamID != "" {
				if m, err := d.Store.GetMembership(ctx, cn.TeamID, c.UserID); err == nil {
					info.Team = m.Team.Name
				}
			}
			all = append(all, info)
		}
		out := ListConnectionsOut{ManageURL: d.BaseURL + "/connections"}
		out.Connections, out.Page = one(p, all)
		if len(out.Connections) == 0 {
			return out, "No vendor account is shared with this app. The host can connect one at " + out.ManageURL + ".", nil
		}
		return out, fmt.Sprintf("%d vendor account(s) shared with this app.", len(out.Connections)), nil
	})
}
