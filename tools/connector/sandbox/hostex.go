package sandbox

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// hostex fakes the Hostex OpenAPI v3 (docs/vendors.md, "Hostex"). Every response, errors included, is
// HTTP 200 with the {request_id, error_code, error_msg, data} envelope; success is error_code 0.
type hostex struct {
	v         *Vendor
	props     []*hostexProperty
	res       []*hostexRes // booked_at, newest first
	convs     []*hostexConv
	nextMsgID int // guarded by v.mu
	// openNight is the night between the fixed stays that no seeded block closes (hostex_jobs.go).
	openNight time.Time
}

// NewHostex returns an unstarted Hostex fake: API under /v3, OAuth authorize page at
// /app/authorization, token at /v3/oauth/authorizations, revoke at /v3/oauth/revoke.
func NewHostex(opts Options) *Vendor {
	v := newVendor("hostex", "/v3", opts)
	v.ClientID, v.ClientSecret = HostexClientID, HostexClientSecret
	h := &hostex{v: v}
	h.seed(opts)
	v.authPaths = []string{"/app/authorization", "/v3/oauth/authorizations", "/v3/oauth/revoke"}
	v.tokenPath = "/v3/oauth/authorizations"
	v.writeFault = h.writeFault
	v.urls = func(v *Vendor, root string) {
		v.AuthorizeURL = root + "/app/authorization"
		v.TokenURL = root + "/v3/oauth/authorizations"
		v.RevokeURL = root + "/v3/oauth/revoke"
	}
	m := v.mux
	m.HandleFunc("GET /app/authorization", h.authorize)
	m.HandleFunc("POST /app/authorization", v.finishConsent)
	m.HandleFunc("POST /v3/oauth/authorizations", h.token)
	m.HandleFunc("POST /v3/oauth/revoke", h.revoke)
	m.HandleFunc("GET /v3/properties", h.api(h.listProperties))
	m.HandleFunc("GET /v3/reservations", h.api(h.listReservations))
	m.HandleFunc("PATCH /v3/reservations/{code}", h.api(h.updateReservation))
	m.HandleFunc("PATCH /v3/reservations/{code}/check_in_details", h.api(h.updateCheckInDetails))
	m.HandleFunc("GET /v3/availabilities", h.api(h.availabilities))
	m.HandleFunc("POST /v3/availabilities", h.api(h.updateAvailabilities))
	m.HandleFunc("POST /v3/listings/calendar", h.api(h.listingCalendar))
	m.HandleFunc("POST /v3/listings/prices", h.api(h.updatePrices))
	m.HandleFunc("POST /v3/listings/restrictions", h.api(h.updateRestrictions))
	m.HandleFunc("GET /v3/conversations", h.api(h.listConversations))
	m.HandleFunc("GET /v3/conversations/{id}", h.api(h.getConversation))
	m.HandleFunc("POST /v3/conversations/{id}", h.api(h.sendMessage))
	m.HandleFunc("GET /v3/reviews", h.api(h.listReviews))
	m.HandleFunc("POST /v3/reviews/{code}", h.api(h.review))
	// An unknown path, or a known one with another method, is error_code 404 in the envelope
	// (Errors: "the resource id does not exist (or the path is misspelled)" [C]).
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		h.envelope(w, 404, "", nil)
	})
	return v
}

// hostexMessages are the error_msg texts. Clients must not parse them (https://apidoc.hostex.io/reference/errors).
var hostexMessages = map[int]string{
	0: "Done.", 400: "Bad request.", 401: "Invalid access token", 403: "Forbidden.",
	404: "Not found.", 409: "Conflict.", 420: "Subscription expired", 422: "Validation failed.",
	429: "Too Many Attempts.", 500: "Internal server error.", 501: "Endpoint disabled.",
	502: "Bad gateway.", 503: "Service unavailable.", 504: "Gateway timeout.",
}

type hostexEnvelope struct {
	RequestID string `json:"request_id"`
	ErrorCode int    `json:"error_code"`
	ErrorMsg  string `json:"error_msg"`
	Data      any    `json:"data,omitempty"`
}

