package sqlstore

import (
	"strings"
	"testing"
)

// TestAlertQueryPlans: the alert loop's query finds the connections needing
// their host, in order, through the partial index, and reads no table
// whole; claims are found by their key.
func TestAlertQueryPlans(t *testing.T) {
	s := openTemp(t)
	for name, q := range map[string]string{
		"alertable":   alertableSQL,
		"claimTarget": claimTargetSQL,
		"finish":      finishAlertSQL,
		"release":     releaseAlertSQL,
	} {
		args := make([]any, strings.Count(q, "?"))
		for i := range args {
			args[i] = "x"
		}
		rows, err := s.w.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+q, args...)
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
		for _, step := range plan {
			if strings.HasPrefix(step, "SCAN ") {
				t.Errorf("%s reads a whole table: %s", name, all)
			}
		}
		if name == "alertable" && (!strings.Contains(all, "USING INDEX connections_needs_host") || strings.Contains(all, "TEMP B-TREE")) {
			t.Errorf("alertable does not find and order its rows by connections_needs_host: %s", all)
		}
	}
}
