package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/hostgate/hostgate/internal/browsertest"
	"github.com/hostgate/hostgate/internal/demo"
	"github.com/hostgate/hostgate/mcpserver"
	"github.com/hostgate/hostgate/store/sqlstore/testdb"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

// The multi-process tests: hostgate processes started from this test
// binary (TestMain runs them as the hostgate command), on one PostgreSQL,
// behind a balancer with no affinity (balancer_test.go), with the sandbox
// vendors running in the test and every process pointed at them through
// the environment, as an operator points hostgate at a staging API.

const (
	fleetHost     = "alice"
	fleetPassword = "correct horse battery staple"
	appRedirect   = "http://127.0.0.1:51234/callback"
)

// fleetEnv is a fleet under test.
type fleetEnv struct {
	t     testing.TB
	db    testdb.DB
	key   string
	sb    *sandbox.Sandbox
	lb    *balancer
	dir   string
	procs []*process
	extra []string // flags every process gets

	hookMu sync.Mutex
	// onToken, when set, hears each token request at the Hostex fake as
	// it arrives, before the fake answers it.
	onToken func()
}

// tokenArrived tells the hook, if any, of a token request at Hostex.
func (f *fleetEnv) tokenArrived() {
	f.hookMu.Lock()
	h := f.onToken
	f.hookMu.Unlock()
	if h != nil {
		h()
	}
}

// watchToken returns a channel closed when the next token request arrives
// at the Hostex fake.
func (f *fleetEnv) watchToken() <-chan struct{} {
	arrived := make(chan struct{})
	var once sync.Once
	f.hookMu.Lock()
	f.onToken = func() { once.Do(func() { close(arrived) }) }
	f.hookMu.Unlock()
	return arrived
}

// process is one hostgate process.
type process struct {
	cmd     *exec.Cmd
	url     string
	metrics string // its metrics listener's URL
	log     *lockedBuffer
	done    chan struct{} // closed when the process has exited
}

type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) add(line string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b.WriteString(line)
	l.b.WriteByte('\n')
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// newFleet starts the sandbox vendors and the balancer on a fresh
// PostgreSQL schema and adds the host; processes come with start.
func newFleet(t testing.TB, extra ...string) *fleetEnv {
	t.Helper()
	db := testdb.Postgres(t)
	k := make([]byte, 32)
	rand.Read(k)
	f := &fleetEnv{t: t, db: db, key: base64.StdEncoding.EncodeToString(k), lb: newBalancer(t), dir: t.TempDir(), extra: extra}
	// Hostex, which the tests use, is served here behind a hook that
	// tells of each token request as it arrives; the others as usual.
	hx := sandbox.NewHostex(sandbox.Options{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hx.SetURL("http://" + ln.Addr().String())
	u, err := url.Parse(hx.TokenURL)
	if err != nil {
		t.Fatal(err)
	}
	tokenPath := u.Path
	hxSrv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == tokenPath {
			f.tokenArrived()
		}
		hx.Handler().ServeHTTP(w, r)
	}), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = hxSrv.Serve(ln) }()
	// Close, not Shutdown: a request the fake holds (Fault.Delay) from a
	// process that died is still open, and need not be waited out.
	t.Cleanup(func() { _ = hxSrv.Close() })
	f.sb = &sandbox.Sandbox{Hostex: hx, Hospitable: sandbox.NewHospitable(sandbox.Options{}),
		Hostaway: sandbox.NewHostaway(sandbox.Options{}), HoxtonAI: sandbox.NewHoxtonAI(sandbox.Options{})}
	t.Cleanup(f.sb.Close)
	for _, v := range f.sb.Vendors()[1:] {
		if err := v.Start(); err != nil {
			t.Fatal(err)
		}
	}
	sb := f.sb
	// The vendors send the host back to the balancer, hostgate's public URL.
	demo.Specs(sb, f.lb.ts.URL+mcpserver.PathOAuthCallback)
	out, err := f.command("user", "add", fleetHost).CombinedOutput()
	if err != nil {
		t.Fatalf("hostgate user add: %v\n%s", err, out)
	}
	return f
}

