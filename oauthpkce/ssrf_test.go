package oauthpkce

import (
	"context"
	"errors"
	"net/netip"
	"strconv"
	"strings"
	"testing"
)

// Without AllowLoopbackMetadata, a document on a loopback address is refused
// when dialing, after name resolution: the server sees no request.
func TestLookupClientRefusesLoopbackAtDial(t *testing.T) {
	s, _, _ := newTestServer(t, nil)
	d := newDocServer(t, true)
	port := d.URL[strings.LastIndex(d.URL, ":"):]
	for _, id := range []string{
		d.URL + "/client.json",                 // https://127.0.0.1:port
		"https://localhost" + port + "/c.json", // a name resolving to loopback
	} {
		_, err := s.lookupClient(context.Background(), id)
		if !errors.Is(err, errClientMetadata) || !errors.Is(err, errRefusedDestination) {
			t.Fatalf("%s: err = %v, want a refused destination", id, err)
		}
		if reason := strings.TrimPrefix(err.Error(), strconv.Quote(id)); strings.Contains(reason, "127.0.0.1") || strings.Contains(reason, "::1") {
			t.Fatalf("the host-facing error reveals the resolved address: %q", err)
		}
	}
	if n := d.count("/client.json") + d.count("/c.json"); n != 0 {
		t.Fatalf("%d requests reached the loopback server", n)
	}
	// And plain http on loopback is refused before any network use.
	if _, err := s.lookupClient(context.Background(), "http://127.0.0.1"+port+"/client.json"); !errors.Is(err, errClientMetadata) {
		t.Fatalf("http loopback id: %v", err)
	}
}

func TestNonPublicReason(t *testing.T) {
	refused := []string{
		"127.0.0.1", "127.8.9.10", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.0.1",
		"169.254.169.254", "169.254.1.1", "100.64.0.1", "100.127.255.254", "0.0.0.0", "0.1.2.3",
		"224.0.0.1", "239.255.255.250", "255.255.255.255", "240.0.0.1", "192.0.0.170", "198.18.0.1",
		"::", "::1", "fc00::1", "fd12:3456::1", "fe80::1", "ff02::1", "ff01::1", "::ffff:10.0.0.1",
		"::ffff:127.0.0.1", "::ffff:169.254.169.254", "64:ff9b::a00:1", "2002:a00:1::1", "2001:0:a00::1",
		"fec0::1", "::10.0.0.1", "2001:db8::1", "100::1",
	}
	public := []string{"8.8.8.8", "1.1.1.1", "93.184.215.14", "100.128.0.1", "172.32.0.1", "2606:4700:4700::1111", "2a00:1450:4001::200e"}
	for _, a := range refused {
		if nonPublicReason(netip.MustParseAddr(a)) == "" {
			t.Errorf("%s accepted as public", a)
		}
		if err := checkDialAddress(netip.AddrPortFrom(netip.MustParseAddr(a), 443).String(), false); !errors.Is(err, errRefusedDestination) {
			t.Errorf("dial to %s not refused: %v", a, err)
		}
	}
	for _, a := range public {
		if why := nonPublicReason(netip.MustParseAddr(a)); why != "" {
			t.Errorf("%s refused: %s", a, why)
		}
	}
	for addr, ok := range map[string]bool{"127.0.0.1:8080": true, "[::1]:8080": true, "10.0.0.1:80": false, "169.254.169.254:80": false, "bogus": false} {
		if err := checkDialAddress(addr, true); (err == nil) != ok {
			t.Errorf("allowLoopback: checkDialAddress(%s) = %v, want ok=%v", addr, err, ok)
		}
	}
}
