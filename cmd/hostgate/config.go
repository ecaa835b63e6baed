package main

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/hostgate/hostgate/oauthpkce"
	"github.com/hostgate/hostgate/oauthpkce/clientaddr"
	"github.com/hostgate/hostgate/oauthpkce/signin"
	"github.com/hostgate/hostgate/store/sqlstore"
	"github.com/hostgate/hostgate/tools/connector"
)

// Config is everything hostgate is configured by. Each field has a flag and
// a HOSTGATE_* environment variable of the same meaning; a flag wins over
// the environment. The secret key is environment-only: a flag would show in
// the process list.
type Config struct {
	Addr       string
	BaseURL    string
	DataDir    string
	DB         string // see bindDBFlags
	DBMaxConns int
	AccessTTL  time.Duration
	RefreshTTL time.Duration
	CodeTTL    time.Duration
	GrantTTL   time.Duration
	// ClientAccessTTL gives some apps their own access-token lifetime:
	// comma-separated <client>=<duration>, <client> being a client-ID
	// metadata document URL or name:<pattern> (oauthpkce.ParseClientAccessTTLs).
	ClientAccessTTL string
	LogLevel        string
	LogFormat       string
	AllowedOrigins  string
	// TrustedProxies is a comma-separated list of CIDRs of the reverse
	// proxies whose X-Forwarded-For / Forwarded header names the client.
	TrustedProxies string
	// CacheBytes bounds the vendor read cache, in bytes of (estimated)
	// memory; 0 turns caching off.
	CacheBytes int64
	// ActivityRetention is how long the activity log keeps an event; 0
	// keeps every event.
	ActivityRetention time.Duration
	// SecretKey is HOSTGATE_SECRET_KEY: base64 of 32 random bytes. Empty
	// means: use (or create) the key file in DataDir.
	SecretKey string
	// OIDC are the OpenID Connect providers, one spec each (oidcconfig.go);
	// PasswordSignIn lets hosts sign in with a password.
	OIDC           []string
	PasswordSignIn bool
	// demoProviders are providers the demo adds (its Sandbox ID).
	demoProviders []signin.Provider
	// Alerts tell hosts outside the chat that a connection needs them.
	Alerts AlertConfig
	// Ops are the metrics listener and the drain time (ops.go).
	Ops OpsConfig
}

