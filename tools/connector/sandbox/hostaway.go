package sandbox

import (
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// hostaway fakes the Hostaway public API v1 (docs/vendors.md, "Hostaway"): {status, result, …} envelopes,
// a dead token is HTTP 403, and 15 requests / 10 s per IP and 20 / 10 s per account are
// enforced on the injected clock (HTTP 429, no Retry-After) [C].
type hostaway struct {
	v         *Vendor
	listings  []*hwListing
	res       []*hwRes
	convs     []*hwConv
	reviews   []*hwReview
	charges   []*hwCharge
	tasks     []*hwTask // guarded by v.mu (tasks are created and changed)
	nextMsgID int       // guarded by v.mu
}

// NewHostaway returns an unstarted Hostaway fake: API under /v1, tokens minted at
// POST /v1/accessTokens (client_credentials) and revoked with DELETE /v1/accessTokens?token=.
func NewHostaway(opts Options) *Vendor {
	v := newVendor("hostaway", "/v1", opts)
	h := &hostaway{v: v}
	h.seed(opts)
	v.authPaths = []string{"/v1/accessTokens"}
	v.tokenPath = "/v1/accessTokens"
	v.writeFault = h.writeFault
	v.gate = h.rateLimit
	v.urls = func(v *Vendor, root string) {
		v.TokenURL = root + "/v1/accessTokens"
		v.RevokeURL = root + "/v1/accessTokens"
	}
	m := v.mux
	m.HandleFunc("POST /v1/accessTokens", h.mint)
	m.HandleFunc("DELETE /v1/accessTokens", h.revoke)
	m.HandleFunc("GET /v1/listings", h.api(h.listListings))
	m.HandleFunc("GET /v1/listings/{id}", h.api(h.getListing))
	m.HandleFunc("GET /v1/listings/{id}/calendar", h.api(h.calendar))
	m.HandleFunc("PUT /v1/listings/{id}/calendar", h.api(h.updateCalendar))
	for _, method := range []string{"POST", "PATCH", "DELETE"} {
		m.HandleFunc(method+" /v1/listings/{id}/calendar", h.methodNotAllowed)
	}
	m.HandleFunc("GET /v1/reservations", h.api(h.listReservations))
	m.HandleFunc("GET /v1/reservations/{id}", h.api(h.getReservation))
	m.HandleFunc("PUT /v1/reservations/{id}", h.api(h.updateReservation))
	m.HandleFunc("GET /v1/guestPayments/charges", h.api(h.listCharges))
	m.HandleFunc("GET /v1/tasks", h.api(h.listTasks))
	m.HandleFunc("POST /v1/tasks", h.api(h.createTask))
	m.HandleFunc("GET /v1/tasks/{id}", h.api(h.getTask))
	m.HandleFunc("PUT /v1/tasks/{id}", h.api(h.updateTask))
	m.HandleFunc("GET /v1/conversations", h.api(h.listConversations))
	m.HandleFunc("GET /v1/conversations/{id}", h.api(h.getConversation))
	m.HandleFunc("GET /v1/conversations/{id}/messages", h.api(h.listMessages))
	m.HandleFunc("POST /v1/conversations/{id}/messages", h.api(h.sendMessage))
	m.HandleFunc("GET /v1/reviews", h.api(h.listReviews))
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		h.fail(w, http.StatusNotFound, "Not found")
	})
	return v
}

// fail writes {"status":"fail","result":"<message>"} [C].
func (h *hostaway) fail(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"status": "fail", "result": msg})
}

// hwRateLimitMsg is the 429 text; its opening is Hostaway's [C] (https://api.hostaway.com/documentation, "Rate limits"), the rest is ours.
const hwRateLimitMsg = "This error occurs because a server detects that your application has exceeded the rate limits. Please slow down and retry in a few seconds."

func (h *hostaway) writeFault(w http.ResponseWriter, r *http.Request, f Fault) {
	status := f.HTTPStatus
	if status == 0 {
		status = f.Status
	}
	switch {
	case status == http.StatusTooManyRequests:
		writeJSON(w, status, map[string]string{"status": "fail", "message": hwRateLimitMsg})
	case status == http.StatusForbidden || status == http.StatusUnauthorized:
		h.fail(w, status, "Access denied. Your access token is invalid or expired; request a new one.")
	case status >= 500:
		h.fail(w, status, "Internal server error")
	default:
		h.fail(w, status, http.StatusText(status))
	}
}

