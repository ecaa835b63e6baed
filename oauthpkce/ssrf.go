package oauthpkce

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// errRefusedDestination is wrapped by dial errors for addresses an
// outbound fetch of client-supplied URLs must not reach.
var errRefusedDestination = errors.New("oauthpkce: refused destination")

// Outbound limits for client-ID metadata documents.
const (
	metadataFetchTimeout   = 5 * time.Second
	metadataMaxHeaderBytes = 16 << 10
)

// newGuardedClient returns an HTTP client for fetching URLs that clients
// name (client-ID metadata documents): it follows no redirects, times out,
// ignores proxy settings and dials only public unicast addresses. The
// address is checked in the dialer's Control hook, after DNS resolution and
// immediately before connect, so a name that resolves to a public address
// when checked and to a private one when used (DNS rebinding) is still
// refused: there is no separate check to race.
func newGuardedClient(allowLoopback bool) *http.Client {
	dialer := &net.Dialer{
		Timeout:   metadataFetchTimeout,
		KeepAlive: 30 * time.Second,
		Control: func(_, address string, _ syscall.RawConn) error {
			return checkDialAddress(address, allowLoopback)
		},
	}
	tr := &http.Transport{
		// No proxy: a proxy would be dialed instead of the destination,
		// and the destination check would not apply.
		Proxy:                  nil,
		DialContext:            dialer.DialContext,
		ForceAttemptHTTP2:      true,
		TLSHandshakeTimeout:    metadataFetchTimeout,
		ResponseHeaderTimeout:  metadataFetchTimeout,
		MaxResponseHeaderBytes: metadataMaxHeaderBytes,
		MaxIdleConns:           16,
		IdleConnTimeout:        30 * time.Second,
	}
	return &http.Client{Transport: tr, Timeout: metadataFetchTimeout, CheckRedirect: refuseRedirects}
}

// refuseRedirects makes a client return a 3xx response as it is; the caller
// treats it as an error. Following a redirect would let a public URL send
// the fetch to a destination never checked as a client_id.
func refuseRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// checkDialAddress refuses to connect to address ("ip:port", as the dialer
// passes it after resolution) unless it is a public unicast address.
// With allowLoopback (tests only) loopback addresses are allowed too.
func checkDialAddress(address string, allowLoopback bool) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: cannot parse %q", errRefusedDestination, address)
	}
	ip := ap.Addr().Unmap()
	if allowLoopback && ip.IsLoopback() {
		return nil
	}
	if why := nonPublicReason(ip); why != "" {
		return fmt.Errorf("%w: %s is %s", errRefusedDestination, ip, why)
	}
	return nil
}

// nonPublicPrefixes are special-purpose ranges (RFC 6890 and its IANA
// registries) that netip's predicates do not already cover, or that embed
// an IPv4 address a gateway would translate to (NAT64, 6to4, Teredo).
var nonPublicPrefixes = []struct {
	prefix netip.Prefix
	why    string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "\"this network\" (RFC 791)"},
	{netip.MustParsePrefix("100.64.0.0/10"), "shared address space, CGNAT (RFC 6598)"},
	{netip.MustParsePrefix("192.0.0.0/24"), "IETF protocol assignments (RFC 6890)"},
	{netip.MustParsePrefix("192.0.2.0/24"), "documentation (RFC 5737)"},
	{netip.MustParsePrefix("198.18.0.0/15"), "benchmarking (RFC 2544)"},
	{netip.MustParsePrefix("198.51.100.0/24"), "documentation (RFC 5737)"},
	{netip.MustParsePrefix("203.0.113.0/24"), "documentation (RFC 5737)"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved or broadcast (RFC 1112, RFC 919)"},
	{netip.MustParsePrefix("::/96"), "IPv4-compatible IPv6 (RFC 4291)"},
	{netip.MustParsePrefix("64:ff9b::/96"), "NAT64 (RFC 6052)"},
	{netip.MustParsePrefix("64:ff9b:1::/48"), "local-use NAT64 (RFC 8215)"},
	{netip.MustParsePrefix("100::/64"), "discard-only (RFC 6666)"},
	{netip.MustParsePrefix("2001::/32"), "Teredo (RFC 4380)"},
	{netip.MustParsePrefix("2001:2::/48"), "benchmarking (RFC 5180)"},
	{netip.MustParsePrefix("2001:db8::/32"), "documentation (RFC 3849)"},
	{netip.MustParsePrefix("2002::/16"), "6to4 (RFC 3056)"},
	{netip.MustParsePrefix("fec0::/10"), "site-local (RFC 3879)"},
}

// nonPublicReason says why ip is not a public unicast address, or "" if
// it is. Refused: unspecified, loopback, private (RFC 1918, fc00::/7),
// link-local (169.254.0.0/16 with the 169.254.169.254 cloud metadata
// service, fe80::/10), multicast, CGNAT and the other special ranges above.
func nonPublicReason(ip netip.Addr) string {
	ip = ip.Unmap()
	switch {
	case !ip.IsValid():
		return "not an IP address"
	case ip.Zone() != "":
		return "a zoned (interface-scoped) address"
	case ip.IsUnspecified():
		return "unspecified"
	case ip.IsLoopback():
		return "loopback"
	case ip.IsPrivate():
		return "private (RFC 1918, RFC 4193)"
	case ip.IsLinkLocalUnicast(), ip.IsLinkLocalMulticast():
		return "link-local (RFC 3927, RFC 4291)"
	case ip.IsMulticast(), ip.IsInterfaceLocalMulticast():
		return "multicast"
	}
	for _, p := range nonPublicPrefixes {
		if p.prefix.Contains(ip) {
			return p.why
		}
	}
	if !ip.IsGlobalUnicast() {
		return "not a global unicast address"
	}
	return ""
}
