// Package oidc signs people in through a provincial unified identity
// platform (统一身份认证) by OpenID Connect: the authorization-code flow with
// state, nonce and PKCE (S256), the ID token checked by
// github.com/coreos/go-oidc (issuer, audience, expiry, signature against the
// provider's keys), and a claim mapped to a user's handle. It holds no login
// state: db/accounts keeps it in PostgreSQL. Imported by server and
// server/web.
package oidc

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// MFA modes: whether the provider's sign-in stands for the local TOTP
// second factor of the roles that need one (JUECE_OIDC_MFA).
const (
	// MFAWhenAsserted: when the ID token's amr claim (RFC 8176) says the
	// provider used more than one factor ("mfa"), or names a second
	// factor next to a password ("otp", "hwk", "sms", "swk", "face",
	// "fpt"). Otherwise the local TOTP is asked. The default.
	MFAWhenAsserted = "amr"
	// MFAProvider: the provider's sign-in always counts (its platform
	// enforces its own multi-factor policy).
	MFAProvider = "provider"
	// MFALocal: never; the roles that need a TOTP code give it here after
	// the provider's sign-in.
	MFALocal = "local"
)

// Config is the provider and how its users map to ours.
type Config struct {
	Issuer       string // the provider's issuer URL (discovery at Issuer/.well-known/openid-configuration)
	ClientID     string
	ClientSecret string
	RedirectURL  string // this server's /login/oidc/callback as registered with the provider
	// Claim names the ID token's claim whose value is a user's handle
	// here: "preferred_username" (the default) or a platform's own, such
	// as "idcard_hash".
	Claim string
	// Scopes beyond openid (default: profile).
	Scopes []string
	// MFA is one of the MFA modes; "" is MFAWhenAsserted.
	MFA string
	// CreateRole and CreateOrg, both set, create an account for a
	// provider's user unknown here at their first login; unset (the
	// default) such a user is refused.
	CreateRole, CreateOrg string
}

// Enabled says whether a provider is configured.
func (c Config) Enabled() bool { return c.Issuer != "" }

// Validate checks a configuration before the server starts.
func (c Config) Validate() error {
	if !c.Enabled() {
		return nil
	}
	for k, v := range map[string]string{"JUECE_OIDC_CLIENT_ID": c.ClientID, "JUECE_OIDC_REDIRECT_URL": c.RedirectURL} {
		if v == "" {
			return fmt.Errorf("%s is required with JUECE_OIDC_ISSUER", k)
		}
	}
	for k, v := range map[string]string{"JUECE_OIDC_ISSUER": c.Issuer, "JUECE_OIDC_REDIRECT_URL": c.RedirectURL} {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return fmt.Errorf("%s: %q is not an http(s) URL", k, v)
		}
	}
	if c.MFA != "" && !slices.Contains([]string{MFAWhenAsserted, MFAProvider, MFALocal}, c.MFA) {
		return fmt.Errorf("JUECE_OIDC_MFA: %q is not one of amr, provider, local", c.MFA)
	}
	if (c.CreateRole == "") != (c.CreateOrg == "") {
		return errors.New("JUECE_OIDC_CREATE: give role:org, or nothing")
	}
	return nil
}

// Client talks to one provider. Discovery happens at the first login and
// is retried until it succeeds, so the server starts while the provider is
// down; what it caches (the provider's endpoints and keys) decides nothing
// the provider's signature does not.
type Client struct {
	cfg Config

	mu       sync.Mutex
	provider *gooidc.Provider
}

// New returns a client for cfg, or nil when no provider is configured.
func New(cfg Config) *Client {
	if !cfg.Enabled() {
		return nil
	}
	if cfg.Claim == "" {
		cfg.Claim = "preferred_username"
	}
	if cfg.MFA == "" {
		cfg.MFA = MFAWhenAsserted
	}
	if cfg.Scopes == nil {
		cfg.Scopes = []string{"profile"}
	}
	return &Client{cfg: cfg}
}

// Config is the client's configuration with its defaults.
func (c *Client) Config() Config { return c.cfg }