// bindFlags defines the flags of cfg on fs, with defaults from the
// environment falling back to def.
func bindFlags(fs *flag.FlagSet, cfg *Config, def Config) {
	str := func(p *string, name, env, value, usage string) {
		if v, ok := os.LookupEnv(env); ok {
			value = v
		}
		fs.StringVar(p, name, value, usage+" ("+env+")")
	}
	dur := func(p *time.Duration, name, env string, value time.Duration, usage string) {
		if v, ok := os.LookupEnv(env); ok {
			if d, err := time.ParseDuration(v); err == nil {
				value = d
			} else {
				fmt.Fprintf(os.Stderr, "hostgate: %s=%q is not a duration like 1h or 30m; using %s\n", env, v, value)
			}
		}
		fs.DurationVar(p, name, value, usage+" ("+env+")")
	}
	str(&cfg.Addr, "addr", "HOSTGATE_ADDR", def.Addr, "address to listen on")
	str(&cfg.BaseURL, "base-url", "HOSTGATE_BASE_URL", def.BaseURL, "public URL clients reach hostgate at, e.g. https://hostgate.example.com (default http://<addr>)")
	str(&cfg.DataDir, "data-dir", "HOSTGATE_DATA_DIR", def.DataDir, "folder for the SQLite database and the key file")
	dur(&cfg.AccessTTL, "access-ttl", "HOSTGATE_ACCESS_TTL", def.AccessTTL, "lifetime of access tokens issued to MCP clients")
	dur(&cfg.RefreshTTL, "refresh-ttl", "HOSTGATE_REFRESH_TTL", def.RefreshTTL, "lifetime of refresh tokens issued to MCP clients")
	dur(&cfg.CodeTTL, "code-ttl", "HOSTGATE_CODE_TTL", def.CodeTTL, "lifetime of authorization codes issued to MCP clients")
	dur(&cfg.ActivityRetention, "activity-retention", "HOSTGATE_ACTIVITY_RETENTION", def.ActivityRetention, "how long the activity page keeps what apps did (tool calls, messages sent, sign-ins); 0 keeps everything. The default, 9600h (400 days), keeps a whole year and a month over, so a host can look back at the same season last year")
	dur(&cfg.GrantTTL, "grant-ttl", "HOSTGATE_GRANT_TTL", def.GrantTTL, "absolute lifetime of an app's authorization: no token of it outlives this, however often it refreshes")
	str(&cfg.ClientAccessTTL, "client-access-ttl", "HOSTGATE_CLIENT_ACCESS_TTL", def.ClientAccessTTL, "access-token lifetimes of particular apps, for apps that do not refresh: comma-separated <client>=<duration>, <client> being a metadata document URL or name:<pattern>, e.g. https://claude.ai/oauth/mcp-oauth-client-metadata=24h,name:Cursor*=12h (at most 168h)")
	str(&cfg.LogLevel, "log-level", "HOSTGATE_LOG_LEVEL", def.LogLevel, "debug, info, warn or error")
	str(&cfg.LogFormat, "log-format", "HOSTGATE_LOG_FORMAT", def.LogFormat, "text or json")
	str(&cfg.AllowedOrigins, "allowed-origins", "HOSTGATE_ALLOWED_ORIGINS", def.AllowedOrigins, "comma-separated browser origins, besides hostgate's own, allowed to call /mcp")
	str(&cfg.TrustedProxies, "trusted-proxies", "HOSTGATE_TRUSTED_PROXIES", def.TrustedProxies, "comma-separated CIDRs of reverse proxies whose X-Forwarded-For or Forwarded header names the client, e.g. 127.0.0.1/32,::1/128")
	cacheBytes := def.CacheBytes
	if v, ok := os.LookupEnv("HOSTGATE_CACHE_BYTES"); ok {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			cacheBytes = n
		} else {
			fmt.Fprintf(os.Stderr, "hostgate: HOSTGATE_CACHE_BYTES=%q is not a number of bytes like 67108864; using %d\n", v, cacheBytes)
		}
	}
	fs.Int64Var(&cfg.CacheBytes, "cache-bytes", cacheBytes, "memory, in bytes, for vendor reads kept briefly (how briefly depends on the data: seconds for messages, minutes for properties); 0 turns the cache off (HOSTGATE_CACHE_BYTES)")
	cfg.SecretKey = os.Getenv("HOSTGATE_SECRET_KEY")
	bindOIDCFlags(fs, cfg, def)
	bindDBFlags(fs, cfg, def)
	bindAlertFlags(fs, &cfg.Alerts, def.Alerts)
	bindOpsFlags(fs, &cfg.Ops, def.Ops)
}

// DefaultActivityRetention is how long the activity log keeps an event by
// default: 400 days, a whole year of bookings and a month over.
const DefaultActivityRetention = 400 * 24 * time.Hour

func defaults(dataDir string) Config {
	return Config{
		Addr: "127.0.0.1:8080", DataDir: dataDir,
		AccessTTL: time.Hour, RefreshTTL: 30 * 24 * time.Hour,
		CodeTTL: oauthpkce.DefaultCodeTTL, GrantTTL: oauthpkce.DefaultGrantTTL,
		LogLevel: "info", LogFormat: "text",
		CacheBytes: connector.DefaultCacheBytes, PasswordSignIn: true,
		ActivityRetention: DefaultActivityRetention,
		Ops:               OpsConfig{DrainTime: DefaultDrainTime},
		DBMaxConns:        sqlstore.DefaultPostgresConns,
	}
}

