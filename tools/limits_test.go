package tools

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/tools/connector"
)

// TestLimitIDArguments: every argument of every tool that names an item
// by id is either checked against the host's property limit before the
// tool runs (idArgs) or names something that is no property's (an
// account, a draft). A new id argument fails here until it is one or the
// other.
func TestLimitIDArguments(t *testing.T) {
	notProperty := map[string]bool{
		"connection_id": true, // an account: account-wide tools are refused under a property limit
	}
	d := testDeps()
	seen := 0
	for _, tl := range All(d) {
		var schema struct {
			Properties map[string]json.RawMessage `json:"properties"`
		}
		if err := json.Unmarshal(tl.Def.RawInputSchema, &schema); err != nil {
			t.Fatalf("%s: %v", tl.Def.Name, err)
		}
		for name := range schema.Properties {
			if !strings.HasSuffix(name, "_id") && !strings.HasSuffix(name, "_ids") {
				continue
			}
			seen++
			if !slices.Contains(idArgs, name) && !notProperty[name] {
				t.Errorf("%s takes %s, which the property limit does not check: add it to idArgs (and propertyOfArg), or to notProperty here", tl.Def.Name, name)
			}
		}
	}
	if seen < 20 {
		t.Fatalf("only %d id arguments found in the tools' schemas", seen)
	}
	// Every tool that acts on a whole account by connection_id alone is
	// named in accountWide, or is harmless under a property limit.
	harmless := map[string]bool{"refresh_connection": true}
	for _, tl := range All(d) {
		var schema struct {
			Properties map[string]json.RawMessage `json:"properties"`
			Required   []string                   `json:"required"`
		}
		_ = json.Unmarshal(tl.Def.RawInputSchema, &schema)
		if slices.Contains(schema.Required, "connection_id") && !accountWide[tl.Def.Name] && !harmless[tl.Def.Name] {
			t.Errorf("%s acts on an account by connection_id: add it to accountWide, or to harmless here", tl.Def.Name)
		}
	}
}

// TestPlaceOf: how each list item is tied to properties, and that an
// item of a type limits do not know is left out, not shown.
func TestPlaceOf(t *testing.T) {
	for _, tc := range []struct {
		name string
		item any
		want where
		ok   bool
	}{
		{"property", connector.Property{ID: "hostex:1"}, where{props: []string{"hostex:1"}}, true},
		{"site", connector.Site{ID: "hoxtonai:s"}, where{props: []string{"hoxtonai:s"}}, true},
		{"reservation", connector.Reservation{ID: "hostex:r", PropertyID: "hostex:1"}, where{props: []string{"hostex:1"}}, true},
		{"reservation of no property", connector.Reservation{ID: "hostex:r"}, where{}, true},
		{"inquiry", connector.Inquiry{PropertyID: "hostaway:2"}, where{props: []string{"hostaway:2"}}, true},
		{"conversation with its property", connector.Conversation{ID: "c", PropertyID: "hostex:1", ReservationID: "hostex:r"}, where{props: []string{"hostex:1"}}, true},
		{"conversation with its reservation", connector.Conversation{ID: "c", ReservationID: "hostex:r"}, where{reservations: []string{"hostex:r"}}, true},
		{"conversation with neither", connector.Conversation{ID: "hostex:c"}, where{conversation: "hostex:c"}, true},
		{"review by reservation", connector.Review{ReservationID: "hostex:r"}, where{reservations: []string{"hostex:r"}}, true},
		{"task", connector.Task{PropertyID: "hostaway:2"}, where{props: []string{"hostaway:2"}}, true},
		{"transaction", connector.Transaction{ReservationID: "hostaway:r"}, where{reservations: []string{"hostaway:r"}}, true},
		{"transaction of no stay", connector.Transaction{}, where{}, true},
		{"payout", connector.Payout{ReservationIDs: []string{"a:1", "a:2"}}, where{reservations: []string{"a:1", "a:2"}}, true},
		{"a type limits do not know", connector.Message{Body: "hi"}, where{}, false},
	} {
		got, ok := placeOf(tc.item)
		if ok != tc.ok || !slices.Equal(got.props, tc.want.props) || !slices.Equal(got.reservations, tc.want.reservations) || got.conversation != tc.want.conversation {
			t.Errorf("%s: placeOf = %+v, %v; want %+v, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}

// TestKeepAllowed: a list under a property limit keeps, in order, the
// items of allowed properties only; what it cannot place (no vendor to
// ask here) is left out and noted; a payout is kept only if every stay it
// pays is allowed; the lists the read cache shares are never changed.
func TestKeepAllowed(t *testing.T) {
	d := testDeps()
	c := &Caller{Limits: store.AppLimits{Properties: []string{"hostex:1", "hoxtonai:s"}}}
	ctx := context.WithValue(context.Background(), notesKey{}, &limitNotes{})
	conn := store.Connection{ID: "cn", Vendor: "hostex"}

	props := []connector.Property{{ID: "hostex:2"}, {ID: "hostex:1"}, {ID: "hostex:3"}}
	shared := slices.Clone(props)
	got := keepAllowed(ctx, d, c, conn, props)
	if len(got) != 1 || got[0].ID != "hostex:1" || !slices.EqualFunc(props, shared, func(a, b connector.Property) bool { return a.ID == b.ID }) {
		t.Fatalf("properties kept %+v (list now %+v)", got, props)
	}
	if limitNote(ctx, c) == "" || strings.Contains(limitNote(ctx, c), "could not tell") {
		t.Fatalf("note after placed items: %q", limitNote(ctx, c))
	}
	if got := keepAllowed(ctx, d, c, conn, []connector.Site{{ID: "hoxtonai:s"}, {ID: "hoxtonai:t"}}); len(got) != 1 || got[0].ID != "hoxtonai:s" {
		t.Fatalf("sites kept %+v", got)
	}
	if got := keepAllowed(ctx, d, c, conn, []connector.Payout{{ID: "p"}}); len(got) != 0 {
		t.Fatalf("a payout naming no stay was kept: %+v", got)
	}
	if got := keepAllowed(ctx, d, c, conn, []connector.Message{{Body: "hi"}}); got == nil || len(got) != 0 {
		t.Fatalf("an item of an unknown type: %+v (nil is a failed account, not an empty one)", got)
	}
	if !strings.Contains(limitNote(ctx, c), "could not tell which property") {
		t.Fatalf("note after unplaced items: %q", limitNote(ctx, c))
	}

	// Without a property limit the lists are the cache's own, untouched.
	free := &Caller{}
	lists := [][]connector.Property{props, nil}
	if out := limitLists(ctx, d, free, []store.Connection{conn, conn}, lists); &out[0][0] != &props[0] || out[1] != nil {
		t.Fatal("limitLists copied the lists of a caller without a property limit")
	}
	if out := limitLists(ctx, d, c, []store.Connection{conn, conn}, lists); out[1] != nil || len(out[0]) != 1 {
		t.Fatalf("limitLists under a limit: %+v", out)
	}
}
