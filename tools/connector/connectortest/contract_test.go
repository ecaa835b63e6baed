package connectortest

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

const tinyContract = `{
  "vendor": "tiny",
  "sources": {"ref": "the tiny API reference"},
  "auth": {"headers": ["Authorization"], "source": "ref: auth"},
  "error": {"type": "object", "fields": {"message": {"type": "string", "required": true}}},
  "operations": [
    {"name": "list things", "method": "GET", "path": "/v1/things", "source": "ref: GET /things",
     "query": {"limit": {"type": "integer", "max": 100}, "kind": {"type": "string", "enum": ["a", "b"]},
               "include": {"type": "string", "enum": ["x", "y"], "separator": ","},
               "ids[]": {"type": "array", "items": {"type": "string", "format": "uuid"}}},
     "response": {"type": "object", "fields": {"data": {"type": "array", "required": true,
        "items": {"type": "object", "fields": {"id": {"type": "integer", "required": true}, "day": {"type": "string", "format": "date"}}}}}}},
    {"name": "set a thing", "method": "PUT", "path": "/v1/things/{id}", "source": "ref: PUT /things/{id}",
     "path_params": {"id": {"type": "integer"}},
     "body": {"type": "object", "required": true, "fields": {"state": {"type": "string", "enum": ["on", "off"], "required": true},
        "items": {"type": "array", "items": {"type": "object", "fields": {"n": {"type": "integer"}}}}}}}
  ]
}`

func tiny(t *testing.T) *Contract {
	t.Helper()
	c, err := ParseContract([]byte(tinyContract))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func ex(method, path, query, body string, status int, resp string) sandbox.Exchange {
	q, _ := url.ParseQuery(query)
	return sandbox.Exchange{Method: method, Path: path, Query: q, Header: http.Header{"Authorization": {"Bearer t"}},
		Body: []byte(body), Status: status, RespBody: []byte(resp)}
}

// TestContractCheck: one row per rule the watch holds an exchange to.
func TestContractCheck(t *testing.T) {
	c := tiny(t)
	okList := `{"data":[{"id":1,"day":"2026-05-01"}]}`
	uuid := "123e4567-e89b-12d3-a456-426614174000"
	tests := []struct {
		name string
		ex   sandbox.Exchange
		want string // "" = keeps the contract; else a fragment of a violation
	}{
		{"a good list", ex("GET", "/v1/things", "limit=100&kind=a&include=x,y&ids[]="+uuid+"&ids[]="+uuid, "", 200, okList), ""},
		{"unknown path", ex("GET", "/v1/other", "", "", 200, `{}`), "outside the contract"},
		{"wrong method", ex("POST", "/v1/things", "", "", 200, okList), "outside the contract"},
		{"unknown query parameter", ex("GET", "/v1/things", "offset=1", "", 200, okList), `"offset" is not in the contract`},
		{"enum", ex("GET", "/v1/things", "kind=c", "", 200, okList), `"c" is not one of`},
		{"enum in a list", ex("GET", "/v1/things", "include=x,z", "", 200, okList), `"z" is not one of`},
		{"integer", ex("GET", "/v1/things", "limit=ten", "", 200, okList), "want an integer"},
		{"bound", ex("GET", "/v1/things", "limit=101", "", 200, okList), "out of bounds"},
		{"repeated scalar", ex("GET", "/v1/things", "kind=a&kind=b", "", 200, okList), "sent 2 times"},
		{"uuid items", ex("GET", "/v1/things", "ids[]=7", "", 200, okList), "want a UUID"},
		{"answer missing a member", ex("GET", "/v1/things", "", "", 200, `{"items":[]}`), "answer.data is missing"},
		{"answer member of the wrong type", ex("GET", "/v1/things", "", "", 200, `{"data":[{"id":"1"}]}`), "want integer"},
		{"answer date format", ex("GET", "/v1/things", "", "", 200, `{"data":[{"id":1,"day":"05/01/2026"}]}`), "want YYYY-MM-DD"},
		{"answer may add members", ex("GET", "/v1/things", "", "", 200, `{"data":[{"id":1,"extra":true}],"meta":{}}`), ""},
		{"error shape", ex("GET", "/v1/things", "", "", 404, `{"error":"x"}`), "error answer.message is missing"},
		{"good write", ex("PUT", "/v1/things/7", "", `{"state":"on","items":[{"n":1}]}`, 204, ""), ""},
		{"path parameter type", ex("PUT", "/v1/things/abc", "", `{"state":"on"}`, 204, ""), "path id"},
		{"body member not listed", ex("PUT", "/v1/things/7", "", `{"state":"on","color":"red"}`, 204, ""), "body.color is not in the contract"},
		{"nested body member not listed", ex("PUT", "/v1/things/7", "", `{"state":"on","items":[{"m":1}]}`, 204, ""), "body.items[0].m is not in the contract"},
		{"body enum", ex("PUT", "/v1/things/7", "", `{"state":"dim"}`, 204, ""), `"dim" is not one of`},
		{"body required", ex("PUT", "/v1/things/7", "", `{}`, 204, ""), "body.state is missing"},
		{"body missing", ex("PUT", "/v1/things/7", "", ``, 204, ""), "requires a body"},
		{"body on a GET", ex("GET", "/v1/things", "", `{"a":1}`, 200, okList), "body the contract does not list"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := strings.Join(c.Check(tt.ex), "; ")
			if tt.want == "" && got != "" || tt.want != "" && !strings.Contains(got, tt.want) {
				t.Fatalf("Check = %q, want %q", got, tt.want)
			}
		})
	}
	t.Run("credential header not listed", func(t *testing.T) {
		e := ex("GET", "/v1/things", "", "", 200, okList)
		e.Header.Set("Hostex-Access-Token", "t")
		if got := strings.Join(c.Check(e), ";"); !strings.Contains(got, "Hostex-Access-Token") {
			t.Fatalf("Check = %q", got)
		}
	})
}