// command is the hostgate command with the fleet's environment.
func (f *fleetEnv) command(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	hx := f.sb.Hostex
	cmd.Env = append(os.Environ(),
		asHostgate+"=1",
		"HOSTGATE_DB="+f.db.URL,
		"HOSTGATE_SECRET_KEY="+f.key,
		"HOSTGATE_PASSWORD="+fleetPassword,
		"HOSTGATE_HOSTEX_BASE_URL="+hx.APIBase,
		"HOSTGATE_HOSTEX_AUTH_URL="+hx.AuthorizeURL,
		"HOSTGATE_HOSTEX_TOKEN_URL="+hx.TokenURL,
		"HOSTGATE_HOSTEX_REVOKE_URL="+hx.RevokeURL,
		"HOSTGATE_HOSTEX_CLIENT_ID="+hx.ClientID,
		"HOSTGATE_HOSTEX_CLIENT_SECRET="+hx.ClientSecret,
	)
	return cmd
}

// start starts n more hostgate processes and puts them behind the balancer.
func (f *fleetEnv) start(n int) {
	f.t.Helper()
	for range n {
		i := len(f.procs)
		args := append([]string{"serve", "--addr", "127.0.0.1:0", "--base-url", f.lb.ts.URL,
			"--data-dir", filepath.Join(f.dir, fmt.Sprint(i)), "--log-format", "json", "--drain-time", "1s", "--metrics-addr", "127.0.0.1:0"}, f.extra...)
		p := &process{cmd: f.command(args...), log: &lockedBuffer{}, done: make(chan struct{})}
		stderr, err := p.cmd.StderrPipe()
		if err != nil {
			f.t.Fatal(err)
		}
		if err := p.cmd.Start(); err != nil {
			f.t.Fatal(err)
		}
		listening, metrics := make(chan string, 1), make(chan string, 1)
		go func() {
			sc := bufio.NewScanner(stderr)
			sc.Buffer(make([]byte, 64<<10), 1<<20)
			for sc.Scan() {
				line := sc.Text()
				p.log.add(line)
				var l struct{ Msg, Addr, Path string }
				if json.Unmarshal([]byte(line), &l) == nil {
					switch l.Msg {
					case "hostgate listening":
						listening <- l.Addr
					case "metrics listening":
						metrics <- "http://" + l.Addr + l.Path
					}
				}
			}
			_ = p.cmd.Wait()
			close(p.done)
		}()
		f.t.Cleanup(func() {
			_ = p.cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-p.done:
			case <-time.After(15 * time.Second):
				_ = p.cmd.Process.Kill()
				<-p.done
			}
		})
		select {
		case addr := <-listening:
			p.url = "http://" + addr
			p.metrics = <-metrics // logged before the public listener
		case <-p.done:
			f.t.Fatalf("hostgate process %d exited at start:\n%s", i, p.log)
		case <-time.After(60 * time.Second):
			f.t.Fatalf("hostgate process %d did not start listening within a minute:\n%s", i, p.log)
		}
		f.procs = append(f.procs, p)
		f.lb.add(p.url)
	}
}

// kill ends process i with SIGKILL: no drain, no goodbye to the database.
func (f *fleetEnv) kill(i int) {
	_ = f.procs[i].cmd.Process.Signal(syscall.SIGKILL)
	<-f.procs[i].done
}

// logs is every process's log, for a failure message or a search.
func (f *fleetEnv) logs() string {
	var b strings.Builder
	for i, p := range f.procs {
		fmt.Fprintf(&b, "--- process %d ---\n%s", i, p.log)
	}
	return b.String()
}

