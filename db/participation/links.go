package participation

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"

	"github.com/juece/juece/db"
)

// Personal links (个人专用链接): how a person without an account acts in a
// case. A link has one purpose and one subject — the case, the scope it acts
// on (a hearing, an expert panel) and its holder (a participant, an expert) —
// expires, can be revoked, and is stored as the SHA-256 of its token only:
// the token is returned once by IssueLink and never kept. A link acts once
// (MarkUsed); whoever uses it is recorded under Link.ActorID, never as the
// unit's user who issued it.

// Purposes of personal links. Each purpose is one act; a link of one purpose
// never serves another.
const (
	// PurposeHearingDelivery: a hearing participant confirms that the
	// hearing materials reached them (R-HR-05).
	PurposeHearingDelivery = "hearing.confirm_delivery"
	// PurposeHearingSignature: a hearing participant signs the hearing
	// record, or refuses to with a reason (R-HR-07).
	PurposeHearingSignature = "hearing.sign_record"
	// PurposeExpertDeclaration: an expert declares conflicts of interest
	// before seeing the materials (R-EXP-03).
	PurposeExpertDeclaration = "expert.declare_conflicts"
	// PurposeExpertOpinion: an expert submits and signs their own written
	// opinion (R-EXP-05).
	PurposeExpertOpinion = "expert.submit_opinion"
	// PurposeRiskIndependence: a third-party risk assessor (an
	// institution of the register) declares its independence (R-RSK-05).
	PurposeRiskIndependence = "risk.declare_independence"
)

// Purposes lists the known purposes; IssueLink refuses any other.
var Purposes = []string{PurposeHearingDelivery, PurposeHearingSignature, PurposeExpertDeclaration, PurposeExpertOpinion,
	PurposeRiskIndependence}

// Holder kinds: who holds a link.
const (
	HolderHearingParticipant = "hearing_participant"
	HolderExpert             = "expert"
	HolderInstitution        = "institution" // an institution of the register, by its register ID
)

// Audit actions of the links' own events. The act done through a link is
// recorded by whoever records the act (the case workflow), naming the
// link's holder as the actor.
const (
	ActionLinkIssued  = "link.issued"
	ActionLinkRevoked = "link.revoked"
	ActionLinkOpened  = "link.opened"
)

// Errors of resolving a link. Each is a person's mistake or an old link, never
// a server fault: the HTTP layer answers 404 or 410 with a Chinese message.
var (
	ErrLinkUnknown = errors.New("personal link: unknown")
	ErrLinkExpired = errors.New("personal link: expired")
	ErrLinkRevoked = errors.New("personal link: revoked")
	ErrLinkUsed    = errors.New("personal link: already used")
)

// LinkSpec is what a link is for: IssueLink's input.
type LinkSpec struct {
	Purpose string
	CaseID  string
	// Scope is what the act is on: the hearing (its task ID), the panel.
	Scope string
	// HolderKind, HolderID and HolderName say who holds it: the stable
	// identity of the participant or expert (a registration ID, an expert
	// ID), never a user of the unit.
	HolderKind string
	HolderID   string
	HolderName string
	// ExpiresAt is when the link stops working; it must be in the future.
	ExpiresAt time.Time
}

// Issuer is the unit's user who issues or revokes a link, as the audit
// event records them.
type Issuer struct {
	UserID, Name, Role, OrgID string
	RequestID, ClientAddr     string
}

// Link is a stored personal link (without its token).
type Link struct {
	ID           string     `db:"id" json:"id"`
	TokenHash    string     `db:"token_hash" json:"-"`
	Purpose      string     `db:"purpose" json:"purpose"`
	CaseID       string     `db:"case_id" json:"case_id"`
	Scope        string     `db:"scope" json:"scope"`
	HolderKind   string     `db:"holder_kind" json:"holder_kind"`
	HolderID     string     `db:"holder_id" json:"holder_id"`
	HolderName   string     `db:"holder_name" json:"holder_name"`
	IssuedBy     string     `db:"issued_by" json:"issued_by"`
	IssuedAt     time.Time  `db:"issued_at" json:"issued_at"`
	ExpiresAt    time.Time  `db:"expires_at" json:"expires_at"`
	RevokedAt    *time.Time `db:"revoked_at" json:"revoked_at,omitempty"`
	RevokedBy    string     `db:"revoked_by" json:"revoked_by,omitempty"`
	RevokeReason string     `db:"revoke_reason" json:"revoke_reason,omitempty"`
	UsedAt       *time.Time `db:"used_at" json:"used_at,omitempty"`
	UsedEvent    string     `db:"used_event" json:"used_event,omitempty"`
}

