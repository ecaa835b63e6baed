package hostaway

import (
	"encoding/json"
	"sync"
	"testing"

	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

// bodies records, from now until the test ends, the JSON bodies of the
// requests the fake answers to method on a path (the full path, with
// /v1), so that a test sees exactly what the client sent.
func (e *env) bodies(t *testing.T, method, path string) func() []map[string]any {
	t.Helper()
	var mu sync.Mutex
	var got []map[string]any
	stop := e.V.Observe(func(ex sandbox.Exchange) {
		if ex.Method != method || ex.Path != path {
			return
		}
		var m map[string]any
		if err := json.Unmarshal(ex.Body, &m); err != nil {
			m = map[string]any{"<not JSON>": string(ex.Body)}
		}
		mu.Lock()
		got = append(got, m)
		mu.Unlock()
	})
	t.Cleanup(stop)
	return func() []map[string]any {
		mu.Lock()
		defer mu.Unlock()
		return append([]map[string]any(nil), got...)
	}
}
