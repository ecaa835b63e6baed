package connector

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/hostgate/hostgate/internal/metrics"
)

// CacheKey names one read of one connection. The connection's id is part
// of every key, so an entry is only ever served to a caller of that
// connection: never across hosts, and never by a vendor's ids alone (two
// hosts may connect the same vendor account; they share no entry).
type CacheKey struct {
	// Conn is the connection's id (store.Connection.ID).
	Conn string
	Kind Kind
	// Subject is the vendor's id of what the read is about (a property's
	// calendar, a conversation's messages), "" for an account-wide list.
	// Invalidate drops entries by it.
	Subject string
	// Args is everything else the read depends on (a date range, a
	// filter), in one canonical form chosen by the caller.
	Args string
}

// Age says where a cached read's data came from.
type Age struct {
	// At is when hostgate asked the vendor for the data.
	At time.Time
	// Stale, when not nil, is why the data is past its freshness: a new
	// read met a spent rate limit (an error wrapping ErrRateLimited, with
	// its RetryAfter), and the cache served the last data it had instead.
	Stale error
}

const (
	// DefaultCacheBytes is the read cache's size when configuration does
	// not set one: about a thousand large property lists, a small part of
	// a small server's memory.
	DefaultCacheBytes = 64 << 20
	// maxStale bounds how old data served in place of a rate-limited read
	// may be. Its age is always given, so the model can tell the host; past
	// this it is too old to be worth more than the retry time.
	maxStale = time.Hour
	// flightTimeout bounds one vendor read made for the callers of a key. It
	// runs detached from any one caller (a caller who gives up must not fail
	// the others, and the answer still fills the cache); a vendor call is
	// bounded by its client's 30 s timeout, and a renewal by its own 30 s.
	flightTimeout = 70 * time.Second
	// entryOverhead is what an entry costs besides its value: the entry,
	// its list element, the map slots, the key's strings.
	entryOverhead = 256
	// maxEntryShare: one value larger than 1/maxEntryShare of the cache is
	// not kept, so a single huge read cannot flush everyone else's.
	maxEntryShare = 8
)

// Cache keeps vendor reads in memory, per connection, for as long as their
// kind stays fresh, within a budget of bytes (least recently used first
// out). Concurrent reads of one key share one vendor call; a caller that
// asks for fresh data skips what is kept but still shares a call under way.
// Writes through hostgate invalidate what they change; a connection that is
// disconnected, reconnected or refused is dropped whole.
//
// Values are shared by every caller of a key: callers must treat what they
// get as read-only (copy before changing a slice or what it points to).
// A nil *Cache caches nothing. It is safe for concurrent use.
type Cache struct {
	now   func() time.Time
	limit int64
	// metrics counts each read's result (UseMetrics); nil counts nothing.
	metrics *metrics.Metrics

	mu      sync.Mutex
	items   map[CacheKey]*entry
	byConn  map[string]map[*entry]struct{}
	lru     list.List // of *entry; front is the most recently used
	bytes   int64
	flights map[CacheKey]*flight
}

type entry struct {
	key  CacheKey
	val  any
	size int64
	at   time.Time
	elem *list.Element
}

// flight is one vendor read under way for the callers of a key.
type flight struct {
	done chan struct{}
	// callers is how many callers joined it, under Cache.mu.
	callers int
	// Set before done is closed; read only after.
	val any
	at  time.Time
	err error
}

// NewCache returns a cache of at most limit bytes (an estimate of the
// values' memory, see sizeOf). A limit of 0 or less keeps nothing, but
// still lets concurrent callers of one key share one vendor call. A nil now
// is time.Now.
func NewCache(limit int64, now func() time.Time) *Cache {
	if now == nil {
		now = time.Now
	}
	return &Cache{now: now, limit: limit, items: map[CacheKey]*entry{},
		byConn: map[string]map[*entry]struct{}{}, flights: map[CacheKey]*flight{}}
}

