package hostaway

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
)

// task is the part of a Hostaway task hostgate uses [C: Task object]. Its
// id and title are required in the published object, and hostgate needs
// both; the rest may be null.
type task struct {
	ID             intval  `json:"id"`
	ListingMapID   intval  `json:"listingMapId"`
	ReservationID  intval  `json:"reservationId"`
	AssigneeUserID intval  `json:"assigneeUserId"`
	Title          *string `json:"title"`
	Description    text    `json:"description"`
	ShouldEndBy    text    `json:"shouldEndBy"`
	Status         text    `json:"status"`
}

func (t task) readable() bool { return t.ID != 0 && t.Title != nil }

// normalized maps a task. Its assignee is Hostaway's user id (the object
// names no user); it is due by shouldEndBy, a UTC time [C: Introduction,
// "all time values … in UTC"].
func (t task) normalized() connector.Task {
	out := connector.Task{
		ID:            qid(t.ID),
		Vendor:        Vendor,
		PropertyID:    qid(t.ListingMapID),
		ReservationID: qid(t.ReservationID),
		Description:   string(t.Description),
		Status:        string(t.Status),
		Assignee:      t.AssigneeUserID.String(),
		Due:           dueText(string(t.ShouldEndBy)),
	}
	if t.Title != nil {
		out.Title = *t.Title
	}
	return out
}

// dueText writes a Hostaway time as RFC 3339 in UTC; a bare date stays a
// date, and anything else is left out rather than guessed.
func dueText(s string) string {
	if s == "" {
		return ""
	}
	if t := parseTime(s); !t.IsZero() {
		return t.Format(time.RFC3339)
	}
	if d := date(s); len(d) == len(time.DateOnly) && connector.ValidDate(d) {
		return d
	}
	return ""
}

// taskStatuses are a task's published statuses [C: Task object].
var taskStatuses = []string{"pending", "confirmed", "inProgress", "completed", "cancelled"}

// maxTasks caps ListTasks when the query sets no limit.
const maxTasks = 200

// ListTasks pages GET /v1/tasks (limit/offset [C]) for the tasks due in
// q.Range: shouldEndByStart and shouldEndByEnd [C: Retrieve tasks; the
// bounds are read as inclusive dates, I]. The list takes no listing
// filter, so q.PropertyID is applied here. The result is by due time.
func (h *Connector) ListTasks(ctx context.Context, q connector.TaskQuery) ([]connector.Task, error) {
	const op = "list tasks"
	if !connector.ValidDate(q.Range.From) || !connector.ValidDate(q.Range.To) {
		return nil, connector.Invalid(Vendor, op, "dates must be YYYY-MM-DD")
	}
	params := url.Values{}
	if q.Range.From != "" {
		params.Set("shouldEndByStart", q.Range.From)
	}
	if q.Range.To != "" {
		params.Set("shouldEndByEnd", q.Range.To)
	}
	property := ""
	if q.PropertyID != "" {
		id, err := ownID(q.PropertyID)
		if err != nil {
			return nil, err
		}
		property = connector.QualifiedID(Vendor, id)
	}
	limit := q.Limit
	if limit <= 0 || limit > maxTasks {
		limit = maxTasks
	}
	var out []connector.Task
	err := h.pages(ctx, op, "/tasks", params, func(raw json.RawMessage) (int, bool, error) {
		page, err := decodeList(op, raw, task.readable)
		if err != nil {
			return 0, false, err
		}
		for _, t := range page {
			if n := t.normalized(); property == "" || n.PropertyID == property {
				out = append(out, n)
			}
		}
		return len(page), len(out) < limit, nil
	})
	if err != nil {
		return nil, err
	}
	if len(out) > limit {
		out = out[:limit]
	}
	slices.SortStableFunc(out, func(a, b connector.Task) int {
		if a.Due == "" || b.Due == "" {
			return strings.Compare(b.Due, a.Due) // undated last
		}
		return strings.Compare(a.Due, b.Due)
	})
	return out, nil
}

// taskMembers are the members of a task an update sends back as it read
// them [C: Task object]: Update task takes "a task object" [C] without
// saying whether a member left out is kept, so, as for a stay, nothing
// the host set is left out. Not sent are what Hostaway sets itself (its
// id, creator, auto-task and event fields, the listing-time copies of the
// times, the start and confirm stamps) and the checklist, custom field
// and expense arrays, which the reference's own update example does not
// send either.
var taskMembers = []string{
	"listingMapId", "channelId", "reservationId", "assigneeUserId", "canBePickedByGroupId", "supervisorUserId",
	"checklistTemplateId", "reservationUnitId", "title", "description", "canStartFrom", "shouldEndBy", "status",
	"resolutionNote", "feedbackScore", "feedbackNote", "priority", "cost", "costCurrency", "costDescription",
	"color", "categoriesMap",
}

// maxTitle bounds a task's title [I: the reference gives no length].
const maxTitle = 255

