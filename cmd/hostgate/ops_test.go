package main

import (
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hostgate/hostgate/internal/metrics/metricstest"
)

// TestOpsFlags: --metrics-addr and --drain-time (and their variables)
// default to no metrics listener and 25 s; a metrics address that is not
// host:port, or is the public listener's, and a drain time out of range
// are refused with what to do.
func TestOpsFlags(t *testing.T) {
	for _, tt := range []struct {
		name    string
		env     map[string]string
		args    []string
		metrics string
		drain   time.Duration
		err     string
	}{
		{name: "defaults", drain: 25 * time.Second},
		{name: "environment", env: map[string]string{"HOSTGATE_METRICS_ADDR": "127.0.0.1:9090", "HOSTGATE_DRAIN_TIME": "40s"}, metrics: "127.0.0.1:9090", drain: 40 * time.Second},
		{name: "flags win", env: map[string]string{"HOSTGATE_METRICS_ADDR": "127.0.0.1:9090"}, args: []string{"--metrics-addr", ":9100", "--drain-time", "5s"}, metrics: ":9100", drain: 5 * time.Second},
		{name: "not host:port", args: []string{"--metrics-addr", "9090"}, err: "--metrics-addr"},
		{name: "the public listener", args: []string{"--metrics-addr", "127.0.0.1:8080"}, err: "public listener"},
		{name: "the public port on every address", args: []string{"--metrics-addr", "0.0.0.0:8080"}, err: "public listener"},
		{name: "drain too short", args: []string{"--drain-time", "100ms"}, err: "--drain-time"},
		{name: "drain too long", args: []string{"--drain-time", "1h"}, err: "--drain-time"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			var c Config
			fs := flag.NewFlagSet("test", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			bindFlags(fs, &c, defaults(t.TempDir()))
			if err := fs.Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			err := c.validate()
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("validate: %v, want an error naming %s", err, tt.err)
				}
				return
			}
			if err != nil || c.Ops.MetricsAddr != tt.metrics || c.Ops.DrainTime != tt.drain {
				t.Fatalf("ops %+v (%v), want metrics %q, drain %s", c.Ops, err, tt.metrics, tt.drain)
			}
		})
	}
}

// TestMetricsListener: the metrics are served on their own listener, at
// /metrics only, and never on the public one.
func TestMetricsListener(t *testing.T) {
	cfg := defaults(t.TempDir())
	cfg.Ops.MetricsAddr = "127.0.0.1:0"
	a, err := open(cfg, io.Discard, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()
	m, err := a.listenMetrics()
	if err != nil {
		t.Fatal(err)
	}
	defer m.stop()
	resp, err := http.Get("http://" + m.addr() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	got := metricstest.Parse(t, resp.Body)
	resp.Body.Close()
	if got.Sum("hostgate_build_info", "version", version) != 1 || !got.Has("go_goroutines") {
		t.Fatalf("the metrics listener's answer lacks hostgate's series: %v", got.LabelValues())
	}
	if resp, err := http.Get("http://" + m.addr() + "/healthz"); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("the metrics listener serves more than /metrics: %v %v", resp, err)
	}

	public := httptest.NewServer(a.srv.Handler())
	defer public.Close()
	req, _ := http.NewRequest(http.MethodGet, public.URL+"/metrics", nil)
	req.Host = "127.0.0.1:8080"
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound || strings.Contains(string(body), "hostgate_") {
		t.Fatalf("the public listener answers /metrics: %d %.200s", resp.StatusCode, body)
	}

	// Without --metrics-addr, no listener.
	a.cfg.Ops.MetricsAddr = ""
	none, err := a.listenMetrics()
	if err != nil || none.addr() != "" {
		t.Fatalf("no --metrics-addr: %q, %v", none.addr(), err)
	}
	none.stop()
}
