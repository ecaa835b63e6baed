package tools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/hostgate/hostgate/store"
)

// Errors of the approval page's calls.
var (
	// ErrDraftNotFound: no draft of this host has the id.
	ErrDraftNotFound = errors.New("tools: no such draft")
	// ErrDraftDecided: the draft was approved or discarded already.
	ErrDraftDecided = errors.New("tools: draft already decided")
	// ErrAppRevoked: the app that asked for the draft has lost its access.
	ErrAppRevoked = errors.New("tools: the app's access was revoked")
)

// DraftView is a draft as the approval page shows it.
type DraftView struct {
	Draft   store.Draft
	Preview Preview
	// Text is the text the host may edit; Editable says whether there is
	// one, and MaxText how long it may be.
	Text     string
	Editable bool
	MaxText  int
	// Verb says what approving does: "send", "post", "change the
	// calendar", "disconnect".
	Verb string
}

// ViewDraft returns the host's draft for the approval page.
func ViewDraft(ctx context.Context, d *Deps, userID, id string) (DraftView, error) {
	dr, err := d.Store.GetDraft(ctx, id)
	if err != nil || dr.UserID != userID {
		// Another host's draft is as absent as one that never existed.
		return DraftView{}, ErrDraftNotFound
	}
	var body draftArgs
	if err := json.Unmarshal(dr.Args, &body); err != nil {
		return DraftView{}, fmt.Errorf("decode draft %s: %w", id, err)
	}
	v := DraftView{Draft: dr, Preview: body.Preview}
	if w := d.writers[dr.Tool]; w != nil {
		v.Text, v.Editable = w.text(body.Input)
		v.MaxText, v.Verb = w.limits()
	}
	return v, nil
}

// ApproveDraft carries out a pending draft the host approved on hostgate's
// page, once: of two approvals at the same time, one acts and the other
// gets ErrDraftDecided. text, if not nil, replaces the draft's editable
// text first. A tool error (*Error) from the checks leaves the draft
// pending; one from the vendor marks it failed. Either way the returned
// draft is as stored.
func ApproveDraft(ctx context.Context, d *Deps, userID, id string, text *string) (store.Draft, error) {
	v, err := ViewDraft(ctx, d, userID, id)
	if err != nil {
		return store.Draft{}, err
	}
	dr := v.Draft
	if dr.Status != store.DraftPending {
		return dr, ErrDraftDecided
	}
	w := d.writers[dr.Tool]
	if w == nil {
		return dr, fmt.Errorf("draft %s: no write tool %q", id, dr.Tool)
	}
	g, err := d.Store.GetGrant(ctx, dr.GrantID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return dr, fmt.Errorf("draft %s: grant: %w", id, err)
	}
	if err != nil || !g.RevokedAt.IsZero() {
		return dr, ErrAppRevoked
	}
	c := &Caller{UserID: dr.UserID, ClientID: dr.ClientID, GrantID: dr.GrantID, Scopes: g.Scopes, Connections: g.Connections}
	if !c.HasScope(ScopeWrite) {
		return dr, ErrAppRevoked
	}
	var body draftArgs
	if err := json.Unmarshal(dr.Args, &body); err != nil {
		return dr, fmt.Errorf("decode draft %s: %w", id, err)
	}
	input, err := w.check(ctx, d, c, body.Input, text)
	if err != nil {
		return dr, err
	}
	if text != nil && v.Editable {
		body.Preview.Text = strings.TrimSpace(*text)
	}
	body.Input = input
	claimed := dr
	// The summary quotes the text as it will go out, edited or not.
	claimed.Status, claimed.Via, claimed.Args, claimed.Summary, claimed.UpdatedAt = store.DraftSending, "page", draftBody(input, body.Preview), body.Preview.summary(), d.now()
	claimed, err = d.Store.UpdateDraft(ctx, claimed, store.DraftPending)
	if errors.Is(err, store.ErrConflict) {
		cur, _ := d.Store.GetDraft(ctx, id)
		return cur, ErrDraftDecided
	}
	if err != nil {
		return dr, fmt.Errorf("claim draft %s: %w", id, err)
	}
	result, _, actErr := w.act(ctx, d, c, input)
	done := claimed
	done.UpdatedAt = d.now()
	if actErr != nil {
		done.Status, done.Error = store.DraftFailed, errorText(actErr)
	} else {
		done.Status, done.Result = store.DraftSent, result
	}
	rctx := context.WithoutCancel(ctx)
	stored, err := d.Store.UpdateDraft(rctx, done, store.DraftSending)
	if err != nil {
		d.log().ErrorContext(rctx, "record write outcome", "draft", id, "err", err)
		stored = done
	}
	outcome := store.OutcomeSent
	if actErr != nil {
		outcome = store.OutcomeFailed
	}
	recordFrom(ctx).wrote(outcome, &body.Preview, id)
	d.log().InfoContext(ctx, "draft approved", "tool", dr.Tool, "host_id", userID, "client_id", dr.ClientID, "draft", id, "outcome", stored.Status)
	return stored, actErr
}

