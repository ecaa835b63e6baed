// Package hostex is hostgate's client of the Hostex Open API v3
// (https://api.hostex.io/v3), following docs/vendors.md, "Hostex". Marks:
// [C] confirmed by Hostex's docs or OpenAPI spec, [T] seen in third-party
// code or payloads, [I] inferred and unchecked against the live API.
//
// Confirmed [C] and relied on:
//   - personal tokens in Hostex-Access-Token, OAuth access tokens in
//     Authorization: Bearer (the authentication document); partner OAuth: authorize at
//     hostex.io/app/authorization, JSON POST /oauth/authorizations (no
//     redirect_uri, no PKCE), 7-day access tokens, POST /oauth/revoke;
//   - the HTTP 200 envelope {request_id, error_code, error_msg, data},
//     success 0 (or 200 in older texts); 401 bad token (and a read-only
//     token's write), 420 subscription expired, 429 with Retry-After;
//   - offset/limit paging (limit ≤ 100), data.total on properties only;
//   - GET /properties, /reservations (filters, default window: check-outs
//     within 180 days), /availabilities, POST /listings/calendar,
//     GET /conversations[/{id}], POST /conversations/{id} {message},
//     GET /reviews (default: reviewed, last 180 days);
//   - writes, each refused to a read-only token: POST /availabilities,
//     POST /listings/prices and /listings/restrictions (channel listings
//     named by channel_type from the spec's ChannelTypeParam, which has no
//     hostex_direct; integer prices), POST /reviews/{reservation_code}
//     {host_reply_content}, PATCH /reservations/{reservation_code} {remarks}
//     and PATCH /reservations/{stay_code}/check_in_details (see UpdateStay);
//     all answered with the bare envelope and applied asynchronously;
//   - inquiries are reservations awaiting acceptance or payment
//     (wait_accept, wait_pay) and conversations whose only activity is an
//     inquiry (see ListInquiries); a reservation's total is its stay's
//     rates.rate, the order's total_rate only for a lone stay;
//   - no payouts, transactions, quotes, tasks, property time zones or
//     check-in times are published, so none is offered.
//
// Third-party [T]: lists without a total end on a short page; lat/lng and
// some ids arrive as strings or numbers (both are read); no "who am I"
// endpoint exists.
//
// Inferred [I]: a refresh returns a new refresh token that replaces the old
// one; the account id is derived from the lowest property id (see Check);
// a closed day that a live reservation covers is a booking, any other
// closed day a host's block (see nightStatus); the booking-site listing's
// calendar carries the property's price (see priceListing); calendar write
// ranges are inclusive.
//
// Currency: the published schema has none for a property, a channel
// listing or a listing calendar day, only for reservation rates [C]; so
// properties and calendar prices carry none, and reservation totals carry
// their rates' currency.
//
// Contract: testdata/vendors/hostex/contract.json (at the repository's
// top) lists every request this package makes and every answer member it
// reads, each with its section of Hostex's reference or marked inferred;
// the tests hold the client and the sandbox fake to it, and a request
// outside it fails them.
//
// Minimum stays: Hostex keeps min_stay_on_arrival only for airbnb,
// booking.com, agoda, expedia, booking_site and trip.com listings [C], and
// applies writes after answering them, so a minimum stay for another
// channel's listing is refused here rather than silently lost.
//
// Shapes: an answer without data, or without a key or item field the
// schema requires and hostgate reads, fails the call as a malformed
// response of that account (see read and whole); it is never an empty
// result.
//
// A read-only personal token's write is refused with the same error_code
// as a dead token, so a refused write is followed by one read to tell them
// apart before the token source is asked to renew anything.
package hostex
