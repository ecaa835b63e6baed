package tools

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
)

func testDeps() *Deps { return &Deps{StateKey: bytes.Repeat([]byte{3}, 32)} }

// pageAll pages through lists with limit until no cursor is left and
// returns every item in the order given.
func pageAll(t *testing.T, d *Deps, c *Caller, lists [][]int, limit int) []int {
	t.Helper()
	keys := make([]string, len(lists))
	for i := range lists {
		keys[i] = fmt.Sprintf("conn-%d", i)
	}
	var got []int
	cur := ""
	for range 1000 {
		p, err := newPager(d, c, "tool", "args", PageIn{Limit: limit, Cursor: cur})
		if err != nil {
			t.Fatal(err)
		}
		items, pg := merge(p, keys, lists, cmp.Compare[int])
		if len(items) > limit {
			t.Fatalf("page of %d items, limit %d", len(items), limit)
		}
		got = append(got, items...)
		if pg.NextCursor == "" {
			return got
		}
		cur = pg.NextCursor
	}
	t.Fatal("paging never ended")
	return nil
}

// TestPagingAcrossAccounts: items of several accounts come in merged order,
// each exactly once, whatever the limit; the cursor remembers each
// account's position.
func TestPagingAcrossAccounts(t *testing.T) {
	d, c := testDeps(), &Caller{GrantID: "g1"}
	var lists [][]int
	var want []int
	for a, n := range []int{0, 1, 7, 30, 120} {
		var l []int
		for i := range n {
			v := i*5 + a // interleaved across accounts
			l = append(l, v)
			want = append(want, v)
		}
		lists = append(lists, l)
	}
	slices.Sort(want)
	for _, limit := range []int{1, 3, 50, 100} {
		if got := pageAll(t, d, c, lists, limit); !slices.Equal(got, want) {
			t.Fatalf("limit %d: got %d items %v, want %d", limit, len(got), got, len(want))
		}
	}
}

// TestPagingKeepsAFailedAccountsPosition: an account that does not answer
// on one page keeps its position for the next.
func TestPagingKeepsAFailedAccountsPosition(t *testing.T) {
	d, c := testDeps(), &Caller{GrantID: "g1"}
	keys := []string{"a", "b"}
	a, b := []int{1, 3, 5, 7}, []int{2, 4, 6, 8}
	p, _ := newPager(d, c, "tool", nil, PageIn{Limit: 4})
	items, pg := merge(p, keys, [][]int{a, b}, cmp.Compare[int])
	if !slices.Equal(items, []int{1, 2, 3, 4}) {
		t.Fatalf("page 1 = %v", items)
	}
	// b fails on page 2.
	p, err := newPager(d, c, "tool", nil, PageIn{Limit: 4, Cursor: pg.NextCursor})
	if err != nil {
		t.Fatal(err)
	}
	items, pg = merge(p, keys, [][]int{a, nil}, cmp.Compare[int])
	if !slices.Equal(items, []int{5, 7}) || pg.NextCursor != "" {
		t.Fatalf("page 2 = %v, cursor %q; want a's rest and no cursor (a is done, b did not answer)", items, pg.NextCursor)
	}
}

