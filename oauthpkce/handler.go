package oauthpkce

import (
	"errors"
	"net/http"

	"github.com/hostgate/hostgate/internal/web"
)

// handlerFunc is an endpoint that writes its own success and returns its
// failure. Whether a failure is written as JSON, as a page or as a redirect
// is the adapter's business (serveJSON, servePage), never the handler's.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// serveJSON adapts h for the endpoints programs call (token, revocation,
// registration). A failure is written as an OAuth JSON error with
// Cache-Control: no-store: an *Error as it is; anything else is logged and
// answered 500 server_error, saying nothing of the cause.
func (s *Server) serveJSON(h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		err := h(w, r)
		if err == nil {
			return
		}
		e, ok := errors.AsType[*Error](err)
		if !ok {
			s.log.ErrorContext(r.Context(), "server error", "path", r.URL.Path, "err", err)
			e = serverError
		}
		writeError(w, e)
	}
}

// servePage adapts h for the endpoints the host's browser visits
// (authorization, consent). A *redirectError goes back to the client's
// checked redirect URI; a *pageError is shown on hostgate's own page;
// anything else is logged and shown as a generic page. Only a
// *redirectError redirects, and only checkClient's success makes one
// possible, so an invalid client or redirect URI never redirects (RFC 6749
// §4.1.2.1, RFC 9700 §4.1).
func (s *Server) servePage(h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		err := h(w, r)
		if re, ok := errors.AsType[*redirectError](err); ok {
			err = s.redirectToClient(w, r, re.req, re.err.values())
		}
		if err == nil {
			return
		}
		if pe, ok := errors.AsType[*pageError](err); ok {
			s.errorPage(w, r, pe)
			return
		}
		s.log.ErrorContext(r.Context(), "server error", "path", r.URL.Path, "err", err)
		errorTemplate.Render(w, http.StatusInternalServerError, web.CSP(), &pageError{
			Title: "Something went wrong", Message: "hostgate could not finish this step. Try again in a moment.",
		})
	}
}

// redirectError is an authorization error for the client (RFC 6749
// §4.1.2.1), sent to the redirect URI checkClient accepted for req.
type redirectError struct {
	req authRequest
	err *Error
}

// toClient returns e as an error servePage sends to req's redirect URI.
// req must have passed checkClient.
func toClient(req authRequest, e *Error) error { return &redirectError{req: req, err: e} }

func (e *redirectError) Error() string { return "to client: " + e.err.Error() }
func (e *redirectError) Unwrap() error { return e.err }

// pageError is an error shown to the host on hostgate's own page, never
// sent to the client.
type pageError struct {
	Status  int
	Title   string
	Message string
	Code    string
}

func (e *pageError) Error() string { return e.Title + ": " + e.Message }
