package connectortest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

// ProbeHeader marks a request a test sends outside the contract on
// purpose (to see the fake refuse it): the contract watch lets it pass.
const ProbeHeader = "X-Contract-Probe"

// ContractWatch holds every exchange of one fake against its vendor's
// contract for the length of a test, and keeps one good exchange of each
// operation for the probes that replay it with a bad value.
type ContractWatch struct {
	C *Contract
	V *sandbox.Vendor

	mu         sync.Mutex
	violations map[string]int // "METHOD path: what" → count
	good       map[*Operation]sandbox.Exchange
	seen       map[*Operation]int
}

var watches sync.Map // *sandbox.Vendor → *ContractWatch

// WatchContract holds every exchange of v against its vendor's contract
// until the test ends, then fails the test for each violation. Start does
// it for every fake it starts; call it for a fake started otherwise. It
// returns nil when the vendor has no contract file.
func WatchContract(t testing.TB, v *sandbox.Vendor) *ContractWatch {
	t.Helper()
	c, err := LoadContract(v.Name)
	if err != nil {
		t.Fatal(err)
	}
	if c == nil {
		return nil
	}
	w := newWatch(c, v)
	stop := v.Observe(w.observe)
	watches.Store(v, w)
	t.Cleanup(func() {
		stop()
		watches.Delete(v)
		for _, line := range w.Violations() {
			t.Errorf("%s contract: %s", v.Name, line)
		}
	})
	return w
}

func newWatch(c *Contract, v *sandbox.Vendor) *ContractWatch {
	return &ContractWatch{C: c, V: v, violations: map[string]int{}, good: map[*Operation]sandbox.Exchange{}, seen: map[*Operation]int{}}
}

// Watch returns the contract watch of a fake, or nil.
func Watch(v *sandbox.Vendor) *ContractWatch {
	w, _ := watches.Load(v)
	cw, _ := w.(*ContractWatch)
	return cw
}

func (w *ContractWatch) observe(ex sandbox.Exchange) {
	if ex.Header.Get(ProbeHeader) != "" {
		return
	}
	op, _ := w.C.Match(ex.Method, ex.Path)
	problems := w.C.Check(ex)
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, p := range problems {
		w.violations[ex.Method+" "+ex.Path+": "+p]++
	}
	if op != nil {
		w.seen[op]++
		if _, ok := w.good[op]; !ok && len(problems) == 0 && ex.Status < 300 && !w.C.Rejected(ex.Status, ex.RespBody) {
			w.good[op] = ex
		}
	}
}

// Violations lists what broke the contract so far, one line per kind.
func (w *ContractWatch) Violations() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]string, 0, len(w.violations))
	for k, n := range w.violations {
		if n > 1 {
			k = fmt.Sprintf("%s (×%d)", k, n)
		}
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Unused lists the contract's operations no exchange has used yet.
func (w *ContractWatch) Unused() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for _, op := range w.C.Operations {
		if w.seen[op] == 0 {
			out = append(out, op.Method+" "+op.Path)
		}
	}
	return out
}

// ProbeEnums replays each operation's first good exchange once per
// enumerated value it carries (query parameter or JSON body member), with
// that value replaced by one outside the enum, and fails the test for
// each the fake accepts: a fake must refuse what its vendor refuses. It
// returns how many probes it sent.
func (w *ContractWatch) ProbeEnums(t testing.TB) int {
	t.Helper()
	w.mu.Lock()
	good := make(map[*Operation]sandbox.Exchange, len(w.good))
	for op, ex := range w.good {
		good[op] = ex
	}
	w.mu.Unlock()
	n := 0
	for op, ex := range good {
		for _, p := range probes(op, ex) {
			n++
			status, body := w.send(t, p.ex)
			if !w.C.Rejected(status, body) {
				t.Errorf("%s contract: %s %s with %s = %q outside its enum: the fake answered HTTP %d and accepted it", w.V.Name, op.Method, op.Path, p.at, p.bad, status)
			}
		}
	}
	return n
}

