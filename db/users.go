package db

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// Organisation is a decision organ or one of its departments.
type Organisation struct {
	ID        string          `db:"id" json:"id"`
	Name      string          `db:"name" json:"name"`
	NameEN    string          `db:"name_en" json:"name_en"`
	ParentID  *string         `db:"parent_id" json:"parent_id,omitempty"`
	Level     string          `db:"level" json:"level"`
	Profile   string          `db:"profile" json:"profile"`
	Settings  json.RawMessage `db:"settings" json:"settings"`
	CreatedAt time.Time       `db:"created_at" json:"created_at"`
}

// UpsertOrganisation creates or updates an organisation by id.
func (s *Store) UpsertOrganisation(ctx context.Context, o Organisation) error {
	_, err := s.DB.ExecContext(ctx, `INSERT INTO organisations (id, name, name_en, parent_id, level, profile, settings)
		VALUES ($1,$2,$3,$4,$5,$6,$7)
		ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, name_en = EXCLUDED.name_en,
		  parent_id = EXCLUDED.parent_id, level = EXCLUDED.level, profile = EXCLUDED.profile, settings = EXCLUDED.settings`,
		o.ID, o.Name, o.NameEN, o.ParentID, o.Level, o.Profile, jsonOrEmpty(o.Settings))
	if err != nil {
		return fmt.Errorf("upsert organisation %s: %w", o.ID, mapErr(err))
	}
	return nil
}

// GetOrganisation loads one organisation.
func (s *Store) GetOrganisation(ctx context.Context, id string) (Organisation, error) {
	var o Organisation
	if err := s.DB.GetContext(ctx, &o, `SELECT * FROM organisations WHERE id = $1`, id); err != nil {
		return o, fmt.Errorf("organisation %s: %w", id, mapErr(err))
	}
	return o, nil
}

// OrganisationsOf lists a government and the organisations directly under
// it (its departments), the government first: the organisations a form of
// one of its cases may name (lead unit, units consulted, execution units).
func (s *Store) OrganisationsOf(ctx context.Context, government string) ([]Organisation, error) {
	out := []Organisation{}
	err := s.DB.SelectContext(ctx, &out, `SELECT * FROM organisations WHERE id = $1 OR parent_id = $1
		ORDER BY id <> $1, id LIMIT 500`, government)
	if err != nil {
		return nil, fmt.Errorf("organisations of %s: %w", government, err)
	}
	return out, nil
}

// User is an authenticated person acting in one role for one organisation.
type User struct {
	ID         string     `db:"id" json:"id"`
	Handle     string     `db:"handle" json:"handle"`
	Name       string     `db:"name" json:"name"`
	Role       string     `db:"role" json:"role"`
	OrgID      string     `db:"org_id" json:"org"`
	Email      string     `db:"email" json:"email,omitempty"`
	TokenHash  []byte     `db:"token_hash" json:"-"`
	CreatedAt  time.Time  `db:"created_at" json:"created_at"`
	DisabledAt *time.Time `db:"disabled_at" json:"-"`
	// ReachOrg and ReachAll configure an auditor's reach (migration 00020).
	ReachOrg *string `db:"reach_org" json:"-"`
	ReachAll bool    `db:"reach_all" json:"-"`
	// Reach is what the user oversees, as user_reach computes it when the
	// user authenticates: ReachAll, "" (nothing), or the root of a subtree
	// of organisations. Only authentication fills it (AuthUserColumns).
	Reach string `db:"reach" json:"reach,omitempty" description:"审计监督范围：该单位及其下级（* 为全部）；仅审计人员和管理员有"`
	// TokenScope is what the bearer token the user authenticated with may
	// do (ScopeRead, ScopeAct, ScopeAdmin); only UserByToken fills it.
	TokenScope string `db:"token_scope" json:"-"`
}

// Scopes of an API token (migration 00101).
const (
	ScopeRead  = "read"  // GET only
	ScopeAct   = "act"   // what the role may do, but the administrator-only acts
	ScopeAdmin = "admin" // all the role may do
)

// HashToken is how tokens are stored: the token itself is never kept.
// Tokens are 256-bit random values, so a plain SHA-256 is enough (no password
// stretching is needed for secrets that cannot be guessed).
func HashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// NewToken makes a fresh random API token.
func NewToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	return "jc_" + base64.RawURLEncoding.EncodeToString(b)
}

