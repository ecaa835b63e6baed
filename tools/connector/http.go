package connector

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// NewHTTPClient returns the shared client of one vendor: a transport sized
// for many concurrent tool calls (Go's default keeps 2 idle connections per
// host, which under load costs throughput and exhausts local ports in
// TIME_WAIT; see net/http's DefaultMaxIdleConnsPerHost, https://pkg.go.dev/net/http#DefaultMaxIdleConnsPerHost)
// and an overall timeout.
func NewHTTPClient(timeout time.Duration) *http.Client {
	t := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          256,
		MaxIdleConnsPerHost:   64,
		MaxConnsPerHost:       128,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: timeout,
		ExpectContinueTimeout: time.Second,
	}
	return &http.Client{Transport: t, Timeout: timeout,
		// A vendor API that redirects is misconfigured; following could
		// carry the credential header to another host.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// MaxBody caps a vendor response body.
const MaxBody = 16 << 20

// ReadBody reads a response body up to MaxBody.
func ReadBody(resp *http.Response) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxBody+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxBody {
		return nil, fmt.Errorf("response larger than %d bytes", MaxBody)
	}
	return b, nil
}

// UserAgent is sent to every vendor (Hostex asks for a meaningful one).
const UserAgent = "hostgate/1 (+https://github.com/hostgate/hostgate)"
