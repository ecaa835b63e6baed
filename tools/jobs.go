package tools

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/stays"
)

// The reads of issue 11's jobs: inquiries, money and tasks, each across
// every account that has the capability; an account whose vendor has none
// says so in errors instead of answering nothing.

// RangeIn is a date range with a vendor filter, paged and cached.
type RangeIn struct {
	From   string `json:"from,omitempty" jsonschema_description:"first date, YYYY-MM-DD"`
	To     string `json:"to,omitempty" jsonschema_description:"last date, YYYY-MM-DD"`
	Vendor string `json:"vendor,omitempty" jsonschema_description:"only this vendor's accounts"`
	FreshIn
	PageIn
}

// listed is a page of a ranged list and what its output reports besides.
type listed[T any] struct {
	items    []T
	page     Page
	accounts []AccountAge
	fresh    Freshness
	errs     []VendorError
	suffix   string // errors and age, for the summary
}

// rangedList reads one capability over r from every connection of vendor
// (subject narrowing the cache key, e.g. a property), in order, and pages
// it. filter is what binds the cursor: the call's arguments as resolved.
func rangedList[T any](ctx context.Context, d *Deps, c *Caller, tool string, filter any, pg PageIn, fresh bool, vendor string,
	kind connector.Kind, subject, args string, fetch func(ctx context.Context, cn connector.Connector) ([]T, error), order func(a, b T) int) (listed[T], error) {
	p, err := newPager(d, c, tool, filter, pg)
	if err != nil {
		return listed[T]{}, err
	}
	conns, err := connections(ctx, d, c, vendor)
	if err != nil {
		return listed[T]{}, err
	}
	read := vendorRead[[]T]{kind: kind, subject: subject, args: args, fetch: sorted(fetch, order)}
	items, page, ages, errs, err := fanPage(ctx, d, p, conns, fresh, read, order)
	if err != nil {
		return listed[T]{}, err
	}
	l := listed[T]{items: items, page: page, errs: errs, suffix: errorSuffix(errs) + "." + d.ageSuffix(conns, ages)}
	l.accounts, l.fresh = d.accountAges(conns, ages)
	return l, nil
}

// InquiriesOut lists inquiries by the stay's check-in.
type InquiriesOut struct {
	From      string              `json:"from"`
	To        string              `json:"to"`
	Inquiries []connector.Inquiry `json:"inquiries"`
	Errors    []VendorError       `json:"errors,omitempty"`
	Freshness
	Accounts []AccountAge `json:"accounts,omitempty"`
	Page
}

func (o *InquiriesOut) page() *Page { return &o.Page }
func (o *InquiriesOut) items() int  { return len(o.Inquiries) }
func (o *InquiriesOut) keep(n int)  { o.Inquiries = o.Inquiries[:n] }

func listInquiries(d *Deps) Tool {
	return New(Meta{
		Name: "list_inquiries", Title: "List inquiries",
		Description: "Lists guests' questions and booking requests that are not confirmed stays yet, across every connected account, by the stay's check-in (default from today, 60 days). Each has a conversation_id to read with get_messages and answer with send_message (the host confirms before anything reaches the guest).",
		Scope:       ScopeRead, ReadOnly: true, Idempotent: true, OpenWorld: true,
		Vendors: d.vendorsWith(func(cn connector.Connector) bool { _, ok := cn.(connector.InquiryLister); return ok }),
	}, d, func(ctx context.Context, d *Deps, c *Caller, in RangeIn) (InquiriesOut, string, error) {
		r, err := dateRange(d.now(), in.From, in.To, 60)
		if err != nil {
			return InquiriesOut{}, "", err
		}
		pg, fresh := in.PageIn, in.Fresh
		in.PageIn, in.FreshIn, in.From, in.To = PageIn{}, FreshIn{}, r.From, r.To
		q := connector.InquiryQuery{Range: r}
		l, err := rangedList(ctx, d, c, "list_inquiries", in, pg, fresh, in.Vendor, connector.KindInquiries, "", r.From+"|"+r.To,
			func(ctx context.Context, cn connector.Connector) ([]connector.Inquiry, error) {
				il, ok := cn.(connector.InquiryLister)
				if !ok {
					return nil, unsupported("inquiries")
				}
				return il.ListInquiries(ctx, q)
			}, byInquiry)
		if err != nil {
			return InquiriesOut{}, "", err
		}
		out := InquiriesOut{From: r.From, To: r.To, Inquiries: l.items, Errors: l.errs, Freshness: l.fresh, Accounts: l.accounts, Page: l.page}
		return out, fmt.Sprintf("%d inquiries for stays from %s to %s%s", len(l.items), r.From, r.To, l.suffix), nil
	})
}