// connectHostex plays the host connecting a Hostex account by its OAuth
// flow: the flow starts on process 0 and the vendor's callback lands on
// process 1 (when there are two).
func (f *fleetEnv) connectHostex() {
	t := f.t
	t.Helper()
	f.lb.route(http.MethodPost, "/connections/oauth/start", 0)
	f.lb.route(http.MethodGet, mcpserver.PathOAuthCallback, 1%len(f.procs))
	b := browsertest.New(t, f.lb.ts.URL)
	p := b.Get(mcpserver.PathConnections)
	p = b.Submit(p.Form(t, "/signin"), url.Values{"username": {fleetHost}, "password": {fleetPassword}})
	if p.URL.Path != mcpserver.PathConnections {
		t.Fatalf("after sign-in: %s (%d)", p.URL, p.Resp.StatusCode)
	}
	p = b.Submit(p.Form(t, "/connections/oauth/start"), url.Values{"vendor": {"hostex"}})
	if p.Resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("oauth start: %d: %s", p.Resp.StatusCode, p.Body)
	}
	// At the vendor, in its own origin.
	hx := f.sb.Hostex
	vb := browsertest.New(t, hx.URL)
	authURL, err := url.Parse(p.Resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	vp := vb.Get(authURL.String())
	vp = vb.Submit(vp.Form(t, authURL.Path), url.Values{"approve": {"approve"}})
	if vp.Resp.StatusCode != http.StatusFound {
		t.Fatalf("approve at the vendor: %d: %s", vp.Resp.StatusCode, vp.Body)
	}
	p = b.Get(vp.Resp.Header.Get("Location"))
	if p.Resp.StatusCode != http.StatusOK || p.URL.Path != mcpserver.PathConnections || !strings.Contains(p.Body, "Hostex") {
		t.Fatalf("back from the vendor: %s (%d)", p.URL, p.Resp.StatusCode)
	}
}

// mcpApp is an MCP client authorized through the fleet.
type mcpApp struct {
	client   *client.Client
	clientID string
	tokens   *transport.MemoryTokenStore
}

