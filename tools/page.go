package tools

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
)

// Page sizes for list tools.
const (
	defaultLimit = 50
	maxLimit     = 100
)

// PageIn is the paging part of every list tool's input.
type PageIn struct {
	Limit  int    `json:"limit,omitempty" jsonschema_description:"how many items to return, 1 to 100 (default 50)"`
	Cursor string `json:"cursor,omitempty" jsonschema_description:"next_cursor from the previous page of this same call (same arguments); omit it for the first page"`
}

// Page is the paging part of every list tool's output.
type Page struct {
	NextCursor string `json:"next_cursor,omitempty" jsonschema_description:"present while more items exist: call the tool again with the same arguments and cursor set to this"`
	// Cut says that the page was cut short to stay within the size a
	// result may have, and how to get the rest.
	Cut string `json:"cut,omitempty"`

	// cursorAt reseals the cursor for a page cut after n items; nil when
	// the page cannot be cut.
	cursorAt func(n int) string
}

// pageOf is what a list output's items are cut through.
type pageOf interface {
	page() *Page
	// keep cuts the items to the first n.
	keep(n int)
	items() int
}

// cursor is the position of a paged call in each account it reads. It is
// bound to the tool and its arguments, and sealed to the grant.
type cursor struct {
	Tool string `json:"t"`
	Args string `json:"a"`
	// Pos is how many items of each connection (by id) earlier pages gave.
	Pos map[string]int `json:"p,omitempty"`
}

const cursorPurpose = "cursor"

// argsKey identifies a call's arguments apart from paging.
func argsKey(filter any) string {
	b, _ := json.Marshal(filter)
	sum := sha256.Sum256(b)
	return base64.RawURLEncoding.EncodeToString(sum[:12])
}

// pager is one page of one call of a list tool.
type pager struct {
	d      *Deps
	c      *Caller
	tool   string
	args   string
	limit  int
	pos    map[string]int
	sealer *sealer
	// continued: the call carries a cursor (it is not a first page).
	continued bool
}

// newPager checks the paging input of a call and opens its cursor. filter
// is the call's input with its PageIn zeroed: a cursor only continues the
// call with the same arguments.
func newPager(d *Deps, c *Caller, tool string, filter any, in PageIn) (*pager, error) {
	limit := in.Limit
	switch {
	case limit == 0:
		limit = defaultLimit
	case limit < 0 || limit > maxLimit:
		return nil, Errorf("limit must be between 1 and %d, not %d.", maxLimit, in.Limit)
	}
	s, err := d.sealer()
	if err != nil {
		return nil, err
	}
	p := &pager{d: d, c: c, tool: tool, args: argsKey(filter), limit: limit, pos: map[string]int{}, sealer: s}
	if in.Cursor == "" {
		return p, nil
	}
	p.continued = true
	var cur cursor
	if err := s.open(cursorPurpose, c.GrantID, in.Cursor, &cur); err != nil || cur.Tool != tool || cur.Args != p.args {
		return nil, Errorf("cursor is not a next_cursor of this call: pass next_cursor unchanged, with the same arguments as the call that returned it, or omit cursor to start from the first page.")
	}
	for k, v := range cur.Pos {
		if v < 0 {
			return nil, Errorf("cursor is damaged; omit it to start from the first page.")
		}
		p.pos[k] = v
	}
	return p, nil
}

// seal returns the cursor for positions pos.
func (p *pager) seal(pos map[string]int) string {
	s, err := p.sealer.seal(cursorPurpose, p.c.GrantID, cursor{Tool: p.tool, Args: p.args, Pos: pos})
	if err != nil {
		// Sealing fails only if the system's randomness does; the page is
		// still right, only the way on is lost.
		p.d.log().Error("seal cursor", "err", err)
		return ""
	}
	return s
}

// merge takes the next page from lists, one per account, each already in
// the order cmp gives; keys name the accounts. Items are merged in cmp
// order (ties go to the earlier account), starting from each account's
// position in the cursor. A nil list is an account that did not answer:
// it keeps its position for the next page.
func merge[T any](p *pager, keys []string, lists [][]T, cmp func(a, b T) int) ([]T, Page) {
	idx := make([]int, len(lists))
	for i, k := range keys {
		idx[i] = min(p.pos[k], len(lists[i]))
	}
	start := append([]int(nil), idx...)
	left := 0
	for i, l := range lists {
		left += len(l) - idx[i]
	}
	out := make([]T, 0, min(left, p.limit))
	origin := make([]int, 0, cap(out))
	for len(out) < p.limit {
		best := -1
		for i, l := range lists {
			if idx[i] < len(l) && (best < 0 || cmp(l[idx[i]], lists[best][idx[best]]) < 0) {
				best = i
			}
		}
		if best < 0 {
			break
		}
		out = append(out, lists[best][idx[best]])
		origin = append(origin, best)
		idx[best]++
	}
	// next returns the cursor after the first n items of the page, or ""
	// when nothing follows them.
	next := func(n int) string {
		at := append([]int(nil), start...)
		for _, o := range origin[:n] {
			at[o]++
		}
		pos := make(map[string]int, len(keys))
		more := false
		for i, k := range keys {
			if lists[i] == nil {
				// Not answered now: keep where the cursor had it.
				if v := p.pos[k]; v > 0 {
					pos[k] = v
				}
				continue
			}
			if at[i] < len(lists[i]) {
				more = true
			}
			if at[i] > 0 {
				pos[k] = at[i]
			}
		}
		if !more {
			return ""
		}
		return p.seal(pos)
	}
	if out == nil {
		out = []T{}
	}
	return out, Page{NextCursor: next(len(out)), cursorAt: next}
}

// one pages a single list (one account, or hostgate's own rows).
func one[T any](p *pager, list []T) ([]T, Page) {
	return merge(p, []string{""}, [][]T{list}, func(a, b T) int { return 0 })
}

// textBudget bounds a result's text: about 15,000 tokens at about four
// bytes a token. Past it a list is cut at a whole item.
const textBudget = 60_000

// fit cuts a list output to the text budget; rendered is its JSON. It
// returns the new JSON, or rendered itself when it fits.
func fit(out pageOf, rendered []byte, overhead int) ([]byte, error) {
	if len(rendered)+overhead <= textBudget {
		return rendered, nil
	}
	pg := out.page()
	if pg.cursorAt == nil {
		return rendered, nil
	}
	total := out.items()
	render := func(n int) ([]byte, error) {
		out.keep(n)
		pg.NextCursor = pg.cursorAt(n)
		pg.Cut = fmt.Sprintf("Cut at %d of %d items to keep this result readable: call again with the same arguments and cursor=next_cursor for the rest (a smaller limit avoids the cut).", n, total)
		return json.Marshal(out)
	}
	// The largest count that fits, by binary search: lo fits (none at
	// all is assumed to), hi does not. keep reslices within the original
	// items, so a probe may grow the list again.
	lo, hi := 0, total
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		b, err := render(mid)
		if err != nil {
			return nil, err
		}
		if len(b)+overhead <= textBudget {
			lo = mid
		} else {
			hi = mid
		}
	}
	return render(lo)
}
