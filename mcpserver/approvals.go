package mcpserver

import (
	"context"
	"embed"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/hostgate/hostgate/internal/web"
	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/tools"
)

// The approval page: where the host reads a draft an app asked for, may
// edit its text, and approves or discards it. Only the signed-in host who
// owns the draft sees it; no MCP token reaches it (it is a page behind the
// host's browser session, with a CSRF token on its form).

//go:embed templates/approval.html
var approvalFS embed.FS

var approvalTemplate = web.Parse(approvalFS, "templates/approval.html")

const csrfApprovals = "approvals"

func (s *Server) mountApprovals(mux *http.ServeMux) {
	mux.HandleFunc("GET /approvals/{id}", s.handleApproval)
	mux.HandleFunc("POST /approvals/{id}", s.handleApprovalSubmit)
	mux.HandleFunc("POST /clients/{id}/policy", s.handleWritePolicy)
}

type approvalData struct {
	ID, CSRF, ClientName, Status, Error, Created, Updated, Text, Verb string
	MaxText                                                           int
	Preview                                                           tools.Preview
	Editable                                                          bool
	Notice                                                            string
	NoticeError                                                       bool
}

func (s *Server) handleApproval(w http.ResponseWriter, r *http.Request) {
	u, ok := s.host(w, r)
	if !ok {
		return
	}
	s.renderApproval(w, r, u, r.PathValue("id"), "", false)
}

func (s *Server) renderApproval(w http.ResponseWriter, r *http.Request, u store.User, id, notice string, noticeErr bool) {
	v, err := tools.ViewDraft(r.Context(), s.deps, u.ID, id)
	if errors.Is(err, tools.ErrDraftNotFound) {
		s.pageError(w, http.StatusNotFound, "No such draft", "This link names no draft of yours. It may belong to another account: sign out and sign in as the host it was meant for.")
		return
	}
	if err != nil {
		s.serverError(w, r, "view draft", err)
		return
	}
	dr := v.Draft
	name := dr.ClientID
	if c, err := s.cfg.Store.GetClient(r.Context(), dr.ClientID); err == nil {
		name = c.Name
	}
	d := approvalData{
		ID: dr.ID, CSRF: s.signin.CSRF(w, r, csrfApprovals), ClientName: name, Status: string(dr.Status), Error: dr.Error,
		Created: dr.CreatedAt.Format("2 Jan 2006 15:04 MST"), Preview: v.Preview, Editable: v.Editable, Text: v.Text,
		Notice: notice, NoticeError: noticeErr, Verb: v.Verb, MaxText: v.MaxText,
	}
	if d.Verb == "" {
		d.Verb = "carry it out"
	}
	if d.MaxText == 0 {
		d.MaxText = 5000
	}
	if dr.Status != store.DraftPending && !dr.UpdatedAt.IsZero() {
		d.Updated = dr.UpdatedAt.Format("2 Jan 2006 15:04 MST")
	}
	approvalTemplate.Render(w, http.StatusOK, web.CSP(), d)
}

func (s *Server) handleApprovalSubmit(w http.ResponseWriter, r *http.Request) {
	u, ok := s.host(w, r)
	if !ok || !s.postForm(w, r, csrfApprovals) {
		return
	}
	id := r.PathValue("id")
	// The host's decision goes in the activity log with what it did.
	rec := &tools.Record{}
	ctx := tools.WithRecord(r.Context(), rec)
	var err error
	switch r.PostForm.Get("action") {
	case "approve":
		var text *string
		if r.PostForm.Has("text") {
			t := r.PostForm.Get("text")
			text = &t
		}
		start := time.Now()
		var dr store.Draft
		dr, err = tools.ApproveDraft(ctx, s.deps, u.ID, id, text)
		s.recordDecision(ctx, store.EventWriteApproved, dr, rec, err, time.Since(start))
		if err == nil {
			s.renderApproval(w, r, u, id, "Approved: "+sentence(dr.Summary), false)
			return
		}
	case "discard":
		var dr store.Draft
		dr, err = tools.DiscardDraft(ctx, s.deps, u.ID, id)
		s.recordDecision(ctx, store.EventWriteDiscarded, dr, rec, err, 0)
		if err == nil {
			s.renderApproval(w, r, u, id, "Discarded: nothing was sent.", false)
			return
		}
	default:
		s.pageError(w, http.StatusBadRequest, "Unknown action", "Use the Approve or Discard button.")
		return
	}
	var te *tools.Error
	switch {
	case errors.Is(err, tools.ErrDraftNotFound):
		s.renderApproval(w, r, u, id, "", false)
	case errors.Is(err, tools.ErrDraftDecided):
		s.renderApproval(w, r, u, id, "This draft was already decided; nothing more was done.", true)
	case errors.Is(err, tools.ErrAppRevoked):
		s.renderApproval(w, r, u, id, "The app that asked for this no longer has access to your accounts, so it cannot be sent. Nothing was done.", true)
	case errors.As(err, &te):
		// A check refused the (edited) draft, or the vendor refused it.
		s.renderApproval(w, r, u, id, te.Text, true)
	default:
		s.serverError(w, r, "approve draft", err)
	}
}

