package clientaddr

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
)

func TestOf(t *testing.T) {
	trusted, err := ParseTrusted("127.0.0.1, 10.0.0.0/8, ::1/128")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, peer string
		hdr        http.Header
		want       string
	}{
		{"untrusted peer, header ignored", "198.51.100.1:1", http.Header{"X-Forwarded-For": {"203.0.113.1"}}, "198.51.100.1"},
		{"trusted peer, no header", "127.0.0.1:1", nil, "127.0.0.1"},
		{"trusted peer names the client", "127.0.0.1:1", http.Header{"X-Forwarded-For": {"203.0.113.1"}}, "203.0.113.1"},
		{"rightmost untrusted hop", "127.0.0.1:1", http.Header{"X-Forwarded-For": {"6.6.6.6, 203.0.113.1, 10.1.2.3"}}, "203.0.113.1"},
		{"several header lines", "127.0.0.1:1", http.Header{"X-Forwarded-For": {"6.6.6.6", "203.0.113.1"}}, "203.0.113.1"},
		{"all trusted: leftmost", "127.0.0.1:1", http.Header{"X-Forwarded-For": {"10.0.0.9, 10.0.0.8"}}, "10.0.0.9"},
		{"garbage stops at the proxy that wrote it", "127.0.0.1:1", http.Header{"X-Forwarded-For": {"203.0.113.1, nonsense, 10.0.0.8"}}, "10.0.0.8"},
		{"empty header", "127.0.0.1:1", http.Header{"X-Forwarded-For": {""}}, "127.0.0.1"},
		{"hop with port", "127.0.0.1:1", http.Header{"X-Forwarded-For": {"203.0.113.1:555"}}, "203.0.113.1"},
		{"IPv4-mapped", "[::ffff:127.0.0.1]:1", http.Header{"X-Forwarded-For": {"::ffff:203.0.113.1"}}, "203.0.113.1"},
		{"IPv6 peer trusted", "[::1]:1", http.Header{"X-Forwarded-For": {"2001:db8::7"}}, "2001:db8::7"},
		{"Forwarded", "127.0.0.1:1", http.Header{"Forwarded": {`for=6.6.6.6, for="[2001:db8::5]:80";proto=https`}}, "2001:db8::5"},
		{"Forwarded unknown", "127.0.0.1:1", http.Header{"Forwarded": {`for=unknown`}}, "127.0.0.1"},
		{"Forwarded element without for", "127.0.0.1:1", http.Header{"Forwarded": {`for=203.0.113.1, proto=https`}}, "127.0.0.1"},
		{"X-Forwarded-For wins over Forwarded", "127.0.0.1:1", http.Header{"Forwarded": {`for=6.6.6.6`}, "X-Forwarded-For": {"203.0.113.1"}}, "203.0.113.1"},
		{"unparsable peer", "pipe", nil, "pipe"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.RemoteAddr = tt.peer
			r.Header = tt.hdr
			if r.Header == nil {
				r.Header = http.Header{}
			}
			if got := Of(r, trusted); got != tt.want {
				t.Fatalf("Of = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseTrusted(t *testing.T) {
	ps, err := ParseTrusted(" 10.0.0.0/8 ,,192.168.1.7, fd00::/8, ::ffff:127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"10.0.0.0/8", "192.168.1.7/32", "fd00::/8", "127.0.0.1/32"}
	if len(ps) != len(want) {
		t.Fatalf("%v", ps)
	}
	for i, p := range ps {
		if p.String() != want[i] {
			t.Fatalf("%d: %s, want %s", i, p, want[i])
		}
	}
	if ps, err := ParseTrusted("::ffff:127.0.0.0/104"); err != nil || !isTrusted(netip.MustParseAddr("127.0.0.1"), ps) {
		t.Fatalf("IPv4-mapped prefix: %v %v", ps, err)
	}
	if ps, err := ParseTrusted(""); err != nil || len(ps) != 0 {
		t.Fatalf("empty: %v %v", ps, err)
	}
	for _, bad := range []string{"10.0.0.0/33", "proxy.example", "10.0.0.1/8x", "fe80::1%eth0", "*"} {
		if _, err := ParseTrusted(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestKey(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		same bool
	}{
		{"2001:db8:1:2::1", "2001:db8:1:2:ffff::9", true},
		{"2001:db8:1:2::1", "2001:db8:1:3::1", false},
		{"::ffff:198.51.100.7", "198.51.100.7", true},
		{"198.51.100.7", "198.51.100.8", false},
	} {
		if got := Key(tt.a) == Key(tt.b); got != tt.same {
			t.Errorf("Key(%q)=%q Key(%q)=%q", tt.a, Key(tt.a), tt.b, Key(tt.b))
		}
	}
}

// FuzzOf: any headers give an address that parses, is the peer when the
// peer is untrusted, and never panic.
func FuzzOf(f *testing.F) {
	f.Add("127.0.0.1:1", "203.0.113.1, 10.0.0.1", "")
	f.Add("[::1]:1", "", `for="[2001:db8::5]:80";proto=https, for=unknown`)
	f.Add("198.51.100.1:1", "1.2.3.4", "for=5.6.7.8")
	f.Add("127.0.0.1:1", ",,,[", `for="`)
	trusted := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128"), netip.MustParsePrefix("10.0.0.0/8")}
	f.Fuzz(func(t *testing.T, peer, xff, fwd string) {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = peer
		if xff != "" {
			r.Header.Set("X-Forwarded-For", xff)
		}
		if fwd != "" {
			r.Header.Set("Forwarded", fwd)
		}
		got := Of(r, trusted)
		p, ok := parseHost(peer)
		if !ok {
			if got != peer {
				t.Fatalf("unparsable peer %q gave %q", peer, got)
			}
			return
		}
		a, err := netip.ParseAddr(got)
		if err != nil || a.Zone() != "" || a.Is4In6() {
			t.Fatalf("Of = %q, not a canonical address", got)
		}
		if !isTrusted(p, trusted) && a != p {
			t.Fatalf("untrusted peer %q gave %q", peer, got)
		}
		_ = Key(got)
	})
}

func FuzzParseTrusted(f *testing.F) {
	f.Add("10.0.0.0/8,::1")
	f.Add(" 192.168.0.1 , fd00::/8,")
	f.Add("::ffff:1.2.3.4/120")
	f.Fuzz(func(t *testing.T, s string) {
		ps, err := ParseTrusted(s)
		if err != nil {
			return
		}
		for _, p := range ps {
			if !p.IsValid() || p != p.Masked() {
				t.Fatalf("%q gave %v", s, p)
			}
		}
	})
}
