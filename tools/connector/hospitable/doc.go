// Package hospitable is hostgate's client of the Hospitable Public API v2
// (https://public.api.hospitable.com/v2), following docs/vendors.md,
// "Hospitable". Marks: [C] confirmed by Hospitable's OpenAPI or docs, [T] seen in
// third-party code, [I] inferred and unchecked against the live API.
//
// Confirmed [C] and relied on:
//   - Authorization: Bearer with a personal access token or an OAuth token;
//     OAuth at auth.hospitable.com: /oauth/authorize, JSON POST
//     /oauth/token for the code and refresh grants, 12-hour access tokens,
//     refresh tokens that rotate on every use and last 90 days; no
//     revocation endpoint (Spec.Revoke is nil);
//   - real HTTP statuses, 401 for a dead token, 429 with Retry-After;
//   - {data, links, meta} lists paged by page/per_page (≤ 100, reviews
//     ≤ 50) until links.next is null;
//   - GET /user (the account), /properties[/{uuid}],
//     /properties/{uuid}/calendar, /properties/{uuid}/reviews, /reservations (properties[]
//     required; no dates: check-ins in the next two weeks),
//     /reservations/{uuid}, GET and POST /reservations/{uuid}/messages;
//   - writes: PUT /properties/{uuid}/calendar {dates: [{date, available,
//     price: {amount}, min_stay}]} answered 202 {"status":"accepted"}, and
//     POST /reviews/{uuid}/respond {response}, refused with 403
//     {status_code, reason_phrase} once answered or out of its window;
//   - money in cents, converted here to major units (and back for writes).
//
// Third-party [T]: a booking code works in place of a reservation UUID; the status[] filter (unused:
// statuses are filtered here); 403 for a missing scope; token errors as
// {error, error_description}.
//
// Published [C] and read as such: GET /properties/{uuid} answers the
// property itself, not {data} (an answer wrapped in data is read too [I]);
// include=financials needs financials:read, and a connection refused it
// (403 [T]) reads its reservations without totals from then on; a review's
// stay is its reservation{id, code, check_in, check_out}, asked with
// include=guest,reservations; POST /reservations/{uuid}/messages answers
// 201 {} (no message id). An answer without the fields hostgate needs (a
// list without data, an object without its id) is an error.
//
// Inferred [I]: Laravel-style error bodies {"message": …}; at
// most 60 dates per calendar update (the spec's "maxProperties": 60 on the
// date item); which reservations count as conversations (check-ins from 30
// days back to 90 ahead that have a message); redirect_uri sent with the
// code when the authorize request had one (RFC 6749 §4.1.3).
//
// Hospitable threads messages by reservation, so a conversation id here is
// the reservation's UUID.
package hospitable
