package hostex

import (
	"errors"
	"testing"

	"github.com/hostgate/hostgate/tools/connector"
)

type pageItem struct {
	ID int `json:"id"`
}

// TestPageReadsOnePass: the one-pass reading of a list answer keeps every
// rule of the envelope and of the schema's required data, whatever the
// order of the members.
func TestPageReadsOnePass(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		err    error  // of the reply
		what   string // what the page lacks
		items  int
		total  int // -1: none
	}{
		{"a page", 200, `{"request_id":"x","error_code":200,"error_msg":"Done.","data":{"properties":[{"id":1},{"id":2}],"total":7}}`, nil, "", 2, 7},
		{"data first, code last", 200, `{"data":{"total":2,"properties":[{"id":1}]},"error_code":0}`, nil, "", 1, 2},
		{"no total", 200, `{"error_code":0,"data":{"properties":[]}}`, nil, "", 0, -1},
		{"an odd total", 200, `{"error_code":0,"data":{"properties":[{"id":1}],"total":"many"}}`, nil, "", 1, -1},
		{"other members", 200, `{"error_code":0,"extra":{"a":[1,2]},"data":{"other":[{"x":1}],"properties":[{"id":1}]}}`, nil, "", 1, -1},
		{"no data", 200, `{"error_code":0}`, nil, "no data", 0, -1},
		{"data null", 200, `{"error_code":0,"data":null}`, nil, "no data", 0, -1},
		{"data a list", 200, `{"error_code":0,"data":[1]}`, nil, "data is not an object", 0, -1},
		{"no list", 200, `{"error_code":0,"data":{"listings":[]}}`, nil, "no properties", 0, -1},
		{"list null", 200, `{"error_code":0,"data":{"properties":null}}`, nil, "no properties", 0, -1},
		{"not a list", 200, `{"error_code":0,"data":{"properties":{"id":1}}}`, nil, "properties is not a list", 0, -1},
		{"a refused token", 200, `{"error_code":401,"error_msg":"Invalid access token"}`, connector.ErrUnauthorized, "", 0, -1},
		{"no error_code", 200, `{"data":{"properties":[]}}`, connector.ErrUnavailable, "", 0, -1},
		{"not JSON", 200, `<html>`, connector.ErrUnavailable, "", 0, -1},
		{"cut short", 200, `{"error_code":0,"data":{"properties":[{"id":1}`, connector.ErrUnavailable, "", 0, -1},
		{"a proxy's 502", 502, `bad gateway`, connector.ErrUnavailable, "", 0, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &page[pageItem]{key: "properties"}
			r := api{}.Read(connector.Response{Status: tt.status, Body: []byte(tt.body)}, p)
			if tt.err != nil {
				if !errors.Is(r.Err, tt.err) {
					t.Fatalf("reply error %v, want %v", r.Err, tt.err)
				}
				return
			}
			if r.Err != nil {
				t.Fatalf("reply error %v", r.Err)
			}
			total := -1
			if p.total != nil {
				total = *p.total
			}
			if p.what != tt.what || len(p.items) != tt.items || total != tt.total {
				t.Fatalf("what %q items %d total %d, want %q %d %d", p.what, len(p.items), total, tt.what, tt.items, tt.total)
			}
		})
	}
}
