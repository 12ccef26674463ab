package server

import (
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
)

// TestClientAddressTrustsOnlyConfiguredProxies (issue 15, item 5): a
// client cannot choose the address the access log, the audit trail and the
// public-comment limit see by sending X-Forwarded-For itself; only a
// configured proxy's header is believed, and the proxies' own addresses are
// skipped.
func TestClientAddressTrustsOnlyConfiguredProxies(t *testing.T) {
	proxies, err := ParseCIDRs("10.9.0.0/16, 192.0.2.7")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, peer, xff, realIP string
		trusted                 bool
		want                    string
	}{
		{"no proxies configured, forged header", "203.0.113.5:1234", "1.2.3.4", "5.6.7.8", false, "203.0.113.5"},
		{"no proxies configured, loopback peer", "127.0.0.1:1234", "1.2.3.4", "", false, "127.0.0.1"},
		{"untrusted peer", "203.0.113.5:1234", "1.2.3.4", "", true, "203.0.113.5"},
		{"trusted proxy", "10.9.1.2:1234", "198.51.100.9", "", true, "198.51.100.9"},
		{"trusted chain, forged first hop", "10.9.1.2:1234", "1.2.3.4, 198.51.100.9, 192.0.2.7", "", true, "198.51.100.9"},
		{"trusted proxy without header", "10.9.1.2:1234", "", "", true, "10.9.1.2"},
	} {
		cfg := Config{}
		if tc.trusted {
			cfg.TrustedProxies = proxies
		}
		s := New(nil, nil, slog.New(slog.NewTextHandler(io.Discard, nil)), cfg)
		req := httptest.NewRequest("GET", "/api/v1/me", nil)
		req.RemoteAddr = tc.peer
		if tc.xff != "" {
			req.Header.Set("X-Forwarded-For", tc.xff)
		}
		if tc.realIP != "" {
			req.Header.Set("X-Real-IP", tc.realIP)
		}
		if got := s.echo.NewContext(req, httptest.NewRecorder()).RealIP(); got != tc.want {
			t.Errorf("%s: client address = %s, want %s", tc.name, got, tc.want)
		}
	}
	if _, err := ParseCIDRs("10.0.0.0/33"); err == nil {
		t.Error("a bad CIDR was accepted")
	}
}
