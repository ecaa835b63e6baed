// Package metricstest reads what a metrics handler serves, for tests: the
// families of one scrape, a series' value, and every label value (to show
// that none is an id). It parses with Prometheus's own text parser, as a
// scraper would.
package metricstest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// Scrape is one scrape's families by name.
type Scrape map[string]*dto.MetricFamily

// Read scrapes h once, as Prometheus would in the text format.
func Read(t testing.TB, h http.Handler) Scrape {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("scrape: status %d", rec.Code)
	}
	return Parse(t, rec.Body)
}

// Parse reads a scrape's body in the text format.
func Parse(t testing.TB, body io.Reader) Scrape {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(body)
	if err != nil {
		t.Fatalf("scrape: %v", err)
	}
	return fams
}

// Has reports whether the family is served (a vector appears once one of
// its series has been counted).
func (s Scrape) Has(name string) bool { return s[name] != nil }

// Sum adds up the series of family name whose labels include every pair
// given ("label", "value", ...): a counter's or a gauge's value, or a
// histogram's sample count.
func (s Scrape) Sum(name string, pairs ...string) float64 {
	var sum float64
	for _, m := range s.match(name, pairs) {
		switch {
		case m.Counter != nil:
			sum += m.GetCounter().GetValue()
		case m.Gauge != nil:
			sum += m.GetGauge().GetValue()
		case m.Histogram != nil:
			sum += float64(m.GetHistogram().GetSampleCount())
		case m.Untyped != nil:
			sum += m.GetUntyped().GetValue()
		}
	}
	return sum
}

// HistogramSum adds up the observed values (the _sum) of family name's
// series whose labels include the pairs.
func (s Scrape) HistogramSum(name string, pairs ...string) float64 {
	var sum float64
	for _, m := range s.match(name, pairs) {
		sum += m.GetHistogram().GetSampleSum()
	}
	return sum
}

// Values returns the values of label in family name's series, sorted and
// without repeats.
func (s Scrape) Values(name, label string) []string {
	seen := map[string]bool{}
	for _, m := range s.match(name, nil) {
		for _, l := range m.GetLabel() {
			if l.GetName() == label {
				seen[l.GetValue()] = true
			}
		}
	}
	return sorted(seen)
}

// LabelValues returns every label value of every family, sorted and
// without repeats.
func (s Scrape) LabelValues() []string {
	seen := map[string]bool{}
	for _, f := range s {
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				seen[l.GetValue()] = true
			}
		}
	}
	return sorted(seen)
}

func (s Scrape) match(name string, pairs []string) []*dto.Metric {
	f := s[name]
	if f == nil {
		return nil
	}
	var out []*dto.Metric
next:
	for _, m := range f.GetMetric() {
		for i := 0; i+1 < len(pairs); i += 2 {
			found := false
			for _, l := range m.GetLabel() {
				if l.GetName() == pairs[i] && l.GetValue() == pairs[i+1] {
					found = true
				}
			}
			if !found {
				continue next
			}
		}
		out = append(out, m)
	}
	return out
}

func sorted(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for v := range set {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}
