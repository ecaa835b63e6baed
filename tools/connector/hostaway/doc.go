// Package hostaway is hostgate's client of the Hostaway public API v1
// (docs/vendors.md, "Hostaway"). A host connects with their account id and API key; the
// client mints a long-lived access token from them (client credentials) and
// mints a new one when it expires or Hostaway refuses it.
//
// What rests on what (marks as in docs/vendors.md):
//
//   - [C] Base https://api.hostaway.com/v1. Tokens: POST /v1/accessTokens,
//     form-encoded grant_type=client_credentials, client_id=<account id>,
//     client_secret=<API key>, scope=general; the reply has no refresh
//     token. Revocation: DELETE /v1/accessTokens?token=.
//   - [C] A dead token is HTTP 403 (not 401). Envelope {status, result, …}
//     with "fail" and a message string on errors; booleans are 0/1; times
//     are UTC "YYYY-MM-DD HH:MM:SS".
//   - [C] Limits: 15 requests per 10 s per IP address and 20 per 10 s per
//     account, HTTP 429 with no Retry-After. The client keeps under them
//     with token buckets and, on a 429, backs off about 10 s once.
//   - [C] Endpoints: /listings[/{id}], /listings/{id}/calendar (GET; PUT
//     {startDate, endDate, isAvailable, price, minimumStay} answered with
//     the affected days), /reservations[/{id}] (afterId cursor),
//     /conversations?reservationId=, /conversations/{id}/messages (GET,
//     POST {body, communicationType}), /reviews (read only: the published
//     API has no way to reply to a review), /guestPayments/charges, PUT
//     /reservations/{id}, /tasks[/{id}] (GET, POST, PUT).
//   - [C] A review exists from the moment it is due: its status is
//     awaiting, pending, scheduled, submitted, published or expired, and it
//     has no time of writing. Only submitted and published guest reviews
//     with a rating or a text are listed ([I] and not isCancelled), newest
//     stay first, each with its stay's departureDate as check-out and no
//     submitted_at.
//   - [C] A conversation has no channelId; its channel is its Reservation's,
//     a supplementary resource (includeResources=1) the client does not ask
//     for, so a conversation's channel is usually unknown.
//   - [C] Every answer is the envelope with status "success" or "fail"; a
//     list's result is an array of objects with ids. Any other shape, or an
//     object without what hostgate needs (a reservation's listing and
//     dates, a review's status), is an error of the call, never an empty
//     result. A write Hostaway accepted is not failed over its echo.
//   - The requests and the parts of the answers hostgate reads are listed,
//     with their sources, in testdata/vendors/hostaway/contract.json; the
//     tests hold the client and the fake to it.
//   - [I] A calendar update leaves the fields it does not send as they
//     were, and its endDate is inclusive.
//   - [C] A fresh token becomes usable about one second after it is issued;
//     the client waits that second after minting.
//   - [I] The largest page size is not documented; the client asks for 100,
//     the documented default of /reservations.
//   - [C] Channel ids 2000 (direct), 2002 (Vrbo), 2005 (Booking.com), 2007
//     (Expedia) and 2018 (Airbnb) are Hostaway's predefined channels; other
//     channels keep Hostaway's own name.
//   - [I] Messages are sent with communicationType "channel", to reach a
//     guest where they booked (the reference lists email, channel, sms and
//     whatsapp, email the default, and says no more); a direct booking's
//     thread may need "email" instead.
//   - [C] A listing's checkInTimeStart and checkOutTime are whole hours in
//     its own time zone (timeZoneName), the one exception to UTC times.
//   - [C] Inquiries are reservations in inquiry and request statuses
//     (inquiry, inquiryPreapproved, pending, unconfirmed, awaitingPayment,
//     awaitingGuestVerification); GET /reservations has no status filter,
//     so they are picked out here, and each one's thread is its
//     conversation (GET /conversations?reservationId=).
//   - [C] Money: the guest charges of Hostaway's payment processing, GET
//     /guestPayments/charges (no date filter, no published order); a paid
//     one is a transaction. Channels' payouts are not in the API, so there
//     is no payout list; nor is there a quote or special offer (the price
//     calculation sends the guest nothing).
//   - [C] A stay's hostNote, doorCode and checkInTime/checkOutTime (whole
//     hours; [I] local, like the listing's) change with PUT
//     /reservations/{id}, and tasks with POST /tasks and PUT /tasks/{id},
//     each taking "an object" without saying what becomes of a member left
//     out: an update reads the object first and sends back what the
//     reference's update example sends, with the change.
package hostaway
