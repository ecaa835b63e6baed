package stays

import (
	"cmp"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/hostgate/hostgate/tools/connector"
)

// Hit is a reservation that matches a search, and what matched.
type Hit struct {
	connector.Reservation
	// Matched names the field that matched: code, email, phone or
	// guest_name.
	Matched string `json:"matched" jsonschema:"enum=code,enum=email,enum=phone,enum=guest_name"`
}

// MinQuery is the shortest fragment Find takes: shorter ones match too
// much to help.
const MinQuery = 3

// Find returns the reservations that a fragment of what a guest wrote
// points at, best match first: a confirmation code (exact, then part of
// one), an e-mail address or part of it, a phone number by its digits
// (at least six, so a country code or spacing does not matter), or a
// name whose words each start a word of the guest's name, accents and
// case aside ("jose gar" finds "José García").
func Find(reservations []connector.Reservation, query string) []Hit {
	q := strings.TrimSpace(query)
	if len([]rune(q)) < MinQuery {
		return nil
	}
	fq := fold(q)
	digits := onlyDigits(q)
	words := nameWordsOf(fq)
	type scored struct {
		Hit
		rank, exact int
	}
	var hits []scored
	for _, r := range reservations {
		rank, what, exact := 0, "", 0
		code := fold(r.Code)
		switch {
		case code != "" && code == fold(strings.ReplaceAll(q, " ", "")):
			rank, what = 1, "code"
		case strings.Contains(fq, "@") && fold(r.GuestEmail) == fq:
			rank, what = 2, "email"
		case len(digits) >= 6 && len(onlyDigits(r.GuestPhone)) >= 6 && phoneMatch(onlyDigits(r.GuestPhone), digits):
			rank, what = 3, "phone"
		case len(words) > 0 && nameMatch(fold(r.GuestName), words):
			// Whole words before beginnings of words: "jose" is José
			// before it is Joseph.
			rank, what, exact = 4, "guest_name", wholeWords(fold(r.GuestName), words)
		case len(fq) >= 4 && code != "" && strings.Contains(code, fq):
			rank, what = 5, "code"
		case len(fq) >= 4 && r.GuestEmail != "" && strings.Contains(fold(r.GuestEmail), fq):
			rank, what = 6, "email"
		}
		if rank > 0 {
			hits = append(hits, scored{Hit{r, what}, rank, exact})
		}
	}
	slices.SortStableFunc(hits, func(a, b scored) int {
		return cmp.Or(cmp.Compare(a.rank, b.rank), cmp.Compare(b.exact, a.exact), cmp.Compare(b.CheckIn, a.CheckIn), cmp.Compare(a.ID, b.ID))
	})
	out := make([]Hit, len(hits))
	for i, h := range hits {
		out[i] = h.Hit
	}
	return out
}

// phoneMatch: the fragment's digits are in the number, or the number's
// in the fragment (a fragment with a country code the vendor left out).
func phoneMatch(number, fragment string) bool {
	return strings.Contains(number, fragment) || len(number) >= 6 && strings.HasSuffix(fragment, number)
}

// nameMatch: every word of the query starts some word of the name.
func nameMatch(name string, words []string) bool {
	nameWords := nameWordsOf(name)
	for _, w := range words {
		if !slices.ContainsFunc(nameWords, func(n string) bool { return strings.HasPrefix(n, w) }) {
			return false
		}
	}
	return true
}

// wholeWords counts the query's words that are whole words of the name.
func wholeWords(name string, words []string) int {
	nameWords := nameWordsOf(name)
	n := 0
	for _, w := range words {
		if slices.Contains(nameWords, w) {
			n++
		}
	}
	return n
}

func nameWordsOf(name string) []string {
	return strings.FieldsFunc(name, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// fold lowers case and drops accents.
func fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	return strings.ToLower(strings.TrimSpace(out))
}

func onlyDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
