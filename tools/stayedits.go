package tools

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/tools/connector"
)

// The confirmed writes of issue 11: a stay's details, a quote, a task.
// Each goes through NewWrite: the host sees exactly what changes and
// confirms it (in the chat, or on the draft's page) before the vendor is
// called.

// --- update_stay ---

// StayIn changes a reservation's details. A field left out stays as it
// is; an empty string clears it.
type StayIn struct {
	ReservationID string  `json:"reservation_id" jsonschema_description:"vendor-qualified reservation id from list_reservations or find_reservation"`
	HostNote      *string `json:"host_note,omitempty" jsonschema_description:"the host's own note on the reservation (guests do not see it); empty clears it"`
	DoorCode      *string `json:"door_code,omitempty" jsonschema_description:"the door or lock code for this stay, which the vendor's messages to the guest may include; empty clears it"`
	ArrivalTime   *string `json:"arrival_time,omitempty" jsonschema_description:"expected arrival, HH:MM in the property's time zone; empty clears it"`
	DepartureTime *string `json:"departure_time,omitempty" jsonschema_description:"expected departure, HH:MM in the property's time zone; empty clears it"`
	accountIn
}

// StayOut says what was changed.
type StayOut struct {
	ReservationID string   `json:"reservation_id"`
	Changed       []string `json:"changed"`
}

var hhmm = regexp.MustCompile(`^([01]\d|2[0-3]):[0-5]\d$`)

// maxStayText bounds a note or a code (Hostex takes 500 characters).
const maxStayText = 500

// stayChanges lists the fields a StayIn sets, by their connector names.
func stayChanges(in StayIn) []string {
	var out []string
	for _, f := range []struct {
		name string
		v    *string
	}{{connector.StayHostNote, in.HostNote}, {connector.StayDoorCode, in.DoorCode}, {connector.StayArrivalTime, in.ArrivalTime}, {connector.StayDepartureTime, in.DepartureTime}} {
		if f.v != nil {
			out = append(out, f.name)
		}
	}
	return out
}

func updateStay(d *Deps) Tool {
	return NewWrite(WriteSpec[StayIn, StayOut]{
		Meta: Meta{
			Name: "update_stay", Title: "Update a stay's details",
			Description: "Changes a reservation's details the host keeps: the host's note, the door code, the expected arrival or departure time — where the vendor's API allows each (Hostex all four; Hostaway all four, whole hours; Hospitable the door code, for approved partner apps). Fields left out stay as they are. The host confirms the change first: in this chat when the app can ask, otherwise as a draft with a link for the host to approve.",
			Scope:       ScopeWrite, Destructive: true, Idempotent: true, OpenWorld: true,
			Vendors: d.vendorsWith(func(cn connector.Connector) bool { _, ok := cn.(connector.StayUpdater); return ok }),
		},
		Check: func(ctx context.Context, d *Deps, c *Caller, in StayIn) (StayIn, error) {
			fields := stayChanges(in)
			if len(fields) == 0 {
				return in, Errorf("Nothing to change: set host_note, door_code, arrival_time or departure_time and call again.")
			}
			for _, v := range []*string{in.HostNote, in.DoorCode} {
				if v != nil {
					*v = strings.TrimSpace(*v)
					if utf8.RuneCountInString(*v) > maxStayText {
						return in, Errorf("A note or code is over %d characters: shorten it and call again.", maxStayText)
					}
				}
			}
			for _, v := range []*string{in.ArrivalTime, in.DepartureTime} {
				if v != nil {
					*v = strings.TrimSpace(*v)
					if *v != "" && !hhmm.MatchString(*v) {
						return in, Errorf("Times are HH:MM on a 24-hour clock, like 15:00, not %q.", *v)
					}
				}
			}
			conn, _, err := pick(ctx, d, c, in.ReservationID, "reservation_id", in.ConnectionID, nil)
			if err != nil {
				return in, err
			}
			cn, err := connectorOf(d, conn)
			if err != nil {
				return in, err
			}
			su, ok := cn.(connector.StayUpdater)
			if !ok {
				return in, Errorf("%s does not let apps change a stay's details through its API; the host can change them in %s itself.", d.accountName(conn), d.title(conn.Vendor))
			}
			var refused []string
			for _, f := range fields {
				if !slices.Contains(su.StayFields(), f) {
					refused = append(refused, f)
				}
			}
			if len(refused) > 0 {
				return in, Errorf("%s takes only %s through its API, not %s. Call again without it.", d.title(conn.Vendor), strings.Join(su.StayFields(), ", "), strings.Join(refused, ", "))
			}
			in.ConnectionID = conn.ID
			return in, nil
		},
		Preview: func(ctx context.Context, d *Deps, c *Caller, in StayIn) (Preview, error) {
			conn, err := ownedConnection(ctx, d, c, in.ConnectionID)
			if err != nil {
				return Preview{}, err
			}
			pv := Preview{Action: "Change this stay's details", Lines: []PreviewLine{{"Account", d.accountName(conn)}}}
			d.describeReservation(ctx, conn, in.ReservationID, &pv)
			show := func(label string, v *string) {
				if v == nil {
					return
				}
				val := *v
				if val == "" {
					val = "(cleared)"
				}
				pv.Lines = append(pv.Lines, PreviewLine{label, val})
			}
			show("Host note", in.HostNote)
			show("Door code", in.DoorCode)
			show("Arrival time", in.ArrivalTime)
			show("Departure time", in.DepartureTime)
			return pv, nil
		},
		Act: func(ctx context.Context, d *Deps, c *Caller, in StayIn) (StayOut, string, error) {
			conn, err := ownedConnection(ctx, d, c, in.ConnectionID)
			if err != nil {
				return StayOut{}, "", err
			}
			cn, err := connectorOf(d, conn)
			if err != nil {
				return StayOut{}, "", err
			}
			su, ok := cn.(connector.StayUpdater)
			if !ok {
				return StayOut{}, "", Errorf("%s does not let apps change a stay's details.", d.accountName(conn))
			}
			_, id, _ := connector.SplitID(in.ReservationID)
			err = su.UpdateStay(ctx, connector.StayUpdate{ReservationID: id, HostNote: in.HostNote, DoorCode: in.DoorCode,
				ArrivalTime: in.ArrivalTime, DepartureTime: in.DepartureTime})
			d.invalidate(conn.ID, connector.KindReservations, "")
			if err != nil {
				return StayOut{}, "", &Error{Text: d.vendorError(conn, err).Error}
			}
			changed := stayChanges(in)
			return StayOut{ReservationID: in.ReservationID, Changed: changed}, "Changed " + strings.Join(changed, ", ") + ".", nil
		},
		Verb: "change the stay",
	}, d)
}

