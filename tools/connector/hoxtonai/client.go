package hoxtonai

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/hostgate/hostgate/tools/connector"
)

// api is what HoxtonAI's API and its Auth0 tenant do their own way on
// connector's request path: their error bodies. A token goes as a Bearer
// token and a refused one is a 401 [C].
type api struct{ connector.Bearer }

// Read decodes a 2xx body into out. A failure's message is the vendor's
// short error code (Auth0 style) or message: {error, error_description}
// (Auth0 and, we assume, the API [I]) or {message} (a gateway's, or the
// API's [I]); the reference names each error status but publishes no
// error body. A 501 is an endpoint the API does not have [C: "not
// implemented"]; Auth0 answers a refused code or refresh token
// (invalid_grant) with a 403 [I], which is a refused grant, not a
// permission.
func (api) Read(resp connector.Response, out any) connector.Reply {
	if resp.OK() {
		// Every read hostgate makes expects a JSON value; an empty or null
		// body is not an empty result (issue 9, item 10).
		if b := bytes.TrimSpace(resp.Body); out != nil && (len(b) == 0 || string(b) == "null") {
			return connector.Reply{Err: connector.ErrUnavailable, Status: resp.Status, Message: "malformed response: empty body"}
		}
		return connector.JSONReply(resp.Status, resp.Body, out)
	}
	var b struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
		Message     string `json:"message"`
	}
	_ = json.Unmarshal(resp.Body, &b) // an unreadable error body leaves the message empty
	r := connector.StatusReply(resp.Status, cmp.Or(b.Error, b.Message, b.Description))
	switch {
	case resp.Status == http.StatusNotImplemented:
		r.Err = connector.ErrUnsupported
	case b.Error == "invalid_grant":
		r.Err = connector.ErrUnauthorized
	}
	return r
}

// unverified turns the answer of an endpoint HoxtonAI's reference does not
// publish into what it means for the host. hostgate's site, monitor and
// count-report reads are inferred from the documented style [I]; when the
// API answers one with 404, 405 or 501 the endpoint is not there, which is
// a per-account "unsupported" with a message saying so, not a broken
// account or a missing item.
func unverified(err error, path string) error {
	var ae *connector.APIError
	if !errors.As(err, &ae) {
		return err
	}
	switch ae.Status {
	case http.StatusNotFound, http.StatusMethodNotAllowed, http.StatusNotImplemented:
		return connector.NewError(Vendor, ae.Op, ae.Status, connector.ErrUnsupported,
			"the HoxtonAI API does not offer "+path+" (it is not in HoxtonAI's published reference)")
	}
	return err
}

// malformed is the error of an answer without what hostgate needs.
func malformed(op, what string) error {
	return connector.Malformed(Vendor, op, http.StatusOK, "malformed response: "+what)
}
