package public

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The portal's anti-abuse guard, with no third party: a small arithmetic
// question per form (a person reads it; a script must fetch and parse a
// fresh one for every submission), signed with HMAC so that no server keeps
// it (any API server checks any other's), expiring, and used once — the
// comment's own INSERT stores the challenge's nonce under a UNIQUE key
// (participation.AddComment). The per-address limit is a counter in
// PostgreSQL, in the same statement. The key is made once in PostgreSQL
// (portal_keys) and read by every server.

// ChallengeTTL is how long a challenge may be answered: time to read the
// draft and write a comment.
const ChallengeTTL = 2 * time.Hour

// Challenge is one question: the token the form carries back and the
// question shown.
type Challenge struct {
	Token    string    `json:"challenge"`
	Question string    `json:"question" description:"算术题，答案为整数"`
	Expires  time.Time `json:"expires_at"`
}

// Errors of checking a challenge.
var (
	ErrChallengeMissing = errors.New("challenge: missing or malformed")
	ErrChallengeExpired = errors.New("challenge: expired")
	ErrChallengeWrong   = errors.New("challenge: wrong answer")
)

// Guard issues and checks challenges for one scope (a case's comment
// notice), with the portal's key.
type Guard struct {
	key func(ctx context.Context) ([]byte, error)
	now func() time.Time
}

// Guard is the portal's guard.
func (p *Portal) Guard() *Guard {
	return &Guard{key: p.challengeKey, now: p.Now}
}

// challengeKey reads the key once per process: it never changes once made,
// so holding it makes no result depend on this process.
func (p *Portal) challengeKey(ctx context.Context) ([]byte, error) {
	p.keyMu.Lock()
	defer p.keyMu.Unlock()
	if p.key != nil {
		return p.key, nil
	}
	k, err := p.Participation.PortalKey(ctx, "comment-challenge")
	if err != nil {
		return nil, err
	}
	p.key = k
	return k, nil
}

type keyCache struct {
	keyMu sync.Mutex
	key   []byte
}

const nonceSize = 12

// Issue makes a challenge for scope.
func (g *Guard) Issue(ctx context.Context, scope string) (Challenge, error) {
	key, err := g.key(ctx)
	if err != nil {
		return Challenge{}, err
	}
	body := make([]byte, nonceSize+8)
	if _, err := rand.Read(body[:nonceSize]); err != nil {
		return Challenge{}, err
	}
	exp := g.now().Add(ChallengeTTL).Truncate(time.Second)
	binary.BigEndian.PutUint64(body[nonceSize:], uint64(exp.Unix()))
	a, b := operands(key, body[:nonceSize])
	return Challenge{
		Token:    base64.RawURLEncoding.EncodeToString(body) + "." + base64.RawURLEncoding.EncodeToString(sign(key, scope, body)),
		Question: fmt.Sprintf("%d 加 %d 等于几？", a, b),
		Expires:  exp,
	}, nil
}

// Check checks an answer to a challenge of scope and returns the
// challenge's nonce, which the caller stores once (a second use is the
// store's ErrChallengeUsed).
func (g *Guard) Check(ctx context.Context, scope, token, answer string) (string, error) {
	b64, mac, ok := strings.Cut(token, ".")
	if !ok || len(token) > 100 {
		return "", ErrChallengeMissing
	}
	body, err1 := base64.RawURLEncoding.DecodeString(b64)
	sig, err2 := base64.RawURLEncoding.DecodeString(mac)
	if err1 != nil || err2 != nil || len(body) != nonceSize+8 {
		return "", ErrChallengeMissing
	}
	key, err := g.key(ctx)
	if err != nil {
		return "", err
	}
	if !hmac.Equal(sig, sign(key, scope, body)) {
		return "", ErrChallengeMissing // forged, or another notice's
	}
	if exp := time.Unix(int64(binary.BigEndian.Uint64(body[nonceSize:])), 0); !g.now().Before(exp) {
		return "", ErrChallengeExpired
	}
	a, b := operands(key, body[:nonceSize])
	n, err := strconv.Atoi(asciiDigits(strings.TrimSpace(answer)))
	if err != nil || n != a+b {
		return "", ErrChallengeWrong
	}
	return hex.EncodeToString(body[:nonceSize]), nil
}

func sign(key []byte, scope string, body []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("juece-challenge\x00" + scope + "\x00"))
	m.Write(body)
	return m.Sum(nil)[:16]
}

// operands are the question's numbers, from the key and the nonce: the
// token does not carry them.
func operands(key, nonce []byte) (int, int) {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("juece-challenge-question\x00"))
	m.Write(nonce)
	h := m.Sum(nil)
	return 2 + int(h[0])%18, 1 + int(h[1])%9
}

// asciiDigits turns full-width digits (a Chinese keyboard's) into ASCII.
func asciiDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '０' && r <= '９' {
			return '0' + (r - '０')
		}
		return r
	}, s)
}
