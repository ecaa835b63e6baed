// Package hoxtonai is hostgate's client of HoxtonAI, the footfall and
// occupancy-sensor platform (docs/vendors.md, "HoxtonAI"). It is not a rental PMS: it
// lists a host's sites with their monitors and reads daily people counts.
//
// What rests on what (marks as in docs/vendors.md):
//
//   - [C] Auth at https://auth.hoxton.ai: /authorize with audience
//     https://api.hoxton.cloud and a space-separated scope ("profile"
//     yields an ID token, "offline_access" a refresh token); POST /oauth/token for authorization_code and
//     for client_credentials (machine-to-machine, 24 h tokens). HoxtonAI
//     shows a JSON body; the server is Auth0's, which takes RFC 6749's form
//     as well, which x/oauth2 sends [I].
//   - Only documented steps connect an account: a code or client
//     credentials exchanged for a token. No OIDC discovery document or key
//     set is published for auth.hoxton.ai, so none is fetched and no ID
//     token is verified (the access token comes from the token endpoint
//     over TLS).
//   - [C] Every API call takes a Bearer token for the API audience; the
//     documented statuses include 400/401/403/404/410/413/422/500/501.
//   - [I] PKCE (S256) on the authorization-code flow, as Auth0 takes it.
//   - [I] The refresh_token grant and /oauth/revoke follow Auth0's standard
//     shape; refresh tokens may or may not rotate, so a new one is kept
//     when sent and the old one otherwise.
//   - [I] The API base https://api.hoxton.cloud, the error body
//     {error, error_description} (the reference's sample also shows
//     {code, message}), rate limits (429 with Retry-After is assumed), and
//     the endpoints for sites (GET /sites[/{id}]), monitors
//     (GET /people-count-monitors?siteId=, GET /occupancy-monitors?siteId=)
//     and daily counts (POST /count-reports, GET /count-reports/{id}) are
//     inferred from the confirmed camelCase style of people-count monitors
//     and dwell-time reports; none is in the published reference. An API
//     that answers one of them 404, 405 or 501 makes that read
//     "unsupported" for the account, with a message saying so, and Check
//     saves the account all the same. Lists are assumed unpaginated.
//   - [I] The account id is the access token's subject (the host's login,
//     or the machine client); HoxtonAI has no documented "who am I"
//     endpoint on the API.
package hoxtonai
