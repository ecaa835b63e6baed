package sandbox

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// hwTaskStatuses are a task's published statuses [C: Task object].
var hwTaskStatuses = []string{"pending", "confirmed", "inProgress", "completed", "cancelled"}

// hwTaskEvents are the events a task's times may follow [C: Task object].
var hwTaskEvents = []string{"arrival", "departure", "previousArrival", "previousDeparture"}

// The members a task write sets, by type [C: Task object]. What Hostaway sets itself (id,
// autoTaskId, createdByUserId, isUpdatedManually, the listing-time copies, the event fields,
// startedAt, confirmedAt, expense, rank) is ignored on a write [I].
var (
	hwTaskIDs     = []string{"listingMapId", "reservationId", "channelId", "assigneeUserId", "canBePickedByGroupId", "supervisorUserId", "checklistTemplateId", "reservationUnitId", "priority", "feedbackScore"}
	hwTaskStrings = []string{"description", "resolutionNote", "feedbackNote", "costCurrency", "costDescription", "color"}
	hwTaskTimes   = []string{"canStartFrom", "shouldEndBy"}
	hwTaskArrays  = []string{"checklistItems", "customFieldValue"}
)

// hwTaskTime is the format of a task's times, UTC [C: Introduction].
const hwTaskTime = "2006-01-02 15:04:05"

// listTasks: GET /v1/tasks [C: Retrieve tasks] with limit, offset, channelId, reservationId,
// canStartFromEvent, shouldEndByEvent, match (in the title [I]), status and the date bounds
// canStartFromStart/End and shouldEndByStart/End, inclusive days of the UTC times [I]. There is
// no listing filter. A value of the wrong type or outside its published values is a 400 [I
// status]. Ordered by id [I].
func (h *hostaway) listTasks(w http.ResponseWriter, r *http.Request) {
	p, limit, offset, ok := h.paging(w, r, 0)
	if !ok {
		return
	}
	q := r.URL.Query()
	bounds := []string{"canStartFromStart", "canStartFromEnd", "shouldEndByStart", "shouldEndByEnd"}
	if !h.hwInts(w, q, "channelId", "reservationId") || !h.hwDates(w, q, bounds...) ||
		!h.hwOneOf(w, q, "status", hwTaskStatuses...) || !h.hwOneOf(w, q, "canStartFromEvent", hwTaskEvents...) ||
		!h.hwOneOf(w, q, "shouldEndByEvent", hwTaskEvents...) {
		return
	}
	inDays := func(v any, lo, hi string) bool {
		s, _ := v.(string)
		d := s
		if len(d) > 10 {
			d = d[:10]
		}
		return (lo == "" || s != "" && d >= lo) && (hi == "" || s != "" && d <= hi)
	}
	all := []map[string]any{}
	h.v.mu.Lock()
	for _, t := range h.tasks {
		f := t.fields
		title, _ := f["title"].(string)
		if !matchInt(q.Get("channelId"), f["channelId"]) || !matchInt(q.Get("reservationId"), f["reservationId"]) ||
			q.Get("status") != "" && q.Get("status") != f["status"] ||
			q.Get("canStartFromEvent") != "" && q.Get("canStartFromEvent") != f["canStartFromEvent"] ||
			q.Get("shouldEndByEvent") != "" && q.Get("shouldEndByEvent") != f["shouldEndByEvent"] ||
			q.Get("match") != "" && !strings.Contains(strings.ToLower(title), strings.ToLower(q.Get("match"))) ||
			!inDays(f["canStartFrom"], q.Get("canStartFromStart"), q.Get("canStartFromEnd")) ||
			!inDays(f["shouldEndBy"], q.Get("shouldEndByStart"), q.Get("shouldEndByEnd")) {
			continue
		}
		all = append(all, h.renderTask(t))
	}
	h.v.mu.Unlock()
	h.list(w, p, all, limit, offset)
}

// matchInt reports whether a query's integer filter, when given, is the member's value.
func matchInt(want string, v any) bool {
	if want == "" {
		return true
	}
	n, ok := v.(int)
	return ok && strconv.Itoa(n) == want
}

// task finds a task by its id; the caller holds Vendor.mu.
func (h *hostaway) task(id string) *hwTask {
	for _, t := range h.tasks {
		if strconv.Itoa(t.fields["id"].(int)) == id {
			return t
		}
	}
	return nil
}

// getTask: GET /v1/tasks/{taskId}, a task object [C].
func (h *hostaway) getTask(w http.ResponseWriter, r *http.Request) {
	h.v.mu.Lock()
	defer h.v.mu.Unlock()
	t := h.task(r.PathValue("id"))
	if t == nil {
		h.fail(w, http.StatusNotFound, "Task not found")
		return
	}
	h.one(w, h.renderTask(t))
}

// createTask: POST /v1/tasks with a task object, answered with the created task [C].
func (h *hostaway) createTask(w http.ResponseWriter, r *http.Request) {
	body, ok := h.taskBody(w, r)
	if !ok {
		return
	}
	h.v.mu.Lock()
	defer h.v.mu.Unlock()
	id := 2_600_000
	for _, t := range h.tasks {
		id = max(id, t.fields["id"].(int)+1)
	}
	t := &hwTask{fields: hwNewTask(id, nil)}
	t.fields["createdByUserId"] = nil // made through the API, by no user [I]
	if !h.setTask(w, t, body) {
		return
	}
	h.tasks = append(h.tasks, t)
	h.one(w, h.renderTask(t))
}

