package sqlstore

import (
	"strings"
	"testing"
)

// TestIdleDocumentClientsPlan: the sweep of idle document clients finds its
// rows by index, and what keeps a client is looked up by index too: the
// clients table grows with every document URL asked for, so reading all of
// it every ten minutes is what the sweep must not do.
func TestIdleDocumentClientsPlan(t *testing.T) {
	s := openTemp(t)
	for name, query := range map[string]string{"used": idleUsedClientsSQL, "unused": idleUnusedClientsSQL} {
		rows, err := s.w.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+query, 1, 2, 3)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		all := strings.Join(plan, "; ")
		if !strings.HasPrefix(all, "SEARCH clients USING INDEX ") {
			t.Errorf("%s does not find its clients by an index: %s", name, all)
		}
		for _, step := range plan {
			if strings.HasPrefix(step, "SCAN ") && step != "SCAN CONSTANT ROW" {
				t.Errorf("%s reads a whole table: %s", name, all)
			}
		}
	}
}
