package hoxtonai

import (
	"cmp"
	"encoding/json"
	"net/http"

	"github.com/hostgate/hostgate/tools/connector"
)

// api is what HoxtonAI's API and its Auth0 tenant do their own way on
// connector's request path: their error bodies. A token goes as a Bearer
// token and a refused one is a 401 [C].
type api struct{ connector.Bearer }

// Read decodes a 2xx body into out. A failure's message is the vendor's
// short error code (Auth0 style) or message: {error, error_description}
// (Auth0 and, we assume, the API [I]) or {message}. A 501 is an endpoint
// the API does not have; Auth0 answers a refused code or refresh token
// (invalid_grant) with a 403 [I], which is a refused grant, not a
// permission.
func (api) Read(resp connector.Response, out any) connector.Reply {
	if resp.OK() {
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
