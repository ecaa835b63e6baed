// Package hoxtonai is hostgate's client of HoxtonAI, the footfall and
// occupancy-sensor platform (docs/vendors.md, "HoxtonAI"). It is not a rental PMS: it
// lists a host's sites with their monitors and reads daily people counts.
//
// Every request it makes is listed, with its source, in the contract
// testdata/vendors/hoxtonai/contract.json, and the package's tests fail on
// any exchange with the sandbox fake that breaks it. What rests on what
// (marks as in docs/vendors.md):
//
//   - [C] Auth at https://auth.hoxton.ai: /authorize with audience
//     https://api.hoxton.cloud and a space-separated scope ("profile"
//     yields an ID token, "offline_access" a refresh token; hostgate asks
//     for offline_access only); POST /oauth/token with a JSON body, for
//     authorization_code and for client_credentials (machine-to-machine,
//     24 h tokens).
//   - Only documented steps connect an account: a code or client
//     credentials exchanged for a token. No OIDC discovery document or key
//     set is published for auth.hoxton.ai, so none is fetched and no ID
//     token is verified (the access token comes from the token endpoint
//     over TLS).
//   - [C] Every API call takes a Bearer token for the API audience; the
//     documented statuses include 400/401/403/404/410/413/422/500/501.
//   - [I] PKCE (S256) on the authorization-code flow, as Auth0 takes it.
//   - [I] The refresh_token grant and /oauth/revoke follow Auth0's standard
//     shape (JSON, as the documented grants); refresh tokens may or may not
//     rotate, so a new one is kept when sent and the old one otherwise.
//   - [I] The API base https://api.hoxton.cloud, the error body
//     {error, error_description} (the reference publishes none; a
//     {message} is read too), rate limits (none published; 429 with
//     Retry-After is assumed), and the endpoints for sites
//     (GET /sites[/{id}]), monitors (GET /people-count-monitors?siteId=,
//     GET /occupancy-monitors) and daily counts (POST /count-reports with
//     the members of the documented dwell-time request, GET
//     /count-reports/{id}) are inferred from the confirmed camelCase style
//     of people-count monitors and dwell-time reports; none is in the
//     published reference. An API that answers one of them 404, 405 or 501
//     makes that read "unsupported" for the account, with a message saying
//     so, and Check saves the account all the same (also on a 403, or an
//     answer of a shape it does not know). Lists are assumed unpaginated.
//   - [I] The account id is the access token's subject (the host's login,
//     or the machine client); HoxtonAI has no documented "who am I"
//     endpoint on the API.
package hoxtonai
