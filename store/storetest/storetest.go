// Package storetest is the conformance suite every [store.Store] backend
// passes. A backend's test calls [Run] with a function that opens a fresh,
// empty store:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store { return openTemp(t) })
//	}
//
// The suite feeds times in a non-UTC zone and expects them back equal and in
// UTC; it treats a nil and an empty list (or secret) as the same value. It
// synchronizes its concurrent tests on barriers, never on sleeps.
//
// Beyond the interface's documents, the suite pins down choices every
// backend makes the same way:
//   - deleting, updating, touching or revoking a row that does not exist is
//     ErrNotFound; revoking what is already revoked succeeds and keeps the
//     first revocation time;
//   - users with an empty username (OIDC-only) do not collide on it;
//   - PutClient replaces a client in place: its grants survive;
//   - "expired before now" is strict: a row expiring exactly at now stays;
//   - ListExpiringConnections and ListAuditEvents return nothing for a
//     limit below 1;
//   - after reuse revokes a grant, every refresh token of the grant gives
//     ErrRevoked (the grant check comes first);
//   - PutApproval and SetWritePolicy refuse a write policy that is not one
//     of the three (PutApproval takes none as WriteAsk); an approval deleted
//     and made again starts at its new policy, not the old one;
//   - FindDraft's since is inclusive; a draft is found whatever its status;
//   - UpdateDraft writes the fields it names as given (a nil Args or Result
//     clears it) and never the owner, grant, tool, key or creation time;
//   - drafts survive DeleteExpired and the revocation of their grant;
//   - TryExclusive refuses a name while it is held, even to the store
//     holding it, and gives it again once released;
//   - an app's limits are read as none (no error) where none were set,
//     approved or not; SetAppLimits writes every field as given.
package storetest

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
)

// Run runs every conformance test as a subtest. open must return a new,
// empty store for each call; Run closes it when the subtest ends.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"Users", testUsers},
		{"Exclusive", testExclusive},
		{"Subscribe", testSubscribe},
		{"UserConflicts", testUserConflicts},
		{"DisableUser", testDisableUser},
		{"ListUsers", testListUsers},
		{"Clients", testClients},
		{"PutClient", testPutClient},
		{"TouchClient", testTouchClient},
		{"CountClientsFrom", testCountClientsFrom},
		{"DeleteStaleClients", testDeleteStaleClients},
		{"DeleteIdleDocumentClients", testDeleteIdleDocumentClients},
		{"Approvals", testApprovals},
		{"WritePolicy", testWritePolicy},
		{"AppLimits", testAppLimits},
		{"AppLimitsRules", testAppLimitsRules},
		{"AuthCodes", testAuthCodes},
		{"RedeemAuthCode", testRedeemAuthCode},
		{"RedeemAuthCodeConcurrent", testRedeemAuthCodeConcurrent},
		{"GetToken", testGetToken},
		{"RevokeToken", testRevokeToken},
		{"ListGrants", testListGrants},
		{"RevokeGrant", testRevokeGrant},
		{"RevokeClient", testRevokeClient},
		{"RotateRefresh", testRotateRefresh},
		{"RotateRefreshRejects", testRotateRefreshRejects},
		{"RotateRefreshParallel", testRotateRefreshParallel},
		{"RotateRefreshConcurrent", testRotateRefreshConcurrent},
		{"RotateRefreshSibling", testRotateRefreshSibling},
		{"Connections", testConnections},
		{"ConnectionConflicts", testConnectionConflicts},
		{"UpdateConnection", testUpdateConnection},
		{"UpdateConnectionConcurrent", testUpdateConnectionConcurrent},
		{"UpdateConnectionOneWinner", testUpdateConnectionOneWinner},
		{"ListConnections", testListConnections},
		{"ListExpiringConnections", testListExpiringConnections},
		{"ConnectionSecrets", testConnectionSecrets},
		{"ConnectionAlerts", testConnectionAlerts},
		{"TeamConnectionAlert", testTeamConnectionAlert},
		{"ConnectionAlertLease", testConnectionAlertLease},
		{"ClaimConnectionAlertConcurrent", testClaimConnectionAlertConcurrent},
		{"RenewalLease", testRenewalLease},
		{"ClaimRenewalConcurrent", testClaimRenewalConcurrent},
		{"Sessions", testSessions},
		{"DeleteUserSessions", testDeleteUserSessions},
		{"MCPSessions", testMCPSessions},
		{"MCPSessionCap", testMCPSessionCap},
		{"MCPSessionCapConcurrent", testMCPSessionCapConcurrent},
		{"DeleteIdleMCPSessions", testDeleteIdleMCPSessions},
		{"ConsentTransactions", testConsentTransactions},
		{"ConsumeConsentTransactionConcurrent", testConsumeConsentTransactionConcurrent},
		{"ConnectStates", testConnectStates},
		{"ConsumeConnectStateConcurrent", testConsumeConnectStateConcurrent},
		{"SignInStates", testSignInStates},
		{"ConsumeSignInStateConcurrent", testConsumeSignInStateConcurrent},
		{"SignInReturnSealed", testSignInReturnSealed},
		{"SetUserIdentity", testSetUserIdentity},
		{"OneClickCodes", testOneClickCodes},
		{"ConsumeOneClickCodeConcurrent", testConsumeOneClickCodeConcurrent},
		{"Drafts", testDrafts},
		{"FindDraft", testFindDraft},
		{"ListDrafts", testListDrafts},
		{"UpdateDraft", testUpdateDraft},
		{"UpdateDraftConcurrent", testUpdateDraftConcurrent},
		{"CreateDraftConcurrent", testCreateDraftConcurrent},
		{"Audit", testAudit},
		{"Teams", testTeams},
		{"AcceptInviteConcurrent", testAcceptInviteConcurrent},
		{"PreviewInvite", testPreviewInvite},
		{"RemoveOwnersConcurrent", testRemoveOwnersConcurrent},
		{"RevokeClientWhileRedeeming", testRevokeClientWhileRedeeming},
		{"DisableUserWhileRedeeming", testDisableUserWhileRedeeming},
		{"ClaimAlertWhileReconnecting", testClaimAlertWhileReconnecting},
		{"SweepClientWhileAuthorizing", testSweepClientWhileAuthorizing},
		{"Activity", testActivity},
		{"ActivityFilters", testActivityFilters},
		{"ActivityPaging", testActivityPaging},
		{"ActivityRetention", testActivityRetention},
		{"TeamActivity", testTeamActivity},
		{"RateBudgets", testRateBudgets},
		{"RateBudgetsSliding", testRateBudgetsSliding},
		{"RateBudgetsConcurrent", testRateBudgetsConcurrent},
		{"DeleteExpired", testDeleteExpired},
		{"Ping", testPing},
		{"SchemaCurrent", testSchemaCurrent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			tt.fn(t, s)
		})
	}
}

