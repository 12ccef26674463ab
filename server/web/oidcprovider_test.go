package web_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// oidcProvider is a small OpenID Connect provider for the tests, standing
// for a provincial unified identity platform: discovery, JWKS, an authorize
// endpoint that signs in whoever the test says (no login page) and a token
// endpoint that checks the code, the client's secret and the PKCE verifier
// and answers an RS256-signed ID token. Tamper fields make it misbehave as
// a forged or confused answer would.
type oidcProvider struct {
	t        *testing.T
	srv      *httptest.Server
	key      *rsa.PrivateKey
	clientID string
	secret   string
	base     string // the issuer URL: the server's, or under another host name
	// interactive: the authorize endpoint shows a page whose button sends
	// the browser back (the navigation to the callback is then the
	// provider page's own, as with a real platform's login form).
	interactive bool

	mu sync.Mutex
	// Who the next authorisation signs in: their claims (sub is added).
	claims map[string]any
	// Tampering with the next ID token.
	audience  string // "" is the client ID
	nonce     *string
	expiresIn time.Duration
	signer    *rsa.PrivateKey // nil: the provider's published key
	codes     map[string]authorisation
	// Requests seen by the authorize endpoint.
	seen []url.Values
}

type authorisation struct {
	nonce, challenge, redirect string
	claims                     map[string]any
}

func newOIDCProvider(t *testing.T) *oidcProvider {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p := &oidcProvider{t: t, key: key, clientID: "juece-yiyang", secret: "s3cret-of-juece", codes: map[string]authorisation{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET /jwks", p.jwks)
	mux.HandleFunc("GET /authorize", p.authorize)
	mux.HandleFunc("POST /token", p.token)
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	return p
}

func (p *oidcProvider) issuer() string {
	if p.base != "" {
		return p.base
	}
	return p.srv.URL
}

// asLocalhost names the provider http://localhost:port, another site than
// the workbench's 127.0.0.1 for the browser: its answers are cross-site
// navigations, as a real platform's are.
func (p *oidcProvider) asLocalhost() {
	p.base = strings.Replace(p.srv.URL, "127.0.0.1", "localhost", 1)
}

// signIn sets who the next authorisation signs in, and clears tampering.
func (p *oidcProvider) signIn(claims map[string]any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.claims, p.audience, p.nonce, p.expiresIn, p.signer = claims, "", nil, 0, nil
}

func (p *oidcProvider) tamper(f func(p *oidcProvider)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	f(p)
}

func (p *oidcProvider) discovery(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, map[string]any{
		"issuer":                                p.issuer(),
		"authorization_endpoint":                p.issuer() + "/authorize",
		"token_endpoint":                        p.issuer() + "/token",
		"jwks_uri":                              p.issuer() + "/jwks",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"code_challenge_methods_supported":      []string{"S256"},
	})
}

func (p *oidcProvider) jwks(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &p.key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
}

func (p *oidcProvider) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p.mu.Lock()
	p.seen = append(p.seen, q)
	claims := p.claims
	p.mu.Unlock()
	if q.Get("client_id") != p.clientID || q.Get("response_type") != "code" || q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" {
		http.Error(w, "bad authorisation request", http.StatusBadRequest)
		return
	}
	code := rand.Text()
	p.mu.Lock()
	p.codes[code] = authorisation{nonce: q.Get("nonce"), challenge: q.Get("code_challenge"), redirect: q.Get("redirect_uri"), claims: claims}
	p.mu.Unlock()
	to, _ := url.Parse(q.Get("redirect_uri"))
	v := to.Query()
	v.Set("code", code)
	v.Set("state", q.Get("state"))
	to.RawQuery = v.Encode()
	if p.interactive {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(`<!doctype html><meta charset="utf-8"><title>河南省统一身份认证平台</title><form method="get" action="` +
			html.EscapeString(to.Scheme+"://"+to.Host+to.Path) + `">` + hiddenFields(to.Query()) + `<button id="approve" type="submit">同意并登录</button></form>`))
		return
	}
	http.Redirect(w, r, to.String(), http.StatusFound)
}

func (p *oidcProvider) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	p.mu.Lock()
	a, found := p.codes[r.PostForm.Get("code")]
	delete(p.codes, r.PostForm.Get("code")) // a code is good once
	aud, nonce, life, signer := p.audience, p.nonce, p.expiresIn, p.signer
	p.mu.Unlock()
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	switch {
	case id != p.clientID || secret != p.secret:
		w.WriteHeader(http.StatusUnauthorized)
		writeJSON(w, map[string]string{"error": "invalid_client"})
		return
	case !found || r.PostForm.Get("redirect_uri") != a.redirect ||
		base64.RawURLEncoding.EncodeToString(sum[:]) != a.challenge:
		w.WriteHeader(http.StatusBadRequest)
		writeJSON(w, map[string]string{"error": "invalid_grant"})
		return
	}
	if aud == "" {
		aud = p.clientID
	}
	if nonce == nil {
		nonce = &a.nonce
	}
	if life == 0 {
		life = 5 * time.Minute
	}
	if signer == nil {
		signer = p.key
	}
	now := time.Now()
	claims := map[string]any{"iss": p.issuer(), "aud": aud, "iat": now.Unix(), "exp": now.Add(life).Unix(), "nonce": *nonce}
	for k, v := range a.claims {
		claims[k] = v
	}
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: signer}, (&jose.SignerOptions{}).WithHeader("kid", "k1").WithType("JWT"))
	if err != nil {
		p.t.Error(err)
		return
	}
	body, _ := json.Marshal(claims)
	jws, err := sig.Sign(body)
	if err != nil {
		p.t.Error(err)
		return
	}
	raw, _ := jws.CompactSerialize()
	writeJSON(w, map[string]any{"access_token": rand.Text(), "token_type": "Bearer", "expires_in": 300, "id_token": raw})
}

func hiddenFields(v url.Values) string {
	var b strings.Builder
	for k, vs := range v {
		for _, x := range vs {
			b.WriteString(`<input type="hidden" name="` + html.EscapeString(k) + `" value="` + html.EscapeString(x) + `">`)
		}
	}
	return b.String()
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

const time10m = 10 * time.Minute

func otherKey(t *testing.T) *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}