// updateTask: PUT /v1/tasks/{taskId} with a task object, answered with the updated task [C].
// Like a reservation update, the fake reads it as a replacement [I]: every member a write sets
// is taken from the body, cleared when the body leaves it out (a status left out is pending,
// the object's default), except the checklist and custom field arrays, which the reference's
// own update example does not send and which stay as they were unless sent.
func (h *hostaway) updateTask(w http.ResponseWriter, r *http.Request) {
	body, ok := h.taskBody(w, r)
	if !ok {
		return
	}
	h.v.mu.Lock()
	defer h.v.mu.Unlock()
	t := h.task(r.PathValue("id"))
	if t == nil {
		h.fail(w, http.StatusNotFound, "Task not found")
		return
	}
	next := &hwTask{fields: maps.Clone(t.fields)}
	if !h.setTask(w, next, body) {
		return
	}
	t.fields = next.fields
	h.one(w, h.renderTask(t))
}

// taskBody reads a task write's JSON object.
func (h *hostaway) taskBody(w http.ResponseWriter, r *http.Request) (map[string]json.RawMessage, bool) {
	var body map[string]json.RawMessage
	if decodeJSON(r.Body, &body) != nil || body == nil {
		h.fail(w, http.StatusBadRequest, "Malformed JSON body")
		return nil, false
	}
	return body, true
}

// setTask sets t's members from a write's body, refusing what the task object does not allow:
// no title [C: required], a status or category outside the published ones [C], a member of
// the wrong type, a listing or reservation the account does not have, a user it does not have
// [I]. The caller holds Vendor.mu.
func (h *hostaway) setTask(w http.ResponseWriter, t *hwTask, body map[string]json.RawMessage) bool {
	f := t.fields
	bad := func(msg string) bool { h.fail(w, http.StatusBadRequest, msg); return false }
	var title string
	if json.Unmarshal(body["title"], &title) != nil || strings.TrimSpace(title) == "" {
		return bad("title is required")
	}
	f["title"] = title
	status := "pending"
	if raw, ok := body["status"]; ok && !isNull(raw) {
		if json.Unmarshal(raw, &status) != nil || !slices.Contains(hwTaskStatuses, status) {
			return bad("status must be one of: " + strings.Join(hwTaskStatuses, ", "))
		}
	}
	for _, name := range hwTaskIDs {
		f[name] = nil
		raw, ok := body[name]
		if !ok || isNull(raw) {
			continue
		}
		var n int
		if json.Unmarshal(raw, &n) != nil {
			return bad(name + " must be an integer")
		}
		switch {
		case name == "listingMapId" && h.listing(strconv.Itoa(n)) == nil:
			return bad("Listing not found")
		case name == "reservationId" && !slices.ContainsFunc(h.res, func(x *hwRes) bool { return x.id == n }):
			return bad("Reservation not found")
		case (name == "assigneeUserId" || name == "supervisorUserId") && !slices.Contains(hwUsers, n):
			return bad("User not found")
		}
		f[name] = n
	}
	for _, name := range hwTaskStrings {
		f[name] = nil
		if raw, ok := body[name]; ok && !isNull(raw) {
			var s string
			if json.Unmarshal(raw, &s) != nil {
				return bad(name + " must be a string")
			}
			f[name] = s
		}
	}
	for _, name := range hwTaskTimes {
		f[name] = nil
		if raw, ok := body[name]; ok && !isNull(raw) {
			var s string
			if json.Unmarshal(raw, &s) != nil {
				return bad(name + " must be a time, YYYY-MM-DD HH:MM:SS")
			}
			if _, err := time.Parse(hwTaskTime, s); err != nil {
				return bad(name + " must be a time, YYYY-MM-DD HH:MM:SS")
			}
			f[name] = s
		}
	}
	f["cost"] = nil
	if raw, ok := body["cost"]; ok && !isNull(raw) {
		var c float64
		if json.Unmarshal(raw, &c) != nil || c < 0 {
			return bad("cost must be a non-negative number")
		}
		f["cost"] = c
	}
	f["categoriesMap"] = nil
	if raw, ok := body["categoriesMap"]; ok && !isNull(raw) {
		var cats []int
		if json.Unmarshal(raw, &cats) != nil {
			return bad("categoriesMap must be a list of categories from 1 to 6")
		}
		out := make([]any, 0, len(cats))
		for _, c := range cats {
			if c < 1 || c > 6 {
				return bad("categoriesMap must be a list of categories from 1 to 6")
			}
			out = append(out, c)
		}
		f["categoriesMap"] = out
	}
	for _, name := range hwTaskArrays {
		if raw, ok := body[name]; ok && !isNull(raw) {
			var items []any
			if json.Unmarshal(raw, &items) != nil {
				return bad(name + " must be a list")
			}
			f[name] = items
		}
	}
	now := hwTime(h.v.now())
	stamps := map[string]string{"inProgress": "startedAt", "confirmed": "confirmedAt", "completed": "completedAt"}
	if at := stamps[status]; at != "" && f["status"] != status {
		f[at] = now
	}
	f["status"] = status
	return true
}

// renderTask is a task object with its times also in the listing's time zone [C:
// canStartFromListingTime, shouldEndByListingTime]; the caller holds Vendor.mu.
func (h *hostaway) renderTask(t *hwTask) map[string]any {
	out := maps.Clone(t.fields)
	loc := time.UTC
	if id, ok := out["listingMapId"].(int); ok {
		if l := h.listing(strconv.Itoa(id)); l != nil {
			loc = hwLocation(l.tz)
		}
	}
	for _, name := range hwTaskTimes {
		out[name+"ListingTime"] = nil
		if s, ok := out[name].(string); ok {
			if at, err := time.ParseInLocation(hwTaskTime, s, time.UTC); err == nil {
				out[name+"ListingTime"] = at.In(loc).Format(hwTaskTime)
			}
		}
	}
	return out
}