// zone is deliberately not UTC: the store must hand times back in UTC.
var zone = time.FixedZone("UTC+05:30", 5*3600+30*60)

// t0 is the suite's "now"; nanoseconds must survive the round trip.
var t0 = time.Date(2026, 5, 1, 9, 30, 0, 123456789, zone)

// at is t0 moved by d.
func at(d time.Duration) time.Time { return t0.Add(d) }

func check(t testing.TB, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: err = %v, want %v", what, err, target)
	}
}

// same compares a value read from the store with the one expected: times by
// instant (and every time read must be in UTC), nil and empty slices alike.
func same(t *testing.T, what string, got, want any) {
	t.Helper()
	checkUTC(t, what, reflect.ValueOf(got))
	g, w := normalize(reflect.ValueOf(got)), normalize(reflect.ValueOf(want))
	if !reflect.DeepEqual(g.Interface(), w.Interface()) {
		t.Fatalf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

var timeType = reflect.TypeFor[time.Time]()

func checkUTC(t *testing.T, what string, v reflect.Value) {
	t.Helper()
	switch {
	case v.Type() == timeType:
		if tm := v.Interface().(time.Time); tm.Location() != time.UTC {
			t.Fatalf("%s: time %v is in %v, want UTC", what, tm, tm.Location())
		}
	case v.Kind() == reflect.Struct:
		for i := range v.NumField() {
			checkUTC(t, what+"."+v.Type().Field(i).Name, v.Field(i))
		}
	case v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Struct:
		for i := range v.Len() {
			checkUTC(t, what, v.Index(i))
		}
	}
}

// normalize returns a copy of v with times in UTC (no monotonic reading) and
// empty slices nil.
func normalize(v reflect.Value) reflect.Value {
	out := reflect.New(v.Type()).Elem()
	switch {
	case v.Type() == timeType:
		tm := v.Interface().(time.Time)
		if !tm.IsZero() {
			tm = tm.UTC()
		}
		out.Set(reflect.ValueOf(tm))
	case v.Kind() == reflect.Struct:
		for i := range v.NumField() {
			out.Field(i).Set(normalize(v.Field(i)))
		}
	case v.Kind() == reflect.Slice:
		if v.Len() == 0 {
			return out
		}
		out.Set(reflect.MakeSlice(v.Type(), v.Len(), v.Len()))
		for i := range v.Len() {
			out.Index(i).Set(normalize(v.Index(i)))
		}
	default:
		out.Set(v)
	}
	return out
}