// envelope writes the Hostex envelope in HTTP 200. msg "" uses the code's standard text.
func (h *hostex) envelope(w http.ResponseWriter, code int, msg string, data any) {
	h.envelopeStatus(w, http.StatusOK, code, msg, data)
}

func (h *hostex) envelopeStatus(w http.ResponseWriter, status, code int, msg string, data any) {
	if msg == "" {
		msg = hostexMessages[code]
		if msg == "" {
			msg = "Error."
		}
	}
	rid := "RT" + h.v.now().UTC().Format("20060102150405") + newHexID(4)[:7]
	writeJSON(w, status, hostexEnvelope{RequestID: rid, ErrorCode: code, ErrorMsg: msg, Data: data})
}

func (h *hostex) ok(w http.ResponseWriter, data any) { h.envelope(w, 0, "", data) }

func (h *hostex) writeFault(w http.ResponseWriter, r *http.Request, f Fault) {
	code := f.Status
	if code == 0 {
		code = f.HTTPStatus
	}
	if code == 429 {
		w.Header().Set("X-RateLimit-Scope", "user")
		w.Header().Set("X-RateLimit-Window", "1m")
		w.Header().Set("X-RateLimit-Reason", "Too many requests for this access token.")
	}
	status := f.HTTPStatus
	if status == 0 {
		status = http.StatusOK
	}
	h.envelopeStatus(w, status, code, "", nil)
}

// hostexCaller is an authenticated API caller.
type hostexCaller struct {
	token    string
	writable bool
}

// api authenticates (a personal token in Hostex-Access-Token, falling back to Authorization:
// Bearer [C]; an OAuth token only as a bearer token) and applies
// the per-token and per-token+path rate limits before calling next.
func (h *hostex) api(next func(http.ResponseWriter, *http.Request, hostexCaller)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok := r.Header.Get("Hostex-Access-Token")
		inBearer := tok == ""
		if inBearer {
			tok = bearer(r)
		}
		c := hostexCaller{token: tok}
		now := h.v.now()
		switch tok {
		case "":
			h.envelope(w, 401, "Access token is required.", nil)
			return
		case HostexWritableToken:
			c.writable = true
		case HostexReadOnlyToken:
		case HostexLapsedToken:
			h.envelope(w, 420, "", nil)
			return
		default:
			h.v.mu.Lock()
			_, ok := h.v.tokens.validAccess(tok, now)
			h.v.mu.Unlock()
			// An OAuth access token travels in Authorization: Bearer, a
			// personal token in Hostex-Access-Token [C: Hostex's
			// authentication document]; an OAuth token in the personal
			// header is refused as unknown there [I].
			if !ok || !inBearer {
				h.envelope(w, 401, "", nil)
				return
			}
			c.writable = true // partner OAuth tokens act for the host with full access
		}
		if !h.limit(w, r, tok, now) {
			return
		}
		next(w, r, c)
	}
}

// limit enforces the documented per-token limits [C] on the injected clock. The longer
// windows (1 h, 24 h) are left out: no test outlives them.
func (h *hostex) limit(w http.ResponseWriter, r *http.Request, tok string, now time.Time) bool {
	path, perMin := r.URL.Path, 600
	switch {
	case r.Method == http.MethodPost && path == "/v3/availabilities":
		perMin = 120
	case r.Method == http.MethodPost && strings.HasPrefix(path, "/v3/listings/"):
		path, perMin = "/v3/listings/*", 120
	case r.Method == http.MethodPost && path == "/v3/reservations":
		perMin = 60
	}
	ep := "hostex:ep:" + tok + ":" + r.Method + " " + path
	return h.allow(w, now, "Too Many Attempts.",
		limitRule{key: "hostex:user:" + tok, limit: 1200, window: time.Minute, label: "1m", scope: "user"},
		limitRule{key: "hostex:user:" + tok, limit: 12000, window: 5 * time.Minute, label: "5m", scope: "user"},
		limitRule{key: ep, limit: perMin, window: time.Minute, label: "1m", scope: "endpoint"},
		limitRule{key: ep, limit: 6000, window: 5 * time.Minute, label: "5m", scope: "endpoint"},
	)
}