// describeReservation adds the stay a write is about to a preview.
func (d *Deps) describeReservation(ctx context.Context, conn store.Connection, qualified string, pv *Preview) {
	_, id, err := connector.SplitID(qualified)
	if err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, previewTimeout)
	defer cancel()
	r, _, err := reservationRead(id).run(ctx, d, conn, false)
	if err != nil {
		pv.Lines = append(pv.Lines, PreviewLine{"Reservation", qualified})
		return
	}
	if r.GuestName != "" {
		pv.Action = "Change the details of " + r.GuestName + "'s stay"
		pv.Lines = append(pv.Lines, PreviewLine{"Guest", r.GuestName})
	}
	d.describeProperty(ctx, conn, r.PropertyID, pv)
	pv.Lines = append(pv.Lines, PreviewLine{"Stay", stayText(r)})
}

// --- send_quote ---

// QuoteIn asks the vendor to price a stay for a guest.
type QuoteIn struct {
	PropertyID string `json:"property_id" jsonschema_description:"vendor-qualified property id"`
	CheckIn    string `json:"check_in" jsonschema_description:"YYYY-MM-DD"`
	CheckOut   string `json:"check_out" jsonschema_description:"YYYY-MM-DD"`
	Adults     int    `json:"adults" jsonschema_description:"at least 1"`
	Children   int    `json:"children,omitempty"`
	Infants    int    `json:"infants,omitempty"`
	Pets       int    `json:"pets,omitempty"`
	GuestName  string `json:"guest_name,omitempty"`
	GuestEmail string `json:"guest_email,omitempty"`
	accountIn
}

