package connectortest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// Contract is one vendor's published API as hostgate uses it: the
// requests hostgate makes and the parts of each answer it reads, every
// entry naming where it comes from. The file is
// testdata/vendors/<vendor>/contract.json at the repository's top; its
// format is described in testdata/vendors/README.md.
type Contract struct {
	// Vendor is the sandbox vendor name ("hostex", …).
	Vendor string `json:"vendor"`
	// Sources names each reference an entry may cite by key.
	Sources map[string]string `json:"sources"`
	// Auth lists the request headers that may carry a credential.
	Auth *Auth `json:"auth,omitempty"`
	// Error is the shape of an error answer (a status ≥ 400).
	Error *Field `json:"error,omitempty"`
	// ErrorInBody is set for a vendor that answers errors with HTTP 200
	// and a code in the body (Hostex).
	ErrorInBody *ErrorInBody `json:"error_in_body,omitempty"`
	// RateLimits are the vendor's published limits, for the record (the
	// budgets in the vendor's Spec must match them).
	RateLimits []RateLimit `json:"rate_limits,omitempty"`
	// Operations are the requests hostgate may make.
	Operations []*Operation `json:"operations"`
}

// Auth is where a credential travels.
type Auth struct {
	// Headers are the header names a request may carry a credential in.
	Headers []string `json:"headers"`
	Source  string   `json:"source"`
	Note    string   `json:"note,omitempty"`
}

// ErrorInBody names the member of an answer that carries the vendor's
// own status, and the values of it that mean success.
type ErrorInBody struct {
	Field  string    `json:"field"`
	OK     []float64 `json:"ok"`
	Source string    `json:"source"`
}

// RateLimit is one published limit.
type RateLimit struct {
	// Scope is what the vendor counts by: "account", "address", "token".
	Scope    string  `json:"scope"`
	Requests int     `json:"requests"`
	Seconds  float64 `json:"seconds"`
	// Paths limits the rule to some operations' paths; empty is all.
	Paths    []string `json:"paths,omitempty"`
	Source   string   `json:"source"`
	Inferred bool     `json:"inferred,omitempty"`
	Note     string   `json:"note,omitempty"`
}

// Operation is one request hostgate makes.
type Operation struct {
	// Name says what the request is for.
	Name string `json:"name"`
	// Method and Path: the path is the request path on the vendor's host
	// (with its version prefix, e.g. "/v3/properties"); a segment in
	// braces ("{id}") stands for a path parameter.
	Method string `json:"method"`
	Path   string `json:"path"`
	// Host names the vendor host when it is not the API host (an auth
	// server); informative.
	Host string `json:"host,omitempty"`
	// Source cites the reference (a Sources key and a section).
	Source   string `json:"source"`
	Inferred bool   `json:"inferred,omitempty"`
	Note     string `json:"note,omitempty"`
	// PathParams types the path parameters by name.
	PathParams map[string]*Field `json:"path_params,omitempty"`
	// Query lists every query parameter hostgate may send; a parameter
	// whose name ends in "[]" is repeated.
	Query map[string]*Field `json:"query,omitempty"`
	// Body is the request body: a JSON object, or a form when its
	// Encoding is "form".
	Body *Field `json:"body,omitempty"`
	// Response is the success answer as hostgate reads it.
	Response *Field `json:"response,omitempty"`
	// Statuses lists the success statuses; empty means any 2xx.
	Statuses []int `json:"statuses,omitempty"`
}

// Field describes a value: its type and, for objects and arrays, what it
// holds. On a request every value sent must be described; on an answer
// the described values must be there (when Required) with their type,
// and anything else is allowed (vendors add fields).
type Field struct {
	// Type is "string", "integer", "number", "boolean", "object", "array"
	// or "any".
	Type string `json:"type"`
	// Required: a request must send it / an answer must hold it (when its
	// parent is there).
	Required bool `json:"required,omitempty"`
	// Nullable: null is allowed.
	Nullable bool `json:"nullable,omitempty"`
	// Enum lists the allowed values (strings or numbers).
	Enum []any `json:"enum,omitempty"`
	// Separator: a string holding a list ("a,b"); each element must be in
	// Enum.
	Separator string `json:"separator,omitempty"`
	// Format: "date" (YYYY-MM-DD), "date-time" (RFC 3339), "uuid".
	Format string `json:"format,omitempty"`
	// Min and Max bound a number (or a string's length when Type is
	// "string").
	Min *float64 `json:"min,omitempty"`
	Max *float64 `json:"max,omitempty"`
	// Fields are an object's named members; Items an array's elements.
	Fields map[string]*Field `json:"fields,omitempty"`
	Items  *Field            `json:"items,omitempty"`
	// Open: an object on a request may carry members not listed (a free
	// map such as custom fields). Answers are always open.
	Open bool `json:"open,omitempty"`
	// Encoding of a request body: "json" (default) or "form".
	Encoding string `json:"encoding,omitempty"`
	Source   string `json:"source,omitempty"`
	Inferred bool   `json:"inferred,omitempty"`
	Note     string `json:"note,omitempty"`
}