// recordDecision logs the host's approval or discard of a draft, with the
// app that asked for it and what the write was. A decision that did nothing
// (no such draft, already decided, the app's access gone) is not logged.
func (s *Server) recordDecision(ctx context.Context, kind string, dr store.Draft, rec *tools.Record, err error, took time.Duration) {
	if dr.ID == "" || errors.Is(err, tools.ErrDraftNotFound) || errors.Is(err, tools.ErrDraftDecided) || errors.Is(err, tools.ErrAppRevoked) {
		return
	}
	e := store.AuditEvent{UserID: dr.UserID, ClientID: dr.ClientID, Kind: kind, Tool: dr.Tool, Ref: dr.ID, Duration: took}
	if err != nil {
		// Refused by the checks (the draft stays pending), or failed; a
		// write the vendor refused says so itself (the record's outcome).
		e.Outcome = store.OutcomeError
	}
	rec.Fill(&e)
	if te, ok := errors.AsType[*tools.Error](err); ok {
		addFailure(&e, clip(te.Text, maxDetail))
	}
	s.recordHostAction(context.WithoutCancel(ctx), e)
}

// sentence ends s with a full stop unless it ends in punctuation already.
func sentence(s string) string {
	if strings.HasSuffix(s, ".") || strings.HasSuffix(s, "…") || strings.HasSuffix(s, "!") || strings.HasSuffix(s, "?") {
		return s
	}
	return s + "."
}

// handleWritePolicy sets how an approved app's writes are confirmed.
func (s *Server) handleWritePolicy(w http.ResponseWriter, r *http.Request) {
	u, ok := s.host(w, r)
	if !ok || !s.postForm(w, r, csrfConnections) {
		return
	}
	p := store.WritePolicy(r.PostForm.Get("policy"))
	if !p.Valid() {
		s.pageError(w, http.StatusBadRequest, "Unknown choice", "Choose one of the offered ways to confirm writes.")
		return
	}
	clientID := r.PathValue("id")
	err := s.cfg.Store.SetWritePolicy(r.Context(), u.ID, clientID, p, s.cfg.Now())
	if errors.Is(err, store.ErrNotFound) {
		s.pageError(w, http.StatusNotFound, "No such app", "You have not approved this app.")
		return
	}
	if err != nil {
		s.serverError(w, r, "set write policy", err)
		return
	}
	s.log.InfoContext(r.Context(), "write policy set", "host_id", u.ID, "client_id", clientID, "policy", string(p))
	s.recordHostAction(r.Context(), store.AuditEvent{UserID: u.ID, ClientID: clientID, Kind: eventPolicyChanged, Detail: policyText(p)})
	http.Redirect(w, r, PathConnections+"?done=policy", http.StatusSeeOther)
}

// policyText says a write policy as the connections page offers it.
func policyText(p store.WritePolicy) string {
	switch p {
	case store.WriteDrafts:
		return "Always save a draft for you to approve"
	case store.WriteAct:
		return "Act without asking you"
	}
	return "Ask you in the chat when the app can; otherwise save a draft"
}