func byInquiry(a, b connector.Inquiry) int {
	return cmp.Or(strings.Compare(a.CheckIn, b.CheckIn), b.ReceivedAt.Compare(a.ReceivedAt), strings.Compare(a.ID, b.ID))
}

// PayoutsOut lists payouts, newest first.
type PayoutsOut struct {
	From    string             `json:"from"`
	To      string             `json:"to"`
	Payouts []connector.Payout `json:"payouts"`
	Errors  []VendorError      `json:"errors,omitempty"`
	Freshness
	Accounts []AccountAge `json:"accounts,omitempty"`
	Page
}

func (o *PayoutsOut) page() *Page { return &o.Page }
func (o *PayoutsOut) items() int  { return len(o.Payouts) }
func (o *PayoutsOut) keep(n int)  { o.Payouts = o.Payouts[:n] }

func listPayouts(d *Deps) Tool {
	return New(Meta{
		Name: "list_payouts", Title: "List payouts",
		Description: "Lists what the vendors paid out to the host, dated in a range (default the last 30 days), across every account whose vendor publishes payouts, newest first, each in its own currency. list_transactions has the movements behind them.",
		Scope:       ScopeRead, ReadOnly: true, Idempotent: true, OpenWorld: true,
		Vendors: d.vendorsWith(func(cn connector.Connector) bool { _, ok := cn.(connector.PayoutLister); return ok }),
	}, d, func(ctx context.Context, d *Deps, c *Caller, in RangeIn) (PayoutsOut, string, error) {
		r, err := pastRange(d, in.From, in.To)
		if err != nil {
			return PayoutsOut{}, "", err
		}
		pg, fresh := in.PageIn, in.Fresh
		in.PageIn, in.FreshIn, in.From, in.To = PageIn{}, FreshIn{}, r.From, r.To
		q := connector.MoneyQuery{Range: r}
		l, err := rangedList(ctx, d, c, "list_payouts", in, pg, fresh, in.Vendor, connector.KindMoney, "payouts", r.From+"|"+r.To,
			func(ctx context.Context, cn connector.Connector) ([]connector.Payout, error) {
				pl, ok := cn.(connector.PayoutLister)
				if !ok {
					return nil, unsupported("payouts")
				}
				return pl.ListPayouts(ctx, q)
			}, byPayoutDate)
		if err != nil {
			return PayoutsOut{}, "", err
		}
		out := PayoutsOut{From: r.From, To: r.To, Payouts: l.items, Errors: l.errs, Freshness: l.fresh, Accounts: l.accounts, Page: l.page}
		return out, fmt.Sprintf("%d payouts from %s to %s%s", len(l.items), r.From, r.To, l.suffix), nil
	})
}

func byPayoutDate(a, b connector.Payout) int {
	return cmp.Or(strings.Compare(b.Date, a.Date), strings.Compare(a.ID, b.ID))
}

// TransactionsOut lists money movements, newest first.
type TransactionsOut struct {
	From         string                  `json:"from"`
	To           string                  `json:"to"`
	Transactions []connector.Transaction `json:"transactions"`
	Errors       []VendorError           `json:"errors,omitempty"`
	Freshness
	Accounts []AccountAge `json:"accounts,omitempty"`
	Page
}

func (o *TransactionsOut) page() *Page { return &o.Page }
func (o *TransactionsOut) items() int  { return len(o.Transactions) }
func (o *TransactionsOut) keep(n int)  { o.Transactions = o.Transactions[:n] }

