package server_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/juece/juece/db/accounts"
	"github.com/juece/juece/db/dbtest"
	"github.com/juece/juece/server"
	"github.com/juece/juece/workflows"
)

// TestAPITokensAreScopedExpiringRevocable (issue 12, item 1): an issued API
// token of scope read only reads; act does what the role may but the
// administrator-only acts; admin those too; an expired or revoked token no
// longer authenticates; a token is listed per user, never shown again, and
// its issue and revocation are access-log rows; a refusal for its scope is
// a 403 token_scope (and a permission_denied row).
func TestAPITokensAreScopedExpiringRevocable(t *testing.T) {
	ctx := context.Background()
	store := dbtest.Store(t)
	if _, err := store.SeedDemo(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if _, _, err := store.CreateUser(ctx, "sysadmin", "系统管理员", workflows.RoleAdmin, "yiyang"); err != nil {
		t.Fatal(err)
	}
	h := server.New(store, nil, slog.New(slog.NewTextHandler(io.Discard, nil)), server.Config{}).Handler()
	acc := accounts.New(store.DB)
	by := accounts.Admin{Identity: "sec-admin"}
	issue := func(scope string, life time.Duration) (string, string) {
		t.Helper()
		_, tok, secret, err := acc.IssueToken(ctx, "sysadmin", scope, life, "test "+scope, by)
		if err != nil {
			t.Fatal(err)
		}
		return tok.ID, secret
	}
	call := func(token, method, path, body string) (int, string) {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var p struct {
			Code string `json:"code"`
		}
		_ = json.Unmarshal(rec.Body.Bytes(), &p)
		return rec.Code, p.Code
	}
	_, read := issue("read", time.Hour)
	_, act := issue("act", time.Hour)
	adminID, admin := issue("admin", time.Hour)
	if code, _ := call(read, "GET", "/api/v1/me", ""); code != 200 {
		t.Errorf("read token GET /me = %d", code)
	}
	if code, c := call(read, "POST", "/api/v1/cases", `{}`); code != 403 || c != server.CodeTokenScope {
		t.Errorf("read token POST /cases = %d %s; want 403 token_scope", code, c)
	}
	if code, c := call(act, "POST", "/api/v1/audit/checkpoints", `{}`); code != 403 || c != server.CodeTokenScope {
		t.Errorf("act token POST /audit/checkpoints = %d %s; want 403 token_scope", code, c)
	}
	if _, c := call(admin, "POST", "/api/v1/calendar/years", `{}`); c == server.CodeTokenScope || c == server.CodeUnauthenticated {
		t.Errorf("admin token POST /calendar/years refused for its scope (%s)", c)
	}
	if _, err := acc.RevokeAPIToken(ctx, "sysadmin", adminID, by); err != nil {
		t.Fatal(err)
	}
	if code, _ := call(admin, "GET", "/api/v1/me", ""); code != 401 {
		t.Errorf("revoked token GET /me = %d, want 401", code)
	}
	_, expired := issue("read", time.Hour)
	if _, err := store.DB.Exec(`UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE token_hash = sha256(convert_to($1, 'UTF8'))`, expired); err != nil {
		t.Fatal(err)
	}
	if code, _ := call(expired, "GET", "/api/v1/me", ""); code != 401 {
		t.Errorf("expired token GET /me = %d, want 401", code)
	}
	if _, _, _, err := acc.IssueToken(ctx, "sysadmin", "root", time.Hour, "", by); err == nil {
		t.Error("a token of scope root was issued")
	}
	ts, err := acc.ListTokens(ctx, "sysadmin")
	if err != nil || len(ts) != 4 || ts[len(ts)-1].Scope != "read" {
		t.Fatalf("tokens listed = %+v, %v", ts, err)
	}
	var kinds []string
	if err := store.DB.Select(&kinds, `SELECT kind || ':' || code FROM access_events WHERE kind IN ('token_issued', 'token_revoked', 'permission_denied') ORDER BY seq`); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(kinds, " "); got != "token_issued: token_issued: token_issued: permission_denied:token_scope permission_denied:token_scope token_revoked: token_issued:" {
		t.Errorf("access log: %s", got)
	}
}