func sendQuote(d *Deps) Tool {
	return NewWrite(WriteSpec[QuoteIn, connector.Quote]{
		Meta: Meta{
			Name: "send_quote", Title: "Make a quote for a guest",
			Description: "Asks the vendor to price a stay and make a quote with a booking link the guest can book through (Hospitable, for properties listed on its Direct booking site). The guest sees nothing until the link is sent to them, with send_message. The host confirms the quote first: in this chat when the app can ask, otherwise as a draft with a link for the host to approve.",
			Scope:       ScopeWrite, OpenWorld: true,
			Vendors: d.vendorsWith(func(cn connector.Connector) bool { _, ok := cn.(connector.QuoteMaker); return ok }),
		},
		Check: func(ctx context.Context, d *Deps, c *Caller, in QuoteIn) (QuoteIn, error) {
			in.GuestName, in.GuestEmail = strings.TrimSpace(in.GuestName), strings.TrimSpace(in.GuestEmail)
			in2, err := time.Parse(time.DateOnly, in.CheckIn)
			out, err2 := time.Parse(time.DateOnly, in.CheckOut)
			switch {
			case err != nil || err2 != nil:
				return in, Errorf("check_in and check_out must be dates like 2026-12-01.")
			case !out.After(in2):
				return in, Errorf("check_out must be after check_in.")
			case in.CheckIn < d.now().Format(time.DateOnly):
				return in, Errorf("check_in %s is in the past.", in.CheckIn)
			case in.Adults < 1 || in.Children < 0 || in.Infants < 0 || in.Pets < 0:
				return in, Errorf("adults must be at least 1, and children, infants and pets not negative.")
			}
			conn, _, err := pick(ctx, d, c, in.PropertyID, "property_id", in.ConnectionID, nil)
			if err != nil {
				return in, err
			}
			cn, err := connectorOf(d, conn)
			if err != nil {
				return in, err
			}
			if _, ok := cn.(connector.QuoteMaker); !ok {
				return in, Errorf("%s does not make quotes through its API; the host can send a special offer in %s itself.", d.accountName(conn), d.title(conn.Vendor))
			}
			in.ConnectionID = conn.ID
			return in, nil
		},
		Preview: func(ctx context.Context, d *Deps, c *Caller, in QuoteIn) (Preview, error) {
			conn, err := ownedConnection(ctx, d, c, in.ConnectionID)
			if err != nil {
				return Preview{}, err
			}
			pv := Preview{Action: "Make a quote for this stay", Lines: []PreviewLine{{"Account", d.accountName(conn)}}}
			d.describeProperty(ctx, conn, in.PropertyID, &pv)
			pv.Lines = append(pv.Lines, PreviewLine{"Stay", nightsText(in.CheckIn, shiftDate(in.CheckOut, -1)) + ", check-out " + in.CheckOut})
			guests := fmt.Sprintf("%d adults", in.Adults)
			for _, g := range []struct {
				n    int
				what string
			}{{in.Children, "children"}, {in.Infants, "infants"}, {in.Pets, "pets"}} {
				if g.n > 0 {
					guests += fmt.Sprintf(", %d %s", g.n, g.what)
				}
			}
			pv.Lines = append(pv.Lines, PreviewLine{"Guests", guests})
			if in.GuestName != "" || in.GuestEmail != "" {
				pv.Lines = append(pv.Lines, PreviewLine{"For", strings.TrimSpace(in.GuestName + " " + in.GuestEmail)})
			}
			return pv, nil
		},
		Act: func(ctx context.Context, d *Deps, c *Caller, in QuoteIn) (connector.Quote, string, error) {
			conn, err := ownedConnection(ctx, d, c, in.ConnectionID)
			if err != nil {
				return connector.Quote{}, "", err
			}
			cn, err := connectorOf(d, conn)
			if err != nil {
				return connector.Quote{}, "", err
			}
			qm, ok := cn.(connector.QuoteMaker)
			if !ok {
				return connector.Quote{}, "", Errorf("%s does not make quotes.", d.accountName(conn))
			}
			_, id, _ := connector.SplitID(in.PropertyID)
			q, err := qm.MakeQuote(ctx, connector.QuoteRequest{PropertyID: id, CheckIn: in.CheckIn, CheckOut: in.CheckOut,
				Adults: in.Adults, Children: in.Children, Infants: in.Infants, Pets: in.Pets, GuestName: in.GuestName, GuestEmail: in.GuestEmail})
			if err != nil {
				return connector.Quote{}, "", &Error{Text: d.vendorError(conn, err).Error}
			}
			q.PropertyID = in.PropertyID
			text := "Quote made."
			if q.BookingURL != "" {
				text = "Quote made; send the guest its booking link with send_message."
			}
			return q, text, nil
		},
		Verb: "make the quote",
	}, d)
}

// --- save_task ---

// TaskIn creates a task, or changes one when task_id is set.
type TaskIn struct {
	TaskID        string `json:"task_id,omitempty" jsonschema_description:"vendor-qualified task id from list_tasks, to change that task; omit to create one"`
	PropertyID    string `json:"property_id,omitempty" jsonschema_description:"vendor-qualified property id; required to create"`
	ReservationID string `json:"reservation_id,omitempty" jsonschema_description:"vendor-qualified reservation the task belongs to"`
	Title         string `json:"title,omitempty" jsonschema_description:"required to create"`
	Description   string `json:"description,omitempty"`
	Status        string `json:"status,omitempty" jsonschema_description:"the vendor's status word (Hostaway: pending, confirmed, inProgress, completed, cancelled)"`
	Assignee      string `json:"assignee,omitempty" jsonschema_description:"the vendor's id of the person to do it"`
	Due           string `json:"due,omitempty" jsonschema_description:"when it must be done: RFC 3339, or a date meaning the end of that day at the property"`
	accountIn
}

