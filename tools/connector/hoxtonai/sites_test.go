package hoxtonai

import (
	"context"
	"errors"
	"testing"

	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

func TestListSites(t *testing.T) {
	e := start(t, fixedNow)
	c, _ := e.conn(t)
	sites, err := c.ListSites(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []connector.Site{
		{ID: "hoxtonai:" + sandbox.HoxtonAISiteID, Vendor: "hoxtonai", Name: "Roundhouse Live",
			Address: "Chalk Farm Rd, London NW1 8EH, United Kingdom", Timezone: "Europe/London",
			Monitors: []connector.Monitor{
				{ID: "d1a7c3e9-4b2f-4e8a-9c61-7f0b5d3e2a14", Name: "Main Entrance", Kind: "people_count"},
				{ID: "e8b2d4f6-1a3c-4d5e-8f70-2b4c6d8e0f13", Name: "Stage Door", Kind: "people_count"},
				{ID: "c7e9a1b3-5d7f-4b9c-8e2a-4f6b8d0a2c47", Name: "Main Hall", Kind: "occupancy"},
			}},
		{ID: "hoxtonai:9c2e7a41-5b8d-4f3e-a6c0-1d7b3e9f5a28", Vendor: "hoxtonai", Name: "Harbourside Outfitters",
			Address: "21 Canons Way, Bristol BS1 5LL, United Kingdom", Timezone: "Europe/London",
			Monitors: []connector.Monitor{
				{ID: "a4c6e8f0-2b4d-4f6a-8c0e-1d3f5a7b9c25", Name: "Shop Entrance", Kind: "people_count"},
				{ID: "b5d7f9a1-3c5e-4a7b-9d1f-2e4a6c8e0b36", Name: "Rear Entrance", Kind: "people_count"},
				{ID: "f2a4c6e8-0b2d-4f4a-9c6e-8a0c2e4b6d58", Name: "Shop Floor", Kind: "occupancy"},
			}},
	}
	if len(sites) != len(want) {
		t.Fatalf("%d sites, want %d: %+v", len(sites), len(want), sites)
	}
	for i := range want {
		g, w := sites[i], want[i]
		if g.ID != w.ID || g.Vendor != w.Vendor || g.Name != w.Name || g.Address != w.Address || g.Timezone != w.Timezone || len(g.Monitors) != len(w.Monitors) {
			t.Fatalf("site %d = %+v\nwant %+v", i, g, w)
		}
		for j := range w.Monitors {
			if g.Monitors[j] != w.Monitors[j] {
				t.Errorf("site %d monitor %d = %+v, want %+v", i, j, g.Monitors[j], w.Monitors[j])
			}
		}
	}
	// Three calls whatever the number of sites.
	if n := e.V.Requests("/sites") + e.V.Requests("/people-count-monitors") + e.V.Requests("/occupancy-monitors"); n != 3 {
		t.Errorf("%d API calls, want 3", n)
	}
}

func TestDeletedMonitorsAreLeftOut(t *testing.T) {
	e := start(t, fixedNow)
	c, src := e.conn(t)
	e.raw(t, src.Credential(), "DELETE", "/people-count-monitors/e8b2d4f6-1a3c-4d5e-8f70-2b4c6d8e0f13", nil)
	sites, err := c.ListSites(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range sites[0].Monitors {
		if m.Name == "Stage Door" {
			t.Error("a deleted monitor is listed")
		}
	}
}

func TestSiteIDs(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		err      error
	}{
		{sandbox.HoxtonAISiteID, sandbox.HoxtonAISiteID, nil},
		{"hoxtonai:" + sandbox.HoxtonAISiteID, sandbox.HoxtonAISiteID, nil},
		{"", "", connector.ErrBadRequest},
		{"../sites", "", connector.ErrBadRequest},
		{"abc?x=1", "", connector.ErrBadRequest},
	} {
		got, err := ownID(tc.in)
		if got != tc.want || !errors.Is(err, tc.err) {
			t.Errorf("ownID(%q) = %q, %v", tc.in, got, err)
		}
	}
}