// rateLimit is the gate in front of every route: per IP and, for a live token, per account.
func (h *hostaway) rateLimit(w http.ResponseWriter, r *http.Request) bool {
	ip, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		ip = r.RemoteAddr
	}
	now := h.v.now()
	rules := []limitRule{{key: "hostaway:ip:" + ip, limit: 15, window: 10 * time.Second}}
	h.v.mu.Lock()
	if _, ok := h.v.tokens.validAccess(bearer(r), now); ok {
		rules = append(rules, limitRule{key: "hostaway:account:" + HostawayAccountID, limit: 20, window: 10 * time.Second})
	}
	var hit *limitRule
	if h.v.rateLimiting {
		hit, _ = h.v.limits.allow(now, rules...)
	}
	h.v.mu.Unlock()
	if hit != nil {
		// No Retry-After: Hostaway documents none [C].
		writeJSON(w, http.StatusTooManyRequests, map[string]string{"status": "fail", "message": hwRateLimitMsg})
		return false
	}
	return true
}

// api requires "Authorization: Bearer <live token>"; a missing or dead token is HTTP 403 [C].
func (h *hostaway) api(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		h.v.mu.Lock()
		_, ok := h.v.tokens.validAccess(bearer(r), h.v.now())
		h.v.mu.Unlock()
		if !ok {
			h.fail(w, http.StatusForbidden, "Access denied. Your access token is invalid or expired; request a new one.")
			return
		}
		next(w, r)
	}
}

// paging reads limit/offset. Absent values are reported as null in the envelope, except
// where the endpoint has a default limit (reservations: 100 [C]).
type hwPaging struct{ limit, offset any }

func (h *hostaway) paging(w http.ResponseWriter, r *http.Request, defLimit int) (hwPaging, int, int, bool) {
	q := r.URL.Query()
	var p hwPaging
	limit, offset := defLimit, 0
	if defLimit > 0 {
		p.limit = defLimit
	}
	for _, f := range []struct {
		name string
		dst  *int
		out  *any
	}{{"limit", &limit, &p.limit}, {"offset", &offset, &p.offset}} {
		if s := q.Get(f.name); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 || f.name == "limit" && n == 0 {
				h.fail(w, http.StatusBadRequest, "Invalid "+f.name)
				return p, 0, 0, false
			}
			*f.dst, *f.out = n, n
		}
	}
	return p, limit, offset, true
}

// list writes the list envelope {status, result, limit, offset, count, page, totalPages} [C];
// count is the number of matches across all pages. limit 0 means unlimited.
func (h *hostaway) list(w http.ResponseWriter, p hwPaging, all []map[string]any, limit, offset int) {
	items := all
	pg, pages := 1, 1
	if limit > 0 {
		items = slicePage(all, offset, limit)
		pg = offset/limit + 1
		pages = max(1, (len(all)+limit-1)/limit)
	} else {
		items = slicePage(all, offset, len(all)+1)
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"status": "success", "result": items, "limit": p.limit, "offset": p.offset,
		"count": len(all), "page": pg, "totalPages": pages,
	})
}

func (h *hostaway) one(w http.ResponseWriter, v any) {
	writeJSON(w, http.StatusOK, map[string]any{"status": "success", "result": v})
}

func (h *hostaway) listing(id string) *hwListing {
	for _, l := range h.listings {
		if strconv.Itoa(l.id) == id {
			return l
		}
	}
	return nil
}

func (h *hostaway) listListings(w http.ResponseWriter, r *http.Request) {
	p, limit, offset, ok := h.paging(w, r, 0)
	if !ok {
		return
	}
	q := r.URL.Query()
	var all []map[string]any
	for _, l := range h.listings {
		if q.Get("city") != "" && !strings.EqualFold(q.Get("city"), l.city) ||
			q.Get("match") != "" && !strings.Contains(strings.ToLower(l.name), strings.ToLower(q.Get("match"))) {
			continue
		}
		all = append(all, l.render())
	}
	h.list(w, p, all, limit, offset)
}

func (h *hostaway) getListing(w http.ResponseWriter, r *http.Request) {
	l := h.listing(r.PathValue("id"))
	if l == nil {
		h.fail(w, http.StatusNotFound, "Listing not found")
		return
	}
	h.one(w, l.render())
}

