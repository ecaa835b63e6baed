// Package connectortest is the contract suite every vendor client passes
// against its sandbox fake: normalized output, pagination, the vendor's
// error and rate-limit signals, cancellation, a refused token renewed
// once, and no credential in any error text. RunWrites is the suite of the
// write capabilities (CalendarWriter, ReviewReplier).
//
// It also holds what the vendor packages' own tests share: a stopped Clock
// (at FixedNow), a counting TokenSource double (Source), a started fake
// with its vendor's Spec pointed at it (Env; Start and PointAt below it),
// playing the host on a fake's consent page (Approve, Env.Authorize,
// Env.Connect), calling a fake directly (Raw), the no-secret checks
// (NoSecret, WantErr, Checks), scripted failure signals and cancellation
// (Signals, Cancels), connect forms (ConnectsByForm), and paging a fake
// started with sandbox.Options.Bulk (PagesTheBulkSeed, BulkOnce).
package connectortest

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

// Harness describes one vendor under test.
type Harness struct {
	// Spec points at the fake (BaseURL, OAuth URLs and client set).
	Spec *connector.Spec
	// Cred is a working credential for the fake.
	Cred connector.Credential
	// Vendor is the running fake, for faults.
	Vendor *sandbox.Vendor
	// Secrets must never appear in an error's text (tokens, client secrets).
	Secrets []string
	// UnauthorizedStatus is the status that means a dead token: 401, or
	// 403 for Hostaway.
	UnauthorizedStatus int
	// MinProperties is how many properties (or sites) the fake seeds.
	MinProperties int

	// Renewable returns a fresh credential the Spec's Refresh renews (an
	// OAuth sign-in, a minted token); nil leaves out the renewal checks,
	// which run last: they expire the fake's access tokens.
	Renewable func(t *testing.T) connector.Credential
	// CheckPath is the API path Check requests (the renewal checks count
	// its requests and script refusals on it).
	CheckPath string
	// RefusalCode is the APIError.Code of a refused token when the vendor
	// sends a fixed one; any code will do when empty.
	RefusalCode string

	// Echo is a fault on Check's request whose error body carries text
	// where the vendor puts its message, and EchoWant the sentinel that
	// error wraps; EchoGrant is a refusal of the token endpoint whose body
	// carries text. A nil one leaves out its check that a credential the
	// vendor echoes is cut from the error.
	Echo      func(text string) sandbox.Fault
	EchoWant  error
	EchoGrant func(text string) sandbox.Fault
}

var (
	datePat = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	status  = []string{connector.StatusInquiry, connector.StatusPending, connector.StatusConfirmed,
		connector.StatusCancelled, connector.StatusDeclined, connector.StatusOther}
)

// Run runs the contract suite.
func Run(t *testing.T, h Harness) {
	t.Helper()
	if h.Spec == nil || h.Vendor == nil || h.UnauthorizedStatus == 0 {
		t.Fatal("connectortest: Harness needs Spec, Vendor and UnauthorizedStatus")
	}
	newConn := func(spec *connector.Spec) connector.Connector {
		return spec.New(spec, connector.StaticSource(h.Cred))
	}
	t.Run("check", func(t *testing.T) {
		acc, err := newConn(h.Spec).Check(context.Background())
		if err != nil || acc.ID == "" {
			t.Fatalf("Check = %+v, %v", acc, err)
		}
	})
	t.Run("normalized output", func(t *testing.T) { testOutput(t, h, newConn(h.Spec)) })
	t.Run("pagination", func(t *testing.T) { testPagination(t, h, newConn) })
	t.Run("errors", func(t *testing.T) { testErrors(t, h, newConn(h.Spec)) })
	if h.Renewable != nil {
		t.Run("renewal", func(t *testing.T) { testRenewal(t, h) })
	}
}

func qualified(t *testing.T, vendor, id, what string) {
	t.Helper()
	v, rest, err := connector.SplitID(id)
	if err != nil || v != vendor || rest == "" {
		t.Errorf("%s id %q is not qualified with %q", what, id, vendor)
	}
}

