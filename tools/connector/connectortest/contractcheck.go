package connectortest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

// credentialHeaders are the headers a vendor credential can travel in;
// a request may use only those its contract's Auth lists.
var credentialHeaders = []string{"Authorization", "Hostex-Access-Token", "X-Api-Key", "Api-Key"}

var (
	uuidPat = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	timePat = regexp.MustCompile(`^\d{2}:\d{2}(:\d{2})?$`)
)

// Match returns the operation a request is, or nil when the contract has
// no such request.
func (c *Contract) Match(method, path string) (*Operation, map[string]string) {
	segs := strings.Split(path, "/")
	for _, op := range c.Operations {
		if op.Method != method {
			continue
		}
		tpl := strings.Split(op.Path, "/")
		if len(tpl) != len(segs) {
			continue
		}
		params := map[string]string{}
		ok := true
		for i, t := range tpl {
			if name, isParam := param(t); isParam {
				v, err := url.PathUnescape(segs[i])
				if err != nil || v == "" {
					ok = false
					break
				}
				params[name] = v
			} else if t != segs[i] {
				ok = false
				break
			}
		}
		if ok {
			return op, params
		}
	}
	return nil, nil
}

// Check returns every way ex breaks the contract; none when it keeps it.
// On the request side everything sent must be listed and well typed; on
// the answer side what hostgate reads must be there with its type.
func (c *Contract) Check(ex sandbox.Exchange) []string {
	op, params := c.Match(ex.Method, ex.Path)
	if op == nil {
		return []string{"a request outside the contract"}
	}
	var v []string
	add := func(format string, a ...any) { v = append(v, fmt.Sprintf(format, a...)) }
	if c.Auth != nil {
		for _, h := range credentialHeaders {
			if ex.Header.Get(h) != "" && !slices.ContainsFunc(c.Auth.Headers, func(a string) bool { return strings.EqualFold(a, h) }) {
				add("credential in header %s, which the contract does not list", h)
			}
		}
	}
	for name, f := range op.PathParams {
		v = append(v, f.checkString("path "+name, params[name])...)
	}
	v = append(v, checkParams("query", op.Query, ex.Query)...)
	v = append(v, c.checkBody(op, ex)...)
	if !ex.Faulted { // a scripted fault's answer is off the contract on purpose
		v = append(v, c.checkAnswer(op, ex)...)
	}
	return v
}

// checkParams checks url-encoded parameters (a query or a form body).
func checkParams(where string, want map[string]*Field, got url.Values) []string {
	var v []string
	for name, vals := range got {
		f := want[name]
		if f == nil {
			v = append(v, fmt.Sprintf("%s parameter %q is not in the contract", where, name))
			continue
		}
		if f.Type != "array" && len(vals) > 1 {
			v = append(v, fmt.Sprintf("%s parameter %q sent %d times", where, name, len(vals)))
		}
		item := f
		if f.Type == "array" && f.Items != nil {
			item = f.Items
		}
		for _, s := range vals {
			v = append(v, item.checkString(where+" "+name, s)...)
		}
	}
	for name, f := range want {
		if f.Required && len(got[name]) == 0 {
			v = append(v, fmt.Sprintf("%s parameter %q is required", where, name))
		}
	}
	return v
}

func (c *Contract) checkBody(op *Operation, ex sandbox.Exchange) []string {
	body := bytes.TrimSpace(ex.Body)
	if op.Body == nil {
		if len(body) > 0 {
			return []string{"a request body the contract does not list"}
		}
		return nil
	}
	if op.Body.Encoding == "form" {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return []string{"form body does not parse"}
		}
		return checkParams("form", op.Body.Fields, form)
	}
	if len(body) == 0 {
		if op.Body.Required {
			return []string{"the contract requires a body"}
		}
		return nil
	}
	val, err := decodeJSON(body)
	if err != nil {
		return []string{"request body is not JSON: " + err.Error()}
	}
	return op.Body.check("body", val, true)
}

func (c *Contract) checkAnswer(op *Operation, ex sandbox.Exchange) []string {
	ok := ex.Status >= 200 && ex.Status < 300
	if len(op.Statuses) > 0 {
		ok = slices.Contains(op.Statuses, ex.Status)
	}
	body := bytes.TrimSpace(ex.RespBody)
	switch {
	case ok && op.Response != nil:
		if len(body) == 0 {
			return []string{fmt.Sprintf("HTTP %d with no body; the contract lists an answer", ex.Status)}
		}
		val, err := decodeJSON(body)
		if err != nil {
			return []string{"answer is not JSON: " + err.Error()}
		}
		if c.ErrorInBody != nil && !c.bodyOK(val) {
			return c.checkError(val)
		}
		return op.Response.check("answer", val, false)
	case ex.Status >= 400 && c.Error != nil && len(body) > 0:
		val, err := decodeJSON(body)
		if err != nil {
			return []string{fmt.Sprintf("HTTP %d error answer is not JSON", ex.Status)}
		}
		return c.checkError(val)
	}
	return nil
}

func (c *Contract) checkError(val any) []string {
	if c.Error == nil {
		return nil
	}
	return c.Error.check("error answer", val, false)
}

