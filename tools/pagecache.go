package tools

import (
	"sync"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
)

// A paged call reads every account once, on its first page (through the
// read cache, connector.Cache), and keeps what they answered for the pages
// that follow. The read cache alone would not do: its entries expire by
// kind (messages after seconds) and a write drops them, and a page cut
// from a newer read could lose or repeat an item that moved. So every page
// of one paged call is cut from the same snapshot, which holds the very
// lists the cache handed out (shared, never copied or changed), with how
// old each account's list is, for the later pages to say. Only an account
// that failed is asked again on a later page.

const (
	// pageSnapshotTTL bounds how long a paged call's snapshot serves its
	// next pages; past it the accounts are read again.
	pageSnapshotTTL = 2 * time.Minute
	// maxPageSnapshots bounds the snapshots kept; the oldest goes first.
	maxPageSnapshots = 64
)

// snapshot is what the accounts of one paged call answered.
type snapshot struct {
	lists   any             // [][]T, one list per account in keys; nil where it failed
	ages    []connector.Age // how old each list is; zero where it failed
	keys    []string
	fetched time.Time
}

type snapshotKey struct{ grant, tool, args string }

// snapshots holds the paged calls' snapshots.
type snapshots struct {
	mu sync.Mutex
	m  map[snapshotKey]snapshot
}

func (s *snapshots) get(k snapshotKey, keys []string, now time.Time) (snapshot, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[k]
	if !ok || now.Sub(v.fetched) > pageSnapshotTTL || !sameKeys(v.keys, keys) {
		return snapshot{}, false
	}
	return v, true
}

func (s *snapshots) put(k snapshotKey, v snapshot) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[snapshotKey]snapshot{}
	}
	if _, ok := s.m[k]; !ok && len(s.m) >= maxPageSnapshots {
		var oldest snapshotKey
		first := true
		for key, sv := range s.m {
			if first || sv.fetched.Before(s.m[oldest].fetched) {
				oldest, first = key, false
			}
		}
		delete(s.m, oldest)
	}
	s.m[k] = v
}

func sameKeys(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
