package sandbox

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// bulkRow is what a paging test needs of one listed reservation.
type bulkRow struct{ id, guest, checkIn, property string }

// bulkVendor pages through one fake's reservation list in small pages; each paging is a way the
// vendor documents.
type bulkVendor struct {
	name   string
	newFn  func(Options) *Vendor
	pagers map[string]func(t *testing.T, v *Vendor, today time.Time) []bulkRow
}

var bulkVendors = []bulkVendor{
	{"hostex", NewHostex, map[string]func(*testing.T, *Vendor, time.Time) []bulkRow{
		"offset/limit, default order": func(t *testing.T, v *Vendor, _ time.Time) []bulkRow {
			return hostexPages(t, v, "")
		},
		"offset/limit by check-in": func(t *testing.T, v *Vendor, _ time.Time) []bulkRow {
			return hostexPages(t, v, "&order_by=check_in_date")
		},
	}},
	{"hospitable", NewHospitable, map[string]func(*testing.T, *Vendor, time.Time) []bulkRow{
		"page/per_page": func(t *testing.T, v *Vendor, today time.Time) []bulkRow {
			q := url.Values{"start_date": {today.Format(dateLayout)}, "end_date": {today.AddDate(0, 0, 35).Format(dateLayout)},
				"per_page": {"9"}, "include": {"guest,properties"}}
			for _, p := range list(hspGet(t, v, "/properties?per_page=100", HospitablePAT).body, "data") {
				q.Add("properties[]", str(p, "id"))
			}
			var out []bulkRow
			for page := 1; page < 1000; page++ {
				q.Set("page", strconv.Itoa(page))
				r := hspGet(t, v, "/reservations?"+q.Encode(), HospitablePAT)
				for _, res := range list(r.body, "data") {
					out = append(out, bulkRow{str(res, "id"), str(res, "guest.first_name") + " " + str(res, "guest.last_name"),
						str(res, "arrival_date")[:10], str(list(res, "properties")[0], "id")})
				}
				if dig(r.body, "links.next") == nil {
					return out
				}
			}
			t.Fatal("pages never end")
			return nil
		},
	}},
	{"hostaway", NewHostaway, map[string]func(*testing.T, *Vendor, time.Time) []bulkRow{
		"offset/limit": func(t *testing.T, v *Vendor, _ time.Time) []bulkRow {
			tok := hostawayToken(t, v)
			var out []bulkRow
			for offset := 0; offset < 100_000; offset += 13 {
				page := list(hwGet(t, v, "/reservations?limit=13&offset="+strconv.Itoa(offset), tok).body, "result")
				out = append(out, hostawayRows(page)...)
				if len(page) < 13 {
					return out
				}
			}
			t.Fatal("pages never end")
			return nil
		},
		"afterId cursor": func(t *testing.T, v *Vendor, _ time.Time) []bulkRow {
			tok := hostawayToken(t, v)
			var out []bulkRow
			after := ""
			for range 100_000 {
				page := list(hwGet(t, v, "/reservations?limit=13"+after, tok).body, "result")
				out = append(out, hostawayRows(page)...)
				if len(page) < 13 {
					return out
				}
				after = "&afterId=" + strconv.Itoa(num(page[len(page)-1], "id"))
			}
			t.Fatal("pages never end")
			return nil
		},
	}},
}

func hostexPages(t *testing.T, v *Vendor, extra string) []bulkRow {
	var out []bulkRow
	for offset := 0; offset < 100_000; offset += 7 {
		page := list(hostexGet(t, v, "/reservations?limit=7&offset="+strconv.Itoa(offset)+extra, HostexReadOnlyToken).body, "data.reservations")
		for _, res := range page {
			out = append(out, bulkRow{str(res, "reservation_code"), str(res, "guest_name"), str(res, "check_in_date"),
				strconv.Itoa(num(res, "property_id"))})
		}
		if len(page) < 7 {
			return out
		}
	}
	t.Fatal("pages never end")
	return nil
}