// validate checks cfg and fills in derived defaults; its errors say how to fix.
func (c *Config) validate() error {
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return fmt.Errorf("--addr %q must be host:port, e.g. 127.0.0.1:8080", c.Addr)
	}
	if c.BaseURL == "" {
		c.BaseURL = "http://" + c.Addr
	}
	c.BaseURL = strings.TrimSuffix(c.BaseURL, "/")
	u, err := url.Parse(c.BaseURL)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("--base-url %q must be an absolute http(s) URL such as https://hostgate.example.com", c.BaseURL)
	}
	if u.Path != "" {
		return fmt.Errorf("--base-url %q must not have a path; serve hostgate at the root of its host", c.BaseURL)
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return fmt.Errorf("--base-url %q: plain http is allowed only on loopback (127.0.0.1, [::1], localhost); put hostgate behind TLS and give its https URL", c.BaseURL)
	}
	if c.DataDir == "" {
		return errors.New("--data-dir must not be empty")
	}
	if err := c.validateDB(); err != nil {
		return err
	}
	if c.AccessTTL < time.Minute || c.AccessTTL > 24*time.Hour {
		return fmt.Errorf("--access-ttl %s must be between 1m and 24h", c.AccessTTL)
	}
	if c.RefreshTTL < c.AccessTTL || c.RefreshTTL > 365*24*time.Hour {
		return fmt.Errorf("--refresh-ttl %s must be at least --access-ttl and at most 8760h", c.RefreshTTL)
	}
	if c.CodeTTL < 10*time.Second || c.CodeTTL > 10*time.Minute {
		return fmt.Errorf("--code-ttl %s must be between 10s and 10m", c.CodeTTL)
	}
	if c.GrantTTL < c.AccessTTL || c.GrantTTL > 365*24*time.Hour {
		return fmt.Errorf("--grant-ttl %s must be at least --access-ttl and at most 8760h", c.GrantTTL)
	}
	if _, err := c.clientAccessTTLs(); err != nil {
		return err
	}
	if c.ActivityRetention != 0 && c.ActivityRetention < 24*time.Hour {
		return fmt.Errorf("--activity-retention %s must be 0 (keep everything) or at least 24h, e.g. 9600h for 400 days", c.ActivityRetention)
	}
	if c.CacheBytes < 0 {
		return fmt.Errorf("--cache-bytes %d must be 0 (no cache) or more, e.g. 67108864 for 64 MiB", c.CacheBytes)
	}
	if _, err := c.level(); err != nil {
		return err
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return fmt.Errorf("--log-format %q must be text or json", c.LogFormat)
	}
	if _, err := c.trustedProxies(); err != nil {
		return err
	}
	if _, err := c.oidcProviders(); err != nil {
		return err
	}
	if err := c.Alerts.validate(); err != nil {
		return err
	}
	if err := c.Ops.validate(c.Addr); err != nil {
		return err
	}
	return nil
}

func (c *Config) level() (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return 0, fmt.Errorf("--log-level %q must be debug, info, warn or error", c.LogLevel)
	}
	return l, nil
}

func (c *Config) origins() []string {
	var out []string
	for _, o := range strings.Split(c.AllowedOrigins, ",") {
		if o = strings.TrimSpace(o); o != "" {
			out = append(out, o)
		}
	}
	return out
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// clientAccessTTLs parses --client-access-ttl. A lifetime past --grant-ttl
// is refused rather than silently cut: the consent page would promise what
// the grant cannot give.
func (c *Config) clientAccessTTLs() ([]oauthpkce.ClientAccessTTL, error) {
	rules, err := oauthpkce.ParseClientAccessTTLs(c.ClientAccessTTL)
	if err != nil {
		return nil, fmt.Errorf("--client-access-ttl: %v (rules are comma-separated <metadata document URL or name:pattern>=<duration>)", err)
	}
	for _, r := range rules {
		if r.TTL > c.GrantTTL {
			return nil, fmt.Errorf("--client-access-ttl: %s is longer than --grant-ttl %s; shorten it or lengthen --grant-ttl", r, c.GrantTTL)
		}
	}
	return rules, nil
}

// trustedProxies parses --trusted-proxies.
func (c *Config) trustedProxies() ([]netip.Prefix, error) {
	ps, err := clientaddr.ParseTrusted(c.TrustedProxies)
	if err != nil {
		return nil, fmt.Errorf("--trusted-proxies: %v; give comma-separated CIDRs of your reverse proxies, e.g. 127.0.0.1/32,::1/128", err)
	}
	return ps, nil
}