// CreateUser adds a user and returns the user with a new token, which is shown
// once and not stored.
func (s *Store) CreateUser(ctx context.Context, handle, name, role, orgID string) (User, string, error) {
	token := NewToken()
	u := User{ID: uuid.NewString(), Handle: handle, Name: name, Role: role, OrgID: orgID, TokenHash: HashToken(token)}
	err := s.DB.GetContext(ctx, &u.CreatedAt, `INSERT INTO users (id, handle, name, role, org_id, token_hash)
		VALUES ($1,$2,$3,$4,$5,$6) RETURNING created_at`, u.ID, u.Handle, u.Name, u.Role, u.OrgID, u.TokenHash)
	if err != nil {
		return User{}, "", fmt.Errorf("create user %s: %w", handle, mapErr(err))
	}
	return u, token, nil
}

// RotateToken gives an existing user (by handle) a new token, creating the user
// if it does not exist yet. Used by the demo seed.
func (s *Store) RotateToken(ctx context.Context, handle, name, role, orgID string) (User, string, error) {
	var u User
	err := s.DB.GetContext(ctx, &u, `SELECT * FROM users WHERE handle = $1`, handle)
	if err = mapErr(err); err == ErrNotFound {
		return s.CreateUser(ctx, handle, name, role, orgID)
	} else if err != nil {
		return User{}, "", fmt.Errorf("user %s: %w", handle, err)
	}
	token := NewToken()
	_, err = s.DB.ExecContext(ctx, `UPDATE users SET token_hash = $2, name = $3, role = $4, org_id = $5 WHERE id = $1`,
		u.ID, HashToken(token), name, role, orgID)
	if err != nil {
		return User{}, "", fmt.Errorf("rotate token %s: %w", handle, err)
	}
	u.Name, u.Role, u.OrgID = name, role, orgID
	return u, token, nil
}

// UserByToken authenticates a bearer token: a user's personal token
// (scope admin: all the role may do) or an issued API token that is neither
// revoked nor expired (its scope).
func (s *Store) UserByToken(ctx context.Context, token string) (User, error) {
	var u User
	err := s.DB.GetContext(ctx, &u, `SELECT `+AuthUserColumns+`, 'admin' AS token_scope FROM users u
		WHERE token_hash = $1 AND disabled_at IS NULL
		UNION ALL
		SELECT `+AuthUserColumns+`, t.scope AS token_scope FROM api_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > now() AND u.disabled_at IS NULL
		LIMIT 1`, HashToken(token))
	if err != nil {
		return u, fmt.Errorf("token: %w", mapErr(err))
	}
	return u, nil
}

// GetUser loads a user by id.
func (s *Store) GetUser(ctx context.Context, id string) (User, error) {
	var u User
	if err := s.DB.GetContext(ctx, &u, `SELECT * FROM users WHERE id = $1`, id); err != nil {
		return u, fmt.Errorf("user %s: %w", id, mapErr(err))
	}
	return u, nil
}

// UserFilter selects the active users of one organisation, optionally of
// one role.
type UserFilter struct {
	OrgID string
	Role  string // "" = every role
}

// maxListedUsers bounds a listing: an organisation's staff, not a directory
// of the province.
const maxListedUsers = 500

// ListUsers returns the active (not disabled) users of an organisation, by
// role and name. Disabled users are left out: nobody can hand them a task.
func (s *Store) ListUsers(ctx context.Context, f UserFilter) ([]User, error) {
	users := []User{}
	err := s.DB.SelectContext(ctx, &users, `SELECT * FROM users
		WHERE org_id = $1 AND ($2 = '' OR role = $2) AND disabled_at IS NULL
		ORDER BY role, name, handle LIMIT $3`, f.OrgID, f.Role, maxListedUsers)
	if err != nil {
		return nil, fmt.Errorf("list users of %s: %w", f.OrgID, err)
	}
	return users, nil
}

// UserByHandle loads a user by login handle.
func (s *Store) UserByHandle(ctx context.Context, handle string) (User, error) {
	var u User
	err := s.DB.GetContext(ctx, &u, `SELECT * FROM users WHERE handle = $1`, handle)
	if err != nil {
		return User{}, fmt.Errorf("user %s: %w", handle, mapErr(err))
	}
	return u, nil
}
