package oauthpkce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hostgate/hostgate/store"
)

// Client-ID metadata documents (draft-ietf-oauth-client-id-metadata-document,
// MCP 2025-11-25 "Client ID Metadata Documents"): a client may use an https
// URL as its client_id; the document at that URL is its registration.

// errClientMetadata is wrapped by every error that a client's metadata
// document is unusable. Such an error's text is safe to show the host: it
// names the URL and the problem, never the document's content.
var errClientMetadata = errors.New("oauthpkce: unusable client metadata document")

// Limits of metadata documents.
const (
	maxMetadataDocument = 5 << 10 // bytes
	maxClientIDURL      = 2048
	maxClientIDLen      = 256 // of a dynamically registered client's id
	// Documents are cached per their Cache-Control, within these bounds:
	// at least a few minutes so that a flow's /authorize and /token see
	// the same document without fetching it twice, at most a day so that a
	// withdrawn redirect URI stops working.
	metadataMinTTL = 5 * time.Minute
	metadataMaxTTL = 24 * time.Hour
	// maxConcurrentFetches bounds the outbound fetches clients can cause.
	maxConcurrentFetches = 16
)

// clientMetadataError is an unusable metadata document. Error gives the
// host-safe text; the cause (for logs and errors.Is) stays in Unwrap.
type clientMetadataError struct {
	url, reason string
	cause       error
}

func (e *clientMetadataError) Error() string { return quoteURI(e.url) + ": " + e.reason }

func (e *clientMetadataError) Unwrap() []error {
	if e.cause == nil {
		return []error{errClientMetadata}
	}
	return []error{errClientMetadata, e.cause}
}

func metadataErr(id, reason string, cause error) error {
	return &clientMetadataError{url: id, reason: reason, cause: cause}
}

// metadataDocument is a client-ID metadata document: RFC 7591 client
// metadata plus client_id, which must equal the document's URL.
type metadataDocument struct {
	ClientID string `json:"client_id"`
	// ClientSecret must be absent: a public document cannot carry one.
	ClientSecret json.RawMessage `json:"client_secret"`
	clientMetadata
}

// metadataFetcher fetches client-ID metadata documents, one request per URL
// at a time however many lookups want it.
type metadataFetcher struct {
	client        *http.Client
	allowLoopback bool
	now           func() time.Time
	sem           chan struct{}

	mu    sync.Mutex
	calls map[string]*fetchCall
}

// fetchCall is one fetch in flight and the lookups waiting for it.
type fetchCall struct {
	done    chan struct{}
	client  store.Client
	err     error
	waiters int // lookups that joined after the first; for tests
}

// newMetadataFetcher returns a fetcher using c, or if c is nil a client that
// refuses private, loopback and link-local destinations (loopback is allowed
// with allowLoopback, for tests). A given c is copied and made to refuse
// redirects; its transport is the caller's responsibility.
func newMetadataFetcher(c *http.Client, allowLoopback bool, now func() time.Time) *metadataFetcher {
	if c == nil {
		c = newGuardedClient(allowLoopback)
	} else {
		cc := *c
		cc.CheckRedirect = refuseRedirects
		if cc.Timeout == 0 || cc.Timeout > metadataFetchTimeout {
			cc.Timeout = metadataFetchTimeout
		}
		c = &cc
	}
	if now == nil {
		now = time.Now
	}
	return &metadataFetcher{
		client: c, allowLoopback: allowLoopback, now: now,
		sem:   make(chan struct{}, maxConcurrentFetches),
		calls: make(map[string]*fetchCall),
	}
}