func hostawayRows(page []any) []bulkRow {
	out := make([]bulkRow, 0, len(page))
	for _, res := range page {
		out = append(out, bulkRow{strconv.Itoa(num(res, "id")), str(res, "guestName"), str(res, "arrivalDate"),
			strconv.Itoa(num(res, "listingMapId"))})
	}
	return out
}

// Options.Bulk adds reservations that every documented way of paging returns exactly once,
// next to an unchanged normal seed.
func TestBulkPagesReturnEachOnce(t *testing.T) {
	const bulk = 157
	for _, bv := range bulkVendors {
		for how, pages := range bv.pagers {
			t.Run(bv.name+"/"+how, func(t *testing.T) {
				clk := newClock()
				today := day(clk.Now())
				plain := bv.newFn(Options{Now: clk.Now})
				loaded := bv.newFn(Options{Now: clk.Now, Bulk: bulk})
				for _, v := range []*Vendor{plain, loaded} {
					if err := v.Start(); err != nil {
						t.Fatal(err)
					}
					t.Cleanup(v.Close)
					v.SetRateLimiting(false)
				}
				base, rows := pages(t, plain, today), pages(t, loaded, today)

				seen := map[string]bool{}
				guests := map[string]int{}
				props := map[string]bool{}
				for _, r := range rows {
					if seen[r.id] {
						t.Fatalf("%s listed twice", r.id)
					}
					seen[r.id] = true
					if strings.Contains(r.guest, " Bulk") {
						guests[r.guest]++
						props[r.property] = true
						ci, _ := parseDate(r.checkIn)
						if ci.Before(today) || !ci.Before(today.AddDate(0, 0, 30)) {
							t.Errorf("%s checks in %s, outside the 30 days from %s", r.id, r.checkIn, today.Format(dateLayout))
						}
					}
				}
				if len(guests) != bulk || len(rows) != len(base)+bulk {
					t.Fatalf("%d bulk guests in %d rows; want %d on top of the %d seeded", len(guests), len(rows), bulk, len(base))
				}
				for g, n := range guests {
					if n != 1 {
						t.Errorf("guest %s listed %d times", g, n)
					}
				}
				if len(props) != 4 {
					t.Errorf("bulk reservations on %d properties, want all 4", len(props))
				}
				for _, r := range base {
					if !seen[r.id] {
						t.Errorf("seeded reservation %s missing with Bulk set", r.id)
					}
				}
			})
		}
	}
}

// Bulk changes neither the seeded data nor the calendars; Bulk 0 is the normal seed.
func TestBulkLeavesTheSeedAlone(t *testing.T) {
	clk := newClock()
	today := day(clk.Now()).Format(dateLayout)
	end := day(clk.Now()).AddDate(0, 0, 29).Format(dateLayout)
	get := func(opts Options) (string, string) {
		v := NewHostex(opts)
		if err := v.Start(); err != nil {
			t.Fatal(err)
		}
		defer v.Close()
		r := hostexGet(t, v, "/reservations?limit=100&start_check_in_date=2000-01-01&end_check_in_date="+today, HostexReadOnlyToken)
		a := hostexGet(t, v, fmt.Sprintf("/availabilities?property_ids=%d&start_date=%s&end_date=%s", HostexPropertyID, today, end), HostexReadOnlyToken)
		return requestID.ReplaceAllString(string(r.raw), ""), requestID.ReplaceAllString(string(a.raw), "")
	}
	res0, cal0 := get(Options{Now: clk.Now})
	resZ, calZ := get(Options{Now: clk.Now, Bulk: 0})
	resB, calB := get(Options{Now: clk.Now, Bulk: 40}) // the first bulk stays check in today
	if res0 != resZ || cal0 != calZ {
		t.Error("Bulk 0 changed the seed")
	}
	if cal0 != calB {
		t.Error("Bulk changed the calendar")
	}
	if !strings.Contains(resB, "Bulk00001") || strings.Contains(res0, "Bulk") {
		t.Error("today's bulk check-in missing, or bulk guests without Bulk")
	}
}
