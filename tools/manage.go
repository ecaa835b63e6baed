package tools

import (
	"context"
	"fmt"
)

func refreshConnection(d *Deps) Tool {
	return New(Meta{
		Name: "refresh_connection", Title: "Refresh a vendor connection",
		Description: "Renews a vendor account's access now and checks it with the vendor. Use it when a tool reports an expired or failing account. If the host must reconnect, the error gives the URL to pass on.",
		Scope:       ScopeRead, Idempotent: true, OpenWorld: true,
	}, d, func(ctx context.Context, d *Deps, c *Caller, in ConnectionIn) (ConnectionInfo, string, error) {
		conn, err := ownedConnection(ctx, d, c, in.ConnectionID)
		if err != nil {
			return ConnectionInfo{}, "", err
		}
		if d.Lifecycle == nil {
			return ConnectionInfo{}, "", Errorf("hostgate has no vendors configured.")
		}
		if conn, err = d.Lifecycle.Refresh(ctx, conn); err != nil {
			return ConnectionInfo{}, "", &Error{Text: d.vendorError(conn, err).Error}
		}
		info := ConnectionInfo{ID: conn.ID, Vendor: conn.Vendor, Label: conn.Label, Status: string(conn.Status)}
		return info, fmt.Sprintf("%s (%s) works.", d.title(conn.Vendor), conn.Label), nil
	})
}

// ConnectIn names a vendor to connect.
type ConnectIn struct {
	Vendor string `json:"vendor" jsonschema_description:"the vendor whose account to connect"`
}

// ConnectOut is where the host connects.
type ConnectOut struct {
	URL string `json:"url" jsonschema_description:"give this URL to the host to open in their browser"`
	// Shown is true when the app already showed the host the link itself
	// (MCP URL-mode elicitation) and the host chose to open it.
	Shown bool `json:"shown"`
}

func connectVendor(d *Deps) Tool {
	return New(Meta{
		Name: "connect_vendor", Title: "Connect a vendor account",
		Description: "Returns the URL where the host connects a vendor account to hostgate. Give it to the host; once they have connected, call the other tools again.",
		Scope:       ScopeRead, ReadOnly: true, Idempotent: true,
		Vendors: d.Vendors,
	}, d, func(ctx context.Context, d *Deps, c *Caller, in ConnectIn) (ConnectOut, string, error) {
		if d.Lifecycle == nil {
			return ConnectOut{}, "", Errorf("hostgate has no vendors configured.")
		}
		if _, ok := d.spec(in.Vendor); !ok {
			return ConnectOut{}, "", Errorf("Unknown vendor %q.", in.Vendor)
		}
		u := d.connectURL(in.Vendor)
		title := d.title(in.Vendor)
		shown, ir, err := showURL(ctx, d, c, "connect_vendor", in.Vendor, u, "Connect your "+title+" account to hostgate")
		switch {
		case err != nil:
			return ConnectOut{}, "", err
		case ir != nil:
			return ConnectOut{}, "", ir
		case shown:
			return ConnectOut{URL: u, Shown: true}, "The host opened the link to connect " + title + ". When they say they are done, call the other tools again.", nil
		}
		return ConnectOut{URL: u}, "Ask the host to open " + u + " to connect " + title + ".", nil
	})
}