// DiscardDraft discards a pending draft: nothing is sent.
func DiscardDraft(ctx context.Context, d *Deps, userID, id string) (store.Draft, error) {
	dr, err := d.Store.GetDraft(ctx, id)
	if err != nil || dr.UserID != userID {
		return store.Draft{}, ErrDraftNotFound
	}
	if dr.Status != store.DraftPending {
		return dr, ErrDraftDecided
	}
	dr.Status, dr.Via, dr.UpdatedAt = store.DraftDiscarded, "page", d.now()
	stored, err := d.Store.UpdateDraft(ctx, dr, store.DraftPending)
	if errors.Is(err, store.ErrConflict) {
		cur, _ := d.Store.GetDraft(ctx, id)
		return cur, ErrDraftDecided
	}
	if err == nil {
		recordFrom(ctx).wrote(store.OutcomeDiscarded, previewOf(stored), id)
	}
	return stored, err
}

// maxDrafts bounds how many drafts list_drafts reads.
const maxDrafts = 500

// DraftsIn filters list_drafts.
type DraftsIn struct {
	Status string `json:"status,omitempty" jsonschema:"enum=pending,enum=sending,enum=sent,enum=failed,enum=discarded" jsonschema_description:"only drafts in this state; omit for all"`
	PageIn
}

// DraftsOut lists the writes this app asked for.
type DraftsOut struct {
	Drafts []DraftInfo `json:"drafts"`
	Page
}

func (o *DraftsOut) page() *Page { return &o.Page }
func (o *DraftsOut) items() int  { return len(o.Drafts) }
func (o *DraftsOut) keep(n int)  { o.Drafts = o.Drafts[:n] }

func listDrafts(d *Deps) Tool {
	return New(Meta{
		Name: "list_drafts", Title: "List drafts and writes",
		Description: "Lists the writes (messages, calendar changes, review replies, disconnects) this app asked for, newest first: those waiting for the host to approve (pending, with the approval link), and those sent, failed or discarded. Use it to see whether the host approved a draft; it cannot approve one.",
		Scope:       ScopeRead, ReadOnly: true, Idempotent: true,
	}, d, func(ctx context.Context, d *Deps, c *Caller, in DraftsIn) (DraftsOut, string, error) {
		pg := in.PageIn
		in.PageIn = PageIn{}
		p, err := newPager(d, c, "list_drafts", in, pg)
		if err != nil {
			return DraftsOut{}, "", err
		}
		drafts, err := d.Store.ListDrafts(ctx, c.UserID, c.ClientID, maxDrafts)
		if err != nil {
			return DraftsOut{}, "", fmt.Errorf("list drafts: %w", err)
		}
		var all []DraftInfo
		pending := 0
		for _, dr := range drafts {
			if in.Status != "" && string(dr.Status) != in.Status {
				continue
			}
			if dr.Status == store.DraftPending {
				pending++
			}
			all = append(all, d.draftInfo(dr))
		}
		out := DraftsOut{}
		out.Drafts, out.Page = one(p, all)
		return out, fmt.Sprintf("%d drafts and writes; %d waiting for the host.", len(all), pending), nil
	})
}