// TestParseContractRefuses: a contract must be well formed to hold anyone to it.
func TestParseContractRefuses(t *testing.T) {
	for name, doc := range map[string]string{
		"unknown member":     `{"vendor":"v","operations":[{"name":"n","method":"GET","path":"/a","source":"s","colour":1}]}`,
		"no source":          `{"vendor":"v","operations":[{"name":"n","method":"GET","path":"/a"}]}`,
		"untyped path param": `{"vendor":"v","operations":[{"name":"n","method":"GET","path":"/a/{id}","source":"s"}]}`,
		"unknown type":       `{"vendor":"v","operations":[{"name":"n","method":"GET","path":"/a","source":"s","query":{"q":{"type":"str"}}}]}`,
		"listed twice":       `{"vendor":"v","operations":[{"name":"n","method":"GET","path":"/a","source":"s"},{"name":"m","method":"GET","path":"/a","source":"s"}]}`,
		"no operations":      `{"vendor":"v","operations":[]}`,
		"relative path":      `{"vendor":"v","operations":[{"name":"n","method":"GET","path":"a","source":"s"}]}`,
		"unknown format":     `{"vendor":"v","operations":[{"name":"n","method":"GET","path":"/a","source":"s","query":{"q":{"type":"string","format":"colour"}}}]}`,
	} {
		if _, err := ParseContract([]byte(doc)); err == nil {
			t.Errorf("%s: parsed", name)
		}
	}
}

// TestProbesReplaceEachEnum: the probes of a good exchange change one
// enumerated value at a time, in the query and deep in the body.
func TestProbesReplaceEachEnum(t *testing.T) {
	c := tiny(t)
	list, _ := c.Match("GET", "/v1/things")
	ps := probes(list, ex("GET", "/v1/things", "kind=a&limit=5", "", 200, ""))
	if len(ps) != 1 || ps[0].ex.Query.Get("kind") != badEnum || ps[0].ex.Query.Get("limit") != "5" {
		t.Fatalf("query probes = %+v", ps)
	}
	put, _ := c.Match("PUT", "/v1/things/7")
	ps = probes(put, ex("PUT", "/v1/things/7", "", `{"state":"on"}`, 204, ""))
	if len(ps) != 1 || !strings.Contains(string(ps[0].ex.Body), badEnum) {
		t.Fatalf("body probes = %+v", ps)
	}
}

// TestWatchSeesTheFakesExchanges: the watch sees what a running fake
// answers, keeps a good exchange per operation, skips probes, and its
// probes find a fake that accepts a value outside the enum.
func TestWatchSeesTheFakesExchanges(t *testing.T) {
	v := sandbox.NewHostex(sandbox.Options{Now: NewClock(FixedNow).Now})
	if err := v.Start(); err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	c, err := ParseContract([]byte(`{"vendor":"hostex","sources":{},"operations":[
	  {"name":"list","method":"GET","path":"/v3/properties","source":"s",
	   "query":{"offset":{"type":"integer"},"limit":{"type":"integer"},"colour":{"type":"string","enum":["red"]}},
	   "response":{"type":"object","fields":{"data":{"type":"object","required":true}}}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	w := newWatch(c, v)
	defer v.Observe(w.observe)()
	h := http.Header{"Hostex-Access-Token": {sandbox.HostexWritableToken}}
	Raw(t, http.MethodGet, v.APIBase+"/properties?offset=0&limit=10&colour=red", h, nil)
	Raw(t, http.MethodGet, v.APIBase+"/nothing", h, nil)
	Raw(t, http.MethodGet, v.APIBase+"/nothing", http.Header{ProbeHeader: {"1"}}, nil)
	got := strings.Join(w.Violations(), "\n")
	if !strings.Contains(got, "GET /v3/nothing: a request outside the contract") || strings.Contains(got, "×2") {
		t.Fatalf("violations = %q", got)
	}
	if u := w.Unused(); len(u) != 0 {
		t.Fatalf("unused = %v", u)
	}
	// The fake ignores colour, so the probe must report that it accepted it.
	inner := &recordTB{TB: t}
	if n := w.ProbeEnums(inner); n != 1 || len(inner.errs) != 1 || !strings.Contains(inner.errs[0], "accepted it") {
		t.Fatalf("probes = %d, errors %q", n, inner.errs)
	}
}

// recordTB keeps the errors a check reports instead of failing the test.
type recordTB struct {
	testing.TB
	errs []string
}

func (r *recordTB) Errorf(format string, a ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, a...))
}
func (r *recordTB) Helper() {}
