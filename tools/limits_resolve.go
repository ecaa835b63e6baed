package tools

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/tools/connector"
)

// Under a property limit, a call that names an item by id is checked
// against the item's property before the tool runs. The property is read
// from the vendor through the read cache, the way the tool itself reads
// the item, so the check costs the tool nothing it would not spend.

// propertyOfArg tells the property of the item an id argument names. The
// error is a tool error: the id cannot be used at all (*Error), or its
// property cannot be told (*limitError).
func (d *Deps) propertyOfArg(ctx context.Context, c *Caller, key, id string) (string, error) {
	if key == "property_id" || key == "site_id" {
		return id, nil
	}
	conns, raw, err := route(ctx, d, c, id, key)
	if err != nil {
		return "", err
	}
	var prop, why string
	switch key {
	case "reservation_id":
		prop, why = d.reservationProperty(ctx, conns, raw)
	case "conversation_id":
		prop, why = d.conversationProperty(ctx, conns, raw, id)
	case "review_id":
		prop, why = listedProperty(ctx, d, conns, id, reviewsRead(""), func(r connector.Review) (string, string, string) {
			return r.ID, r.PropertyID, r.ReservationID
		})
	case "task_id":
		prop, why = listedProperty(ctx, d, conns, id, d.tasksLocate(), func(t connector.Task) (string, string, string) {
			return t.ID, t.PropertyID, t.ReservationID
		})
	}
	if prop == "" {
		return "", d.unplaced(c, itemName(key)+" "+id, why)
	}
	return prop, nil
}

// itemName is what an id argument names, in words: "reservation".
func itemName(key string) string { return strings.TrimSuffix(key, "_id") }

// reservationProperty reads a reservation (by the vendor's id) from the
// first of conns that has it and returns its property, or why not.
func (d *Deps) reservationProperty(ctx context.Context, conns []store.Connection, raw string) (string, string) {
	r, _, _, err := first(ctx, d, conns, false, reservationRead(raw))
	if err != nil {
		return "", errText(err)
	}
	if r.PropertyID == "" {
		return "", "the vendor does not say which property it is at"
	}
	return r.PropertyID, ""
}

// reservationAt is the property of a vendor-qualified reservation in one
// connection, or "".
func (d *Deps) reservationAt(ctx context.Context, conn store.Connection, qualified string) string {
	vendor, raw, err := connector.SplitID(qualified)
	if err != nil || vendor != conn.Vendor || conn.Status == store.StatusNeedsReauth || d.Lifecycle == nil {
		return ""
	}
	r, _, err := reservationRead(raw).run(ctx, d, conn, false)
	if err != nil {
		return ""
	}
	return r.PropertyID
}

// conversationAt is the property of a vendor-qualified conversation in
// one connection, where the vendor reads one conversation with what it is
// about; or "".
func (d *Deps) conversationAt(ctx context.Context, conn store.Connection, qualified string) string {
	vendor, raw, err := connector.SplitID(qualified)
	if err != nil || vendor != conn.Vendor || conn.Status == store.StatusNeedsReauth || d.Lifecycle == nil {
		return ""
	}
	convs, _, err := conversationRead(raw).run(ctx, d, conn, false)
	if err != nil {
		return ""
	}
	for _, cv := range convs {
		if cv.ID != qualified {
			continue
		}
		if cv.PropertyID != "" {
			return cv.PropertyID
		}
		return d.reservationAt(ctx, conn, cv.ReservationID)
	}
	return ""
}

// conversationProperty finds a conversation in conns (one read of it where
// the vendor has one, else its conversations list) and returns its
// property, or that of its reservation.
func (d *Deps) conversationProperty(ctx context.Context, conns []store.Connection, raw, qualified string) (string, string) {
	why := "no shared account lists it"
	for _, conn := range conns {
		if conn.Status == store.StatusNeedsReauth {
			why = d.vendorError(conn, connector.ErrNeedsReauth).Error
			continue
		}
		convs, _, err := conversationRead(raw).run(ctx, d, conn, false)
		if errors.Is(err, connector.ErrUnsupported) {
			convs, _, err = conversationsRead("").run(ctx, d, conn, false)
		}
		if err != nil {
			why = d.vendorError(conn, err).Error
			continue
		}
		for _, cv := range convs {
			if cv.ID != qualified {
				continue
			}
			if cv.PropertyID != "" {
				return cv.PropertyID, ""
			}
			if p := d.reservationAt(ctx, conn, cv.ReservationID); p != "" {
				return p, ""
			}
			return "", "the vendor does not say which property it is at"
		}
	}
	return "", why
}

// listedProperty finds the item with a vendor-qualified id in the list a
// read gives for each of conns and returns its property, or that of its
// reservation. place gives an item's id, property and reservation.
func listedProperty[T any](ctx context.Context, d *Deps, conns []store.Connection, qualified string, read vendorRead[[]T], place func(T) (id, prop, res string)) (string, string) {
	why := "no shared account lists it"
	for _, conn := range conns {
		if conn.Status == store.StatusNeedsReauth {
			why = d.vendorError(conn, connector.ErrNeedsReauth).Error
			continue
		}
		items, _, err := read.run(ctx, d, conn, false)
		if err != nil {
			why = d.vendorError(conn, err).Error
			continue
		}
		for _, it := range items {
			id, prop, res := place(it)
			if id != qualified {
				continue
			}
			if prop != "" {
				return prop, ""
			}
			if p := d.reservationAt(ctx, conn, res); p != "" {
				return p, ""
			}
			return "", "the vendor does not say which property it is at"
		}
	}
	return "", why
}

// tasksLocateDays is how far on either side of today a task is looked for
// by its id (no vendor reads one task by id).
const tasksLocateDays = 366

// tasksLocate lists an account's tasks due within a year of today, to
// find one by id.
func (d *Deps) tasksLocate() vendorRead[[]connector.Task] {
	today := d.now()
	r := connector.DateRange{From: today.AddDate(0, 0, -tasksLocateDays).Format(time.DateOnly), To: today.AddDate(0, 0, tasksLocateDays).Format(time.DateOnly)}
	return vendorRead[[]connector.Task]{kind: connector.KindTasks, args: "locate|" + r.From + "|" + r.To,
		fetch: func(ctx context.Context, cn connector.Connector) ([]connector.Task, error) {
			tl, ok := cn.(connector.TaskLister)
			if !ok {
				return nil, unsupported("tasks")
			}
			return tl.ListTasks(ctx, connector.TaskQuery{Range: r})
		}}
}

// errText is the text of a tool error, or a plain word for anything else.
func errText(err error) string {
	var te *Error
	if errors.As(err, &te) {
		return te.Text
	}
	return "the vendor did not answer"
}
