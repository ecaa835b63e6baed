package sandbox

// Fixed sandbox credentials. They are public on purpose: they open only these fakes.
const (
	// HostexWritableToken is a Hostex personal access token with scope "writable".
	HostexWritableToken = "hx_pat_sandbox_writable_4c1f9a7e2b6d"
	// HostexReadOnlyToken is a Hostex personal access token with scope "read-only": writes get
	// error_code 401 "Not authorized for this action".
	HostexReadOnlyToken = "hx_pat_sandbox_readonly_8e3b5d0a6f21"
	// HostexLapsedToken belongs to an account whose subscription lapsed: every call gets
	// error_code 420 "Subscription expired".
	HostexLapsedToken = "hx_pat_sandbox_lapsed_1d7c3e9b4a80"
	// HostexClientID and HostexClientSecret are the approved OAuth partner client.
	HostexClientID     = "hostgate-sandbox-partner"
	HostexClientSecret = "hx_cs_sandbox_6a2e8c4f0b9d7e1a3c5f"

	// HospitablePAT is a Hospitable personal access token with every scope, message:write too.
	HospitablePAT = "hsp_pat_sandbox_full_0f4e8b2c6a9d1e7b3c5a"
	// HospitableReadOnlyPAT lacks the write scopes (message:write, calendar:write,
	// reviews:write): sending a message, updating the calendar or responding to a review gets
	// HTTP 403.
	HospitableReadOnlyPAT = "hsp_pat_sandbox_read_5b9d3f7a1c2e8d4b6f0a"
	// HospitableClientID and HospitableClientSecret are the Partner Portal OAuth client.
	HospitableClientID     = "9a6c2f1e-4b7d-4e3a-8c5f-2d1b0e9f7a63"
	HospitableClientSecret = "hsp_cs_sandbox_3e7a1c9f5b2d8e4a6c0f"

	// HostawayAccountID and HostawayAPIKey are the client_credentials pair (client_id is the
	// account id, client_secret the API key).
	HostawayAccountID = "81234"
	HostawayAPIKey    = "c3f1a9e7b5d2084f6a1c3e5b7d9f0a2c4e6b8d0f1a3c5e7b9d2f4a6c8e0b1d3f"

	// HoxtonAIClientID and HoxtonAIClientSecret are the web OAuth client (authorization_code
	// and refresh_token grants).
	HoxtonAIClientID     = "hXsBxWebClient7e2f9a4c1d8b3e6f0a"
	HoxtonAIClientSecret = "hxai_cs_sandbox_web_8d2f6b0e4a9c1e7b3d5f9a2c4e6b8d0f"
	// HoxtonAIM2MClientID and HoxtonAIM2MClientSecret are the machine-to-machine client
	// (client_credentials grant only).
	HoxtonAIM2MClientID     = "hXsBxM2MClient3c9e1a7f5b2d8e4a6c"
	HoxtonAIM2MClientSecret = "hxai_cs_sandbox_m2m_1b5d9f3a7c2e6b0d4f8a1c3e5b7d9f2a"
	// HoxtonAIAudience is the API audience every HoxtonAI access token must carry.
	HoxtonAIAudience = "https://api.hoxton.cloud"
)

// Well-known seeded ids, the same for every seed.
const (
	// HostexPropertyID is the first seeded Hostex property ("Railyard Loft", New Orleans).
	HostexPropertyID = 12111947
	// HospitablePropertyID is the first seeded Hospitable property (Berlin).
	HospitablePropertyID = "550e8400-e29b-41d4-a716-446655440000"
	// HostawayListingID is the first seeded Hostaway listing (Miami).
	HostawayListingID = 40160
	// HoxtonAISiteID is the first seeded HoxtonAI site (a music venue in London).
	HoxtonAISiteID = "3f6c1e52-8a47-4b1e-9c2d-5e7f80a91b23"
	// HoxtonAIOrganisationID is the organisation every seeded HoxtonAI site belongs to.
	HoxtonAIOrganisationID = "0b8e4d2a-6c1f-4a9e-b3d7-5f2e8c0a1d64"
)