func listTransactions(d *Deps) Tool {
	return New(Meta{
		Name: "list_transactions", Title: "List transactions",
		Description: "Lists money movements (a stay's earnings, fees, adjustments, refunds, guest charges) dated in a range (default the last 30 days), across every account whose vendor publishes them, newest first, each in its own currency.",
		Scope:       ScopeRead, ReadOnly: true, Idempotent: true, OpenWorld: true,
		Vendors: d.vendorsWith(func(cn connector.Connector) bool { _, ok := cn.(connector.TransactionLister); return ok }),
	}, d, func(ctx context.Context, d *Deps, c *Caller, in RangeIn) (TransactionsOut, string, error) {
		r, err := pastRange(d, in.From, in.To)
		if err != nil {
			return TransactionsOut{}, "", err
		}
		pg, fresh := in.PageIn, in.Fresh
		in.PageIn, in.FreshIn, in.From, in.To = PageIn{}, FreshIn{}, r.From, r.To
		q := connector.MoneyQuery{Range: r}
		l, err := rangedList(ctx, d, c, "list_transactions", in, pg, fresh, in.Vendor, connector.KindMoney, "transactions", r.From+"|"+r.To,
			func(ctx context.Context, cn connector.Connector) ([]connector.Transaction, error) {
				tl, ok := cn.(connector.TransactionLister)
				if !ok {
					return nil, unsupported("transactions")
				}
				return tl.ListTransactions(ctx, q)
			}, byTransaction)
		if err != nil {
			return TransactionsOut{}, "", err
		}
		out := TransactionsOut{From: r.From, To: r.To, Transactions: l.items, Errors: l.errs, Freshness: l.fresh, Accounts: l.accounts, Page: l.page}
		return out, fmt.Sprintf("%d transactions from %s to %s%s", len(l.items), r.From, r.To, l.suffix), nil
	})
}

func byTransaction(a, b connector.Transaction) int {
	return cmp.Or(strings.Compare(b.Date, a.Date), strings.Compare(a.ID, b.ID))
}

// pastRange is a range that defaults to the last 30 days.
func pastRange(d *Deps, from, to string) (connector.DateRange, error) {
	if from == "" && to == "" {
		now := d.now()
		return connector.DateRange{From: now.AddDate(0, 0, -30).Format(time.DateOnly), To: now.Format(time.DateOnly)}, nil
	}
	return dateRange(d.now(), from, to, 30)
}

// TasksIn asks for tasks due in a range.
type TasksIn struct {
	RangeIn
	PropertyID string `json:"property_id,omitempty" jsonschema_description:"only this vendor-qualified property"`
}

// TasksOut lists tasks by due date.
type TasksOut struct {
	From   string           `json:"from"`
	To     string           `json:"to"`
	Tasks  []connector.Task `json:"tasks"`
	Errors []VendorError    `json:"errors,omitempty"`
	Freshness
	Accounts []AccountAge `json:"accounts,omitempty"`
	Page
}

func (o *TasksOut) page() *Page { return &o.Page }
func (o *TasksOut) items() int  { return len(o.Tasks) }
func (o *TasksOut) keep(n int)  { o.Tasks = o.Tasks[:n] }

