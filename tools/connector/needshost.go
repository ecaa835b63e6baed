package connector

// OnNeedsHost registers fn to be called with the id of each connection this
// lifecycle marks needs_reauth, once the mark is stored: the nudge that
// lets an alert loop tell the host at once rather than on its next round.
// fn runs on the caller's goroutine, so it must return at once; it
// replaces any function registered before.
func (l *Lifecycle) OnNeedsHost(fn func(connectionID string)) {
	l.needsHost.Store(&fn)
}

// toldNeedsHost calls the function OnNeedsHost registered, if any.
func (l *Lifecycle) toldNeedsHost(connectionID string) {
	if fn := l.needsHost.Load(); fn != nil && *fn != nil {
		(*fn)(connectionID)
	}
}
