// Package hospitable is hostgate's client of the Hospitable Public API v2
// (https://public.api.hospitable.com/v2), following docs/vendors.md,
// "Hospitable". Every request it makes, and every member of an answer it
// reads, is written down with its source in the contract
// testdata/vendors/hospitable/contract.json, which the tests hold both
// this client and the sandbox fake to. Marks: [C] confirmed by Hospitable's
// OpenAPI document (public.json) or its authentication guide, [T] seen by
// third parties, [I] inferred and unchecked against the live API.
//
// Confirmed [C] and relied on:
//   - Authorization: Bearer with a personal access token or an OAuth token;
//     OAuth at auth.hospitable.com: /oauth/authorize?client_id&
//     response_type=code[&state] (no redirect_uri: the Partner Portal fixes
//     it; no PKCE, which is undocumented), JSON POST /oauth/token {client_id,
//     client_secret, grant_type, code | refresh_token}, 12-hour access
//     tokens, refresh tokens that rotate on every use and last 90 days; no
//     revocation endpoint (Spec.Revoke is nil);
//   - real HTTP statuses, 401 for a dead token, 429 with Retry-After [T];
//     a refused request is {status_code, reason_phrase[, message]} (400 for
//     a bad parameter or body, 403 for a review response out of its window,
//     422 for a calendar a channel restricts);
//   - {data, links, meta} lists paged by page/per_page (≤ 100, reviews
//     ≤ 50) until links.next is null;
//   - GET /user (the account), /properties[/{uuid}] (one property is the
//     object itself, not {data}), /properties/{uuid}/calendar,
//     /properties/{uuid}/reviews (a UUID path), /reservations
//     (properties[] required; no dates: check-ins in the next two weeks),
//     /reservations/{uuid}, GET and POST /reservations/{uuid}/messages
//     (POST answers 201 {}, no message id);
//   - includes need scopes: financials needs financials:read, listings
//     needs listing:read; a connection refused one (403 [T]) reads on
//     without it (see scoped);
//   - a review's stay is its reservation{id, code, check_in, check_out},
//     asked with include=guest,reservations;
//   - writes: PUT /properties/{uuid}/calendar {dates: [{date, available,
//     price: {amount}, min_stay}]} answered 202 {"status":"accepted"}, and
//     POST /reviews/{uuid}/respond {response};
//   - money in cents, converted here to major units (and back for writes).
//
// An answer without the fields hostgate needs (a list without data, an
// object without its id, a reservation without its dates, a calendar day
// without its date) is an error for that account, never an empty result.
//
// Third-party [T]: a booking code works in place of a reservation UUID;
// 403 for a missing scope; token errors as {error, error_description}.
//
// Inferred [I]: {"message": …} bodies for the statuses whose error schema
// the reference keeps internal (401, 404, 429, 5xx); at most 60 dates per
// calendar update (the schema's "maxProperties": 60 on the date item);
// which reservations count as conversations (check-ins from 30 days back
// to 90 ahead that have a message).
//
// Hospitable threads messages by reservation, so a conversation id here is
// the reservation's UUID.
package hospitable
