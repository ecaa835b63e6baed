package sandbox

import (
	"time"
)

// HoxtonAI seeded data. Only the people-count monitor fields are confirmed (the PUT body
// [C]); sites, occupancy monitors and their fields are [I], in the API's camelCase style.

type hxSite struct {
	ID             string `json:"id"`
	OrganisationID string `json:"organisationId"`
	Name           string `json:"name"`
	SiteType       string `json:"siteType"`
	Address        string `json:"address"`
	Timezone       string `json:"timezone"`
	State          string `json:"state"`
	CreatedAt      string `json:"createdAt"`
}

type hxPeopleMonitor struct {
	ID                 string  `json:"id"`
	Name               string  `json:"name"`
	SiteID             string  `json:"siteId"`
	DailyResetMin      int     `json:"dailyResetMin"`
	Direction1Alias    string  `json:"direction1Alias"`
	Direction2Alias    string  `json:"direction2Alias"`
	ReportingStartDate string  `json:"reportingStartDate"`
	ReportingEndDate   *string `json:"reportingEndDate"`
	State              string  `json:"state"`
}

type hxOccupancyMonitor struct {
	ID                    string   `json:"id"`
	Name                  string   `json:"name"`
	SiteID                string   `json:"siteId"`
	Capacity              int      `json:"capacity"`
	PeopleCountMonitorIDs []string `json:"peopleCountMonitorIds"`
	DailyResetMin         int      `json:"dailyResetMin"`
	CurrentOccupancy      int      `json:"currentOccupancy"`
	LastUpdatedAt         string   `json:"lastUpdatedAt"`
	State                 string   `json:"state"`
}

// hxDayCount is one day of a people-count monitor: direction 1 is "in", 2 is "out".
type hxDayCount struct {
	in, out int
}

// Weekday footfall shapes (Sunday first): a music venue peaks at weekends, a shop on Saturday.
var (
	venueWeek  = [7]int{520, 180, 240, 310, 640, 1150, 1320}
	retailWeek = [7]int{610, 430, 470, 480, 560, 720, 930}
)

func (x *hoxton) seed(opts Options) {
	r := newRand(opts.Seed, 4)
	now := x.v.now()
	created := hxTime(day(now).AddDate(-1, -2, 0))
	x.sites = []*hxSite{
		{ID: HoxtonAISiteID, OrganisationID: HoxtonAIOrganisationID, Name: "Roundhouse Live", SiteType: "venue",
			Address: "Chalk Farm Rd, London NW1 8EH, United Kingdom", Timezone: "Europe/London", State: "active", CreatedAt: created},
		{ID: "9c2e7a41-5b8d-4f3e-a6c0-1d7b3e9f5a28", OrganisationID: HoxtonAIOrganisationID, Name: "Harbourside Outfitters", SiteType: "retail",
			Address: "21 Canons Way, Bristol BS1 5LL, United Kingdom", Timezone: "Europe/London", State: "active", CreatedAt: created},
	}
	start := day(now).AddDate(-1, 0, 0).Format(dateLayout)
	pcm := func(id, name, site string, reset int) *hxPeopleMonitor {
		return &hxPeopleMonitor{ID: id, Name: name, SiteID: site, DailyResetMin: reset, Direction1Alias: "In",
			Direction2Alias: "Out", ReportingStartDate: start, State: "active"}
	}
	x.people = []*hxPeopleMonitor{
		pcm("d1a7c3e9-4b2f-4e8a-9c61-7f0b5d3e2a14", "Main Entrance", HoxtonAISiteID, 300),
		pcm("e8b2d4f6-1a3c-4d5e-8f70-2b4c6d8e0f13", "Stage Door", HoxtonAISiteID, 300),
		pcm("a4c6e8f0-2b4d-4f6a-8c0e-1d3f5a7b9c25", "Shop Entrance", x.sites[1].ID, 0),
		pcm("b5d7f9a1-3c5e-4a7b-9d1f-2e4a6c8e0b36", "Rear Entrance", x.sites[1].ID, 0),
	}
	x.occupancy = []*hxOccupancyMonitor{
		{ID: "c7e9a1b3-5d7f-4b9c-8e2a-4f6b8d0a2c47", Name: "Main Hall", SiteID: HoxtonAISiteID, Capacity: 1700,
			PeopleCountMonitorIDs: []string{x.people[0].ID, x.people[1].ID}, DailyResetMin: 300,
			CurrentOccupancy: 180 + r.IntN(400), LastUpdatedAt: hxTime(now.Add(-time.Minute)), State: "active"},
		{ID: "f2a4c6e8-0b2d-4f4a-9c6e-8a0c2e4b6d58", Name: "Shop Floor", SiteID: x.sites[1].ID, Capacity: 150,
			PeopleCountMonitorIDs: []string{x.people[2].ID, x.people[3].ID},
			CurrentOccupancy:      10 + r.IntN(60), LastUpdatedAt: hxTime(now.Add(-time.Minute)), State: "active"},
	}
	// 120 days of daily counts up to yesterday.
	x.counts = map[string]map[string]hxDayCount{}
	today := day(now)
	for i, m := range x.people {
		week, share := venueWeek, []float64{0.95, 0.05, 0.85, 0.15}[i]
		if m.SiteID != HoxtonAISiteID {
			week = retailWeek
		}
		days := map[string]hxDayCount{}
		for d := today.AddDate(0, 0, -120); d.Before(today); d = d.AddDate(0, 0, 1) {
			n := int(float64(week[d.Weekday()]) * share * (0.85 + 0.3*r.Float64()))
			days[d.Format(dateLayout)] = hxDayCount{in: n, out: n - r.IntN(n/30+1)}
		}
		x.counts[m.ID] = days
	}
}

// hxTime is the ISO 8601 UTC time style of the API [I].
func hxTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
