// Package sandbox runs fake Hostex, Hospitable, Hostaway and HoxtonAI servers for tests and
// for `hostgate demo`. They speak real HTTP on loopback and follow docs/vendors.md:
// the same paths, JSON shapes, envelopes, auth headers, error signals, paging, default date
// windows and rate limits. The data is seeded and deterministic. The package imports nothing
// from hostgate and shares no code with the real vendor clients: a fake that reused a client's
// structs would test nothing.
//
// Marks in comments follow docs/vendors.md: [C] confirmed from the vendor's docs, [T] from
// third-party code, [I] inferred. Where the docs are silent the fake makes a plausible choice
// and marks it [I]. Check those against the live API before trusting them.
//
// # Using it
//
//	sb, err := sandbox.Start(sandbox.Options{Now: clock.Now})  // four listeners on 127.0.0.1:0
//	defer sb.Close()
//	// point the Hostex client at sb.Hostex.APIBase with sandbox.HostexWritableToken
//
// Or build one fake and mount it yourself:
//
//	v := sandbox.NewHospitable(opts)
//	srv := httptest.NewServer(v.Handler())
//	v.SetURL(srv.URL)
//
// Options.Now drives token expiry, refresh grace periods, default windows and rate limits, and
// the seeded data is laid out around it (bookings from about 80 days ago to 100 days ahead,
// messages on the recent ones, reviews on finished stays). Tests move time by advancing their
// clock. They never sleep.
//
// # Vendors and credentials
//
// Hostex (APIBase <URL>/v3). Every response is HTTP 200 with {request_id, error_code,
// error_msg, data}, and success is error_code 0. Tokens go in Hostex-Access-Token, or else
// Authorization: Bearer. The personal tokens are HostexWritableToken, HostexReadOnlyToken
// (a write gets error_code 401 "Not authorized for this action") and HostexLapsedToken (every
// call gets 420). The OAuth partner client is HostexClientID/HostexClientSecret:
// authorize page /app/authorization, token POST /v3/oauth/authorizations (no redirect_uri,
// no PKCE, expires_in 604800), revoke POST /v3/oauth/revoke. A refresh rotates the refresh
// token and the old one dies at once [I]. A revoke kills both of the grant's tokens.
// Endpoints: GET /properties, GET /reservations (default window: check-out from today to
// today+180 days, our reading of [C]), GET and POST /availabilities, POST /listings/calendar,
// POST /listings/prices, POST /listings/restrictions (channel_type from the spec's
// ChannelTypeParam, which has no hostex_direct), GET /conversations, GET and POST
// /conversations/{id}, GET /reviews (default window: the last 180 days; review_status defaults
// to reviewed), POST /reviews/{reservation_code} (host review or reply), PATCH
// /reservations/{reservation_code} (remarks kept) and PATCH /reservations/{stay_code}/
// check_in_details. Every POST or PATCH that writes needs a writable token. Besides the planned
// stays, fixed ones serve turnovers, gap nights and inquiries (HostexSameDayTurn and the
// constants beside it). Calendar writes take dates from today to three years on and apply at
// once (Hostex applies them asynchronously). Limits: per token and per token+path, and per
// thread on sends (5/5 s, 10/60 s, ...). A limit hit is error_code 429 with Retry-After and
// X-RateLimit-*.
//
// Hospitable (APIBase <URL>/v2). Real HTTP statuses; errors are Laravel-style [I]
// ({"message":"Unauthenticated."}, and 422 with an errors map). Lists are {data, links, meta},
// paged by page and per_page (default 10, at most 100). HospitablePAT has every scope;
// HospitableReadOnlyPAT lacks the write scopes (every write gets 403). The OAuth client is
// HospitableClientID/HospitableClientSecret: /oauth/authorize (redirect_uri optional when one
// is registered with SetRedirectURI; PKCE checked when a challenge was sent), token
// POST /oauth/token (JSON or form). Access tokens last 12 h. Refresh tokens last 90 days and
// rotate, and the old one still works for 60 minutes [T]. There is no revocation endpoint.
// Endpoints: GET /user, GET /properties[/{uuid}], GET and PUT /properties/{uuid}/calendar (PUT:
// {dates: [{date, price: {amount in cents}, available, min_stay, ...}]}, at most 60 dates, none
// past; 202 {"status":"accepted"}), GET /properties/{uuid}/reviews, POST /reviews/{uuid}/respond
// ({response}; 403 {status_code, reason_phrase} once responded or 30 days after the review),
// GET /reservations (properties[] required; with no dates, the check-ins of the next 14 days),
// GET /reservations/{uuid or code}, GET and POST /reservations/{uuid}/messages (POST returns
// 201; 2 per minute per reservation). Another method on a write path is 405. Issue 11's
// endpoints (payouts, transactions, inquiries, quotes, enrichable shortcodes) and the seed
// behind them (the Auckland property, HospitableAucklandStays) are described in
// hospitable_jobs_seed.go and the files beside it.
//
// Hostaway (APIBase <URL>/v1). Envelope {status, result, limit, offset, count, page,
// totalPages}; booleans are 0/1 and times "YYYY-MM-DD HH:MM:SS" UTC. Tokens come from
// POST /v1/accessTokens (form: client_credentials, client_id HostawayAccountID, client_secret
// HostawayAPIKey, scope=general; expires_in 15897600; no refresh token). Revoke with DELETE
// /v1/accessTokens?token=. A missing or dead token is HTTP 403. Rate limits are ON by default:
// 15 requests per 10 s per IP (token mints count) and 20 per 10 s per account, on the injected
// clock. Over the limit is 429 {"status":"fail","message":…} with no Retry-After. Call
// SetRateLimiting(false) in tests that burst, or advance the clock 10 s. Endpoints:
// GET /listings[/{id}], GET and PUT /listings/{id}/calendar (PUT: a calendar day object with
// startDate and endDate; answers the affected days), GET /reservations (limit default 100,
// offset, afterId cursor in updatedOn DESC, id DESC order, filters, includeResources=1),
// GET /reservations/{id}, GET /conversations[/{id}], GET and POST
// /conversations/{id}/messages ({body, communicationType}, default "email"), GET /reviews,
// PUT /reservations/{id} (a reservation object, read as a replacement [I]), GET
// /guestPayments/charges, GET and POST /tasks, GET and PUT /tasks/{id}. The seed adds
// inquiries (reservations in inquiry statuses, with threads, not blocking the calendar),
// charges on direct bookings, turnover and repair tasks, and door codes on each listing's next
// stay; a lone free night between two stays is never blocked.
// Not modelled: the token only becomes valid one second after it is issued [C].
//
// HoxtonAI (APIBase <URL>, Issuer <URL>/ with the trailing slash). This is an Auth0-like
// server: /.well-known/openid-configuration, /.well-known/jwks.json (an RSA key made on first
// use; neither is in HoxtonAI's reference [I]), /authorize (response_type=code, audience,
// scope, state, nonce, optional S256 PKCE; anything else is an error page [I]),
// POST /oauth/token (authorization_code, refresh_token and client_credentials; JSON or form;
// secret in the body or Basic), POST /oauth/revoke, GET /userinfo. Access tokens are RS256
// JWTs that last 24 h. With audience=HoxtonAIAudience (https://api.hoxton.cloud) they reach
// the API; openid adds the /userinfo audience, so aud becomes an array as Auth0 makes it. openid
// or profile adds an RS256 ID token (aud = client id, nonce echoed), which the fake's own tests
// verify with go-oidc; hostgate's client no longer reads it (HoxtonAI publishes no discovery).
// offline_access adds a refresh token that does not rotate [I].
// The web client is HoxtonAIClientID/HoxtonAIClientSecret. The machine client
// HoxtonAIM2MClientID/HoxtonAIM2MClientSecret may only use client_credentials. Token errors are
// Auth0-style {error, error_description} (401 access_denied for a bad client, 403 invalid_grant
// for a bad code, verifier or refresh token). API errors use the same shape [I], and 401 carries
// WWW-Authenticate. Endpoints: GET /sites[/{id}] [I], GET /people-count-monitors?siteId= [I],
// PUT /people-count-monitors (upsert, 201/204) [C], DELETE /people-count-monitors/{id} [C],
// GET /occupancy-monitors?siteId= [I], POST /count-reports and GET /count-reports/{id} [I]
// (daily in/out counts), POST /dwell-time-reports and GET /dwell-time-reports/{id} [C]; a
// report request is answered 200 [C] and a finished report's status is "completed" [C]. A
// dwell-time report is "pending" when created and "completed" from the first GET on [I]. An id
// or date of the wrong type, or a body member the request does not have, is 422 [I].
//
// # OAuth pages
//
// Every authorize page is one <form method="post"> with a single hidden input, request_id,
// and a submit button name="approve" value="approve". Posting the form with approve=approve
// redirects (302) to the redirect URI with code and state. Posting it without approve
// redirects with error=access_denied. The redirect-URI policy accepts any https URI or any
// http loopback URI (127.0.0.1, [::1], localhost), unless SetRedirectURI registered one exact
// URI. A bad client or redirect URI gets an HTML error page (400), never a redirect.
//
// # Test hooks
//
// Every method is safe for concurrent use.
//
//   - Fail(Fault) scripts failures: a status (for Hostex, the error_code inside HTTP 200;
//     HTTPStatus overrides the status line), a Retry-After header, a raw Body (garbage JSON)
//     and a Delay that ends early when the client cancels. Times sets how many requests it
//     applies to (0 = once, <0 = until ClearFaults). Path "" matches every API call but not the
//     auth endpoints; name those explicitly.
//   - ExpireAccessTokens kills every issued access token. Personal tokens never expire.
//   - RotateRefreshTokensOutOfBand kills every refresh token, as if another party had used it.
//   - TokenRequests counts POSTs to the token endpoint, e.g. to prove a single-flight refresh.
//   - Requests(prefix) counts requests by path prefix, given with or without the API base.
//   - SentMessages returns what send-message calls delivered; CalendarWrites and ReviewReplies
//     return the calendar changes and review replies the vendor accepted, in order.
//   - Options.Bulk adds confirmed reservations over the next 30 days, a load fixture for paging.
//   - SetRateLimiting toggles the documented limits; SetRedirectURI registers a redirect URI.
package sandbox