func saveTask(d *Deps) Tool {
	return NewWrite(WriteSpec[TaskIn, connector.Task]{
		Meta: Meta{
			Name: "save_task", Title: "Create or change a task",
			Description: "Creates a task (a cleaning, a repair, a check) at a property, or changes one from list_tasks; on a change, fields left out stay as they are (Hostaway). The host confirms it first: in this chat when the app can ask, otherwise as a draft with a link for the host to approve.",
			Scope:       ScopeWrite, OpenWorld: true,
			Vendors: d.vendorsWith(func(cn connector.Connector) bool { _, ok := cn.(connector.TaskWriter); return ok }),
		},
		Check: func(ctx context.Context, d *Deps, c *Caller, in TaskIn) (TaskIn, error) {
			in.Title, in.Description = strings.TrimSpace(in.Title), strings.TrimSpace(in.Description)
			ref := in.TaskID
			what := "task_id"
			if ref == "" {
				if in.PropertyID == "" || in.Title == "" {
					return in, Errorf("To create a task give property_id and title; to change one give task_id.")
				}
				ref, what = in.PropertyID, "property_id"
			} else if in.Title == "" && in.Description == "" && in.Status == "" && in.Assignee == "" && in.Due == "" && in.PropertyID == "" && in.ReservationID == "" {
				return in, Errorf("Nothing to change: set a field of the task and call again.")
			}
			if in.Due != "" && !connector.ValidDate(in.Due) {
				if _, err := time.Parse(time.RFC3339, in.Due); err != nil {
					return in, Errorf("due must be a date like 2026-12-01 or an RFC 3339 time, not %q.", in.Due)
				}
			}
			conn, _, err := pick(ctx, d, c, ref, what, in.ConnectionID, nil)
			if err != nil {
				return in, err
			}
			cn, err := connectorOf(d, conn)
			if err != nil {
				return in, err
			}
			if _, ok := cn.(connector.TaskWriter); !ok {
				return in, Errorf("%s has no tasks an app can write through its API.", d.accountName(conn))
			}
			for _, other := range []string{in.PropertyID, in.ReservationID} {
				if other != "" && !strings.HasPrefix(other, conn.Vendor+":") {
					return in, Errorf("%q is not a %s id; a task and its property and reservation are in one account.", other, d.title(conn.Vendor))
				}
			}
			in.ConnectionID = conn.ID
			return in, nil
		},
		Preview: func(ctx context.Context, d *Deps, c *Caller, in TaskIn) (Preview, error) {
			conn, err := ownedConnection(ctx, d, c, in.ConnectionID)
			if err != nil {
				return Preview{}, err
			}
			pv := Preview{Action: "Create this task", Lines: []PreviewLine{{"Account", d.accountName(conn)}}}
			if in.TaskID != "" {
				pv.Action = "Change this task"
				pv.Lines = append(pv.Lines, PreviewLine{"Task", in.TaskID})
			}
			if in.PropertyID != "" {
				d.describeProperty(ctx, conn, in.PropertyID, &pv)
			}
			for _, l := range []PreviewLine{{"Title", in.Title}, {"Status", in.Status}, {"Assignee", in.Assignee}, {"Due", in.Due}, {"Reservation", in.ReservationID}} {
				if l.Value != "" {
					pv.Lines = append(pv.Lines, l)
				}
			}
			pv.Text = in.Description
			return pv, nil
		},
		Act: func(ctx context.Context, d *Deps, c *Caller, in TaskIn) (connector.Task, string, error) {
			conn, err := ownedConnection(ctx, d, c, in.ConnectionID)
			if err != nil {
				return connector.Task{}, "", err
			}
			cn, err := connectorOf(d, conn)
			if err != nil {
				return connector.Task{}, "", err
			}
			tw, ok := cn.(connector.TaskWriter)
			if !ok {
				return connector.Task{}, "", Errorf("%s has no tasks an app can write.", d.accountName(conn))
			}
			raw := func(q string) string {
				if q == "" {
					return ""
				}
				_, id, _ := connector.SplitID(q)
				return id
			}
			t, err := tw.SaveTask(ctx, connector.Task{ID: raw(in.TaskID), PropertyID: raw(in.PropertyID), ReservationID: raw(in.ReservationID),
				Title: in.Title, Description: in.Description, Status: in.Status, Assignee: in.Assignee, Due: in.Due})
			d.invalidate(conn.ID, connector.KindTasks, "")
			if err != nil {
				return connector.Task{}, "", &Error{Text: d.vendorError(conn, err).Error}
			}
			if in.TaskID != "" {
				return t, "Task changed.", nil
			}
			return t, "Task created.", nil
		},
		Text: &TextField[TaskIn]{
			Get: func(in TaskIn) string { return in.Description },
			Set: func(in TaskIn, s string) TaskIn { in.Description = s; return in },
			Max: maxStayText * 4,
		},
		Verb: "save the task",
	}, d)
}
