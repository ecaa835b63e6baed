package sqlstore

import (
	"encoding/json"
	"fmt"
	"math"
	"time"
)

// Times the database can hold: unix nanoseconds fit an int64 only from 1678
// to 2262.
var (
	minTime = time.Unix(0, math.MinInt64)
	maxTime = time.Unix(0, math.MaxInt64)
)

// tn is a time as a bound in a query: unix nanoseconds, clamped to what an
// int64 holds (the zero time comes before every stored time).
func tn(t time.Time) int64 {
	switch {
	case t.Before(minTime):
		return math.MinInt64
	case t.After(maxTime):
		return math.MaxInt64
	}
	return t.UnixNano()
}

// tv is a time as the database stores it: unix nanoseconds, or NULL for the
// zero time.
func tv(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixNano()
}

// utc is t as it comes back from the database.
func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return time.Unix(0, t.UnixNano()).UTC()
}

// timeCol scans a nullable INTEGER of unix nanoseconds into a UTC time.
type timeCol struct{ t *time.Time }

func tc(t *time.Time) timeCol { return timeCol{t} }

func (c timeCol) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		*c.t = time.Time{}
	case int64:
		*c.t = time.Unix(0, v).UTC()
	default:
		return fmt.Errorf("time column holds %T", v)
	}
	return nil
}

// lv is a string list as the database stores it: a JSON array.
func lv(l []string) string {
	if len(l) == 0 {
		return "[]"
	}
	b, err := json.Marshal(l)
	if err != nil { // cannot happen for []string
		panic(err)
	}
	return string(b)
}

// jsonCol scans a JSON array column into a slice; an empty array gives
// nil. String lists (lc) and the activity log's accounts and facts use it.
type jsonCol[T any] struct{ l *[]T }

func lc(l *[]string) jsonCol[string] { return jsonCol[string]{l} }

func (c jsonCol[T]) Scan(v any) error {
	var b []byte
	switch v := v.(type) {
	case nil:
		*c.l = nil
		return nil
	case string:
		b = []byte(v)
	case []byte:
		b = v
	default:
		return fmt.Errorf("JSON column holds %T", v)
	}
	var l []T
	if err := json.Unmarshal(b, &l); err != nil {
		return fmt.Errorf("JSON column: %w", err)
	}
	if len(l) == 0 {
		l = nil
	}
	*c.l = l
	return nil
}

// limitArg turns an API limit into a LIMIT value; ok is false when the
// caller asked for nothing.
func limitArg(limit int) (int64, bool) {
	if limit <= 0 {
		return 0, false
	}
	return int64(limit), true
}