func testOutput(t *testing.T, h Harness, c connector.Connector) {
	ctx := context.Background()
	vendor := h.Spec.Name
	var firstProperty string
	if pl, ok := c.(connector.PropertyLister); ok {
		props, err := pl.ListProperties(ctx)
		if err != nil {
			t.Fatalf("ListProperties: %v", err)
		}
		if len(props) < h.MinProperties {
			t.Fatalf("ListProperties: %d properties, want at least %d", len(props), h.MinProperties)
		}
		seen := map[string]bool{}
		for _, p := range props {
			qualified(t, vendor, p.ID, "property")
			if p.Vendor != vendor || p.Name == "" || seen[p.ID] {
				t.Errorf("property %+v: wrong vendor, no name, or duplicate", p)
			}
			seen[p.ID] = true
		}
		firstProperty = props[0].ID
		if pg, ok := c.(connector.PropertyGetter); ok {
			_, id, _ := connector.SplitID(firstProperty)
			p, err := pg.GetProperty(ctx, id)
			if err != nil || p.ID != firstProperty || p.Name != props[0].Name {
				t.Errorf("GetProperty(%s) = %+v, %v", id, p, err)
			}
			if _, err := pg.GetProperty(ctx, "999999999"); !errors.Is(err, connector.ErrNotFound) {
				t.Errorf("GetProperty(unknown) error = %v, want ErrNotFound", err)
			}
		}
	}
	if rl, ok := c.(connector.ReservationLister); ok {
		now := time.Now()
		q := connector.ReservationQuery{Range: connector.DateRange{
			From: now.AddDate(0, -6, 0).Format(time.DateOnly), To: now.AddDate(0, 6, 0).Format(time.DateOnly)}}
		rs, err := rl.ListReservations(ctx, q)
		if err != nil {
			t.Fatalf("ListReservations: %v", err)
		}
		if len(rs) == 0 {
			t.Fatal("ListReservations: none in a year around now; the fake seeds months of them")
		}
		for _, r := range rs {
			qualified(t, vendor, r.ID, "reservation")
			if r.PropertyID != "" {
				qualified(t, vendor, r.PropertyID, "reservation property")
			}
			if !datePat.MatchString(r.CheckIn) || !datePat.MatchString(r.CheckOut) || r.CheckOut < r.CheckIn {
				t.Errorf("reservation %s dates %q..%q", r.ID, r.CheckIn, r.CheckOut)
			}
			if !slices.Contains(status, r.Status) {
				t.Errorf("reservation %s status %q is not normalized", r.ID, r.Status)
			}
			if r.CheckIn > q.Range.To || r.CheckIn < q.Range.From {
				t.Errorf("reservation %s checks in %s, outside %s..%s", r.ID, r.CheckIn, q.Range.From, q.Range.To)
			}
		}
		if rg, ok := c.(connector.ReservationGetter); ok {
			_, id, _ := connector.SplitID(rs[0].ID)
			r, err := rg.GetReservation(ctx, id)
			if err != nil || r.ID != rs[0].ID || r.CheckIn != rs[0].CheckIn {
				t.Errorf("GetReservation(%s) = %+v, %v", id, r, err)
			}
		}
	}
	if cr, ok := c.(connector.CalendarReader); ok && firstProperty != "" {
		_, id, _ := connector.SplitID(firstProperty)
		from := time.Now().Format(time.DateOnly)
		to := time.Now().AddDate(0, 0, 13).Format(time.DateOnly)
		days, err := cr.Calendar(ctx, id, connector.DateRange{From: from, To: to})
		if err != nil {
			t.Fatalf("Calendar: %v", err)
		}
		if len(days) == 0 {
			t.Fatal("Calendar: no days")
		}
		for _, d := range days {
			if !datePat.MatchString(d.Date) || d.Date < from || d.Date > to {
				t.Errorf("calendar day %q outside %s..%s", d.Date, from, to)
			}
		}
	}
	if cl, ok := c.(connector.ConversationLister); ok {
		convs, err := cl.ListConversations(ctx, connector.ConversationQuery{})
		if err != nil {
			t.Fatalf("ListConversations: %v", err)
		}
		if len(convs) == 0 {
			t.Fatal("ListConversations: none; the fake seeds several")
		}
		for _, cv := range convs {
			qualified(t, vendor, cv.ID, "conversation")
		}
		if mr, ok := c.(connector.MessageReader); ok {
			_, id, _ := connector.SplitID(convs[0].ID)
			msgs, err := mr.Messages(ctx, id)
			if err != nil || len(msgs) == 0 {
				t.Fatalf("Messages(%s) = %d messages, %v", id, len(msgs), err)
			}
			for _, m := range msgs {
				if m.Body == "" || (m.Sender != "host" && m.Sender != "guest" && m.Sender != "system") {
					t.Errorf("message %+v", m)
				}
			}
		}
	}
	if rv, ok := c.(connector.ReviewLister); ok {
		reviews, err := rv.ListReviews(ctx, connector.ReviewQuery{})
		if err != nil {
			t.Fatalf("ListReviews: %v", err)
		}
		if len(reviews) == 0 {
			t.Fatal("ListReviews: none; the fake seeds reviews")
		}
		for _, r := range reviews {
			if r.Vendor != vendor {
				t.Errorf("review vendor %q", r.Vendor)
			}
			// A rating means nothing beside another vendor's without its scale.
			if r.Rating != nil && (r.RatingScale <= 0 || *r.Rating < 0 || *r.Rating > float64(r.RatingScale)) {
				t.Errorf("review %s: rating %v on a scale of %d", r.ID, *r.Rating, r.RatingScale)
			}
		}
	}
	if sl, ok := c.(connector.SiteLister); ok {
		sites, err := sl.ListSites(ctx)
		if err != nil || len(sites) < h.MinProperties {
			t.Fatalf("ListSites = %d sites, %v", len(sites), err)
		}
		for _, s := range sites {
			qualified(t, vendor, s.ID, "site")
		}
		if fr, ok := c.(connector.FootfallReader); ok {
			_, id, _ := connector.SplitID(sites[0].ID)
			from := time.Now().AddDate(0, 0, -7).Format(time.DateOnly)
			to := time.Now().AddDate(0, 0, -1).Format(time.DateOnly)
			rep, err := fr.Footfall(ctx, id, connector.DateRange{From: from, To: to})
			if err != nil || len(rep.Days) == 0 {
				t.Fatalf("Footfall = %+v, %v", rep, err)
			}
			sum := 0
			for _, d := range rep.Days {
				sum += d.In
			}
			if sum != rep.Total {
				t.Errorf("footfall total %d, days sum to %d", rep.Total, sum)
			}
		}
	}
}