// ActorID is the stable actor ID of whoever acts through the link, as audit
// events record it: "link:<holder kind>:<holder id>". Two links of the same
// holder (delivery, then signature) name the same actor.
func (l Link) ActorID() string { return HolderActorID(l.HolderKind, l.HolderID) }

// HolderActorID is the actor ID of a link holder.
func HolderActorID(kind, id string) string { return "link:" + kind + ":" + id }

// Status is where the link stands at now: "active", "used", "revoked" or
// "expired".
func (l Link) Status(now time.Time) string {
	switch {
	case l.UsedAt != nil:
		return "used"
	case l.RevokedAt != nil:
		return "revoked"
	case !now.Before(l.ExpiresAt):
		return "expired"
	}
	return "active"
}

// tokenRE is the shape of a token: 32 random bytes, base64url without padding.
var tokenRE = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)

// WellFormedToken says whether s has the shape of a token (so that garbage
// is refused without a query).
func WellFormedToken(s string) bool { return tokenRE.MatchString(s) }

// TokenHash is the stored form of a token.
func TokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// MaxLinkLifetime bounds how long a link may live.
const MaxLinkLifetime = 180 * 24 * time.Hour

// IssueLink stores a new link and records link.issued in the case's audit
// chain, in one transaction. It returns the token — the only time it exists
// outside the holder's hands — and the stored link.
func (s *Store) IssueLink(ctx context.Context, spec LinkSpec, by Issuer) (string, Link, error) {
	now := time.Now().UTC().Truncate(time.Microsecond)
	switch {
	case !slices.Contains(Purposes, spec.Purpose):
		return "", Link{}, fmt.Errorf("issue link: unknown purpose %q", spec.Purpose)
	case strings.TrimSpace(spec.Scope) == "" || strings.TrimSpace(spec.HolderKind) == "" || strings.TrimSpace(spec.HolderID) == "" || strings.TrimSpace(spec.HolderName) == "":
		return "", Link{}, errors.New("issue link: scope and holder are required")
	case !spec.ExpiresAt.After(now) || spec.ExpiresAt.Sub(now) > MaxLinkLifetime:
		return "", Link{}, fmt.Errorf("issue link: expiry %s is not within %s from now", spec.ExpiresAt, MaxLinkLifetime)
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", Link{}, fmt.Errorf("issue link: token: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(raw[:])
	l := Link{ID: uuid.NewString(), TokenHash: TokenHash(token), Purpose: spec.Purpose, CaseID: spec.CaseID, Scope: spec.Scope,
		HolderKind: spec.HolderKind, HolderID: spec.HolderID, HolderName: spec.HolderName, IssuedBy: by.UserID,
		IssuedAt: now, ExpiresAt: spec.ExpiresAt.UTC().Truncate(time.Microsecond)}
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.NamedExecContext(ctx, `INSERT INTO personal_links
			(id, token_hash, purpose, case_id, scope, holder_kind, holder_id, holder_name, issued_by, issued_at, expires_at)
			VALUES (:id, :token_hash, :purpose, :case_id, :scope, :holder_kind, :holder_id, :holder_name, :issued_by, :issued_at, :expires_at)`, l)
		if err != nil {
			return fmt.Errorf("insert link: %w", err)
		}
		_, _, err = db.AppendEventTx(ctx, tx, by.event(l, "link-issued/"+l.ID, ActionLinkIssued, now, nil))
		return err
	})
	if err != nil {
		return "", Link{}, err
	}
	return token, l, nil
}

// linkData is what a link's own audit events say about it (never the token
// or its hash).
func linkData(l Link, extra map[string]any) json.RawMessage {
	m := map[string]any{"link_id": l.ID, "purpose": l.Purpose, "scope": l.Scope, "holder_kind": l.HolderKind, "holder_id": l.HolderID,
		"holder_name": l.HolderName, "expires_at": l.ExpiresAt.UTC().Format(time.RFC3339)}
	for k, v := range extra {
		m[k] = v
	}
	raw, _ := json.Marshal(m)
	return raw
}

func (by Issuer) event(l Link, key, action string, at time.Time, extra map[string]any) db.AuditEvent {
	return db.AuditEvent{CaseID: l.CaseID, EventKey: key, At: at, Action: action, ActorID: by.UserID, ActorName: by.Name,
		ActorRole: by.Role, ActorOrg: by.OrgID, RequestID: by.RequestID, ClientAddr: by.ClientAddr, Data: linkData(l, extra)}
}

