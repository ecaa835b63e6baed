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
//   - money in cents, converted here to major units (and back for writes);
//   - a property's usual check-in and check-out, "HH:MM" local ("check-in"
//     and "check-out"; live answers say "checkin" and "checkout" [T]);
//   - GET /payouts and GET /transactions (include=payout,reservation), with
//     transaction:read and no date filter: filtered here, page by page
//     (money.go);
//   - GET /inquiries (properties[] required), GET /inquiries/{uuid}
//     (include=messages) and POST /inquiries/{uuid}/messages; an inquiry's
//     id is its conversation_id, and 410 means it is now a reservation,
//     found by GET /reservations?conversation_id= (inquiries.go,
//     inquirythread.go);
//   - POST /properties/{uuid}/quote for a property on Hospitable Direct,
//     with quote:write (quote.go);
//   - PUT /reservations/{uuid}/enrichment/smartlock_code {value}, for
//     vendors only, with enrichment:write: a stay's door code (stay.go).
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
// to 90 ahead that have a message); a transaction's reservation include
// is the reservation object with its id (published without a schema); an
// inquiry's thread is a list (the schema shows one Message); a guest's
// name is split at its first space into a quote's first and last name.
//
// Hospitable threads messages by reservation, so a conversation id here is
// the reservation's UUID — or, for an inquiry not yet booked, "inquiry:"
// and the inquiry's UUID, which routes to the inquiry's own thread.
//
// The published API has no tasks, and sets no host note or arrival time
// on a reservation: this client implements neither TaskLister, TaskWriter
// nor those StayUpdate fields.
package hospitable