// lookupClient returns the client with the given id, for /authorize and
// /token alike. An id without a colon is a dynamically registered client,
// read from the store (an unknown one gives an error wrapping
// store.ErrNotFound). Any other id must be a client-ID metadata document
// URL: its client comes from the store while the cached document is fresh,
// else the document is fetched, checked and stored again. An unusable
// document gives an error wrapping errClientMetadata.
func (s *Server) lookupClient(ctx context.Context, id string) (store.Client, error) {
	if !strings.Contains(id, ":") {
		if id == "" || len(id) > maxClientIDLen {
			return store.Client{}, fmt.Errorf("oauthpkce: lookup client: %w", store.ErrNotFound)
		}
		c, err := s.cfg.Store.GetClient(ctx, id)
		if err != nil {
			return store.Client{}, fmt.Errorf("oauthpkce: lookup client: %w", err)
		}
		return c, nil
	}
	if err := s.checkClientIDURL(id); err != nil {
		return store.Client{}, err
	}
	old, err := s.cfg.Store.GetClient(ctx, id)
	switch {
	case err == nil && old.MetadataURL == id && s.now().Before(old.MetadataExpiresAt):
		return old, nil
	case err != nil && !errors.Is(err, store.ErrNotFound):
		return store.Client{}, fmt.Errorf("oauthpkce: lookup client: %w", err)
	}
	known := err == nil && old.MetadataURL == id
	if !s.allowMetadataFetch(ctx) {
		if known {
			return old, nil
		}
		return store.Client{}, metadataErr(id, "too many client metadata documents were fetched for this address; try again in a minute", nil)
	}
	c, err := s.metadata.do(ctx, id, func(ctx context.Context) (store.Client, error) {
		c, err := s.refreshMetadataClient(ctx, id, old)
		if _, failed := errors.AsType[fetchFailure](err); failed && known {
			return s.serveLastGoodCopy(ctx, id, old, err)
		}
		return c, err
	})
	return c, err
}

// checkClientIDURL applies the draft's rules for a client_id URL (§3):
// https, a host, a path, no dot segments, no fragment, no userinfo. A
// query is refused too (the draft says SHOULD NOT). Plain http is accepted
// only on loopback addresses, and only with Config.AllowLoopbackMetadata.
func (s *Server) checkClientIDURL(id string) error {
	bad := func(reason string) error { return metadataErr(id, reason, nil) }
	if len(id) > maxClientIDURL {
		return bad(fmt.Sprintf("a client_id URL is limited to %d bytes", maxClientIDURL))
	}
	u, err := url.Parse(id)
	switch {
	case err != nil || strings.ContainsAny(id, "#\\ ") || !u.IsAbs() || u.Opaque != "":
		return bad("the client_id is neither a registered client nor a valid URL")
	case u.Scheme == "http" && s.metadata.allowLoopback && isLoopbackHostname(u.Hostname()):
	case u.Scheme != "https":
		return bad("a client_id URL must use https")
	}
	switch {
	case u.User != nil:
		return bad("a client_id URL must not contain userinfo")
	case u.Hostname() == "":
		return bad("a client_id URL must name a host")
	case u.RawQuery != "" || u.ForceQuery:
		return bad("a client_id URL must not have a query")
	case u.Path == "" || u.Path == "/":
		return bad("a client_id URL must have a path")
	}
	for _, seg := range strings.Split(u.Path, "/") {
		if seg == "." || seg == ".." {
			return bad("a client_id URL must not contain . or .. path segments")
		}
	}
	return nil
}