// Resolve finds the link of a token and says whether it can still act:
// ErrLinkUnknown for a malformed or unknown token; ErrLinkRevoked,
// ErrLinkUsed or ErrLinkExpired (with the link) for one that cannot.
func (s *Store) Resolve(ctx context.Context, token string) (Link, error) {
	if !WellFormedToken(token) {
		return Link{}, ErrLinkUnknown
	}
	var l Link
	err := s.DB.GetContext(ctx, &l, `SELECT * FROM personal_links WHERE token_hash = $1`, TokenHash(token))
	if errors.Is(err, sql.ErrNoRows) {
		return Link{}, ErrLinkUnknown
	} else if err != nil {
		return Link{}, fmt.Errorf("resolve link: %w", err)
	}
	switch l.Status(time.Now()) {
	case "used":
		return l, ErrLinkUsed
	case "revoked":
		return l, ErrLinkRevoked
	case "expired":
		return l, ErrLinkExpired
	}
	return l, nil
}

// Opened records, once per link, that its holder opened it (link.opened in
// the case's chain, actor: the holder). Later openings are only rows of the
// access log.
func (s *Store) Opened(ctx context.Context, l Link, requestID, clientAddr string) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		_, _, err := db.AppendEventTx(ctx, tx, db.AuditEvent{CaseID: l.CaseID, EventKey: "link-opened/" + l.ID, At: time.Now(),
			Action: ActionLinkOpened, ActorID: l.ActorID(), ActorName: l.HolderName, ActorRole: l.HolderKind,
			RequestID: requestID, ClientAddr: clientAddr, Data: linkData(l, nil)})
		return err
	})
}

// MarkUsed records that the link's act was recorded as the audit event
// eventKey. A link acts once: a second use is ErrLinkUsed. The act itself
// is guarded by whoever records it (the workflow refuses a second signature);
// this row is what tells the holder their link is spent.
func (s *Store) MarkUsed(ctx context.Context, linkID, eventKey string) error {
	res, err := s.DB.ExecContext(ctx, `UPDATE personal_links SET used_at = now(), used_event = $2
		WHERE id = $1 AND used_at IS NULL`, linkID, eventKey)
	if err != nil {
		return fmt.Errorf("mark link %s used: %w", linkID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrLinkUsed
	}
	return nil
}

// Revoke stops a link from working and records link.revoked with the reason.
// Revoking a used or revoked link is ErrLinkUsed or ErrLinkRevoked.
func (s *Store) Revoke(ctx context.Context, caseID, linkID, reason string, by Issuer) (Link, error) {
	var l Link
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, &l, `SELECT * FROM personal_links WHERE id = $1 AND case_id = $2 FOR UPDATE`, linkID, caseID)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrLinkUnknown
		} else if err != nil {
			return fmt.Errorf("load link %s: %w", linkID, err)
		}
		switch {
		case l.UsedAt != nil:
			return ErrLinkUsed
		case l.RevokedAt != nil:
			return ErrLinkRevoked
		}
		now := time.Now().UTC().Truncate(time.Microsecond)
		l.RevokedAt, l.RevokedBy, l.RevokeReason = &now, by.UserID, reason
		if _, err := tx.ExecContext(ctx, `UPDATE personal_links SET revoked_at = $2, revoked_by = $3, revoke_reason = $4 WHERE id = $1`,
			l.ID, now, by.UserID, reason); err != nil {
			return fmt.Errorf("revoke link %s: %w", linkID, err)
		}
		_, _, err = db.AppendEventTx(ctx, tx, by.event(l, "link-revoked/"+l.ID, ActionLinkRevoked, now, map[string]any{"reason": reason}))
		return err
	})
	return l, err
}

// Links lists a case's links in a scope, newest first (the unit's page
// shows where each stands; the tokens are gone).
func (s *Store) Links(ctx context.Context, caseID, scope string) ([]Link, error) {
	out := []Link{}
	err := s.DB.SelectContext(ctx, &out, `SELECT * FROM personal_links WHERE case_id = $1 AND scope = $2 ORDER BY issued_at DESC, id`, caseID, scope)
	if err != nil {
		return nil, fmt.Errorf("links of %s/%s: %w", caseID, scope, err)
	}
	return out, nil
}

// inTx runs fn in a transaction and commits it when fn returns nil.
func (s *Store) inTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	tx, err := s.DB.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
