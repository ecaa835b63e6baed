package connectortest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

// testRenewal checks the one request path's answer to a refused token, at
// the vendor's own refusal signal: the token source is asked once for a
// renewed credential and the call retried once with it; a second refusal,
// the source's verdict or its failure is the answer.
func testRenewal(t *testing.T, h Harness) {
	ctx := context.Background()
	v := h.Vendor
	start := func(t *testing.T) (connector.Connector, *Source) {
		t.Helper()
		v.ClearFaults()
		t.Cleanup(v.ClearFaults)
		src := &Source{Cred: h.Renewable(t), Renew: RefreshWith(h.Spec)}
		return h.Spec.New(h.Spec, src), src
	}
	secrets := func(src *Source, old connector.Credential) []string {
		cur := src.Credential()
		return append([]string{old.AccessToken, old.RefreshToken, old.ClientSecret, cur.AccessToken, cur.RefreshToken}, h.Secrets...)
	}
	t.Run("a refused token is renewed once and the call retried", func(t *testing.T) {
		c, src := start(t)
		old := src.Credential()
		v.ExpireAccessTokens()
		tokens, calls := v.TokenRequests(), v.Requests(h.CheckPath)
		if _, err := c.Check(ctx); err != nil {
			t.Fatalf("after renewal: %v", err)
		}
		if src.Rejections() != 1 || v.TokenRequests() != tokens+1 || src.Credential().AccessToken == old.AccessToken {
			t.Errorf("%d rejections, %d token requests; want one renewal", src.Rejections(), v.TokenRequests()-tokens)
		}
		if n := v.Requests(h.CheckPath) - calls; n != 2 {
			t.Errorf("%d requests, want the refused one and one retry", n)
		}
	})
	t.Run("refused again after the renewal", func(t *testing.T) {
		c, src := start(t)
		old := src.Credential()
		v.Fail(sandbox.Fault{Path: h.CheckPath, Status: h.UnauthorizedStatus, Times: 2})
		calls := v.Requests(h.CheckPath)
		_, err := c.Check(ctx)
		ae := WantErr(t, err, connector.ErrUnauthorized, secrets(src, old)...)
		if ae == nil || ae.Status != h.UnauthorizedStatus || ae.Code == "" || h.RefusalCode != "" && ae.Code != h.RefusalCode {
			t.Errorf("error = %v, want the vendor's refusal (status %d)", err, h.UnauthorizedStatus)
		}
		if n := v.Requests(h.CheckPath) - calls; src.Rejections() != 1 || n != 2 {
			t.Errorf("%d rejections, %d requests; want exactly one retry", src.Rejections(), n)
		}
	})
	t.Run("the source's verdict is the answer", func(t *testing.T) {
		c, src := start(t)
		src.RejectErr = fmt.Errorf("%s: %w", h.Spec.Name, connector.ErrNeedsReauth)
		v.Fail(sandbox.Fault{Path: h.CheckPath, Status: h.UnauthorizedStatus})
		_, err := c.Check(ctx)
		WantErr(t, err, connector.ErrNeedsReauth, secrets(src, src.Credential())...)
	})
	t.Run("a renewal that failed is not the host's to fix", func(t *testing.T) {
		c, src := start(t)
		src.Renew = func(context.Context, connector.Credential) (connector.Credential, error) {
			return connector.Credential{}, fmt.Errorf("store down: %w", connector.ErrUnavailable)
		}
		v.Fail(sandbox.Fault{Path: h.CheckPath, Status: h.UnauthorizedStatus})
		_, err := c.Check(ctx)
		if errors.Is(err, connector.ErrNeedsReauth) || !errors.Is(err, connector.ErrUnavailable) {
			t.Errorf("error = %v, want the renewal's ErrUnavailable", err)
		}
	})
	t.Run("a renewal the caller gave up on is not the host's to fix", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		_, err := h.Spec.Refresh(cctx, h.Spec, h.Renewable(t))
		if !errors.Is(err, context.Canceled) || errors.Is(err, connector.ErrNeedsReauth) {
			t.Errorf("cancelled refresh: %v", err)
		}
	})
	if h.EchoGrant != nil {
		t.Run("an echoed credential is cut from a refused renewal", func(t *testing.T) {
			v.ClearFaults()
			t.Cleanup(v.ClearFaults)
			cred := h.Renewable(t)
			app := ""
			if h.Spec.OAuth != nil {
				app = h.Spec.OAuth.ClientSecret
			}
			v.Fail(h.EchoGrant("bad " + cred.RefreshToken + cred.ClientSecret + " for " + app))
			_, err := h.Spec.Refresh(ctx, h.Spec, cred)
			WantErr(t, err, connector.ErrNeedsReauth, append([]string{cred.AccessToken, cred.RefreshToken, cred.ClientSecret, app}, h.Secrets...)...)
			if !strings.Contains(err.Error(), "[redacted]") {
				t.Errorf("echoed secrets were not redacted: %v", err)
			}
		})
	}
	t.Run("a dead refresh token needs the host", func(t *testing.T) {
		c, src := start(t)
		old := src.Credential()
		if old.RefreshToken == "" {
			t.Skip("the credential renews without a refresh token")
		}
		v.ExpireAccessTokens()
		v.RotateRefreshTokensOutOfBand()
		_, err := c.Check(ctx)
		WantErr(t, err, connector.ErrNeedsReauth, secrets(src, old)...)
		if src.Rejections() != 1 {
			t.Errorf("%d rejections, want 1", src.Rejections())
		}
	})
}
