// Package clientaddr tells the network address a request came from, behind
// trusted reverse proxies, and the bucket an address counts against in the
// abuse limiters.
package clientaddr

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// ParseTrusted parses a comma-separated list of CIDRs or single addresses
// (a single address is its own /32 or /128), as given to --trusted-proxies.
// Blank entries are skipped; an empty list trusts no proxy.
func ParseTrusted(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			if p.Addr().Zone() != "" {
				return nil, fmt.Errorf("%q: a zone is not allowed", f)
			}
			if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
				// Addresses are compared unmapped.
				p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil || a.Zone() != "" {
			return nil, fmt.Errorf("%q is neither a CIDR (10.0.0.0/8, fd00::/8) nor an IP address", f)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// Of returns the address r came from. It is the TCP peer unless the peer
// is in trusted; then it is the rightmost address in X-Forwarded-For (or,
// when a request has none, in Forwarded's for= parameters, RFC 7239) that
// is not itself a trusted proxy. Each proxy appends the address it was
// reached from, so everything to the left of the rightmost untrusted hop
// was written by the client and is ignored. If every hop is trusted, the
// leftmost is the client. A hop that does not parse (RFC 7239 "unknown",
// an obfuscated identifier) ends the walk at the trusted proxy that wrote
// it. The result is an IP address in canonical form (IPv4-mapped IPv6 as
// IPv4, no zone) or, if RemoteAddr itself does not parse, RemoteAddr.
func Of(r *http.Request, trusted []netip.Prefix) string {
	peer, ok := parseHost(r.RemoteAddr)
	if !ok {
		return r.RemoteAddr
	}
	if !isTrusted(peer, trusted) {
		return peer.String()
	}
	hops := forwardedFor(r.Header)
	cur := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a, ok := parseHop(hops[i])
		if !ok {
			break
		}
		cur = a
		if !isTrusted(a, trusted) {
			break
		}
	}
	return cur.String()
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// forwardedFor lists the forwarding hops, left to right, over every
// instance of the header. X-Forwarded-For is what common proxies (nginx,
// Caddy, Traefik, Envoy) append to; Forwarded is read only when it is
// absent, so a client's own Forwarded header cannot compete with the one
// its proxy writes.
func forwardedFor(h http.Header) []string {
	var hops []string
	if xs := h.Values("X-Forwarded-For"); len(xs) > 0 {
		for _, x := range xs {
			for _, f := range strings.Split(x, ",") {
				hops = append(hops, strings.TrimSpace(f))
			}
		}
		return hops
	}
	for _, x := range h.Values("Forwarded") {
		for _, elem := range strings.Split(x, ",") {
			found := false
			for _, pair := range strings.Split(elem, ";") {
				k, v, ok := strings.Cut(strings.TrimSpace(pair), "=")
				if ok && strings.EqualFold(strings.TrimSpace(k), "for") {
					hops = append(hops, strings.Trim(strings.TrimSpace(v), `"`))
					found = true
					break
				}
			}
			if !found {
				// An element without for= is a hop we know nothing of.
				hops = append(hops, "unknown")
			}
		}
	}
	return hops
}

// parseHop parses one hop: an address, optionally with a port, IPv6 in
// brackets when it has one (RFC 7239 §6).
func parseHop(s string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(s); err == nil && a.Zone() == "" {
		return a.Unmap(), true
	}
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		if a, err := netip.ParseAddr(s[1 : len(s)-1]); err == nil && a.Zone() == "" {
			return a.Unmap(), true
		}
	}
	return parseHost(s)
}

func parseHost(hostport string) (netip.Addr, bool) {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = hostport
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap().WithZone(""), true
}

// Key is the bucket an address counts against in a limiter. An IPv6
// subscriber is usually given a whole /64, so IPv6 addresses share their
// /64's bucket; otherwise one machine could cycle through 2^64 addresses.
// IPv4-mapped IPv6 addresses count as their IPv4 address. Anything
// unparsable is its own key.
func Key(addr string) string {
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return addr
	}
	ip = ip.Unmap().WithZone("")
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.String()
}