func (c *Client) discover(ctx context.Context) (*gooidc.Provider, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.provider != nil {
		return c.provider, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	p, err := gooidc.NewProvider(ctx, c.cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("oidc discovery at %s: %w", c.cfg.Issuer, err)
	}
	c.provider = p
	return p, nil
}

func (c *Client) oauth(p *gooidc.Provider) *oauth2.Config {
	return &oauth2.Config{ClientID: c.cfg.ClientID, ClientSecret: c.cfg.ClientSecret, RedirectURL: c.cfg.RedirectURL,
		Endpoint: p.Endpoint(), Scopes: append([]string{gooidc.ScopeOpenID}, c.cfg.Scopes...)}
}

// AuthURL is where the browser goes to sign in at the provider: the
// request carries state, nonce and the PKCE challenge of verifier.
func (c *Client) AuthURL(ctx context.Context, state, nonce, verifier string) (string, error) {
	p, err := c.discover(ctx)
	if err != nil {
		return "", err
	}
	return c.oauth(p).AuthCodeURL(state, gooidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), nil
}

// Identity is what a verified ID token says about the user.
type Identity struct {
	Issuer, Subject string
	Value           string // the mapped claim's value
	Name            string
	MFA             bool // the provider's sign-in stands for the local second factor
}

// Refusal is an answer of the provider that signs nobody in; Code is
// stable (bad_token, bad_nonce, no_claim, exchange, provider_error).
type Refusal struct {
	Code   string
	Detail string
	Err    error
}

func (r *Refusal) Error() string { return r.Code + ": " + r.Detail }
func (r *Refusal) Unwrap() error { return r.Err }

// Exchange redeems the authorisation code (with the PKCE verifier), checks
// the ID token — signature, issuer, audience (our client ID), expiry — and
// that it carries nonce, and maps its claim.
func (c *Client) Exchange(ctx context.Context, code, verifier, nonce string) (Identity, error) {
	p, err := c.discover(ctx)
	if err != nil {
		return Identity{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	tok, err := c.oauth(p).Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		return Identity{}, &Refusal{Code: "exchange", Detail: "授权码兑换失败 / the code exchange failed", Err: err}
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return Identity{}, &Refusal{Code: "bad_token", Detail: "未返回 ID 令牌 / no ID token"}
	}
	idt, err := p.Verifier(&gooidc.Config{ClientID: c.cfg.ClientID}).Verify(ctx, raw)
	if err != nil {
		return Identity{}, &Refusal{Code: "bad_token", Detail: "ID 令牌校验失败（签名、签发方、受众或有效期） / the ID token failed verification (signature, issuer, audience or expiry)", Err: err}
	}
	if idt.Nonce == "" || idt.Nonce != nonce {
		return Identity{}, &Refusal{Code: "bad_nonce", Detail: "ID 令牌的 nonce 与本次登录不符 / the ID token's nonce is not this login's"}
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return Identity{}, &Refusal{Code: "bad_token", Detail: "ID 令牌声明无法读取 / the ID token's claims cannot be read", Err: err}
	}
	v, _ := claims[c.cfg.Claim].(string)
	v = strings.TrimSpace(v)
	if v == "" || len(v) > 100 {
		return Identity{}, &Refusal{Code: "no_claim", Detail: fmt.Sprintf("ID 令牌缺少声明 %s / the ID token lacks the claim %s", c.cfg.Claim, c.cfg.Claim)}
	}
	id := Identity{Issuer: idt.Issuer, Subject: idt.Subject, Value: v}
	id.Name, _ = claims["name"].(string)
	id.MFA = c.mfa(claims["amr"])
	return id, nil
}

// secondFactors are the amr values (RFC 8176) that stand for a factor
// beyond a password.
var secondFactors = []string{"mfa", "otp", "hwk", "sms", "swk", "face", "fpt", "iris", "retina", "vbm", "sc"}

func (c *Client) mfa(amr any) bool {
	switch c.cfg.MFA {
	case MFAProvider:
		return true
	case MFALocal:
		return false
	}
	list, _ := amr.([]any)
	for _, a := range list {
		if s, ok := a.(string); ok && slices.Contains(secondFactors, s) {
			return true
		}
	}
	return false
}