// TestCursorRefused: a cursor works only for the grant, tool and arguments
// it was issued for, and only unaltered.
func TestCursorRefused(t *testing.T) {
	d := testDeps()
	alice := &Caller{GrantID: "grant-alice"}
	p, _ := newPager(d, alice, "list_reservations", map[string]string{"vendor": "hostex"}, PageIn{Limit: 1})
	_, pg := merge(p, []string{"c"}, [][]int{{1, 2}}, cmp.Compare[int])
	good := pg.NextCursor
	if good == "" {
		t.Fatal("no cursor")
	}
	if _, err := newPager(d, alice, "list_reservations", map[string]string{"vendor": "hostex"}, PageIn{Cursor: good}); err != nil {
		t.Fatalf("the cursor's own call refused it: %v", err)
	}
	flipped := []byte(good)
	flipped[len(flipped)/2] ^= 1
	other := &Deps{StateKey: bytes.Repeat([]byte{4}, 32)}
	for _, tc := range []struct {
		name   string
		d      *Deps
		caller *Caller
		tool   string
		args   any
		cursor string
	}{
		{"another grant", d, &Caller{GrantID: "grant-mallory"}, "list_reservations", map[string]string{"vendor": "hostex"}, good},
		{"another tool", d, alice, "list_reviews", map[string]string{"vendor": "hostex"}, good},
		{"other arguments", d, alice, "list_reservations", map[string]string{"vendor": "hostaway"}, good},
		{"altered", d, alice, "list_reservations", map[string]string{"vendor": "hostex"}, string(flipped)},
		{"forged", d, alice, "list_reservations", map[string]string{"vendor": "hostex"}, "eyJ0IjoibGlzdF9yZXNlcnZhdGlvbnMifQ"},
		{"another server's key", other, alice, "list_reservations", map[string]string{"vendor": "hostex"}, good},
		{"huge", d, alice, "list_reservations", map[string]string{"vendor": "hostex"}, strings.Repeat("A", 10000)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := newPager(tc.d, tc.caller, tc.tool, tc.args, PageIn{Cursor: tc.cursor})
			var te *Error
			if err == nil || !asError(err, &te) || !strings.Contains(te.Text, "omit cursor") {
				t.Fatalf("err = %v, want a tool error saying to start over", err)
			}
		})
	}
}

func TestLimitBounds(t *testing.T) {
	d, c := testDeps(), &Caller{GrantID: "g"}
	for _, bad := range []int{-1, maxLimit + 1} {
		if _, err := newPager(d, c, "t", nil, PageIn{Limit: bad}); err == nil {
			t.Errorf("limit %d accepted", bad)
		}
	}
	p, err := newPager(d, c, "t", nil, PageIn{})
	if err != nil || p.limit != defaultLimit {
		t.Fatalf("default limit = %v, %v", p, err)
	}
}

type bigItem struct {
	N    int    `json:"n"`
	Text string `json:"text"`
}

type bigOut struct {
	Items []bigItem `json:"items"`
	Page
}

func (o *bigOut) page() *Page { return &o.Page }
func (o *bigOut) items() int  { return len(o.Items) }
func (o *bigOut) keep(n int)  { o.Items = o.Items[:n] }

// TestRenderCutsAtTheBudget: a page whose text would pass the budget is cut
// at a whole item, says so, and its cursor leads to exactly the rest.
func TestRenderCutsAtTheBudget(t *testing.T) {
	d, c := testDeps(), &Caller{GrantID: "g"}
	var all []bigItem
	for i := range 100 {
		all = append(all, bigItem{N: i, Text: strings.Repeat("x", 1500)})
	}
	seen := map[int]int{}
	cur := ""
	for pages := 0; ; pages++ {
		if pages > 20 {
			t.Fatal("paging never ended")
		}
		p, err := newPager(d, c, "big", nil, PageIn{Limit: 100, Cursor: cur})
		if err != nil {
			t.Fatal(err)
		}
		items, pg := one(p, all)
		res, err := render(bigOut{Items: items, Page: pg}, "Some items.")
		if err != nil {
			t.Fatal(err)
		}
		text := resultText(res)
		if len(text) > textBudget {
			t.Fatalf("text is %d bytes, budget %d", len(text), textBudget)
		}
		var out bigOut
		_, body, _ := strings.Cut(text, "\n")
		if err := json.Unmarshal([]byte(body), &out); err != nil {
			t.Fatal(err)
		}
		if len(out.Items) < len(items) && (out.Cut == "" || out.NextCursor == "") {
			t.Fatalf("cut to %d of %d without saying so: %+v", len(out.Items), len(items), out.Page)
		}
		for _, it := range out.Items {
			seen[it.N]++
		}
		if out.NextCursor == "" {
			break
		}
		cur = out.NextCursor
	}
	for i := range 100 {
		if seen[i] != 1 {
			t.Fatalf("item %d seen %d times", i, seen[i])
		}
	}
}

func asError(err error, te **Error) bool {
	e, ok := err.(*Error)
	*te = e
	return ok
}

func resultText(res *mcp.CallToolResult) string {
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String()
}
