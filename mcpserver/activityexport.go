package mcpserver

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hostgate/hostgate/internal/web"
	"github.com/hostgate/hostgate/store"
)

// The activity export: the signed-in host's events that pass the page's
// filters, all of them from the page's position on, as CSV (for a
// spreadsheet) or JSON lines (for a program). Read a batch at a time down
// the log's index and written as it goes, so an export of a year costs the
// memory of one batch.

// exportBatch is how many events the export reads at a time.
const exportBatch = 500

// exportEvent is one event in the export: the page's facts, with machine
// values (times in RFC 3339, durations in milliseconds).
type exportEvent struct {
	ID         int64                `json:"id"`
	At         string               `json:"at"`
	Who        string               `json:"who,omitempty"`
	Kind       string               `json:"kind"`
	AppID      string               `json:"app_id,omitempty"`
	App        string               `json:"app,omitempty"`
	What       string               `json:"what"`
	Tool       string               `json:"tool,omitempty"`
	Accounts   []store.EventAccount `json:"accounts,omitempty"`
	Outcome    string               `json:"outcome,omitempty"`
	DurationMS float64              `json:"duration_ms"`
	Detail     string               `json:"detail,omitempty"`
	Facts      []store.EventFact    `json:"facts,omitempty"`
	Text       string               `json:"text,omitempty"`
	DraftID    string               `json:"draft_id,omitempty"`
}

var exportHeader = []string{"time", "kind", "app", "app_id", "what", "tool", "accounts", "outcome", "duration_ms", "detail", "facts", "text", "draft_id", "who"}

func (x exportEvent) record(s *Server) []string {
	accounts := make([]string, len(x.Accounts))
	for i, a := range x.Accounts {
		accounts[i] = s.accountText(a)
	}
	facts := make([]string, len(x.Facts))
	for i, f := range x.Facts {
		facts[i] = f.Label + ": " + f.Value
	}
	rec := []string{x.At, x.Kind, x.App, x.AppID, x.What, x.Tool, strings.Join(accounts, "; "), x.Outcome,
		strconv.FormatFloat(x.DurationMS, 'f', -1, 64), x.Detail, strings.Join(facts, "; "), x.Text, x.DraftID, x.Who}
	for i := range rec {
		rec[i] = csvCell(rec[i])
	}
	return rec
}

// csvCell defuses a cell a spreadsheet would run as a formula (OWASP, CSV
// injection): one that starts with =, +, -, @, a tab or a carriage return
// gets a leading apostrophe, which spreadsheets show as text. A guest's
// name or a message is text the host did not write.
func csvCell(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

func (s *Server) handleActivityExport(w http.ResponseWriter, r *http.Request) {
	u, ok := s.host(w, r)
	if !ok {
		return
	}
	format := r.URL.Query().Get("format")
	if format != "csv" && format != "jsonl" {
		s.pageError(w, http.StatusBadRequest, "Unknown format", "Export as format=csv or format=jsonl.")
		return
	}
	q, err := s.parseActivityQuery(r.URL.Query())
	if err != nil {
		s.pageError(w, http.StatusBadRequest, "This filter cannot be used", err.Error()+".")
		return
	}
	sc, ok := s.activityScopeOf(w, r, u, q.Team)
	if !ok {
		return
	}
	ctx := r.Context()
	fctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	_ = s.activity.Flush(fctx)
	cancel()

	name := "hostgate-activity-" + s.cfg.Now().UTC().Format("2006-01-02") + "." + format
	h := w.Header()
	web.SetHeaders(h, web.CSP())
	if format == "csv" {
		h.Set("Content-Type", "text/csv; charset=utf-8")
	} else {
		h.Set("Content-Type", "application/jsonl; charset=utf-8")
	}
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)

	var write func(exportEvent) error
	var flush func() error
	if format == "csv" {
		cw := csv.NewWriter(w)
		if err := cw.Write(exportHeader); err != nil {
			return
		}
		write = func(x exportEvent) error { return cw.Write(x.record(s)) }
		flush = func() error { cw.Flush(); return cw.Error() }
	} else {
		enc := json.NewEncoder(w)
		write = func(x exportEvent) error { return enc.Encode(x) }
		flush = func() error { return nil }
	}
	if err := s.exportEvents(ctx, sc, q.filter, write); err != nil {
		// The answer is under way; it ends short, and the log says why.
		s.log.ErrorContext(ctx, "activity export", "host_id", u.ID, "err", err)
	}
	if err := flush(); err != nil && ctx.Err() == nil {
		s.log.ErrorContext(ctx, "activity export", "host_id", u.ID, "err", err)
	}
}

// exportEvents walks the host's events that pass f, newest first, a batch
// at a time, and hands each to write.
func (s *Server) exportEvents(ctx context.Context, sc activityScope, f store.ActivityFilter, write func(exportEvent) error) error {
	names := s.appNames(ctx)
	f.Limit = exportBatch
	for {
		events, err := sc.list(ctx, s.cfg.Store, f)
		if err != nil {
			return err
		}
		for _, e := range events {
			x := exportEvent{ID: e.ID, At: e.At.UTC().Format(time.RFC3339Nano), Kind: e.Kind, AppID: e.ClientID, App: e.AppName,
				What: s.eventWhat(e), Tool: e.Tool, Accounts: e.Accounts, Outcome: e.Outcome,
				DurationMS: float64(e.Duration.Microseconds()) / 1000, Detail: e.Detail, Facts: e.Facts, Text: e.Text, DraftID: e.Ref}
			if x.App == "" {
				x.App = names(e.ClientID)
			}
			x.Who = sc.who(ctx, s.cfg.Store, e.UserID)
			if err := write(x); err != nil {
				return err
			}
		}
		if len(events) < exportBatch {
			return nil
		}
		last := events[len(events)-1]
		f.Before = &store.EventCursor{At: last.At, ID: last.ID}
	}
}
