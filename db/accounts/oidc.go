package accounts

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"golang.org/x/oauth2"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/security"
)

// Sign-in through an OpenID Connect provider (统一身份认证, server/oidc): the
// state of a login between the redirect and the provider's answer, and the
// login of the user the provider vouched for, which opens the same
// server-side session as a password login.

// oidcLife is how long the provider may take to answer.
const oidcLife = 10 * time.Minute

// ErrUnknownIdentity is a provider's user with no account here (and none
// created: JUECE_OIDC_CREATE is off).
var ErrUnknownIdentity = errors.New("no account for this identity")

// OIDCStart is a login sent to the provider: State goes in a cookie and the
// authorisation request, Nonce into the request (the ID token must carry
// it), Verifier stays here (PKCE: the request carries its S256 challenge).
type OIDCStart struct {
	State, Nonce, Verifier string
	// previousHash is the hash of the browser's session when it set off.
	previousHash []byte
}

func stateHash(state string) []byte {
	h := sha256.Sum256([]byte("oidc\x00" + state))
	return h[:]
}

// BeginOIDC records a new login sent to the provider, to come back to next;
// previous is the browser's session, if any (ended when the login opens
// its new one).
func (s *Store) BeginOIDC(ctx context.Context, next, previous string) (OIDCStart, error) {
	st := OIDCStart{State: newID(), Nonce: newID(), Verifier: oauth2.GenerateVerifier()}
	if previous != "" {
		st.previousHash = hashID(previous)
	}
	_, err := s.DB.ExecContext(ctx, `WITH gone AS (DELETE FROM oidc_logins WHERE expires_at < now())
		INSERT INTO oidc_logins (state_hash, nonce, verifier, next, previous_hash, expires_at)
		VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6))`,
		stateHash(st.State), st.Nonce, st.Verifier, truncate(next, 500), st.previousHash, oidcLife.Seconds())
	if err != nil {
		return OIDCStart{}, fmt.Errorf("begin oidc login: %w", err)
	}
	return st, nil
}

// TakeOIDC ends the login whose state the provider sent back and returns
// its nonce, verifier and where it goes next. A state unknown, used or
// expired is ErrChallenge: each answer of the provider is good once.
func (s *Store) TakeOIDC(ctx context.Context, state string) (OIDCStart, string, error) {
	var row struct {
		Nonce    string `db:"nonce"`
		Verifier string `db:"verifier"`
		Next     string `db:"next"`
		Previous []byte `db:"previous_hash"`
	}
	err := s.DB.GetContext(ctx, &row, `DELETE FROM oidc_logins WHERE state_hash = $1 AND expires_at > now()
		RETURNING nonce, verifier, next, previous_hash`, stateHash(state))
	if errors.Is(err, sql.ErrNoRows) {
		return OIDCStart{}, "", ErrChallenge
	}
	if err != nil {
		return OIDCStart{}, "", fmt.Errorf("take oidc login: %w", err)
	}
	return OIDCStart{State: state, Nonce: row.Nonce, Verifier: row.Verifier, previousHash: row.Previous}, row.Next, nil
}

// OIDCIdentity is what the provider vouched for, as the server mapped it.
type OIDCIdentity struct {
	Issuer  string
	Subject string // the ID token's sub
	Handle  string // the mapped claim's value: a user's handle here
	Name    string // the name claim, for an account created at first login
	// MFA: the provider's own sign-in counts as the second factor here
	// (JUECE_OIDC_MFA).
	MFA bool
}

// OIDCCreate is how an unknown identity gets an account at its first login,
// when configured; the zero value creates none.
type OIDCCreate struct {
	Role, Org string
}

