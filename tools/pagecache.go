package tools

import (
	"sync"
	"time"
)

// A paged call reads every account once, on its first page, and keeps
// what they answered for the pages that follow: later pages cost no vendor
// call (vendors count requests: Hostaway allows 20 per 10 seconds per
// account), and every page is cut from the same snapshot, so an item that
// moves while the model pages is neither lost nor repeated. Only an
// account that failed is asked again on a later page.

const (
	// pageSnapshotTTL bounds how long a paged call's snapshot serves its
	// next pages; past it the accounts are read again.
	pageSnapshotTTL = 2 * time.Minute
	// maxPageSnapshots bounds the snapshots kept; the oldest goes first.
	maxPageSnapshots = 64
)

// snapshot is what the accounts of one paged call answered.
type snapshot struct {
	lists   any // [][]T, one list per account in keys; nil where it failed
	keys    []string
	fetched time.Time
}

type snapshotKey struct{ grant, tool, args string }

// snapshots holds the paged calls' snapshots.
type snapshots struct {
	mu sync.Mutex
	m  map[snapshotKey]snapshot
}

func (s *snapshots) get(k snapshotKey, keys []string, now time.Time) (any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[k]
	if !ok || now.Sub(v.fetched) > pageSnapshotTTL || !sameKeys(v.keys, keys) {
		return nil, false
	}
	return v.lists, true
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