// Cached returns what fetch returns for key, and how old it is: from the
// cache while the entry is fresh for its kind (unless fresh is set), else
// from one call of fetch shared by every caller of the key at that moment.
// fetch runs detached from ctx (bounded by flightTimeout); a caller whose
// ctx ends stops waiting and gets ctx's error. When the read fails with a
// spent rate limit and the cache holds older data (within maxStale), that
// data is returned with Age.Stale set. Errors are never cached.
//
// The value returned is shared: treat it as read-only. A nil c calls fetch.
func Cached[T any](ctx context.Context, c *Cache, key CacheKey, fresh bool, fetch func(ctx context.Context) (T, error)) (T, Age, error) {
	var zero T
	if c == nil {
		at := time.Now()
		v, err := fetch(ctx)
		return v, Age{At: at}, err
	}
	v, age, err := c.get(ctx, key, fresh, func(ctx context.Context) (any, error) { return fetch(ctx) })
	if err != nil {
		return zero, age, err
	}
	t, ok := v.(T)
	if !ok && v != nil {
		// Two reads of different types under one key: a caller's bug.
		return zero, Age{}, fmt.Errorf("connector: cache: %s read of %T, not %T", key.Kind, v, zero)
	}
	return t, age, nil
}

// Peek returns the value kept for key while it is fresh for its kind,
// without starting a read: the cheap first look of a caller that would
// otherwise start one per key at once. The value is shared: read-only.
func Peek[T any](c *Cache, key CacheKey) (T, Age, bool) {
	var zero T
	if c == nil {
		return zero, Age{}, false
	}
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.items[key]
	if e == nil || now.Sub(e.at) >= key.Kind.Fresh() {
		return zero, Age{}, false
	}
	v, ok := e.val.(T)
	if !ok {
		return zero, Age{}, false
	}
	c.lru.MoveToFront(e.elem)
	c.metrics.CacheRead(key.Kind.String(), metrics.CacheHit)
	return v, Age{At: e.at}, true
}

func (c *Cache) get(ctx context.Context, key CacheKey, fresh bool, fetch func(context.Context) (any, error)) (any, Age, error) {
	now := c.now()
	c.mu.Lock()
	if e := c.items[key]; e != nil {
		switch age := now.Sub(e.at); {
		case age < key.Kind.Fresh() && !fresh:
			c.lru.MoveToFront(e.elem)
			v, at := e.val, e.at
			c.mu.Unlock()
			c.metrics.CacheRead(key.Kind.String(), metrics.CacheHit)
			return v, Age{At: at}, nil
		case age > maxStale:
			c.remove(e)
		}
	}
	f := c.flights[key]
	result := metrics.CacheShared
	if f == nil {
		f = &flight{done: make(chan struct{})}
		c.flights[key] = f
		result = metrics.CacheMiss
		go c.run(ctx, key, f, fetch)
	}
	f.callers++
	c.mu.Unlock()
	select {
	case <-f.done:
	case <-ctx.Done():
		// Not counted: the caller gave up, and the read goes on for the
		// others.
		return nil, Age{}, ctx.Err()
	}
	kind := key.Kind.String()
	if f.err == nil {
		c.metrics.CacheRead(kind, result)
		return f.val, Age{At: f.at}, nil
	}
	if errors.Is(f.err, ErrRateLimited) {
		if v, at, ok := c.stale(key); ok {
			c.metrics.CacheRead(kind, metrics.CacheStale)
			return v, Age{At: at, Stale: f.err}, nil
		}
	}
	c.metrics.CacheRead(kind, metrics.CacheError)
	return nil, Age{}, f.err
}

// run makes the read of a flight and keeps its answer, unless the key was
// invalidated meanwhile (the flight is then no longer the key's).
func (c *Cache) run(ctx context.Context, key CacheKey, f *flight, fetch func(context.Context) (any, error)) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), flightTimeout)
	defer cancel()
	at := c.now()
	v, err := safely(ctx, key, fetch)
	var size int64
	if err == nil && c.limit > 0 {
		size = sizeOf(v) + entryOverhead
	}
	f.val, f.at, f.err = v, at, err
	c.mu.Lock()
	if c.flights[key] == f {
		delete(c.flights, key)
		if err == nil {
			c.put(key, v, at, size)
		}
	}
	c.mu.Unlock()
	close(f.done)
}