// OIDCLogin signs in the user whose handle the provider's claim names. An
// unknown or disabled user is ErrUnknownIdentity (unless create makes the
// account); a locked account or address is a *LockedError. The user's
// second factor: when the provider's counts (id.MFA) the session opens at
// once; otherwise a role that needs one gives the local TOTP code (or
// enrols) as after a password. The local password's change stages do not
// apply: this login did not use it. Every outcome is an access-log row.
// The session the browser had when it set off (start) and the one it
// brings now (previous) end when the new one opens.
func (s *Store) OIDCLogin(ctx context.Context, start OIDCStart, id OIDCIdentity, create OIDCCreate, req Request, previous string) (Step, error) {
	cfg := s.Config.WithDefaults()
	if l, err := locked(ctx, s.DB, id.Handle, req.Addr); err != nil {
		return Step{}, err
	} else if l != nil {
		return Step{}, s.OIDCFailure(ctx, req, id.Handle, "locked", fmt.Sprintf("统一身份认证登录被拒：%s已锁定 / unified sign-in refused: %s locked", scopeZH(l.Scope), l.Scope), l)
	}
	var step Step
	err := inTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		var us []db.User
		if err := tx.SelectContext(ctx, &us, `SELECT `+db.AuthUserColumns+` FROM users u WHERE u.handle = $1 AND u.disabled_at IS NULL`, id.Handle); err != nil {
			return fmt.Errorf("oidc login %q: %w", id.Handle, err)
		}
		if len(us) == 0 && create.Role != "" && create.Org != "" {
			u, err := createOIDCUser(ctx, tx, id, create)
			if err != nil {
				return err
			}
			us = append(us, u)
		}
		if len(us) == 0 {
			e := req.event(AccessLoginFailed, nil)
			e.UserName, e.Code = truncate(id.Handle, 100), "unknown_identity"
			e.Detail = fmt.Sprintf("统一身份认证：%s 在本系统无账户或已停用（签发方 %s，sub %s） / unified sign-in: no account or disabled (issuer %s, sub %s)",
				truncate(id.Handle, 100), id.Issuer, truncate(id.Subject, 100), id.Issuer, truncate(id.Subject, 100))
			if _, err := db.AppendAccessTx(ctx, tx, e); err != nil {
				return err
			}
			return &committed{ErrUnknownIdentity}
		}
		u := us[0]
		if start.previousHash != nil {
			if _, err := tx.ExecContext(ctx, `UPDATE sessions SET ended_at = now(), ended_reason = $2
				WHERE id_hash = $1 AND ended_at IS NULL`, start.previousHash, EndRotated); err != nil {
				return fmt.Errorf("end the session the login set off from: %w", err)
			}
		}
		cid := newID()
		if _, err := tx.ExecContext(ctx, `INSERT INTO login_challenges (id_hash, user_id, expires_at, method)
			VALUES ($1, $2, now() + make_interval(secs => $3), 'oidc')`, hashID(cid), u.ID, challengeLife.Seconds()); err != nil {
			return fmt.Errorf("login challenge: %w", err)
		}
		var err error
		step, err = s.advance(ctx, tx, cfg, cid, u, id.MFA, req, previous)
		return err
	})
	if err != nil {
		return Step{}, err
	}
	return step, nil
}

// createOIDCUser makes the account of an identity at its first login, with
// the configured role and organisation, and records it as user_added.
func createOIDCUser(ctx context.Context, tx *sqlx.Tx, id OIDCIdentity, create OIDCCreate) (db.User, error) {
	name := id.Name
	if name == "" {
		name = id.Handle
	}
	var u db.User
	err := tx.GetContext(ctx, &u, `INSERT INTO users (id, handle, name, role, org_id) VALUES (gen_random_uuid(), $1, $2, $3, $4)
		RETURNING *, user_reach(id) AS reach`, id.Handle, truncate(name, 100), create.Role, create.Org)
	if err != nil {
		return u, fmt.Errorf("create user %s at oidc login: %w", id.Handle, err)
	}
	_, err = security.Append(ctx, tx, security.Event{Kind: security.KindUserAdded, UserName: "统一身份认证 / " + id.Issuer,
		SubjectID: u.ID, SubjectName: u.Name + " (" + u.Handle + ")", Method: "OIDC",
		Detail: fmt.Sprintf("首次统一身份认证登录时开通，角色 %s，单位 %s / created at the first unified sign-in as %s of %s", u.Role, u.OrgID, u.Role, u.OrgID)})
	return u, err
}

// OIDCFailure records a refused answer of the provider (bad state, nonce,
// audience, signature; the provider's own error) as a failed login, and
// returns refusal (or ErrBadCredentials).
func (s *Store) OIDCFailure(ctx context.Context, req Request, handle, code, detail string, refusal error) error {
	e := req.event(AccessLoginFailed, nil)
	e.UserName, e.Code, e.Detail = truncate(handle, 100), code, truncate(detail, 1000)
	if err := inTx(ctx, s.DB, func(tx *sqlx.Tx) error { _, err := db.AppendAccessTx(ctx, tx, e); return err }); err != nil {
		return err
	}
	if refusal == nil {
		return ErrBadCredentials
	}
	return refusal
}