// SaveTask creates a task (POST /v1/tasks with a task object [C]) or, when
// t.ID is set, changes it (PUT /v1/tasks/{id} [C]) after reading it (GET
// /v1/tasks/{id} [C]) so that the members hostgate does not set go back
// as they were (taskMembers). On a change an empty field of t is left as
// it is. Assignee is a Hostaway user id; Due is an RFC 3339 time, or a
// date meaning the end of that day in the listing's time zone (UTC when
// the task has no listing). It returns the task as Hostaway answers it;
// when that answer does not read as a task, the task as sent, since the
// write was made and must not be repeated.
func (h *Connector) SaveTask(ctx context.Context, t connector.Task) (connector.Task, error) {
	const op = "save task"
	set := map[string]any{}
	if t.Title != "" {
		if len(t.Title) > maxTitle {
			return connector.Task{}, connector.Invalid(Vendor, op, fmt.Sprintf("the title is longer than %d characters", maxTitle))
		}
		set["title"] = t.Title
	}
	if t.Description != "" {
		if len(t.Description) > maxNote {
			return connector.Task{}, connector.Invalid(Vendor, op, fmt.Sprintf("the description is longer than %d characters", maxNote))
		}
		set["description"] = t.Description
	}
	if t.Status != "" {
		if !slices.Contains(taskStatuses, t.Status) {
			return connector.Task{}, connector.Invalid(Vendor, op, "status must be one of "+strings.Join(taskStatuses, ", "))
		}
		set["status"] = t.Status
	}
	for _, f := range []struct{ name, id, what string }{
		{"listingMapId", t.PropertyID, "property"}, {"reservationId", t.ReservationID, "reservation"},
		{"assigneeUserId", t.Assignee, "assignee (a Hostaway user id)"},
	} {
		if f.id == "" {
			continue
		}
		id, err := ownID(f.id)
		if err != nil {
			return connector.Task{}, connector.Invalid(Vendor, op, "the "+f.what+" must be a Hostaway id")
		}
		set[f.name] = json.Number(id)
	}
	if t.ID == "" {
		if t.Title == "" {
			return connector.Task{}, connector.Invalid(Vendor, op, "a new task needs a title")
		}
		if err := h.setDue(ctx, set, t.Due, t.PropertyID); err != nil {
			return connector.Task{}, err
		}
		env, err := h.do(ctx, connector.Request{Op: op, Method: http.MethodPost, Path: "/tasks", Body: set, Write: true})
		if err != nil {
			return connector.Task{}, err
		}
		return echoed(env.Result, t), nil
	}
	id, err := ownID(t.ID)
	if err != nil {
		return connector.Task{}, err
	}
	if len(set) == 0 && t.Due == "" {
		return connector.Task{}, connector.Invalid(Vendor, op, "nothing to change")
	}
	env, err := h.do(ctx, connector.Request{Op: op, Method: http.MethodGet, Path: "/tasks/" + id})
	if err != nil {
		return connector.Task{}, err
	}
	var read map[string]json.RawMessage
	var was task
	if json.Unmarshal(env.Result, &read) != nil || json.Unmarshal(env.Result, &was) != nil || !was.readable() {
		return connector.Task{}, badResult(op)
	}
	listing := t.PropertyID
	if listing == "" {
		listing = was.ListingMapID.String()
	}
	if err := h.setDue(ctx, set, t.Due, listing); err != nil {
		return connector.Task{}, err
	}
	body := map[string]any{}
	for _, name := range taskMembers {
		if v, ok := read[name]; ok {
			body[name] = v
		}
	}
	for k, v := range set {
		body[k] = v
	}
	env, err = h.do(ctx, connector.Request{Op: op, Method: http.MethodPut, Path: "/tasks/" + id, Body: body, Write: true})
	if err != nil {
		return connector.Task{}, err
	}
	sent := was.normalized()
	for _, f := range []struct {
		to *string
		v  string
	}{
		{&sent.Title, t.Title}, {&sent.Description, t.Description}, {&sent.Status, t.Status}, {&sent.Assignee, t.Assignee},
		{&sent.PropertyID, t.PropertyID}, {&sent.ReservationID, t.ReservationID}, {&sent.Due, t.Due},
	} {
		if f.v != "" {
			*f.to = f.v
		}
	}
	return echoed(env.Result, sent), nil
}

// echoed is the task Hostaway answered a write with, or else fallback.
func echoed(raw json.RawMessage, fallback connector.Task) connector.Task {
	var t task
	if json.Unmarshal(raw, &t) == nil && t.readable() {
		return t.normalized()
	}
	fallback.Vendor = Vendor
	return fallback
}

// setDue puts due into a task body as shouldEndBy, Hostaway's UTC time
// [C]. A date is the end of that day where the listing is: its
// timeZoneName [C: Listing object] is read for it (UTC without a listing
// or a zone hostgate knows).
func (h *Connector) setDue(ctx context.Context, body map[string]any, due, listingID string) error {
	const op = "save task"
	if due == "" {
		return nil
	}
	if t, err := time.Parse(time.RFC3339, due); err == nil {
		body["shouldEndBy"] = t.UTC().Format(timeLayout)
		return nil
	}
	d, err := time.Parse(time.DateOnly, due)
	if err != nil {
		return connector.Invalid(Vendor, op, "due must be an RFC 3339 time or a YYYY-MM-DD date")
	}
	loc := time.UTC
	if listingID != "" {
		l, err := h.listing(ctx, listingID)
		if err != nil {
			return err
		}
		if z, err := time.LoadLocation(l.TimeZoneName); l.TimeZoneName != "" && err == nil {
			loc = z
		}
	}
	end := time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, loc).Add(-time.Second)
	body["shouldEndBy"] = end.UTC().Format(timeLayout)
	return nil
}
