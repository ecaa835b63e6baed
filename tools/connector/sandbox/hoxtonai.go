package sandbox

import (
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"slices"
	"sync"

	"github.com/go-jose/go-jose/v4"
)

// hoxton fakes HoxtonAI (docs/vendors.md, "HoxtonAI"): an Auth0-style authorization server (issuer "<root>/")
// and the monitor-reports API, which takes Bearer JWTs for audience https://api.hoxton.cloud.
// Endpoints marked [I] are inferred: only PUT/DELETE people-count-monitors and the
// dwell-time reports are confirmed. What hostgate sends is held to the contract in
// testdata/vendors/hoxtonai; the fake refuses what breaks it as the API would: an unknown path
// 404, a wrong type or an unknown member 422 (hoxtonai_validate.go).
type hoxton struct {
	v         *Vendor
	sites     []*hxSite
	people    []*hxPeopleMonitor // guarded by v.mu (PUT/DELETE change them)
	occupancy []*hxOccupancyMonitor
	counts    map[string]map[string]hxDayCount // monitor id → date → counts
	reports   map[string]*hxReport             // report id → report; guarded by v.mu

	keyOnce sync.Once // the RSA key is made on first use, so starting a sandbox stays fast
	key     *rsa.PrivateKey
	kid     string
	signer  jose.Signer
	keyErr  error
}

// NewHoxtonAI returns an unstarted HoxtonAI fake. The API is at the root; the Auth0-like
// server serves /.well-known/openid-configuration, /.well-known/jwks.json, /authorize,
// /oauth/token, /oauth/revoke and /userinfo on the same listener.
func NewHoxtonAI(opts Options) *Vendor {
	v := newVendor("hoxtonai", "", opts)
	v.ClientID, v.ClientSecret = HoxtonAIClientID, HoxtonAIClientSecret
	x := &hoxton{v: v, reports: map[string]*hxReport{}}
	x.seed(opts)
	v.authPaths = []string{"/.well-known/openid-configuration", "/.well-known/jwks.json", "/authorize",
		"/oauth/token", "/oauth/revoke", "/userinfo"}
	v.tokenPath = "/oauth/token"
	v.writeFault = x.writeFault
	v.urls = func(v *Vendor, root string) {
		v.AuthorizeURL = root + "/authorize"
		v.TokenURL = root + "/oauth/token"
		v.RevokeURL = root + "/oauth/revoke"
		v.Issuer = root + "/"
	}
	m := v.mux
	m.HandleFunc("GET /.well-known/openid-configuration", x.discovery)
	m.HandleFunc("GET /.well-known/jwks.json", x.jwks)
	m.HandleFunc("GET /authorize", x.authorize)
	m.HandleFunc("POST /authorize", v.finishConsent)
	m.HandleFunc("POST /oauth/token", x.token)
	m.HandleFunc("POST /oauth/revoke", x.revoke)
	m.HandleFunc("GET /userinfo", x.userinfo)
	m.HandleFunc("GET /sites", x.api(x.listSites))
	m.HandleFunc("GET /sites/{siteId}", x.api(x.getSite))
	m.HandleFunc("GET /people-count-monitors", x.api(x.listPeopleMonitors))
	m.HandleFunc("PUT /people-count-monitors", x.api(x.putPeopleMonitor))
	m.HandleFunc("DELETE /people-count-monitors/{peopleCountMonitorId}", x.api(x.deletePeopleMonitor))
	m.HandleFunc("GET /occupancy-monitors", x.api(x.listOccupancyMonitors))
	m.HandleFunc("POST /count-reports", x.api(x.createCountReport))
	m.HandleFunc("GET /count-reports/{countReportId}", x.api(x.getReport("countReportId")))
	m.HandleFunc("POST /dwell-time-reports", x.api(x.createDwellReport))
	m.HandleFunc("GET /dwell-time-reports/{dwellTimeReportId}", x.api(x.getReport("dwellTimeReportId")))
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		x.fail(w, http.StatusNotFound, "")
	})
	return v
}

// The API's error body is undocumented; the fake uses the Auth0 shape {error,
// error_description} [I] with the status codes the API documents (400/401/403/404/410/413/
// 422/500/501 [C]).
var hxErrors = map[int]string{
	400: "bad_request", 401: "invalid_token", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
	410: "gone", 413: "payload_too_large", 422: "unprocessable_entity", 429: "too_many_requests",
	500: "internal_error", 501: "not_implemented", 502: "bad_gateway", 503: "service_unavailable",
}

