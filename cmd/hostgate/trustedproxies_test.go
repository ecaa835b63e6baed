package main

import (
	"strings"
	"testing"
)

func TestValidateTrustedProxies(t *testing.T) {
	for _, tt := range []struct {
		in string
		n  int
		ok bool
	}{
		{"", 0, true},
		{"127.0.0.1/32,::1/128", 2, true},
		{" 10.0.0.0/8 , 192.168.1.7", 2, true},
		{"10.0.0.0/33", 0, false},
		{"proxy.example", 0, false},
	} {
		c := defaults(t.TempDir())
		c.TrustedProxies = tt.in
		err := c.validate()
		if (err == nil) != tt.ok {
			t.Fatalf("%q: err %v, want ok=%v", tt.in, err, tt.ok)
		}
		if err != nil {
			if !strings.Contains(err.Error(), "--trusted-proxies") {
				t.Fatalf("%q: error does not name the flag: %v", tt.in, err)
			}
			continue
		}
		if ps, _ := c.trustedProxies(); len(ps) != tt.n {
			t.Fatalf("%q: %v", tt.in, ps)
		}
	}
}