// token returns the app's current tokens.
func (a mcpApp) token(t testing.TB) *transport.Token {
	tok, err := a.tokens.GetToken(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// authorize runs an app through the whole OAuth flow across processes:
// registration on process 0, the authorization request and the host's
// consent on process 1, the token on process 2 (as far as there are
// processes); then it initializes its MCP session through whichever
// process comes next.
func (f *fleetEnv) authorize(name string) mcpApp {
	t := f.t
	t.Helper()
	n := len(f.procs)
	f.lb.route(http.MethodPost, "/register", 0)
	f.lb.route(http.MethodGet, "/authorize", 1%n)
	f.lb.route(http.MethodPost, "/consent", 1%n)
	f.lb.route(http.MethodPost, "/token", 2%n)
	ctx := context.Background()
	tokens := transport.NewMemoryTokenStore()
	c, err := client.NewOAuthStreamableHttpClient(f.lb.ts.URL+"/mcp", client.OAuthConfig{
		RedirectURI: appRedirect, TokenStore: tokens, PKCEEnabled: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	var init mcp.InitializeRequest
	init.Params.ProtocolVersion = "2025-11-25"
	init.Params.ClientInfo = mcp.Implementation{Name: name, Version: "1"}
	_, err = c.Initialize(ctx, init)
	if !client.IsOAuthAuthorizationRequiredError(err) {
		t.Fatalf("initialize without a token: %v, want OAuth authorization required", err)
	}
	h := client.GetOAuthHandler(err)
	if err := h.RegisterClient(ctx, name); err != nil {
		t.Fatalf("register: %v", err)
	}
	verifier, _ := client.GenerateCodeVerifier()
	state, _ := client.GenerateState()
	authURL, err := h.GetAuthorizationURL(ctx, state, client.GenerateCodeChallenge(verifier))
	if err != nil {
		t.Fatal(err)
	}
	b := browsertest.New(t, f.lb.ts.URL)
	p := b.Get(authURL)
	if p.URL.Path == "/signin" {
		p = b.Submit(p.Form(t, "/signin"), url.Values{"username": {fleetHost}, "password": {fleetPassword}})
	}
	if p.URL.Path != "/authorize" || !strings.Contains(p.Body, name) {
		t.Fatalf("consent page: %s (%d)", p.URL, p.Resp.StatusCode)
	}
	p = b.Submit(p.Form(t, "/consent"), url.Values{"action": {"approve"}})
	if p.Resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("consent: %d: %s", p.Resp.StatusCode, p.Body)
	}
	loc, err := url.Parse(p.Resp.Header.Get("Location"))
	if err != nil || loc.Query().Get("state") != state {
		t.Fatalf("redirect to the app: %v %v", loc, err)
	}
	if err := h.ProcessAuthorizationResponse(ctx, loc.Query().Get("code"), state, verifier); err != nil {
		t.Fatalf("token: %v", err)
	}
	if _, err := c.Initialize(ctx, init); err != nil {
		t.Fatalf("initialize: %v", err)
	}
	return mcpApp{client: c, clientID: h.GetClientID(), tokens: tokens}
}

// callTool calls a tool and returns its text, failing on any error.
func callTool(ctx context.Context, c *client.Client, name string, args map[string]any) (string, error) {
	res, err := c.CallTool(ctx, mcp.CallToolRequest{Params: mcp.CallToolParams{Name: name, Arguments: args}})
	if err != nil {
		return "", err
	}
	var text strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(mcp.TextContent); ok {
			text.WriteString(tc.Text)
		}
	}
	if res.IsError {
		return text.String(), fmt.Errorf("tool error: %s", text.String())
	}
	return text.String(), nil
}

// burst makes n list_properties calls at once through the app and returns
// their errors.
func burst(c *client.Client, n int) []error {
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			_, errs[i] = callTool(ctx, c, "list_properties", nil)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// pinnedClient is an MCP client with an app's access token whose every
// request goes to process i.
func (f *fleetEnv) pinnedClient(token string, i int) *client.Client {
	f.t.Helper()
	return f.newClient(map[string]string{"Authorization": "Bearer " + token, pinHeader: fmt.Sprint(i)})
}

// client is an MCP client with an app's access token, through the
// balancer as it is set.
func (f *fleetEnv) client(token string) *client.Client {
	f.t.Helper()
	return f.newClient(map[string]string{"Authorization": "Bearer " + token})
}

// newClient is an initialized MCP client sending headers.
func (f *fleetEnv) newClient(headers map[string]string) *client.Client {
	f.t.Helper()
	c, err := client.NewStreamableHttpClient(f.lb.ts.URL+"/mcp", transport.WithHTTPHeaders(headers))
	if err != nil {
		f.t.Fatal(err)
	}
	ctx := context.Background()
	if err := c.Start(ctx); err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { c.Close() })
	var init mcp.InitializeRequest
	init.Params.ProtocolVersion = "2025-11-25"
	init.Params.ClientInfo = mcp.Implementation{Name: "fleet test", Version: "1"}
	if _, err := c.Initialize(ctx, init); err != nil {
		f.t.Fatalf("initialize: %v", err)
	}
	return c
}

// waitFor polls cond, which another process makes true, for up to 30 s.
// Used only where the event is inside another process and nothing there
// can tell the test of it (a change a process applied, read from its
// metrics): the test looks every few milliseconds; the pause only paces
// the looking, the condition decides, so a slow machine makes the test
// slower, never wrong.
func (f *fleetEnv) waitFor(what string, cond func() bool) {
	f.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			f.t.Fatalf("waited 30 s for %s\n%s", what, f.logs())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// fleetChanges is how many changes of topic process i has applied from
// the change feed (hostgate_fleet_changes_total).
func (f *fleetEnv) fleetChanges(i int, topic string) float64 {
	f.t.Helper()
	resp, err := http.Get(f.procs[i].metrics)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	prefix := `hostgate_fleet_changes_total{topic="` + topic + `"} `
	for _, line := range strings.Split(string(body), "\n") {
		if v, ok := strings.CutPrefix(line, prefix); ok {
			var n float64
			if _, err := fmt.Sscan(v, &n); err == nil {
				return n
			}
		}
	}
	f.t.Fatalf("process %d's metrics have no %s", i, prefix)
	return 0
}

// mcpStatus posts a tools/list with token to process i and returns the
// status and the WWW-Authenticate header.
func (f *fleetEnv) mcpStatus(i int, token string) (int, string) {
	f.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, f.lb.ts.URL+"/mcp", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set(pinHeader, fmt.Sprint(i))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("WWW-Authenticate")
}

// TestFleetOfProcesses is the scale-out acceptance test: three hostgate
// processes on one PostgreSQL behind a balancer without affinity.
//   - The host connects Hostex starting on one process and returning to
//     another; an app registers on one, is authorized on a second and gets
//     its token on a third; its one MCP session's calls land on all three.
//   - A second app is revoked through one process: its token, accepted by
//     each process before, is refused by the next call to each of the
//     others once the change feed has told them (milliseconds).
//   - 50 calls at once after the vendor expired its access token, spread
//     over the three, make exactly one request to the vendor's token
//     endpoint (Hostex rotates the refresh token and refuses the old one),
//     and every call is answered.
//   - The process renewing the next expired token is killed with SIGKILL
//     while its token request is under way and calls are under way on it:
//     every call is answered by the others (one takes the renewal over),
//     the app keeps its session, and the host keeps the account.
//
// The processes run with the vendor read cache off (--cache-bytes 0), so
// that every call reaches the vendor.
func TestFleetOfProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three hostgate processes")
	}
	f := newFleet(t, "--cache-bytes", "0")
	f.start(3)
	f.connectHostex()
	a := f.authorize("Fleet app")
	ctx := context.Background()

	// Tool calls land on every process, in one session.
	before := f.lb.served()
	for range 6 {
		if _, err := callTool(ctx, a.client, "list_properties", nil); err != nil {
			t.Fatalf("list_properties: %v\n%s", err, f.logs())
		}
	}
	for i, n := range f.lb.served() {
		if n-before[i] < 2 {
			t.Fatalf("process %d answered %d of 6 calls: the calls did not go round", i, n-before[i])
		}
	}

	// A revocation through one process holds on the next call to each other.
	b := f.authorize("Revoked app")
	bTok := b.token(t)
	for i := range 3 {
		if status, _ := f.mcpStatus(i, bTok.AccessToken); status == http.StatusUnauthorized {
			t.Fatalf("process %d refused a live token", i)
		}
	}
	grantsSeen := map[int]float64{1: f.fleetChanges(1, "grants"), 2: f.fleetChanges(2, "grants")}
	req, _ := http.NewRequest(http.MethodPost, f.lb.ts.URL+"/revoke", strings.NewReader(url.Values{"token": {bTok.RefreshToken}, "client_id": {b.clientID}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set(pinHeader, "0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("revoke through process 0: %d", resp.StatusCode)
	}
	revoked := time.Now()
	// The others hear of it through the database's change feed, within
	// milliseconds of the commit: the test waits until each has applied it
	// (its count of applied revocations went up), and then its next call.
	for _, i := range []int{1, 2} {
		f.waitFor(fmt.Sprintf("process %d to apply the revocation", i), func() bool { return f.fleetChanges(i, "grants") > grantsSeen[i] })
	}
	t.Logf("the revocation reached the other processes within %v of its answer", time.Since(revoked).Round(time.Millisecond))
	for _, i := range []int{1, 2} {
		if status, challenge := f.mcpStatus(i, bTok.AccessToken); status != http.StatusUnauthorized || !strings.Contains(challenge, "invalid_token") {
			t.Fatalf("process %d after the revocation through process 0: %d %q, want 401 invalid_token", i, status, challenge)
		}
	}
	if _, err := callTool(ctx, a.client, "whoami", nil); err != nil {
		t.Fatalf("the other app after the revocation: %v", err)
	}

	// The vendor's access token expires: 50 calls renew it once.
	hx := f.sb.Hostex
	hx.ExpireAccessTokens()
	tokenCalls := hx.TokenRequests()
	before = f.lb.served()
	for i, err := range burst(a.client, 50) {
		if err != nil {
			t.Fatalf("call %d of the burst after expiry: %v\n%s", i, err, f.logs())
		}
	}
	if n := hx.TokenRequests() - tokenCalls; n != 1 {
		t.Fatalf("the burst after expiry made %d requests to the vendor's token endpoint, want 1", n)
	}
	for i, n := range f.lb.served() {
		if n-before[i] < 10 {
			t.Fatalf("process %d answered %d calls of the burst", i, n-before[i])
		}
	}

	// SIGKILL of process 2 in the middle of the next renewal, which it
	// holds the lease of, and of calls under way on it: a call through
	// process 2 alone (a second session, pinned there) finds the vendor's
	// access token expired again and asks the token endpoint, which holds
	// the request; then 50 calls go round the three, and process 2 is
	// killed once three of them are under way on it. Its token request
	// dies with it, unanswered, so the refresh token is unspent; the
	// others wait for its lease to lapse (it extended it only while alive),
	// take it over, renew once, and answer every call, those retried from
	// process 2 included.
	hx.ExpireAccessTokens()
	tokenCalls = hx.TokenRequests()
	tokenURL, _ := url.Parse(hx.TokenURL)
	hx.Fail(sandbox.Fault{Method: http.MethodPost, Path: tokenURL.Path, Delay: time.Minute})
	pinned := f.pinnedClient(a.token(t).AccessToken, 2)
	asked := f.watchToken()
	pinnedDone := make(chan error, 1)
	go func() {
		_, err := callTool(ctx, pinned, "list_properties", nil)
		pinnedDone <- err
	}()
	select {
	case <-asked:
	case err := <-pinnedDone:
		t.Fatalf("the call through process 2 ended before it asked for a token: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatalf("process 2 did not ask the vendor for a token within 30 s\n%s", f.logs())
	}
	var once sync.Once
	killed := make(chan struct{})
	f.lb.mu.Lock()
	f.lb.started = func(i int, inflight int64) {
		if i == 2 && inflight >= 3 {
			once.Do(func() {
				go func() { f.kill(2); close(killed) }()
			})
		}
	}
	f.lb.mu.Unlock()
	retried := f.lb.retries.Load()
	for i, err := range burst(a.client, 50) {
		if err != nil {
			t.Fatalf("call %d of the burst with the renewing process killed: %v\n%s", i, err, f.logs())
		}
	}
	select {
	case <-killed:
	default:
		t.Fatal("process 2 was not killed during the burst")
	}
	if err := <-pinnedDone; err == nil {
		t.Fatal("the call pinned to the killed process was answered")
	}
	if f.lb.retries.Load() == retried {
		t.Fatal("no call was under way on the killed process: the kill came too late to test anything")
	}
	if n := hx.TokenRequests() - tokenCalls; n != 2 {
		t.Fatalf("%d token requests, want 2: the killed process's, unanswered, and one by the process that took its lease over", n)
	}
	// The app goes on in the same session through the two left, and the
	// account is still connected, on the renewed credential.
	tokenCalls = hx.TokenRequests()
	before = f.lb.served()
	for range 4 {
		if _, err := callTool(ctx, a.client, "list_properties", nil); err != nil {
			t.Fatalf("after the kill: %v", err)
		}
	}
	if after := f.lb.served(); after[0]-before[0] < 2 || after[1]-before[1] < 2 {
		t.Fatalf("after the kill, the calls were answered %v → %v", before, after)
	}
	text, err := callTool(ctx, a.client, "list_connections", nil)
	if err != nil || !strings.Contains(text, `"status":"ok"`) {
		t.Fatalf("list_connections after the kill: %v %s", err, text)
	}
	if n := hx.TokenRequests() - tokenCalls; n != 0 {
		t.Fatalf("%d more token requests after the renewal", n)
	}

	// Nothing secret in any process's log.
	logs := f.logs()
	for what, s := range map[string]string{
		"the app's access token": a.token(t).AccessToken, "the app's refresh token": a.token(t).RefreshToken,
		"the revoked app's refresh token": bTok.RefreshToken, "the host's password": fleetPassword, "the master key": f.key,
	} {
		if strings.Contains(logs, s) {
			t.Errorf("%s is in a process's log", what)
		}
	}
}
