package sandbox

import (
	"net/http"
	"time"
)

// hxReport is a stored report; a dwell-time report is "pending" until first fetched [I].
type hxReport struct {
	fields map[string]any
	data   []map[string]any
	status string
}

// hxDone is a finished report's status, as the reference's dwell-time sample shows it [C].
const hxDone = "completed"

// reportDates checks startDate and endDate, dates already (readHXBody), endDate exclusive [C].
// Ranges over 366 days are 413 [I].
func (x *hoxton) reportDates(w http.ResponseWriter, start, end string) (time.Time, time.Time, bool) {
	lo, _ := parseDate(start)
	hi, _ := parseDate(end)
	switch {
	case !hi.After(lo):
		x.fail(w, http.StatusUnprocessableEntity, "endDate (exclusive) must be after startDate")
	case hi.Sub(lo) > 366*24*time.Hour:
		x.fail(w, http.StatusRequestEntityTooLarge, "The report range may not exceed 366 days")
	default:
		return lo, hi, true
	}
	return time.Time{}, time.Time{}, false
}

// reportRequest is the body of a report request: the documented dwell-time request [C], which
// the count report is taken to share [I].
type reportRequest struct {
	OrganisationID        string   `json:"organisationId"`
	StartDate             string   `json:"startDate"`
	EndDate               string   `json:"endDate"`
	PeopleCountMonitorIDs []string `json:"peopleCountMonitorIds"`
	OccupancyMonitorIDs   []string `json:"occupancyMonitorIds"`
}

func (x *hoxton) peopleMonitor(id string) *hxPeopleMonitor {
	for _, m := range x.people {
		if m.ID == id {
			return m
		}
	}
	return nil
}