// bodyOK reports whether an answer's in-body status means success.
func (c *Contract) bodyOK(val any) bool {
	m, _ := val.(map[string]any)
	n, ok := m[c.ErrorInBody.Field].(json.Number)
	if !ok {
		return true // no code: read as an answer, and checked as one
	}
	f, err := n.Float64()
	return err == nil && slices.Contains(c.ErrorInBody.OK, f)
}

// Rejected reports whether an answer refuses the request: an HTTP error,
// or a vendor error code in the body.
func (c *Contract) Rejected(status int, body []byte) bool {
	if status >= 400 {
		return true
	}
	if c.ErrorInBody == nil {
		return false
	}
	val, err := decodeJSON(bytes.TrimSpace(body))
	return err == nil && !c.bodyOK(val)
}

func decodeJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// check holds a decoded JSON value against f. On a request (req) every
// object member must be listed unless the object is Open.
func (f *Field) check(at string, val any, req bool) []string {
	if val == nil {
		if f.Nullable || !req && !f.Required {
			return nil
		}
		return []string{at + " is null"}
	}
	var v []string
	switch f.Type {
	case "any":
		return nil
	case "string":
		s, ok := val.(string)
		if !ok {
			return []string{fmt.Sprintf("%s is %s, want a string", at, kind(val))}
		}
		return f.checkString(at, s)
	case "integer", "number":
		n, ok := val.(json.Number)
		if !ok {
			return []string{fmt.Sprintf("%s is %s, want %s", at, kind(val), f.Type)}
		}
		return f.checkString(at, n.String())
	case "boolean":
		if _, ok := val.(bool); !ok {
			return []string{fmt.Sprintf("%s is %s, want a boolean", at, kind(val))}
		}
	case "array":
		a, ok := val.([]any)
		if !ok {
			return []string{fmt.Sprintf("%s is %s, want an array", at, kind(val))}
		}
		if f.Items != nil {
			for i, e := range a {
				v = append(v, f.Items.check(fmt.Sprintf("%s[%d]", at, i), e, req)...)
				if len(v) > 5 {
					return v // one bad element is usually all of them
				}
			}
		}
	case "object":
		m, ok := val.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s is %s, want an object", at, kind(val))}
		}
		for name, sub := range f.Fields {
			e, present := m[name]
			if !present {
				if sub.Required {
					v = append(v, fmt.Sprintf("%s.%s is missing", at, name))
				}
				continue
			}
			v = append(v, sub.check(at+"."+name, e, req)...)
		}
		if req && !f.Open {
			for name := range m {
				if f.Fields[name] == nil {
					v = append(v, fmt.Sprintf("%s.%s is not in the contract", at, name))
				}
			}
		}
	}
	return v
}

// checkString holds a scalar, as text, against f's type, enum, format
// and bounds.
func (f *Field) checkString(at, s string) []string {
	var v []string
	switch f.Type {
	case "integer":
		if _, err := strconv.ParseInt(s, 10, 64); err != nil {
			return []string{fmt.Sprintf("%s = %q, want an integer", at, s)}
		}
	case "number":
		if _, err := strconv.ParseFloat(s, 64); err != nil {
			return []string{fmt.Sprintf("%s = %q, want a number", at, s)}
		}
	case "boolean":
		if s != "true" && s != "false" && s != "1" && s != "0" {
			return []string{fmt.Sprintf("%s = %q, want a boolean", at, s)}
		}
	}
	if len(f.Enum) > 0 {
		parts := []string{s}
		if f.Separator != "" {
			parts = strings.Split(s, f.Separator)
		}
		for _, p := range parts {
			if !f.inEnum(p) {
				v = append(v, fmt.Sprintf("%s = %q is not one of %v", at, p, f.Enum))
			}
		}
	}
	switch f.Format {
	case "date":
		if _, err := time.Parse(time.DateOnly, s); err != nil {
			v = append(v, fmt.Sprintf("%s = %q, want YYYY-MM-DD", at, s))
		}
	case "date-time":
		if _, err := time.Parse(time.RFC3339, s); err != nil {
			v = append(v, fmt.Sprintf("%s = %q, want an RFC 3339 time", at, s))
		}
	case "uuid":
		if !uuidPat.MatchString(s) {
			v = append(v, fmt.Sprintf("%s = %q, want a UUID", at, s))
		}
	case "time":
		if !timePat.MatchString(s) {
			v = append(v, fmt.Sprintf("%s = %q, want HH:MM", at, s))
		}
	}
	var n float64
	if f.Type == "string" {
		n = float64(len([]rune(s)))
	} else {
		n, _ = strconv.ParseFloat(s, 64)
	}
	if f.Min != nil && n < *f.Min || f.Max != nil && n > *f.Max {
		v = append(v, fmt.Sprintf("%s = %q is out of bounds", at, s))
	}
	return v
}

func (f *Field) inEnum(s string) bool {
	for _, e := range f.Enum {
		switch e := e.(type) {
		case string:
			if e == s {
				return true
			}
		case float64:
			if n, err := strconv.ParseFloat(s, 64); err == nil && math.Abs(n-e) < 1e-9 {
				return true
			}
		}
	}
	return false
}

func kind(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}
