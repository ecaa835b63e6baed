package sqlstore

import (
	"strings"
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
)

// TestQueryPlans: no query of a path that grows with use reads a whole
// table (SQLite would report "SCAN <table>" with no index).
func TestQueryPlans(t *testing.T) {
	s := openTemp(t)
	listAuditSQL, _ := activityQuery("u", store.ActivityFilter{}, 10)
	// Every filter and the cursor at once.
	listActivitySQL, _ := activityQuery("u", store.ActivityFilter{Kinds: []string{"a", "b"}, ClientID: "c", Tool: "t", Outcome: "ok",
		Since: time.Unix(1, 0), Until: time.Unix(2, 0), Before: &store.EventCursor{At: time.Unix(2, 0), ID: 9}}, 10)
	queries := map[string]string{
		"getToken":       getTokenSQL,
		"userByName":     userByNameSQL,
		"userBySubject":  userBySubjectSQL,
		"staleClients":   staleClientsSQL,
		"countClients":   countClientsSQL,
		"listGrants":     listGrantsSQL,
		"revokeClient":   revokeClientSQL,
		"childUsed":      childUsedSQL,
		"revokeSiblings": revokeSiblingsSQL,
		"listConns":      listConnsSQL,
		"expiring":       expiringSQL,
		"listAudit":      listAuditSQL,
		"listActivity":   listActivitySQL,
		"deleteActivity": deleteActivitySQL,
		"findDraft":      findDraftSQL,
		"listDrafts":     listDraftsSQL,
		"updateDraft":    updateDraftSQL,
		"getAppLimits":   getAppLimitsSQL,
		"setAppLimits":   setAppLimitsSQL,
		"deleteUser":     `DELETE FROM users WHERE id = ?`, // cascades everywhere
		"deleteClient":   `DELETE FROM clients WHERE id = ?`,
		"deleteGrant":    `DELETE FROM grants WHERE id = ?`,
	}
	for i, q := range deleteExpiredSQL {
		queries["deleteExpired"+string(rune('0'+i))] = q
	}
	// Queries that must both find and order their rows by one index: no
	// temporary sort of a growing result.
	ordered := map[string]string{
		"findDraft":    "USING INDEX drafts_find ",
		"listDrafts":   "USING INDEX drafts_list ",
		"listAudit":    "USING INDEX audit_events_user ",
		"listActivity": "USING INDEX audit_events_user ",
	}
	for name, q := range queries {
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
		for _, step := range plan {
			if strings.HasPrefix(step, "SCAN ") && step != "SCAN CONSTANT ROW" {
				t.Errorf("%s reads a whole table: %s", name, strings.Join(plan, "; "))
			}
		}
		if index, ok := ordered[name]; ok {
			all := strings.Join(plan, "; ")
			if !strings.Contains(all, index) || strings.Contains(all, "TEMP B-TREE") {
				t.Errorf("%s does not find and order its rows %s: %s", name, index, all)
			}
		}
	}
}