// allow checks rules; when one is full it writes error_code 429 with Retry-After and the
// X-RateLimit-* headers [C] and returns false.
func (h *hostex) allow(w http.ResponseWriter, now time.Time, msg string, rules ...limitRule) bool {
	h.v.mu.Lock()
	on := h.v.rateLimiting
	var hit *limitRule
	var wait time.Duration
	if on {
		hit, wait = h.v.limits.allow(now, rules...)
	}
	h.v.mu.Unlock()
	if hit == nil {
		return true
	}
	w.Header().Set("Retry-After", strconv.Itoa(retrySeconds(wait)))
	w.Header().Set("X-RateLimit-Scope", hit.scope)
	w.Header().Set("X-RateLimit-Window", hit.label)
	w.Header().Set("X-RateLimit-Reason", "Rate limit of "+strconv.Itoa(hit.limit)+" requests per "+hit.label+" exceeded.")
	h.envelope(w, 429, msg, nil)
	return false
}

// offsetLimit reads offset/limit (limit default 20, at most 100 [C]). required: the list's
// schema requires both (GET /conversations and GET /reviews [C]); a missing one is refused as a
// failed validation rule, 422 (the Errors page's 400 is for a missing body or bad JSON [I]).
func (h *hostex) offsetLimit(w http.ResponseWriter, r *http.Request, required bool) (offset, limit int, ok bool) {
	q := r.URL.Query()
	if required {
		for _, name := range []string{"offset", "limit"} {
			if q.Get(name) == "" {
				h.envelope(w, 422, "The "+name+" field is required.", nil)
				return 0, 0, false
			}
		}
	}
	offset, limit = 0, 20
	if s := q.Get("offset"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			h.envelope(w, 422, "The offset must be an integer of at least 0.", nil)
			return 0, 0, false
		}
		offset = n
	}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 100 {
			h.envelope(w, 422, "The limit must be between 1 and 100.", nil)
			return 0, 0, false
		}
		limit = n
	}
	return offset, limit, true
}

// intParams refuses a query parameter the schema types as an integer [C] that is not one
// (property ids), as a failed validation rule: 422 [I: the Errors page's validation code].
func (h *hostex) intParams(w http.ResponseWriter, r *http.Request, names ...string) bool {
	q := r.URL.Query()
	for _, name := range names {
		if s := q.Get(name); s != "" {
			if _, err := strconv.ParseInt(s, 10, 64); err != nil {
				h.envelope(w, 422, "The "+name+" must be an integer.", nil)
				return false
			}
		}
	}
	return true
}

func slicePage[T any](all []T, offset, limit int) []T {
	if offset >= len(all) {
		return []T{}
	}
	return all[offset:min(offset+limit, len(all))]
}

func (h *hostex) listProperties(w http.ResponseWriter, r *http.Request, _ hostexCaller) {
	offset, limit, ok := h.offsetLimit(w, r, false)
	if !ok || !h.intParams(w, r, "id") {
		return
	}
	var all []*hostexProperty
	id := r.URL.Query().Get("id")
	for _, p := range h.props {
		if id == "" || id == strconv.Itoa(p.ID) {
			all = append(all, p)
		}
	}
	h.ok(w, map[string]any{"properties": slicePage(all, offset, limit), "total": len(all)})
}

var hostexStatuses = []string{"wait_accept", "wait_pay", "accepted", "cancelled", "denied", "timeout"}

// hostexChannelEnum is the spec's ChannelType, every channel a reservation or listing can be
// on [C]; the listing endpoints take the narrower hostexChannelParams.
var hostexChannelEnum = []string{"airbnb", "booking.com", "agoda", "expedia", "vrbo", "trip.com",
	"booking_site", "tujia_intl", "hostex_direct", "tujia", "xiaozhu", "meituan_bnb", "meituan_hotel",
	"muniao", "fliggy", "zhukeyun", "tiktok", "xiaohongshu", "ctrip", "houfy"}

