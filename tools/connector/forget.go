package connector

// Forget drops what this process keeps for one connection, its credential
// and its vendor reads, so that both are read afresh on next use. The
// lifecycle does it for the connections it changes itself; the
// composition root calls it when another process sharing the database
// changed the connection (store.Fleet's change feed).
func (l *Lifecycle) Forget(connID string) {
	l.forget(connID)
	l.reads.Drop(connID)
}

// ForgetAll drops every credential and vendor read this process keeps:
// changes made by other processes may have gone unheard.
func (l *Lifecycle) ForgetAll() {
	l.tokens.mu.Lock()
	clear(l.tokens.m)
	l.tokens.mu.Unlock()
	l.reads.DropAll()
}

// DropAll forgets every entry and every read under way, as Drop does for
// one connection.
func (c *Cache) DropAll() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for c.lru.Len() > 0 {
		c.remove(c.lru.Back().Value.(*entry))
	}
	clear(c.flights)
}