// safely calls fetch, turning a panic into an error: the flight runs on
// its own goroutine, where a panic would end the process rather than the
// one tool call the server's recovery guards.
func safely(ctx context.Context, key CacheKey, fetch func(context.Context) (any, error)) (v any, err error) {
	defer func() {
		if r := recover(); r != nil {
			v, err = nil, fmt.Errorf("connector: %s read panicked: %v", key.Kind, r)
		}
	}()
	return fetch(ctx)
}

// put keeps a value; the caller holds mu.
func (c *Cache) put(key CacheKey, v any, at time.Time, size int64) {
	if old := c.items[key]; old != nil {
		c.remove(old)
	}
	if c.limit <= 0 || size > c.limit/maxEntryShare {
		return
	}
	e := &entry{key: key, val: v, size: size, at: at}
	e.elem = c.lru.PushFront(e)
	c.items[key] = e
	m := c.byConn[key.Conn]
	if m == nil {
		m = map[*entry]struct{}{}
		c.byConn[key.Conn] = m
	}
	m[e] = struct{}{}
	c.bytes += size
	for c.bytes > c.limit {
		c.remove(c.lru.Back().Value.(*entry))
	}
}

// remove forgets an entry; the caller holds mu.
func (c *Cache) remove(e *entry) {
	if c.items[e.key] != e {
		return
	}
	delete(c.items, e.key)
	c.lru.Remove(e.elem)
	c.bytes -= e.size
	if m := c.byConn[e.key.Conn]; m != nil {
		delete(m, e)
		if len(m) == 0 {
			delete(c.byConn, e.key.Conn)
		}
	}
}

// stale returns the kept value of key if it is not older than maxStale.
func (c *Cache) stale(key CacheKey) (any, time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.items[key]
	if e == nil || c.now().Sub(e.at) > maxStale {
		return nil, time.Time{}, false
	}
	c.lru.MoveToFront(e.elem)
	return e.val, e.at, true
}

// Invalidate drops a connection's entries of one kind: those about subject,
// or all of the kind when subject is "". A read under way for a dropped
// key still answers its callers but keeps nothing, and later callers start
// a new one: a write made through hostgate is seen by the next read.
func (c *Cache) Invalidate(conn string, kind Kind, subject string) {
	if c == nil {
		return
	}
	match := func(k CacheKey) bool {
		return k.Conn == conn && k.Kind == kind && (subject == "" || k.Subject == subject)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for e := range c.byConn[conn] {
		if match(e.key) {
			c.remove(e)
		}
	}
	for k := range c.flights {
		if match(k) {
			delete(c.flights, k)
		}
	}
}

// Drop forgets everything kept for a connection, and the reads under way
// for it: it was disconnected, reconnected with another credential, or its
// credential was refused.
func (c *Cache) Drop(conn string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for e := range c.byConn[conn] {
		c.remove(e)
	}
	for k := range c.flights {
		if k.Conn == conn {
			delete(c.flights, k)
		}
	}
}

// Stats reports how many entries the cache holds and their estimated size.
func (c *Cache) Stats() (entries int, bytes int64) {
	if c == nil {
		return 0, 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.items), c.bytes
}

// UseMetrics counts every read through the cache in m, by kind and result
// (served from memory, from the vendor, shared, stale, failed). Call it
// before the cache is used.
func (c *Cache) UseMetrics(m *metrics.Metrics) {
	if c != nil {
		c.metrics = m
	}
}

// UseCache makes c the read cache of the connections the lifecycle owns:
// a connection disconnected, reconnected with another credential, or whose
// credential the vendor refused is dropped from it at once. Call it before
// the lifecycle is used.
func (l *Lifecycle) UseCache(c *Cache) { l.reads = c }

// Cache returns the read cache the lifecycle drops connections from; nil
// when none.
func (l *Lifecycle) Cache() *Cache {
	if l == nil {
		return nil
	}
	return l.reads
}