// listReservations: GET /reservations. Without any date filter (and without a
// reservation_code) the window is check-out from today through today+180 days [C: "default:
// check-out within 180 days"; that it looks forward from today is our reading].
func (h *hostex) listReservations(w http.ResponseWriter, r *http.Request, _ hostexCaller) {
	offset, limit, ok := h.offsetLimit(w, r, false)
	if !ok || !h.intParams(w, r, "property_id") {
		return
	}
	q := r.URL.Query()
	var bounds [4]time.Time // start/end check-in, start/end check-out
	anyDate := false
	for i, name := range []string{"start_check_in_date", "end_check_in_date", "start_check_out_date", "end_check_out_date"} {
		if s := q.Get(name); s != "" {
			t, ok := parseDate(s)
			if !ok {
				h.envelope(w, 422, "The "+name+" is not a valid date (YYYY-MM-DD).", nil)
				return
			}
			bounds[i], anyDate = t, true
		}
	}
	code := q.Get("reservation_code")
	if !anyDate && code == "" {
		today := day(h.v.now())
		bounds[2], bounds[3] = today, today.AddDate(0, 0, 180)
	}
	status := q.Get("status")
	if status != "" && !slices.Contains(hostexStatuses, status) {
		h.envelope(w, 422, "The selected status is invalid.", nil)
		return
	}
	if ch := q.Get("channel_type"); ch != "" && !slices.Contains(hostexChannelEnum, ch) {
		h.envelope(w, 422, "The selected channel_type is invalid.", nil)
		return
	}
	orderBy := q.Get("order_by")
	if orderBy == "" {
		orderBy = "booked_at"
	}
	// The spec's order_by enum [C]; created_at is not in it.
	if !slices.Contains([]string{"booked_at", "check_in_date", "check_out_date", "cancelled_at"}, orderBy) {
		h.envelope(w, 422, "The selected order_by is invalid.", nil)
		return
	}
	in := func(t, lo, hi time.Time) bool {
		return (lo.IsZero() || !t.Before(lo)) && (hi.IsZero() || !t.After(hi))
	}
	var all []*hostexRes
	for _, res := range h.res {
		s := res.s
		switch {
		case code != "" && res.code != code,
			q.Get("property_id") != "" && q.Get("property_id") != strconv.Itoa(res.prop.ID),
			q.Get("channel_type") != "" && q.Get("channel_type") != res.channelType,
			q.Get("channel_id") != "" && q.Get("channel_id") != res.channelID,
			status != "" && status != res.status(),
			!in(s.checkIn, bounds[0], bounds[1]),
			!in(s.checkOut(), bounds[2], bounds[3]):
			continue
		}
		all = append(all, res)
	}
	sortHostexRes(all, orderBy)
	now := h.v.now()
	out := []map[string]any{}
	h.v.mu.Lock() // the host's remarks and check-in details change
	for _, res := range slicePage(all, offset, limit) {
		out = append(out, res.render(now))
	}
	h.v.mu.Unlock()
	// No total on reservations [C]: clients stop on a short page.
	h.ok(w, map[string]any{"reservations": out})
}

// sortHostexRes orders reservations; booked_at and the timestamps newest first [C], the
// dates earliest first [I].
func sortHostexRes(all []*hostexRes, orderBy string) {
	key := func(res *hostexRes) time.Time {
		switch orderBy {
		case "check_in_date":
			return res.s.checkIn
		case "check_out_date":
			return res.s.checkOut()
		case "cancelled_at":
			return res.s.cancelledAt
		}
		return res.s.bookedAt
	}
	asc := orderBy == "check_in_date" || orderBy == "check_out_date"
	slices.SortStableFunc(all, func(a, b *hostexRes) int {
		c := key(a).Compare(key(b))
		if !asc {
			c = -c
		}
		return c
	})
}
