package oauthpkce

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// Error is an OAuth error response (RFC 6749 §5.2, RFC 7591 §3.2.2,
// RFC 7009 §2.2.1). Handlers return it as a value; writeError is its one
// writer. The description is shown to the client: it never names a secret.
type Error struct {
	Code        string `json:"error"`
	Description string `json:"error_description,omitempty"`
	Status      int    `json:"-"`
	// basic adds the HTTP Basic challenge RFC 6749 §5.2 asks for when a
	// client that used Basic fails to authenticate.
	basic bool
	// retryAfter, when set, is sent as Retry-After (RFC 9110 §10.2.3) with
	// a 429 or 503.
	retryAfter time.Duration
}

func (e *Error) Error() string {
	if e.Description == "" {
		return e.Code
	}
	return e.Code + ": " + e.Description
}

// The OAuth error codes hostgate emits.
const (
	codeInvalidRequest          = "invalid_request"
	codeInvalidClient           = "invalid_client"
	codeInvalidGrant            = "invalid_grant"
	codeUnauthorizedClient      = "unauthorized_client"
	codeUnsupportedGrantType    = "unsupported_grant_type"
	codeInvalidScope            = "invalid_scope"
	codeAccessDenied            = "access_denied"
	codeUnsupportedResponseType = "unsupported_response_type"
	codeServerError             = "server_error"
	codeTemporarilyUnavailable  = "temporarily_unavailable"
	codeInvalidTarget           = "invalid_target"          // RFC 8707 §2
	codeInvalidRedirectURI      = "invalid_redirect_uri"    // RFC 7591 §3.2.2
	codeInvalidClientMetadata   = "invalid_client_metadata" // RFC 7591 §3.2.2
	codeUnsupportedTokenType    = "unsupported_token_type"  // RFC 7009 §2.2.1
)

func errorf(status int, code, description string) *Error {
	return &Error{Code: code, Description: description, Status: status}
}

func badRequest(code, description string) *Error {
	return errorf(http.StatusBadRequest, code, description)
}

func invalidGrant(desc string) *Error { return badRequest(codeInvalidGrant, desc) }

// invalidClient is RFC 6749 §5.2's invalid_client: 401, with a Basic
// challenge when the client tried Basic.
func invalidClient(basic bool) *Error {
	e := errorf(http.StatusUnauthorized, codeInvalidClient, "client authentication failed")
	e.basic = basic
	return e
}

// serverError is the answer to a failure inside hostgate: 500 and nothing
// about the cause, which only the log sees.
var serverError = errorf(http.StatusInternalServerError, codeServerError, "")

// writeError writes e as the JSON body of an OAuth error response.
// RFC 6749 §5.1: responses of the token endpoint are never cached.
func writeError(w http.ResponseWriter, e *Error) {
	status := e.Status
	if status == 0 {
		status = http.StatusBadRequest
	}
	if e.basic {
		w.Header().Set("WWW-Authenticate", `Basic realm="hostgate"`)
	}
	if e.retryAfter > 0 {
		secs := int64((e.retryAfter + time.Second - 1) / time.Second)
		w.Header().Set("Retry-After", strconv.FormatInt(secs, 10))
	}
	writeJSON(w, status, e)
}

// writeJSON writes v as JSON with Cache-Control: no-store, as every
// authorization-server response that may carry a secret must be.
func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
