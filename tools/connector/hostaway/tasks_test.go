package hostaway

import (
	"context"
	"errors"
	"slices"
	"sort"
	"strconv"
	"testing"
	"time"
	_ "time/tzdata" // the listings' zones, whatever the machine has

	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

func TestListTasks(t *testing.T) {
	e := startQuiet(t)
	c, src := e.conn(t)
	ctx := context.Background()
	from, to := fixedNow.AddDate(0, 0, -7).Format(time.DateOnly), fixedNow.AddDate(0, 0, 21).Format(time.DateOnly)
	got, err := c.ListTasks(ctx, connector.TaskQuery{Range: connector.DateRange{From: from, To: to}})
	if err != nil {
		t.Fatal(err)
	}
	raw := rawList(t, e.raw(t, src.Credential(), "/tasks?limit=1000&shouldEndByStart="+from+"&shouldEndByEnd="+to))
	if len(got) != len(raw) || len(got) < 10 {
		t.Fatalf("%d tasks, the fake has %d", len(got), len(raw))
	}
	byID := map[string]connector.Task{}
	for i, task := range got {
		byID[task.ID] = task
		if i > 0 && task.Due < got[i-1].Due {
			t.Errorf("not by due time at %d", i)
		}
	}
	statuses := map[string]bool{}
	for _, w := range raw {
		task, ok := byID["hostaway:"+str(w["id"])]
		if !ok {
			t.Fatalf("task %v missing", w["id"])
		}
		due, _ := time.Parse("2006-01-02 15:04:05", w["shouldEndBy"].(string))
		want := connector.Task{ID: "hostaway:" + str(w["id"]), Vendor: "hostaway", PropertyID: "hostaway:" + str(w["listingMapId"]),
			Title: w["title"].(string), Description: str(w["description"]), Status: w["status"].(string),
			Assignee: str(w["assigneeUserId"]), Due: due.Format(time.RFC3339)}
		if w["reservationId"] != nil {
			want.ReservationID = "hostaway:" + str(w["reservationId"])
		}
		if task != want {
			t.Errorf("task\n got %+v\nwant %+v", task, want)
		}
		if task.Due < from || task.Due > to+"T23:59:59Z" {
			t.Errorf("%s is due %s, outside %s..%s", task.ID, task.Due, from, to)
		}
		statuses[task.Status] = true
	}
	if !statuses["completed"] || !statuses["pending"] {
		t.Errorf("statuses %v: the seed has done and open tasks", statuses)
	}

	one, err := c.ListTasks(ctx, connector.TaskQuery{PropertyID: "hostaway:40160"})
	if err != nil || len(one) == 0 {
		t.Fatalf("by property: %v, %v", one, err)
	}
	for _, task := range one {
		if task.PropertyID != "hostaway:40160" {
			t.Errorf("property filter leaked %+v", task)
		}
	}
	if !slices.ContainsFunc(one, func(task connector.Task) bool { return task.ReservationID == "" && task.Title != "" }) {
		t.Error("the repair with no reservation is missing")
	}
	if capped, err := c.ListTasks(ctx, connector.TaskQuery{Limit: 3}); err != nil || len(capped) != 3 {
		t.Errorf("Limit 3: %d, %v", len(capped), err)
	}
	// Pages of 4 until a short one; the same tasks.
	e.Spec.PageSize = 4
	before := e.V.Requests("/v1/tasks")
	paged, err := c.ListTasks(ctx, connector.TaskQuery{Range: connector.DateRange{From: from, To: to}})
	if err != nil || mustJSON(t, paged) != mustJSON(t, got) {
		t.Errorf("in pages of 4: %d tasks, %v", len(paged), err)
	}
	if n, want := e.V.Requests("/v1/tasks")-before, (len(raw)+3)/4; n != want {
		t.Errorf("%d pages, want %d", n, want)
	}
	for _, q := range []connector.TaskQuery{{Range: connector.DateRange{To: "soon"}}, {PropertyID: "abc"}} {
		if _, err := c.ListTasks(ctx, q); !errors.Is(err, connector.ErrBadRequest) {
			t.Errorf("%+v: %v", q, err)
		}
	}
	e.V.Fail(sandbox.Fault{Path: "/tasks", HTTPStatus: 200, Body: `{"status":"success","result":[{"id":7,"status":"pending"}]}`})
	if _, err := c.ListTasks(ctx, connector.TaskQuery{}); !errors.Is(err, connector.ErrUnavailable) {
		t.Errorf("a task without its title: %v, want a malformed answer", err)
	}
}

// A new task carries what the host gave and nothing else; a due date is
// the end of that day where the listing is.
func TestCreateTask(t *testing.T) {
	e := startQuiet(t)
	c, src := e.conn(t)
	sent := e.bodies(t, "POST", "/v1/tasks")
	got, err := c.SaveTask(context.Background(), connector.Task{Title: "Restock the coffee", Description: "Two bags, decaf too.",
		PropertyID: "hostaway:43055", Assignee: "3102", Due: "2026-05-23"})
	if err != nil {
		t.Fatal(err)
	}
	// Seattle is seven hours behind UTC in May.
	want := map[string]any{"title": "Restock the coffee", "description": "Two bags, decaf too.", "listingMapId": 43055.0,
		"assigneeUserId": 3102.0, "shouldEndBy": "2026-05-24 06:59:59"}
	if b := sent(); len(b) != 1 || mustJSON(t, b[0]) != mustJSON(t, want) {
		t.Errorf("sent %v\nwant %v", b, want)
	}
	if got.ID == "" || got.Title != "Restock the coffee" || got.PropertyID != "hostaway:43055" || got.Assignee != "3102" ||
		got.Due != "2026-05-24T06:59:59Z" || got.Status != "pending" || got.Vendor != "hostaway" {
		t.Errorf("created = %+v", got)
	}
	_, id, _ := connector.SplitID(got.ID)
	if r := e.raw(t, src.Credential(), "/tasks/"+id)["result"].(map[string]any); r["shouldEndByListingTime"] != "2026-05-23 23:59:59" {
		t.Errorf("the fake holds %v", r)
	}
	// A time is sent in UTC; no listing, no zone.
	sent2 := e.bodies(t, "POST", "/v1/tasks")
	if _, err := c.SaveTask(context.Background(), connector.Task{Title: "Call the plumber", Due: "2026-05-22T09:30:00-07:00", Status: "confirmed"}); err != nil {
		t.Fatal(err)
	}
	if b := sent2(); len(b) != 1 || b[0]["shouldEndBy"] != "2026-05-22 16:30:00" || b[0]["status"] != "confirmed" || len(b[0]) != 3 {
		t.Errorf("sent %v", b)
	}
}

// A change reads the task and sends it back with the change: the cost,
// priority and category the host set stay.
func TestChangeTask(t *testing.T) {
	e := startQuiet(t)
	c, src := e.conn(t)
	var repair map[string]any
	for _, w := range rawList(t, e.raw(t, src.Credential(), "/tasks?limit=1000")) {
		if w["cost"] != nil {
			repair = w
		}
	}
	if repair == nil {
		t.Fatal("no seeded task with a cost")
	}
	id := str(repair["id"])
	sent := e.bodies(t, "PUT", "/v1/tasks/"+id)
	got, err := c.SaveTask(context.Background(), connector.Task{ID: "hostaway:" + id, Status: "completed"})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != "completed" || got.Title != repair["title"] || got.Assignee != str(repair["assigneeUserId"]) {
		t.Errorf("changed = %+v", got)
	}
	after := e.raw(t, src.Credential(), "/tasks/"+id)["result"].(map[string]any)
	for _, k := range []string{"title", "description", "listingMapId", "assigneeUserId", "priority", "cost", "costCurrency",
		"costDescription", "categoriesMap", "shouldEndBy", "createdByUserId"} {
		if mustJSON(t, after[k]) != mustJSON(t, repair[k]) {
			t.Errorf("%s = %v, was %v", k, after[k], repair[k])
		}
	}
	if after["status"] != "completed" || after["completedAt"] == nil {
		t.Errorf("status %v, completed at %v", after["status"], after["completedAt"])
	}
	b := sent()
	if len(b) != 1 {
		t.Fatalf("%d PUTs", len(b))
	}
	var keys []string
	for k := range b[0] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	want := slices.Clone(taskMembers)
	sort.Strings(want)
	if !slices.Equal(keys, want) {
		t.Errorf("sent %v\nwant %v", keys, want)
	}
}

func TestSaveTaskRefusals(t *testing.T) {
	e := startQuiet(t)
	c, _ := e.conn(t)
	ctx := context.Background()
	before := e.V.Requests("")
	long := string(make([]byte, maxTitle+1))
	for name, task := range map[string]connector.Task{
		"no title":           {Description: "?"},
		"a status of ours":   {Title: "x", Status: "done"},
		"an assignee name":   {Title: "x", Assignee: "Maria"},
		"a due of words":     {Title: "x", Due: "tomorrow"},
		"a title too long":   {Title: long},
		"another vendor's":   {Title: "x", PropertyID: "hostex:12"},
		"a change of nought": {ID: "hostaway:2400007"},
	} {
		if _, err := c.SaveTask(ctx, task); !errors.Is(err, connector.ErrBadRequest) {
			t.Errorf("%s: %v, want ErrBadRequest", name, err)
		}
	}
	if e.V.Requests("") != before {
		t.Error("a refused task reached the vendor")
	}
	// Hostaway's refusals: a user the account does not have, a task it
	// does not have.
	if _, err := c.SaveTask(ctx, connector.Task{Title: "x", Assignee: "999"}); !errors.Is(err, connector.ErrBadRequest) {
		t.Errorf("unknown user: %v", err)
	}
	if _, err := c.SaveTask(ctx, connector.Task{ID: "1", Status: "completed"}); !errors.Is(err, connector.ErrNotFound) {
		t.Errorf("unknown task: %v", err)
	}
	// An echo of another shape does not fail a task Hostaway created: the
	// task comes back as sent, with no id to write to twice.
	e.V.Fail(sandbox.Fault{Method: "POST", Path: "/tasks", HTTPStatus: 200, Body: `{"status":"success","result":[]}`})
	got, err := c.SaveTask(ctx, connector.Task{Title: "Check the smoke alarm", PropertyID: strconv.Itoa(sandbox.HostawayListingID)})
	if err != nil || got.Title != "Check the smoke alarm" || got.ID != "" || got.Vendor != "hostaway" {
		t.Errorf("odd echo: %+v, %v", got, err)
	}
}