// refreshMetadataClient fetches the document at id, checks it and stores
// it as the client id, keeping the creation and last-use times of old.
func (s *Server) refreshMetadataClient(ctx context.Context, id string, old store.Client) (store.Client, error) {
	body, ttl, err := s.metadata.fetch(ctx, id)
	if err != nil {
		s.log.WarnContext(ctx, "client metadata document unusable", "client_id", id, "err", err)
		return store.Client{}, err
	}
	var doc metadataDocument
	if err := json.Unmarshal(body, &doc); err != nil {
		return store.Client{}, metadataErr(id, "the document is not a JSON object of client metadata", err)
	}
	// The draft §4.1 and MCP: the document's client_id MUST equal its URL,
	// compared as strings; otherwise one URL could speak for another.
	if doc.ClientID != id {
		return store.Client{}, metadataErr(id, "the document's client_id is not its own URL", nil)
	}
	if doc.ClientSecret != nil {
		return store.Client{}, metadataErr(id, "the document contains a client_secret", nil)
	}
	// MCP 2025-11-25: client_name and redirect_uris are required.
	if cleanClientName(doc.ClientName) == "" {
		return store.Client{}, metadataErr(id, "the document has no client_name", nil)
	}
	if len(doc.RedirectURIs) == 0 {
		return store.Client{}, metadataErr(id, "the document has no redirect_uris", nil)
	}
	// Same rules as registration, except that the client is public: it
	// authenticates with "none" and proves possession through PKCE only
	// (private_key_jwt, the draft's option for confidential clients, is
	// not supported).
	m := doc.clientMetadata
	if e := s.validateClientMetadata(&m, true); e != nil {
		return store.Client{}, metadataErr(id, e.Description, e)
	}
	now := s.now().UTC()
	c := store.Client{
		ID:                id,
		Name:              m.ClientName,
		RedirectURIs:      m.RedirectURIs,
		GrantTypes:        m.GrantTypes,
		ResponseTypes:     m.ResponseTypes,
		Scope:             m.Scope,
		AuthMethod:        m.TokenEndpointAuthMethod,
		ClientURI:         m.ClientURI,
		LogoURI:           m.LogoURI,
		SoftwareID:        m.SoftwareID,
		SoftwareVersion:   m.SoftwareVersion,
		ApplicationType:   m.ApplicationType,
		MetadataURL:       id,
		MetadataExpiresAt: now.Add(ttl),
		CreatedAt:         now,
	}
	if old.ID == id {
		c.CreatedAt, c.LastUsedAt, c.RegisteredFrom = old.CreatedAt, old.LastUsedAt, old.RegisteredFrom
	}
	if err := s.cfg.Store.PutClient(ctx, c); err != nil {
		return store.Client{}, fmt.Errorf("oauthpkce: store metadata client: %w", err)
	}
	s.log.InfoContext(ctx, "client metadata document fetched", "client_id", id, "ttl", ttl)
	return c, nil
}

