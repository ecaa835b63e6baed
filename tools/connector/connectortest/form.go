package connectortest

import (
	"context"
	"errors"
	"maps"
	"testing"

	"github.com/hostgate/hostgate/tools/connector"
)

// A FormCase is one connect form a host may submit, and what comes of it.
type FormCase struct {
	Name   string
	Kind   connector.AuthKind
	Values map[string]string
	// Want is the sentinel the error wraps; nil for a connection.
	Want error
	// Minted: the form got as far as the token endpoint.
	Minted bool
}

// With is a copy of a connect form with one value changed.
func With(form map[string]string, field, value string) map[string]string {
	m := maps.Clone(form)
	m[field] = value
	return m
}

// ConnectsByForm submits each case's form to the Spec's FromFields, on a
// fresh fake from start: the error wraps the case's sentinel, noSecret
// finds no value of secretField in its text, the token endpoint was asked
// once or not at all, and a form that connects gives a credential that ok
// accepts.
func ConnectsByForm(t *testing.T, start func(t *testing.T) Env, secretField string, noSecret func(t testing.TB, err error, secrets ...string),
	cases []FormCase, ok func(t *testing.T, e Env, c connector.Credential)) {
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			e := start(t)
			c, err := e.Spec.FromFields(context.Background(), e.Spec, tc.Kind, tc.Values)
			if !errors.Is(err, tc.Want) {
				t.Fatalf("error = %v, want %v", err, tc.Want)
			}
			noSecret(t, err, tc.Values[secretField])
			if got := e.V.TokenRequests(); got != map[bool]int{true: 1}[tc.Minted] {
				t.Errorf("%d token requests", got)
			}
			if tc.Want == nil {
				ok(t, e, c)
			}
		})
	}
}