var contracts = struct {
	sync.Mutex
	m map[string]*Contract
}{m: map[string]*Contract{}}

// LoadContract reads the contract of vendor from the repository's
// testdata/vendors, found by walking up from the test's directory to
// go.mod. It returns nil, nil when the vendor has no contract file.
func LoadContract(vendor string) (*Contract, error) {
	contracts.Lock()
	defer contracts.Unlock()
	if c, ok := contracts.m[vendor]; ok {
		return c, nil
	}
	root, err := moduleRoot()
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(filepath.Join(root, "testdata", "vendors", vendor, "contract.json"))
	if os.IsNotExist(err) {
		contracts.m[vendor] = nil
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	c, err := ParseContract(b)
	if err != nil {
		return nil, fmt.Errorf("contract %s: %w", vendor, err)
	}
	contracts.m[vendor] = c
	return c, nil
}

// ParseContract decodes a contract and checks that it is well formed:
// every operation has a method, a path and a source; every field a known
// type; every path parameter typed; nothing unknown in the file.
func ParseContract(b []byte) (*Contract, error) {
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	var c Contract
	if err := dec.Decode(&c); err != nil {
		return nil, err
	}
	if c.Vendor == "" || len(c.Operations) == 0 {
		return nil, fmt.Errorf("needs a vendor and operations")
	}
	seen := map[string]bool{}
	for _, op := range c.Operations {
		where := op.Method + " " + op.Path
		if op.Method == "" || !strings.HasPrefix(op.Path, "/") || op.Name == "" {
			return nil, fmt.Errorf("%s: needs a name, a method and a path starting with /", where)
		}
		if op.Source == "" && !op.Inferred {
			return nil, fmt.Errorf("%s: cite a source or mark it inferred", where)
		}
		if seen[where] {
			return nil, fmt.Errorf("%s: listed twice", where)
		}
		seen[where] = true
		for _, seg := range strings.Split(op.Path, "/") {
			if name, ok := param(seg); ok && op.PathParams[name] == nil {
				return nil, fmt.Errorf("%s: path parameter %q has no type", where, name)
			}
		}
		for name, f := range op.Query {
			if err := f.wellFormed(); err != nil {
				return nil, fmt.Errorf("%s: query %s: %w", where, name, err)
			}
		}
		for name, f := range op.PathParams {
			if err := f.wellFormed(); err != nil {
				return nil, fmt.Errorf("%s: path %s: %w", where, name, err)
			}
		}
		for what, f := range map[string]*Field{"body": op.Body, "response": op.Response} {
			if f == nil {
				continue
			}
			if err := f.wellFormed(); err != nil {
				return nil, fmt.Errorf("%s: %s: %w", where, what, err)
			}
		}
	}
	if c.Error != nil {
		if err := c.Error.wellFormed(); err != nil {
			return nil, fmt.Errorf("error: %w", err)
		}
	}
	return &c, nil
}

func (f *Field) wellFormed() error {
	switch f.Type {
	case "string", "integer", "number", "boolean", "any":
	case "object":
		for name, sub := range f.Fields {
			if err := sub.wellFormed(); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
		}
	case "array":
		if f.Items != nil {
			if err := f.Items.wellFormed(); err != nil {
				return fmt.Errorf("[]: %w", err)
			}
		}
	default:
		return fmt.Errorf("unknown type %q", f.Type)
	}
	switch f.Format {
	case "", "date", "date-time", "uuid", "time":
	default:
		return fmt.Errorf("unknown format %q", f.Format)
	}
	return nil
}

// param reports whether a path segment is a parameter ("{id}") and its name.
func param(seg string) (string, bool) {
	if len(seg) > 2 && seg[0] == '{' && seg[len(seg)-1] == '}' {
		return seg[1 : len(seg)-1], true
	}
	return "", false
}

// moduleRoot is the directory holding go.mod, above the working directory.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		up := filepath.Dir(dir)
		if up == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = up
	}
}