func (x *hoxton) fail(w http.ResponseWriter, status int, desc string) {
	code := hxErrors[status]
	if code == "" {
		code = "error"
	}
	if desc == "" {
		desc = http.StatusText(status)
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="api.hoxton.cloud", error="invalid_token", error_description="`+desc+`"`)
	}
	writeJSON(w, status, oauthError{Error: code, Description: desc})
}

func (x *hoxton) writeFault(w http.ResponseWriter, r *http.Request, f Fault) {
	status := f.HTTPStatus
	if status == 0 {
		status = f.Status
	}
	x.fail(w, status, "")
}

// api requires a live access token whose audience includes https://api.hoxton.cloud.
func (x *hoxton) api(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		x.v.mu.Lock()
		at, ok := x.v.tokens.validAccess(bearer(r), x.v.now())
		x.v.mu.Unlock()
		switch {
		case bearer(r) == "":
			x.fail(w, http.StatusUnauthorized, "Missing bearer token")
		case !ok:
			x.fail(w, http.StatusUnauthorized, "Invalid or expired token")
		case !slices.Contains(at.audience, HoxtonAIAudience):
			x.fail(w, http.StatusUnauthorized, "Invalid audience")
		default:
			next(w, r)
		}
	}
}

// listSites: GET /sites [I] — a plain JSON array of the organisation's sites.
func (x *hoxton) listSites(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, x.sites)
}

// getSite: GET /sites/{siteId} [I]; a siteId that is not a uuid is 422 [I].
func (x *hoxton) getSite(w http.ResponseWriter, r *http.Request) {
	if !x.uuidParam(w, "siteId", r.PathValue("siteId")) {
		return
	}
	if s := x.site(r.PathValue("siteId")); s != nil {
		writeJSON(w, http.StatusOK, s)
		return
	}
	x.fail(w, http.StatusNotFound, "Site not found")
}

func (x *hoxton) site(id string) *hxSite {
	for _, s := range x.sites {
		if s.ID == id {
			return s
		}
	}
	return nil
}

// listPeopleMonitors: GET /people-count-monitors?siteId= [I]; deleted monitors are left out.
func (x *hoxton) listPeopleMonitors(w http.ResponseWriter, r *http.Request) {
	site := r.URL.Query().Get("siteId")
	if r.URL.Query().Has("siteId") && !x.uuidParam(w, "siteId", site) {
		return
	}
	if site != "" && x.site(site) == nil {
		x.fail(w, http.StatusNotFound, "Site not found")
		return
	}
	out := []hxPeopleMonitor{}
	x.v.mu.Lock()
	for _, m := range x.people {
		if m.State == "active" && (site == "" || m.SiteID == site) {
			out = append(out, *m)
		}
	}
	x.v.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

// listOccupancyMonitors: GET /occupancy-monitors?siteId= [I].
func (x *hoxton) listOccupancyMonitors(w http.ResponseWriter, r *http.Request) {
	site := r.URL.Query().Get("siteId")
	if r.URL.Query().Has("siteId") && !x.uuidParam(w, "siteId", site) {
		return
	}
	if site != "" && x.site(site) == nil {
		x.fail(w, http.StatusNotFound, "Site not found")
		return
	}
	out := []*hxOccupancyMonitor{}
	for _, m := range x.occupancy {
		if site == "" || m.SiteID == site {
			out = append(out, m)
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// putPeopleMonitor: PUT /people-count-monitors, an upsert [C]: 201 with the monitor when
// created, 204 when updated. siteId is required; dailyResetMin is 0–1440; state is active
// or deleted.
func (x *hoxton) putPeopleMonitor(w http.ResponseWriter, r *http.Request) {
	var in hxPeopleMonitor
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		x.fail(w, http.StatusBadRequest, "Malformed JSON body")
		return
	}
	switch {
	case in.SiteID == "" || x.site(in.SiteID) == nil:
		x.fail(w, http.StatusUnprocessableEntity, "siteId must be the id of one of your sites")
		return
	case in.Name == "":
		x.fail(w, http.StatusUnprocessableEntity, "name is required")
		return
	case in.DailyResetMin < 0 || in.DailyResetMin > 1440:
		x.fail(w, http.StatusUnprocessableEntity, "dailyResetMin must be between 0 and 1440")
		return
	case in.State != "" && in.State != "active" && in.State != "deleted":
		x.fail(w, http.StatusUnprocessableEntity, "state must be active or deleted")
		return
	}
	if in.State == "" {
		in.State = "active"
	}
	x.v.mu.Lock()
	defer x.v.mu.Unlock()
	for _, m := range x.people {
		if in.ID != "" && m.ID == in.ID {
			*m = in
			w.WriteHeader(http.StatusNoContent)
			return
		}
	}
	if in.ID == "" {
		in.ID = newUUID()
	}
	m := in
	x.people = append(x.people, &m)
	writeJSON(w, http.StatusCreated, m)
}

// deletePeopleMonitor: DELETE /people-count-monitors/{id} [C] → 204; unknown 404, already
// deleted 410, not a uuid 422 [I].
func (x *hoxton) deletePeopleMonitor(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("peopleCountMonitorId")
	if !x.uuidParam(w, "peopleCountMonitorId", id) {
		return
	}
	x.v.mu.Lock()
	defer x.v.mu.Unlock()
	for _, m := range x.people {
		if m.ID != id {
			continue
		}
		if m.State == "deleted" {
			x.fail(w, http.StatusGone, "Monitor already deleted")
			return
		}
		m.State = "deleted"
		w.WriteHeader(http.StatusNoContent)
		return
	}
	x.fail(w, http.StatusNotFound, "Monitor not found")
}