// testPagination lists with a page size of 2 and compares with the
// default: a client that stops after the first page loses properties.
func testPagination(t *testing.T, h Harness, newConn func(*connector.Spec) connector.Connector) {
	ctx := context.Background()
	small := *h.Spec
	small.PageSize = 2
	if pl, ok := newConn(h.Spec).(connector.PropertyLister); ok {
		all, err := pl.ListProperties(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) <= 2 {
			t.Fatalf("the fake seeds %d properties; pagination needs more than 2", len(all))
		}
		paged, err := newConn(&small).(connector.PropertyLister).ListProperties(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if ids(all) != ids(paged) {
			t.Fatalf("with page size 2: %s, want %s", ids(paged), ids(all))
		}
	}
	if sl, ok := newConn(h.Spec).(connector.SiteLister); ok {
		all, err := sl.ListSites(ctx)
		if err != nil {
			t.Fatal(err)
		}
		paged, err := newConn(&small).(connector.SiteLister).ListSites(ctx)
		if err != nil || len(paged) != len(all) {
			t.Fatalf("with page size 2: %d sites, %v; want %d", len(paged), err, len(all))
		}
	}
}

func ids(ps []connector.Property) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.ID
	}
	slices.Sort(s)
	return strings.Join(s, ",")
}

// testErrors scripts each failure signal at the fake and checks the
// sentinel, the retry hint, and that no secret leaks into the text.
func testErrors(t *testing.T, h Harness, c connector.Connector) {
	for _, tc := range []struct {
		name  string
		fault sandbox.Fault
		want  error
		retry time.Duration
	}{
		{"dead token", sandbox.Fault{Status: h.UnauthorizedStatus, Times: -1}, connector.ErrUnauthorized, 0},
		{"rate limited with Retry-After", sandbox.Fault{Status: 429, RetryAfter: "7", Times: -1}, connector.ErrRateLimited, 7 * time.Second},
		{"rate limited without Retry-After", sandbox.Fault{Status: 429, Times: -1}, connector.ErrRateLimited, 0},
		{"server error", sandbox.Fault{Status: 503, Times: -1}, connector.ErrUnavailable, 0},
		{"garbage JSON", sandbox.Fault{Body: `{"data": [garbage`, Times: -1}, connector.ErrUnavailable, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h.Vendor.ClearFaults()
			h.Vendor.Fail(tc.fault)
			defer h.Vendor.ClearFaults()
			_, err := c.Check(context.Background())
			if !errors.Is(err, tc.want) {
				t.Fatalf("error = %v, want %v", err, tc.want)
			}
			if tc.retry > 0 {
				var ae *connector.APIError
				if !errors.As(err, &ae) || ae.RetryAfter != tc.retry {
					t.Fatalf("error %v: RetryAfter want %s", err, tc.retry)
				}
			}
			noSecret(t, h, err)
		})
	}
	if h.Echo != nil {
		t.Run("an echoed credential is cut from the error", func(t *testing.T) {
			h.Vendor.ClearFaults()
			h.Vendor.Fail(h.Echo("bad token " + h.Cred.AccessToken + " is malformed"))
			defer h.Vendor.ClearFaults()
			_, err := c.Check(context.Background())
			if !errors.Is(err, h.EchoWant) || !strings.Contains(err.Error(), "[redacted]") {
				t.Fatalf("error = %v, want %v with the echo redacted", err, h.EchoWant)
			}
			noSecret(t, h, err)
		})
	}
	t.Run("cancellation", func(t *testing.T) {
		h.Vendor.ClearFaults()
		h.Vendor.Fail(sandbox.Fault{Delay: time.Minute, Times: -1})
		defer h.Vendor.ClearFaults()
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := c.Check(ctx)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("error = %v, want context.Canceled", err)
		}
		ctx, cancel = context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err = c.Check(ctx)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("error = %v, want context.DeadlineExceeded", err)
		}
		noSecret(t, h, err)
	})
}

func noSecret(t *testing.T, h Harness, err error) {
	t.Helper()
	NoSecret(t, err, append([]string{h.Cred.AccessToken, h.Cred.RefreshToken, h.Cred.ClientSecret}, h.Secrets...)...)
}
