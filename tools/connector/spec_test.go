package connector_test

import (
	"testing"

	"github.com/hostgate/hostgate/tools/connector"
)

func TestSpecPageLimit(t *testing.T) {
	for _, tc := range []struct {
		name          string
		pageSize, max int
		want          int
	}{
		{"unset: the endpoint's max", 0, 100, 100},
		{"smaller: the spec's (tests exercise pagination)", 2, 100, 2},
		{"equal", 50, 50, 50},
		{"larger: never past what the endpoint takes", 100, 50, 50},
		{"negative is unset", -1, 100, 100},
	} {
		s := &connector.Spec{PageSize: tc.pageSize}
		if got := s.PageLimit(tc.max); got != tc.want {
			t.Errorf("%s: PageLimit(%d) with PageSize %d = %d, want %d", tc.name, tc.max, tc.pageSize, got, tc.want)
		}
	}
}
