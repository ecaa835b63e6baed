package sandbox

import (
	"net/http"
	"slices"
	"strings"
)

// How the Hospitable fake takes a request in: who is calling and with which scopes, which
// includes the endpoint lists, and how it refuses what it cannot take, in the shapes the
// reference publishes.

var hspMessages = map[int]string{
	401: "Unauthenticated.", 403: "This action is unauthorized.", 404: "Not Found.",
	405: "Method Not Allowed.", 422: "The given data was invalid.", 429: "Too Many Attempts.",
}

// fail writes an error {"message": …} for the statuses whose body the reference does not publish
// (its 401, 404 and 500 schemas are marked internal): Laravel's shape [I]. "Unauthenticated" for a
// dead token is the authentication guide's word [C].
func (h *hospitable) fail(w http.ResponseWriter, status int, msg string) {
	if msg == "" {
		msg = hspMessages[status]
		if msg == "" {
			msg = "Server Error"
		}
	}
	h.trace(w)
	writeJSON(w, status, map[string]string{"message": msg})
}

// invalid refuses a request Hospitable cannot take: 400 {status_code, reason_phrase, message}, the
// answer the reference shows for a bad page parameter (GET /properties) and a message without a
// body (POST /reservations/{uuid}/messages) [C: public.json]. That every other invalid parameter
// or body is refused the same way is [I]; a third party saw a bad status[] answered 400 [T].
func (h *hospitable) invalid(w http.ResponseWriter, msg string) {
	h.trace(w)
	writeJSON(w, http.StatusBadRequest, map[string]any{"status_code": http.StatusBadRequest, "reason_phrase": msg, "message": msg})
}

// trace sets X-Hospitable-Trace, the request id header [C].
func (h *hospitable) trace(w http.ResponseWriter) {
	w.Header().Set("X-Hospitable-Trace", newHexID(16))
}

func (h *hospitable) writeFault(w http.ResponseWriter, r *http.Request, f Fault) {
	status := f.HTTPStatus
	if status == 0 {
		status = f.Status
	}
	switch status {
	case http.StatusBadRequest:
		h.invalid(w, "The request is invalid.")
	case http.StatusUnprocessableEntity:
		h.refused(w, status, hspMessages[422])
	default:
		h.fail(w, status, "")
	}
}

// HospitableNoFinancialsPAT is a personal access token that holds every scope but
// financials:read: a reservation read that asks include=financials is refused with 403 [T].
const HospitableNoFinancialsPAT = "hsp_pat_sandbox_nofin_8c1e5a9d3f7b2e6c0a4d"

// HospitableNoListingsPAT is a personal access token that holds every scope but listing:read: a
// read that asks include=listings is refused with 403 [T].
const HospitableNoListingsPAT = "hsp_pat_sandbox_nolst_3b7e1d9a5c2f8e4a6d0b"

// HospitableNoTransactionsPAT is a personal access token that holds every scope but
// transaction:read, which GET /payouts and GET /transactions need [C]: both are refused with 403.
const HospitableNoTransactionsPAT = "hsp_pat_sandbox_notrx_6d2a8f4c0e9b1d7a3f5c"

// hspCaller is an authenticated caller.
type hspCaller struct {
	token           string
	canWrite        bool // holds the write scopes: message:write, calendar:write, reviews:write, quote:write
	canFinancials   bool // holds financials:read, which include=financials needs [C]
	canListings     bool // holds listing:read, which include=listings needs [C]
	canTransactions bool // holds transaction:read, which payouts and transactions need [C]
	// vendorApp: the token is an approved vendor's OAuth token, not a host's personal access
	// token; the enrichment endpoints are "restricted to Vendors only" [C].
	vendorApp bool
}

// scopeRefused answers a read that asks for an include the token's scopes do not cover:
// financials and financialsV2 need financials:read, listings needs listing:read [C: public.json,
// each endpoint's "Available includes"]. The reference does not say how the refusal looks; a
// missing scope is 403 [T], in Laravel's {"message"} [I]. It reports whether it wrote the refusal.
func (h *hospitable) scopeRefused(w http.ResponseWriter, inc map[string]bool, c hspCaller) bool {
	if !c.canFinancials && (inc["financials"] || inc["financialsV2"]) || !c.canListings && inc["listings"] {
		h.fail(w, http.StatusForbidden, "Invalid scope(s) provided.")
		return true
	}
	return false
}

// api authenticates "Authorization: Bearer <PAT or OAuth token>" [C]; anything else is
// 401 {"message":"Unauthenticated."}.
func (h *hospitable) api(next func(http.ResponseWriter, *http.Request, hspCaller)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok := bearer(r)
		c := hspCaller{token: tok, canFinancials: true, canListings: true, canTransactions: true}
		switch tok {
		case HospitablePAT:
			c.canWrite = true
		case HospitableReadOnlyPAT:
		case HospitableNoFinancialsPAT:
			c.canWrite, c.canFinancials = true, false
		case HospitableNoListingsPAT:
			c.canWrite, c.canListings = true, false
		case HospitableNoTransactionsPAT:
			c.canWrite, c.canTransactions = true, false
		default:
			h.v.mu.Lock()
			_, ok := h.v.tokens.validAccess(tok, h.v.now())
			h.v.mu.Unlock()
			if tok == "" || !ok {
				h.fail(w, http.StatusUnauthorized, "")
				return
			}
			// The sandbox partner app was granted the write scopes, and is a vendor.
			c.canWrite, c.vendorApp = true, true
		}
		h.trace(w)
		next(w, r, c)
	}
}

func includes(r *http.Request) map[string]bool {
	out := map[string]bool{}
	for _, s := range strings.Split(r.URL.Query().Get("include"), ",") {
		if s = strings.TrimSpace(s); s != "" {
			out[s] = true
		}
	}
	return out
}

// The includes each endpoint lists [C: public.json, each endpoint's "Available includes"].
var (
	hspPropertyIncludes    = []string{"user", "listings", "details", "bookings"}
	hspReviewIncludes      = []string{"guest", "reservations"}
	hspReservationIncludes = []string{"guest", "user", "financials", "financialsV2", "listings", "properties", "review"}
	hspOneResIncludes      = []string{"guest", "user", "financials", "financialsV2", "listings", "properties"}
)

// includesOf reads include= and refuses one the endpoint does not list with a 400 [I: the
// reference names the available includes but not the refusal of another; a 400 is how it answers
// other bad parameters]. ok is false when it wrote the refusal.
func (h *hospitable) includesOf(w http.ResponseWriter, r *http.Request, allowed []string) (inc map[string]bool, ok bool) {
	inc = includes(r)
	for name := range inc {
		if !slices.Contains(allowed, name) {
			h.invalid(w, "The include "+name+" is not available here; available: "+strings.Join(allowed, ", ")+".")
			return nil, false
		}
	}
	return inc, true
}