// listReservations: GET /v1/reservations [C]. Default order updatedOn DESC, id DESC; afterId is
// a cursor (the last id of the previous page) in that order; limit defaults to 100.
func (h *hostaway) listReservations(w http.ResponseWriter, r *http.Request) {
	p, limit, offset, ok := h.paging(w, r, 100)
	if !ok {
		return
	}
	q := r.URL.Query()
	if !h.hwInts(w, q, "listingId", "channelId") {
		return
	}
	dates := map[string]time.Time{}
	for _, name := range []string{"arrivalStartDate", "arrivalEndDate", "departureStartDate", "departureEndDate", "latestActivityStart", "latestActivityEnd"} {
		if s := q.Get(name); s != "" {
			t, ok := parseDate(s)
			if !ok {
				h.fail(w, http.StatusBadRequest, "Invalid "+name)
				return
			}
			dates[name] = t
		}
	}
	in := func(t time.Time, lo, hi string) bool {
		l, hasLo := dates[lo]
		u, hasHi := dates[hi]
		return (!hasLo || !t.Before(l)) && (!hasHi || t.Before(u.AddDate(0, 0, 1)))
	}
	type row struct {
		res    *hwRes
		latest time.Time
	}
	var rows []row
	h.v.mu.Lock()
	for _, res := range h.res {
		s := res.s
		if q.Get("listingId") != "" && q.Get("listingId") != strconv.Itoa(res.l.id) ||
			q.Get("channelId") != "" && q.Get("channelId") != strconv.Itoa(res.channelID) ||
			q.Get("guestEmail") != "" && !strings.EqualFold(q.Get("guestEmail"), s.email()) ||
			q.Get("match") != "" && !strings.Contains(strings.ToLower(s.name()), strings.ToLower(q.Get("match"))) ||
			!in(s.checkIn, "arrivalStartDate", "arrivalEndDate") ||
			!in(s.checkOut(), "departureStartDate", "departureEndDate") ||
			!in(res.latest(), "latestActivityStart", "latestActivityEnd") {
			continue
		}
		rows = append(rows, row{res, res.latest()})
	}
	h.v.mu.Unlock()
	key := map[string]func(row) time.Time{
		"arrivalDate": func(x row) time.Time { return x.res.s.checkIn }, "departureDate": func(x row) time.Time { return x.res.s.checkOut() },
		"latestActivity": func(x row) time.Time { return x.latest }, "updatedOn": func(x row) time.Time { return x.res.updatedOn },
	}
	order := q.Get("sortOrder")
	desc := order == "" || strings.HasSuffix(order, "Desc")
	f, known := key[strings.TrimSuffix(order, "Desc")]
	if order == "" {
		f = key["updatedOn"]
	} else if !known {
		h.fail(w, http.StatusBadRequest, "Invalid sortOrder")
		return
	}
	slices.SortStableFunc(rows, func(a, b row) int {
		c := f(a).Compare(f(b))
		if c == 0 {
			c = a.res.id - b.res.id
		}
		if desc {
			c = -c
		}
		return c
	})
	if s := q.Get("afterId"); s != "" {
		id, err := strconv.Atoi(s)
		if err != nil {
			h.fail(w, http.StatusBadRequest, "Invalid afterId")
			return
		}
		i := slices.IndexFunc(rows, func(x row) bool { return x.res.id == id })
		rows = rows[i+1:] // an unknown id (i = -1) starts from the top
	}
	all := make([]map[string]any, 0, len(rows))
	withRes := q.Get("includeResources") == "1"
	h.v.mu.Lock()
	for _, x := range rows {
		all = append(all, x.res.render(withRes, x.latest))
	}
	h.v.mu.Unlock()
	h.list(w, p, all, limit, offset)
}

// getReservation: GET /v1/reservations/{id}; includeResources is 0 or 1 [C: the reservation
// object's supplementary resources].
func (h *hostaway) getReservation(w http.ResponseWriter, r *http.Request) {
	if !h.hwOneOf(w, r.URL.Query(), "includeResources", "0", "1") {
		return
	}
	for _, res := range h.res {
		if strconv.Itoa(res.id) == r.PathValue("id") {
			h.v.mu.Lock()
			out := res.render(r.URL.Query().Get("includeResources") == "1", res.latest())
			h.v.mu.Unlock()
			h.one(w, out)
			return
		}
	}
	h.fail(w, http.StatusNotFound, "Reservation not found")
}
