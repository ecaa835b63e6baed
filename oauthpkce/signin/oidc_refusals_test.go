package signin

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hostgate/hostgate/internal/oidcfake"
)

// TestOIDCRefusals: every way the provider's answer can be wrong is
// refused with a sentence that says which, on the sign-in page, and no
// session; the provider's own error is shown escaped.
func TestOIDCRefusals(t *testing.T) {
	e := newOIDCEnv(t, nil)
	for _, tt := range []struct {
		name     string
		faults   oidcfake.Faults
		decision string
		status   int
		want     string
	}{
		{"wrong issuer", oidcfake.Faults{Issuer: "https://evil.example"}, "allow", http.StatusBadGateway, "did not come from Example ID (wrong issuer)"},
		{"wrong audience", oidcfake.Faults{Audience: "another-client"}, "allow", http.StatusBadGateway, "was meant for another app"},
		{"another authorized party", oidcfake.Faults{ExtraAudience: "another-client"}, "allow", http.StatusBadGateway, "was meant for another app"},
		{"expired", oidcfake.Faults{Expired: true}, "allow", http.StatusBadGateway, "has expired"},
		{"bad signature", oidcfake.Faults{ForeignKey: true}, "allow", http.StatusBadGateway, "is not signed by Example ID (bad signature)"},
		{"wrong nonce", oidcfake.Faults{Nonce: "a-nonce-of-another-sign-in"}, "allow", http.StatusBadGateway, "does not belong to this sign-in (wrong nonce)"},
		{"no nonce", oidcfake.Faults{OmitNonce: true}, "allow", http.StatusBadGateway, "(wrong nonce)"},
		{"no ID token", oidcfake.Faults{OmitIDToken: true}, "allow", http.StatusBadGateway, "sent no ID token"},
		{"answer from another issuer (mix-up)", oidcfake.Faults{ResponseIssuer: "https://other-idp.example"}, "allow", http.StatusBadRequest, "did not come from Example ID. Start again."},
		{"cancelled at the provider", oidcfake.Faults{}, "deny", http.StatusUnauthorized, "Example ID did not sign you in (access_denied: The user cancelled.)"},
		{"provider error, escaped", oidcfake.Faults{Error: "temporarily_unavailable"}, "", http.StatusUnauthorized,
			"did not sign you in (temporarily_unavailable: The provider refused &lt;this&gt; sign-in.)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e.clock.Advance(10 * time.Second) // the start limiter's bucket refills
			e.idp.SetFaults(tt.faults)
			defer e.idp.SetFaults(oidcfake.Faults{})
			b := e.browser(t)
			auth := e.begin(t, b, "idp", "/whoami")
			var cb string
			if tt.decision == "" {
				// The provider answers at once, without its page.
				ib := e.browser(t)
				ib.Client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
				resp, err := ib.Client.Get(auth.String())
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				cb = resp.Header.Get("Location")
			} else {
				cb = e.approve(t, auth, tt.decision)
			}
			p := b.Get(cb)
			refused(t, p, tt.status, tt.want)
			if strings.Contains(p.Body, "<this>") {
				t.Fatal("the provider's error is shown unescaped")
			}
			e.signedOut(t, b)
		})
	}
	// After all that, the provider behaving again signs in.
	e.clock.Advance(10 * time.Second)
	if p := e.signIn(t, e.browser(t), "/whoami"); p.Body != "user:alice@example.com" {
		t.Fatalf("a good answer after the refusals: %d %s", p.Resp.StatusCode, p.Body)
	}
}
