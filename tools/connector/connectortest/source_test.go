package connectortest_test

import (
	"context"
	"errors"
	"testing"

	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/connectortest"
)

func TestSourceAnswersRejectedAsItsFieldsSay(t *testing.T) {
	old := connector.Credential{AccessToken: "old-access-token"}
	fresh := connector.Credential{AccessToken: "fresh-access-token"}
	renew := func(_ context.Context, c connector.Credential) (connector.Credential, error) {
		if c != old {
			t.Errorf("renewed %+v, want the current credential", c)
		}
		return fresh, nil
	}
	failed := errors.New("renewal failed")
	for _, tc := range []struct {
		name    string
		src     *connectortest.Source
		want    connector.Credential
		wantErr error
		after   connector.Credential // Credential() afterwards
	}{
		{"cannot renew: the same credential", &connectortest.Source{Cred: old}, old, nil, old},
		{"renews", &connectortest.Source{Cred: old, Renew: renew}, fresh, nil, fresh},
		{"a failed renewal keeps the old one", &connectortest.Source{Cred: old, Renew: func(context.Context, connector.Credential) (connector.Credential, error) {
			return connector.Credential{}, failed
		}}, connector.Credential{}, failed, old},
		{"RejectErr wins over Renew", &connectortest.Source{Cred: old, Renew: renew, RejectErr: connector.ErrNeedsReauth},
			connector.Credential{}, connector.ErrNeedsReauth, old},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if c, err := tc.src.Token(context.Background()); c != old || err != nil {
				t.Fatalf("Token = %+v, %v", c, err)
			}
			got, err := tc.src.Rejected(context.Background(), old.AccessToken)
			if got != tc.want || !errors.Is(err, tc.wantErr) || (err == nil) != (tc.wantErr == nil) {
				t.Fatalf("Rejected = %+v, %v; want %+v, %v", got, err, tc.want, tc.wantErr)
			}
			if tc.src.Rejections() != 1 || tc.src.Credential() != tc.after {
				t.Fatalf("%d rejections, credential %+v; want 1, %+v", tc.src.Rejections(), tc.src.Credential(), tc.after)
			}
			if c, _ := tc.src.Token(context.Background()); c != tc.after {
				t.Fatalf("Token after = %+v, want %+v", c, tc.after)
			}
		})
	}
}
