package ratelimit

import (
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	c, err := Parse("token-user=600/1m, login-address=off,form-address=5/10s")
	if err != nil {
		t.Fatal(err)
	}
	if c.TokenPerUser.N != 600 || c.TokenPerUser.Window != time.Minute || c.LoginPerAddress.N != -1 ||
		c.FormPerAddress != (Limit{Name: "form-address", N: 5, Window: 10 * time.Second}) || c.LoginPerAccount != Defaults.LoginPerAccount {
		t.Fatalf("parsed %+v", c)
	}
	if c, err := Parse(""); err != nil || c != Defaults {
		t.Fatalf("empty: %+v %v, want the defaults", c, err)
	}
	for _, bad := range []string{"token=1/1m", "token-user=0/1m", "token-user=10", "token-user=10/1ms", "token-user"} {
		if _, err := Parse(bad); err == nil || !strings.Contains(err.Error(), "rate limit") {
			t.Errorf("%q: %v, want an error", bad, err)
		}
	}
}

func TestKeyIsStorable(t *testing.T) {
	l := Limit{Name: "login-account"}
	if k := Key(l, "zhangwei"); k != "login-account:zhangwei" {
		t.Errorf("key %q", k)
	}
	for _, what := range []string{"a\x00b", "\xff\xfe", strings.Repeat("长", 100)} {
		if k := Key(l, what); !strings.HasPrefix(k, "login-account:sha256:") || len(k) != len("login-account:sha256:")+64 {
			t.Errorf("key of %q: %q", what, k)
		}
	}
}