// fetch GETs the document at id and returns its body and how long it may
// be cached. Redirects, other statuses than 200 and bodies over
// maxMetadataDocument bytes are errors.
func (f *metadataFetcher) fetch(ctx context.Context, id string) ([]byte, time.Duration, error) {
	select {
	case f.sem <- struct{}{}:
		defer func() { <-f.sem }()
	default:
		return nil, 0, fetchFailure{metadataErr(id, "hostgate is fetching too many documents; try again in a moment", nil)}
	}
	ctx, cancel := context.WithTimeout(ctx, metadataFetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, id, nil)
	if err != nil {
		return nil, 0, metadataErr(id, "the URL cannot be requested", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := f.client.Do(req)
	if err != nil {
		switch {
		case errors.Is(err, errRefusedDestination):
			return nil, 0, metadataErr(id, "its address is not a public internet address, so hostgate does not fetch it", err)
		case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
			return nil, 0, fetchFailure{metadataErr(id, "the document could not be fetched in time", err)}
		}
		return nil, 0, fetchFailure{metadataErr(id, "the document could not be fetched", err)}
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		return nil, 0, metadataErr(id, "the URL redirects elsewhere; hostgate does not follow redirects for metadata documents", nil)
	case resp.StatusCode == http.StatusForbidden || resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return nil, 0, fetchFailure{metadataErr(id, "the server answered HTTP "+strconv.Itoa(resp.StatusCode), nil)}
	case resp.StatusCode != http.StatusOK:
		return nil, 0, metadataErr(id, "the server answered HTTP "+strconv.Itoa(resp.StatusCode), nil)
	case resp.ContentLength > maxMetadataDocument:
		return nil, 0, metadataErr(id, fmt.Sprintf("the document is larger than %d bytes", maxMetadataDocument), nil)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxMetadataDocument+1))
	if err != nil {
		return nil, 0, fetchFailure{metadataErr(id, "the document could not be read", err)}
	}
	if len(body) > maxMetadataDocument {
		return nil, 0, metadataErr(id, fmt.Sprintf("the document is larger than %d bytes", maxMetadataDocument), nil)
	}
	return body, cacheTTL(resp.Header), nil
}

func isTimeout(err error) bool {
	ne, ok := errors.AsType[net.Error](err)
	return ok && ne.Timeout()
}

// cacheTTL is how long a document may be used, from its Cache-Control
// (RFC 9111 §5.2.2): max-age clamped to [metadataMinTTL, metadataMaxTTL];
// no-store, no-cache or no max-age at all give the minimum.
func cacheTTL(h http.Header) time.Duration {
	ttl := time.Duration(-1)
	for _, v := range h.Values("Cache-Control") {
		for d := range strings.SplitSeq(v, ",") {
			name, val, _ := strings.Cut(strings.TrimSpace(d), "=")
			switch strings.ToLower(name) {
			case "no-store", "no-cache":
				return metadataMinTTL
			case "max-age":
				n, err := strconv.ParseInt(strings.Trim(val, `"`), 10, 64)
				if err == nil && n >= 0 && ttl < 0 {
					ttl = time.Duration(min(n, int64(metadataMaxTTL/time.Second))) * time.Second
				}
			}
		}
	}
	return min(max(ttl, metadataMinTTL), metadataMaxTTL)
}

// do runs fn for key once however many callers ask at the same time: later
// callers wait for the first one's result. fn runs detached from the first
// caller's cancellation (its result serves the others too) but within the
// fetch timeout; each caller stops waiting when its own ctx ends.
func (f *metadataFetcher) do(ctx context.Context, key string, fn func(context.Context) (store.Client, error)) (store.Client, error) {
	f.mu.Lock()
	call, ok := f.calls[key]
	if ok {
		call.waiters++
	} else {
		call = &fetchCall{done: make(chan struct{})}
		f.calls[key] = call
		go func() {
			call.client, call.err = fn(context.WithoutCancel(ctx))
			f.mu.Lock()
			delete(f.calls, key)
			f.mu.Unlock()
			close(call.done)
		}()
	}
	f.mu.Unlock()
	select {
	case <-call.done:
		return call.client, call.err
	case <-ctx.Done():
		return store.Client{}, fmt.Errorf("oauthpkce: lookup client: %w", ctx.Err())
	}
}

// metadataFetchesPerMinute limits the document fetches one address (an
// IPv4 address or IPv6 /64, behind trusted proxies the client's) can cause,
// with a burst of twice that. A real client's document is fetched at most
// once per metadataMinTTL; a cached one costs nothing.
const metadataFetchesPerMinute = 5

// fetchFailure is a document that could not be fetched (no connection, a
// timeout, a 403, 429 or 5xx), as opposed to one that was fetched and is
// withdrawn (404, 410) or unusable. For a known client the last good copy
// then keeps serving: some document hosts refuse data-centre addresses,
// and that must not lock the client's users out.
type fetchFailure struct{ error }

func (e fetchFailure) Unwrap() error { return e.error }

type clientAddrKey struct{}

// withClientAddr records in r's context the address r came from, for the
// per-address metadata fetch limit.
func (s *Server) withClientAddr(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		return h(w, r.WithContext(context.WithValue(r.Context(), clientAddrKey{}, s.clientIP(r))))
	}
}

// allowMetadataFetch reports whether the request behind ctx may cause a
// document fetch now, taking one from its address's allowance. Lookups
// with no request address (none today) are not limited.
func (s *Server) allowMetadataFetch(ctx context.Context) bool {
	addr, ok := ctx.Value(clientAddrKey{}).(string)
	return !ok || s.metadataLimiter.allow(addr)
}

// serveLastGoodCopy keeps old, the last good copy of id's document, in
// use for another metadataMinTTL after a refetch failed, so that the
// fetch is retried then rather than on every request.
func (s *Server) serveLastGoodCopy(ctx context.Context, id string, old store.Client, cause error) (store.Client, error) {
	s.log.WarnContext(ctx, "client metadata document not refetched; serving the last good copy", "client_id", id, "err", cause)
	old.MetadataExpiresAt = s.now().UTC().Add(metadataMinTTL)
	if err := s.cfg.Store.PutClient(ctx, old); err != nil {
		return store.Client{}, fmt.Errorf("oauthpkce: store metadata client: %w", err)
	}
	return old, nil
}