// createCountReport: POST /count-reports [I] {organisationId, startDate, endDate (exclusive),
// peopleCountMonitorIds[]}, the members of the documented dwell-time request and no others →
// 200 with daily in/out counts, computed at once (status "completed"), as the dwell-time
// request is answered [C: 200 OK].
func (x *hoxton) createCountReport(w http.ResponseWriter, r *http.Request) {
	var in reportRequest
	if !x.readHXBody(w, r, map[string]hxMember{
		"organisationId": {hxUUIDKind, true}, "startDate": {hxDateKind, true}, "endDate": {hxDateKind, true},
		"peopleCountMonitorIds": {hxUUIDsKind, true},
	}, &in) {
		return
	}
	if in.OrganisationID != HoxtonAIOrganisationID {
		x.fail(w, http.StatusForbidden, "Not a member of this organisation")
		return
	}
	if len(in.PeopleCountMonitorIDs) == 0 {
		x.fail(w, http.StatusUnprocessableEntity, "peopleCountMonitorIds must not be empty")
		return
	}
	lo, hi, ok := x.reportDates(w, in.StartDate, in.EndDate)
	if !ok {
		return
	}
	data := []map[string]any{}
	x.v.mu.Lock()
	for _, id := range in.PeopleCountMonitorIDs {
		if x.peopleMonitor(id) == nil {
			x.v.mu.Unlock()
			x.fail(w, http.StatusNotFound, "People count monitor "+id+" not found")
			return
		}
		for d := lo; d.Before(hi); d = d.AddDate(0, 0, 1) {
			if c, ok := x.counts[id][d.Format(dateLayout)]; ok {
				data = append(data, map[string]any{"peopleCountMonitorId": id, "date": d.Format(dateLayout),
					"direction1Count": c.in, "direction2Count": c.out})
			}
		}
	}
	id := newUUID()
	rep := &hxReport{status: hxDone, data: data, fields: map[string]any{
		"countReportId": id, "organisationId": HoxtonAIOrganisationID, "startDate": lo.Format(dateLayout),
		"endDate": hi.Format(dateLayout), "peopleCountMonitorIds": in.PeopleCountMonitorIDs,
		"errorMessage": nil, "createdAt": hxTime(x.v.now()),
	}}
	x.reports[id] = rep
	out := rep.render()
	x.v.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

// createDwellReport: POST /dwell-time-reports {organisationId, startDate, endDate (exclusive),
// peopleCountMonitorIds[], occupancyMonitorIds[]} → 200 {dwellTimeReportId, status,
// reportData[], errorMessage, …} [C]. It starts "pending" with no data and is "completed" from
// the first GET on [I]; the reportData row shape is [I].
func (x *hoxton) createDwellReport(w http.ResponseWriter, r *http.Request) {
	var in reportRequest
	if !x.readHXBody(w, r, map[string]hxMember{
		"organisationId": {hxUUIDKind, true}, "startDate": {hxDateKind, true}, "endDate": {hxDateKind, true},
		"peopleCountMonitorIds": {hxUUIDsKind, false}, "occupancyMonitorIds": {hxUUIDsKind, false},
	}, &in) {
		return
	}
	switch {
	case in.OrganisationID != HoxtonAIOrganisationID:
		x.fail(w, http.StatusForbidden, "Not a member of this organisation")
		return
	case len(in.PeopleCountMonitorIDs)+len(in.OccupancyMonitorIDs) == 0:
		x.fail(w, http.StatusUnprocessableEntity, "Give at least one peopleCountMonitorIds or occupancyMonitorIds entry")
		return
	}
	lo, hi, ok := x.reportDates(w, in.StartDate, in.EndDate)
	if !ok {
		return
	}
	type src struct {
		field, id string
		feeds     []string
		venue     bool
	}
	var srcs []src
	x.v.mu.Lock()
	defer x.v.mu.Unlock()
	for _, id := range in.PeopleCountMonitorIDs {
		m := x.peopleMonitor(id)
		if m == nil {
			x.fail(w, http.StatusNotFound, "People count monitor "+id+" not found")
			return
		}
		srcs = append(srcs, src{"peopleCountMonitorId", id, []string{id}, m.SiteID == HoxtonAISiteID})
	}
	for _, id := range in.OccupancyMonitorIDs {
		var om *hxOccupancyMonitor
		for _, o := range x.occupancy {
			if o.ID == id {
				om = o
			}
		}
		if om == nil {
			x.fail(w, http.StatusNotFound, "Occupancy monitor "+id+" not found")
			return
		}
		srcs = append(srcs, src{"occupancyMonitorId", id, om.PeopleCountMonitorIDs, om.SiteID == HoxtonAISiteID})
	}
	data := []map[string]any{}
	for _, s := range srcs {
		base := 780 // seconds: a shop visit
		if s.venue {
			base = 2700 // a gig
		}
		for d := lo; d.Before(hi); d = d.AddDate(0, 0, 1) {
			visits, seen := 0, false
			for _, f := range s.feeds {
				if c, ok := x.counts[f][d.Format(dateLayout)]; ok {
					visits, seen = visits+c.in, true
				}
			}
			if !seen {
				continue
			}
			avg := base + visits%600
			data = append(data, map[string]any{s.field: s.id, "date": d.Format(dateLayout),
				"visitCount": visits, "averageDwellTimeSeconds": avg, "medianDwellTimeSeconds": avg * 4 / 5})
		}
	}
	id := newUUID()
	rep := &hxReport{status: "pending", data: data, fields: map[string]any{
		"dwellTimeReportId": id, "organisationId": in.OrganisationID, "startDate": lo.Format(dateLayout),
		"endDate": hi.Format(dateLayout), "peopleCountMonitorIds": nonNil(in.PeopleCountMonitorIDs),
		"occupancyMonitorIds": nonNil(in.OccupancyMonitorIDs), "errorMessage": nil, "createdAt": hxTime(x.v.now()),
	}}
	x.reports[id] = rep
	writeJSON(w, http.StatusOK, rep.render())
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// render returns the report as JSON fields; a pending report has no data yet.
func (rep *hxReport) render() map[string]any {
	out := map[string]any{"status": rep.status, "reportData": []map[string]any{}}
	for k, v := range rep.fields {
		out[k] = v
	}
	if rep.status == hxDone {
		out["reportData"] = rep.data
	}
	return out
}

// getReport serves GET /count-reports/{countReportId} [I] and GET
// /dwell-time-reports/{dwellTimeReportId} [C]; an id that is not a uuid is 422 [I].
func (x *hoxton) getReport(param string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !x.uuidParam(w, param, r.PathValue(param)) {
			return
		}
		x.v.mu.Lock()
		rep, ok := x.reports[r.PathValue(param)]
		if ok && rep.fields[param] == nil {
			ok = false // the id belongs to the other kind of report
		}
		var out map[string]any
		if ok {
			rep.status = hxDone
			out = rep.render()
		}
		x.v.mu.Unlock()
		if !ok {
			x.fail(w, http.StatusNotFound, "Report not found")
			return
		}
		writeJSON(w, http.StatusOK, out)
	}
}