type probe struct {
	at, bad string
	ex      sandbox.Exchange
}

const badEnum = "not-a-listed-value"

// probes builds the bad-value variants of a good exchange.
func probes(op *Operation, ex sandbox.Exchange) []probe {
	var out []probe
	for name, f := range op.Query {
		item := f
		if f.Type == "array" && f.Items != nil {
			item = f.Items
		}
		if len(item.Enum) == 0 || len(ex.Query[name]) == 0 {
			continue
		}
		q := url.Values{}
		for k, v := range ex.Query {
			q[k] = append([]string(nil), v...)
		}
		q[name] = []string{badValue(item)}
		e := ex
		e.Query = q
		out = append(out, probe{at: "query " + name, bad: q[name][0], ex: e})
	}
	if op.Body == nil || op.Body.Encoding == "form" || len(bytes.TrimSpace(ex.Body)) == 0 {
		return out
	}
	val, err := decodeJSON(ex.Body)
	if err != nil {
		return out
	}
	for _, path := range enumPaths(op.Body, val, nil) {
		mutated, _ := decodeJSON(ex.Body)
		setAt(mutated, path.keys, path.bad)
		b, _ := json.Marshal(mutated)
		e := ex
		e.Body = b
		out = append(out, probe{at: "body " + strings.Join(path.keys, "."), bad: fmt.Sprint(path.bad), ex: e})
	}
	return out
}

type enumPath struct {
	keys []string
	bad  any
}

// enumPaths finds the enumerated members present in a body.
func enumPaths(f *Field, val any, at []string) []enumPath {
	var out []enumPath
	switch v := val.(type) {
	case map[string]any:
		for name, sub := range f.Fields {
			if e, ok := v[name]; ok {
				out = append(out, enumPaths(sub, e, append(append([]string(nil), at...), name))...)
			}
		}
	case []any:
		if f.Items != nil && len(v) > 0 {
			out = append(out, enumPaths(f.Items, v[0], append(append([]string(nil), at...), "0"))...)
		}
	default:
		if len(f.Enum) > 0 && len(at) > 0 {
			var bad any = badEnum
			if f.Type == "integer" || f.Type == "number" {
				bad = 987654
			}
			out = append(out, enumPath{keys: at, bad: bad})
		}
	}
	return out
}

func setAt(val any, keys []string, to any) {
	for i, k := range keys {
		last := i == len(keys)-1
		switch v := val.(type) {
		case map[string]any:
			if last {
				v[k] = to
				return
			}
			val = v[k]
		case []any:
			if last {
				v[0] = to
				return
			}
			val = v[0]
		}
	}
}

func badValue(f *Field) string {
	if f.Type == "integer" || f.Type == "number" {
		return "987654"
	}
	return badEnum
}

// send replays an exchange's request on the fake, marked as a probe.
func (w *ContractWatch) send(t testing.TB, ex sandbox.Exchange) (int, []byte) {
	t.Helper()
	u := w.V.URL + ex.Path
	if len(ex.Query) > 0 {
		u += "?" + ex.Query.Encode()
	}
	req, err := http.NewRequest(ex.Method, u, bytes.NewReader(ex.Body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = ex.Header.Clone()
	req.Header.Del("Content-Length")
	req.Header.Set(ProbeHeader, "1")
	resp, err := noRedirects.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	// An OAuth endpoint refuses by redirecting back with error=…
	// (RFC 6749 §4.1.2.1): that is a refusal too.
	if loc, err := resp.Location(); err == nil && resp.StatusCode/100 == 3 && loc.Query().Get("error") != "" {
		return http.StatusBadRequest, b
	}
	return resp.StatusCode, b
}

// noRedirects sends a probe without following the answer's redirect,
// which may point at a client that is not listening.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