func listTasks(d *Deps) Tool {
	return New(Meta{
		Name: "list_tasks", Title: "List tasks",
		Description: "Lists the vendors' tasks (cleanings, repairs, checks) due in a range (default from today, 14 days), across every account whose vendor has tasks, by due date, optionally for one property.",
		Scope:       ScopeRead, ReadOnly: true, Idempotent: true, OpenWorld: true,
		Vendors: d.vendorsWith(func(cn connector.Connector) bool { _, ok := cn.(connector.TaskLister); return ok }),
	}, d, func(ctx context.Context, d *Deps, c *Caller, in TasksIn) (TasksOut, string, error) {
		r, err := dateRange(d.now(), in.From, in.To, 14)
		if err != nil {
			return TasksOut{}, "", err
		}
		pg, fresh := in.PageIn, in.Fresh
		in.PageIn, in.FreshIn, in.From, in.To = PageIn{}, FreshIn{}, r.From, r.To
		vendor, propID := in.Vendor, ""
		if in.PropertyID != "" {
			v, id, err := connector.SplitID(in.PropertyID)
			if err != nil {
				return TasksOut{}, "", Errorf("property_id must be vendor-qualified, as list_properties returns it.")
			}
			vendor, propID = v, id
		}
		// A task is due at an instant; the host's range is of the
		// property's local dates. Ask the vendor a day wider on each side
		// and keep, before paging, the tasks whose due date where the
		// property is falls in the range, their times at its offset.
		conns, err := connections(ctx, d, c, vendor)
		if err != nil {
			return TasksOut{}, "", err
		}
		zones := d.propertyZones(ctx, conns)
		wide := connector.DateRange{From: shiftDate(r.From, -1), To: shiftDate(r.To, 1)}
		q := connector.TaskQuery{Range: wide, PropertyID: propID}
		l, err := rangedList(ctx, d, c, "list_tasks", in, pg, fresh, vendor, connector.KindTasks, propID, r.From+"|"+r.To,
			func(ctx context.Context, cn connector.Connector) ([]connector.Task, error) {
				tl, ok := cn.(connector.TaskLister)
				if !ok {
					return nil, unsupported("tasks")
				}
				all, err := tl.ListTasks(ctx, q)
				var kept []connector.Task
				for _, t := range all {
					if day := localDay(t.Due, zones[t.PropertyID]); day == "" || day >= r.From && day <= r.To {
						t.Due = localTime(t.Due, zones[t.PropertyID])
						kept = append(kept, t)
					}
				}
				return kept, err
			}, byDue)
		if err != nil {
			return TasksOut{}, "", err
		}
		out := TasksOut{From: r.From, To: r.To, Tasks: l.items, Errors: l.errs, Freshness: l.fresh, Accounts: l.accounts, Page: l.page}
		return out, fmt.Sprintf("%d tasks due from %s to %s%s", len(l.items), r.From, r.To, l.suffix), nil
	})
}

// byDue orders tasks by when they are due, as instants where both are
// (their texts carry each property's own offset), undated last.
func byDue(a, b connector.Task) int {
	ta, ea := time.Parse(time.RFC3339, a.Due)
	tb, eb := time.Parse(time.RFC3339, b.Due)
	switch {
	case ea == nil && eb == nil:
		return cmp.Or(ta.Compare(tb), strings.Compare(a.ID, b.ID))
	case a.Due == "" || b.Due == "":
		return cmp.Or(-strings.Compare(a.Due, b.Due), strings.Compare(a.ID, b.ID))
	}
	return cmp.Or(strings.Compare(a.Due, b.Due), strings.Compare(a.ID, b.ID))
}

// propertyZones maps the properties of conns to their time zones, from
// the cached property lists; a property whose list fails is left out.
func (d *Deps) propertyZones(ctx context.Context, conns []store.Connection) map[string]string {
	lists, _, _, err := fanOut(ctx, d, conns, false, propertiesRead())
	zones := map[string]string{}
	if err != nil {
		return zones
	}
	for _, l := range lists {
		for _, p := range l {
			if p.Timezone != "" {
				zones[p.ID] = p.Timezone
			}
		}
	}
	return zones
}

// localDay is the date of an RFC 3339 instant in zone tz (an IANA name or
// a UTC offset; UTC when unknown), or the date itself when due is one; ""
// when due is neither.
func localDay(due, tz string) string {
	if due != "" && connector.ValidDate(due) {
		return due
	}
	t, err := time.Parse(time.RFC3339, due)
	if err != nil {
		return ""
	}
	return t.In(stays.Location(tz)).Format(time.DateOnly)
}

// localTime writes an RFC 3339 instant at the property's UTC offset, as
// the host reads a time there; anything else is returned as it is.
func localTime(due, tz string) string {
	t, err := time.Parse(time.RFC3339, due)
	if err != nil || tz == "" {
		return due
	}
	return t.In(stays.Location(tz)).Format(time.RFC3339)
}
