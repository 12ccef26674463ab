package db

import (
	"github.com/juece/juece/db/suite"

	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// The decision directory (决策事项目录, spec §4.1). A directory is not a
// case and has no workflow: each change is one transaction that locks the
// directory row, applies the change and appends its event to the directory's
// own hash chain (directory_events), hashed like a case's audit chain. The
// rules (R-DIR-*) are checked by the caller, inside that transaction, through
// a guard: a guard that refuses rolls everything back.

// Directory states.
const (
	DirectoryDraft     = "draft"
	DirectoryPublished = "published"
)

// Entry states: listed, or taken out of the directory by an adjustment.
const (
	EntryListed   = "listed"
	EntryRemoved  = "removed"
	EntryExcluded = "excluded"
)

// Adjustment kinds of a published directory.
const (
	AdjustAdd     = "add"
	AdjustRemove  = "remove"
	AdjustModify  = "modify"
	AdjustExclude = "exclude"
)

// Directory actions recorded in directory_events.
const (
	ActionDirectoryCreated    = "directory.created"
	ActionDirectoryEntryAdded = "directory.entry_added"
	ActionDirectoryConsent    = "directory.consent_recorded"
	ActionDirectoryPublished  = "directory.published"
	ActionDirectoryAdjusted   = "directory.adjusted"
	ActionDirectoryRefused    = "directory.refused"
	ActionDirectoryCaseLinked = "directory.case_linked"
	ActionDirectoryUnlisted   = "directory.unlisted_matter"
)

// ErrDirectoryState says the directory is not in the state the change needs:
// entries and consent are edited only in a draft; adjustments and
// exclusions apply only to a published directory.
var ErrDirectoryState = errors.New("directory is not in the state this change needs")

// Directory is one organ's directory of major decision matters for a year.
// Dates are civil dates, "YYYY-MM-DD" ("" when not set).
type Directory struct {
	ID          string     `db:"id" json:"id"`
	OrganID     string     `db:"organ_id" json:"organ_id"`
	Year        int        `db:"year" json:"year"`
	Title       string     `db:"title" json:"title"`
	State       string     `db:"state" json:"state"`
	ConsentRef  string     `db:"consent_ref" json:"consent_ref"`
	ConsentDate string     `db:"consent_date" json:"consent_date"`
	PublishedOn string     `db:"published_on" json:"published_on"`
	PublishedAt *time.Time `db:"published_at" json:"published_at,omitempty"`
	Website     string     `db:"website" json:"website"`
	CreatedBy   string     `db:"created_by" json:"created_by"`
	CreatedAt   time.Time  `db:"created_at" json:"created_at"`
	UpdatedAt   time.Time  `db:"updated_at" json:"updated_at"`
	AuditSeq    int64      `db:"audit_seq" json:"-"`
	AuditHead   string     `db:"audit_head" json:"-"`
	// HashAlg is the hash of the directory's chain (migration 00140).
	HashAlg suite.Name `db:"hash_alg" json:"-"`
}

const directorySelect = `SELECT id, organ_id, year, title, state, consent_ref,
	COALESCE(to_char(consent_date, 'YYYY-MM-DD'), '') AS consent_date,
	COALESCE(to_char(published_on, 'YYYY-MM-DD'), '') AS published_on,
	published_at, website, created_by, created_at, updated_at, audit_seq, audit_head, hash_alg FROM directories`

// DirectoryEntry is one matter of a directory (R-DIR-02).
type DirectoryEntry struct {
	ID             string          `db:"id" json:"id"`
	DirectoryID    string          `db:"directory_id" json:"directory_id"`
	Seq            int             `db:"seq" json:"seq"`
	Title          string          `db:"title" json:"title"`
	Category       int             `db:"category" json:"category"`
	LeadUnit       string          `db:"lead_unit" json:"lead_unit"`
	CoUnits        json.RawMessage `db:"co_units" json:"co_units"`
	PlannedStart   string          `db:"planned_start" json:"planned_start"`
	PlannedEnd     string          `db:"planned_end" json:"planned_end"`
	ExpectedTracks json.RawMessage `db:"expected_tracks" json:"expected_tracks"`
	NoTracksReason string          `db:"no_tracks_reason" json:"no_tracks_reason,omitempty"`
	NPCTrack       bool            `db:"npc_track" json:"npc_track"`
	State          string          `db:"state" json:"state"`
	Exclusion      json.RawMessage `db:"exclusion" json:"exclusion,omitempty"`
	CreatedAt      time.Time       `db:"created_at" json:"created_at"`
	UpdatedAt      time.Time       `db:"updated_at" json:"updated_at"`
}

const entrySelect = `SELECT id, directory_id, seq, title, category, lead_unit, co_units,
	to_char(planned_start, 'YYYY-MM-DD') AS planned_start, to_char(planned_end, 'YYYY-MM-DD') AS planned_end,
	expected_tracks, no_tracks_reason, npc_track, state,
	convert_to(COALESCE(exclusion::text, ''), 'UTF8') AS exclusion, created_at, updated_at FROM directory_entries`

// DirectoryAdjustment is one recorded change of a published directory.
type DirectoryAdjustment struct {
	ID            string          `db:"id" json:"id"`
	DirectoryID   string          `db:"directory_id" json:"directory_id"`
	Seq           int             `db:"seq" json:"seq"`
	Kind          string          `db:"kind" json:"kind"`
	EntryID       string          `db:"entry_id" json:"entry_id"`
	Reason        string          `db:"reason" json:"reason"`
	ConsentRef    string          `db:"consent_ref" json:"consent_ref,omitempty"`
	ConsentDate   string          `db:"consent_date" json:"consent_date,omitempty"`
	Before        json.RawMessage `db:"before" json:"before,omitempty"`
	After         json.RawMessage `db:"after" json:"after,omitempty"`
	CaseID        *string         `db:"case_id" json:"case_id,omitempty"`
	CreatedBy     string          `db:"created_by" json:"created_by"`
	CreatedByName string          `db:"created_by_name" json:"created_by_name"`
	CreatedAt     time.Time       `db:"created_at" json:"created_at"`
}

const adjustmentSelect = `SELECT a.id, a.directory_id, a.seq, a.kind, a.entry_id, a.reason, a.consent_ref,
	COALESCE(to_char(a.consent_date, 'YYYY-MM-DD'), '') AS consent_date, convert_to(COALESCE(a.before::text, ''), 'UTF8') AS before,
	convert_to(COALESCE(a.after::text, ''), 'UTF8') AS after, a.case_id,
	a.created_by, COALESCE(u.name, '') AS created_by_name, a.created_at
	FROM directory_adjustments a LEFT JOIN users u ON u.id = a.created_by`

// DirectoryEvent is one entry of a directory's hash-chained record.
type DirectoryEvent struct {
	ID          int64           `db:"id" json:"-"`
	DirectoryID string          `db:"directory_id" json:"directory_id"`
	Seq         int64           `db:"seq" json:"seq"`
	EventKey    string          `db:"event_key" json:"event_key"`
	At          time.Time       `db:"at" json:"at"`
	Action      string          `db:"action" json:"action"`
	ActorID     string          `db:"actor_id" json:"actor_id"`
	ActorName   string          `db:"actor_name" json:"actor_name"`
	ActorRole   string          `db:"actor_role" json:"actor_role"`
	ActorOrg    string          `db:"actor_org" json:"actor_org"`
	RequestID   string          `db:"request_id" json:"request_id,omitempty"`
	ClientAddr  string          `db:"client_addr" json:"client_addr,omitempty"`
	Data        json.RawMessage `db:"data" json:"data"`
	PrevHash    string          `db:"prev_hash" json:"prev_hash"`
	Hash        string          `db:"hash" json:"hash"`
}

// Canonical is the hashed form of a directory event: as AuditEvent.Canonical
// (sorted keys, no whitespace, no HTML escaping, UTC microseconds), with the
// directory's id under "directory_id".
func (e DirectoryEvent) Canonical() ([]byte, error) {
	return canonicalEvent(map[string]any{
		"directory_id": e.DirectoryID,
		"seq":          e.Seq,
		"event_key":    e.EventKey,
		"at":           e.At.UTC().Truncate(time.Microsecond).Format("2006-01-02T15:04:05.000000Z"),
		"action":       e.Action,
		"actor":        map[string]any{"id": e.ActorID, "name": e.ActorName, "role": e.ActorRole, "org": e.ActorOrg},
		"request_id":   e.RequestID,
		"client_addr":  e.ClientAddr,
	}, e.Data)
}

// DirectoryGuard checks a change against the rules with the directory
// locked; a non-nil error aborts the change and is returned unchanged.
type DirectoryGuard func(d Directory, entries []DirectoryEntry) error

// dirTx is one change of a directory: the locked row, its entries and the
// transaction.
type dirTx struct {
	tx      *sqlx.Tx
	d       Directory
	entries []DirectoryEntry
	now     time.Time
}

// changeDirectory locks directory id, runs guard and fn, and appends the
// event fn returns (its Action, Data and EventKey; the actor fields come from
// actor). Nothing is written if guard or fn fails.
func (s *Store) changeDirectory(ctx context.Context, id string, actor DirectoryEvent, guard DirectoryGuard,
	fn func(t *dirTx) (DirectoryEvent, error)) (DirectoryEvent, error) {
	var ev DirectoryEvent
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		t := &dirTx{tx: tx, now: time.Now().UTC().Truncate(time.Microsecond)}
		if err := tx.GetContext(ctx, &t.d, directorySelect+` WHERE id = $1 FOR UPDATE`, id); err != nil {
			return fmt.Errorf("directory %s: %w", id, mapErr(err))
		}
		if err := tx.SelectContext(ctx, &t.entries, entrySelect+` WHERE directory_id = $1 ORDER BY seq`, id); err != nil {
			return fmt.Errorf("entries of directory %s: %w", id, err)
		}
		if guard != nil {
			if err := guard(t.d, t.entries); err != nil {
				return err
			}
		}
		e, err := fn(t)
		if err != nil {
			return err
		}
		e.DirectoryID, e.At = id, t.now
		e.ActorID, e.ActorName, e.ActorRole, e.ActorOrg = actor.ActorID, actor.ActorName, actor.ActorRole, actor.ActorOrg
		e.RequestID, e.ClientAddr = actor.RequestID, actor.ClientAddr
		ev, err = appendDirectoryEvent(ctx, tx, t.d, e)
		return err
	})
	return ev, err
}

// appendDirectoryEvent appends e to the chain of the locked directory d and
// moves its head. An event whose key is already recorded is returned as it
// is, and nothing is written.
func appendDirectoryEvent(ctx context.Context, tx *sqlx.Tx, d Directory, e DirectoryEvent) (DirectoryEvent, error) {
	var existing []DirectoryEvent
	if err := tx.SelectContext(ctx, &existing, `SELECT * FROM directory_events WHERE directory_id = $1 AND event_key = $2`,
		d.ID, e.EventKey); err != nil {
		return DirectoryEvent{}, fmt.Errorf("find directory event %s: %w", e.EventKey, err)
	}
	if len(existing) == 1 {
		return existing[0], nil
	}
	if len(e.Data) == 0 {
		e.Data = json.RawMessage(`{}`)
	}
	e.DirectoryID = d.ID
	e.Seq = d.AuditSeq + 1
	e.PrevHash = d.AuditHead
	if e.PrevHash == "" {
		e.PrevHash = GenesisHash
	}
	e.At = e.At.UTC().Truncate(time.Microsecond)
	canon, err := e.Canonical()
	if err != nil {
		return DirectoryEvent{}, err
	}
	if e.Hash, err = ChainHashOf(d.HashAlg, e.PrevHash, canon); err != nil {
		return DirectoryEvent{}, err
	}
	if e.Data, err = canonicalJSON(e.Data); err != nil {
		return DirectoryEvent{}, err
	}
	err = tx.GetContext(ctx, &e.ID, `INSERT INTO directory_events
		(directory_id, seq, event_key, at, action, actor_id, actor_name, actor_role, actor_org, request_id, client_addr, data, prev_hash, hash)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14) RETURNING id`,
		e.DirectoryID, e.Seq, e.EventKey, e.At, e.Action, e.ActorID, e.ActorName, e.ActorRole, e.ActorOrg,
		e.RequestID, e.ClientAddr, string(e.Data), e.PrevHash, e.Hash)
	if err != nil {
		return DirectoryEvent{}, fmt.Errorf("insert directory event: %w", mapErr(err))
	}
	if _, err := tx.ExecContext(ctx, `UPDATE directories SET audit_seq = $2, audit_head = $3 WHERE id = $1`, d.ID, e.Seq, e.Hash); err != nil {
		return DirectoryEvent{}, fmt.Errorf("advance directory chain head: %w", err)
	}
	return e, nil
}

func eventKey(prefix string) string { return prefix + "-" + uuid.NewString() }

func marshalData(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // plain data of this file's own types
	}
	return b
}

// CreateDirectory creates a draft directory; a second directory of the same
// organ and year is ErrConflict.
func (s *Store) CreateDirectory(ctx context.Context, d Directory, actor DirectoryEvent) (Directory, DirectoryEvent, error) {
	d.ID = uuid.NewString()
	d.State = DirectoryDraft
	d.CreatedAt = time.Now().UTC().Truncate(time.Microsecond)
	d.UpdatedAt = d.CreatedAt
	var ev DirectoryEvent
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, &d.HashAlg, `INSERT INTO directories (id, organ_id, year, title, state, created_by, created_at, updated_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$7) RETURNING hash_alg`, d.ID, d.OrganID, d.Year, d.Title, d.State, d.CreatedBy, d.CreatedAt)
		if err != nil {
			return fmt.Errorf("insert directory: %w", mapErr(err))
		}
		e := actor
		e.EventKey, e.Action, e.At = "created", ActionDirectoryCreated, d.CreatedAt
		e.Data = marshalData(map[string]any{"organ_id": d.OrganID, "year": d.Year, "title": d.Title})
		ev, err = appendDirectoryEvent(ctx, tx, d, e)
		return err
	})
	if err != nil {
		return Directory{}, DirectoryEvent{}, err
	}
	d.AuditSeq, d.AuditHead = ev.Seq, ev.Hash
	return d, ev, nil
}

// GetDirectory loads one directory.
func (s *Store) GetDirectory(ctx context.Context, id string) (Directory, error) {
	var d Directory
	if err := s.DB.GetContext(ctx, &d, directorySelect+` WHERE id = $1`, id); err != nil {
		return d, fmt.Errorf("directory %s: %w", id, mapErr(err))
	}
	return d, nil
}

// DirectoryFilter selects directories. Drafts are included only for the
// organs in DraftsOf, for the organs in DraftsReach (an overseer's
// User.Reach), or for every organ with AllDrafts.
type DirectoryFilter struct {
	OrganID     string
	Year        int
	DraftsOf    []string
	DraftsReach string
	AllDrafts   bool
}

// ListDirectories returns the directories matching f, newest year first.
func (s *Store) ListDirectories(ctx context.Context, f DirectoryFilter) ([]Directory, error) {
	q := directorySelect + ` WHERE ($1 = '' OR organ_id = $1) AND ($2 = 0 OR year = $2)
		AND (state = 'published' OR $3 OR $5 = '*' OR organ_id = ANY($4) OR ` + reachIn("organ_id", "$5") + `) ORDER BY year DESC, organ_id`
	out := []Directory{}
	if err := s.DB.SelectContext(ctx, &out, q, f.OrganID, f.Year, f.AllDrafts, pq.Array(append([]string{}, f.DraftsOf...)), f.DraftsReach); err != nil {
		return nil, fmt.Errorf("list directories: %w", err)
	}
	return out, nil
}

// DirectoryEntries lists a directory's entries in order.
func (s *Store) DirectoryEntries(ctx context.Context, id string) ([]DirectoryEntry, error) {
	out := []DirectoryEntry{}
	if err := s.DB.SelectContext(ctx, &out, entrySelect+` WHERE directory_id = $1 ORDER BY seq`, id); err != nil {
		return nil, fmt.Errorf("entries of directory %s: %w", id, err)
	}
	return out, nil
}

// GetDirectoryEntry loads one entry.
func (s *Store) GetDirectoryEntry(ctx context.Context, id string) (DirectoryEntry, error) {
	var e DirectoryEntry
	if err := s.DB.GetContext(ctx, &e, entrySelect+` WHERE id = $1`, id); err != nil {
		return e, fmt.Errorf("directory entry %s: %w", id, mapErr(err))
	}
	return e, nil
}

// DirectoryAdjustments lists a directory's adjustments in order; entryID,
// when set, keeps those of one entry.
func (s *Store) DirectoryAdjustments(ctx context.Context, directoryID, entryID string) ([]DirectoryAdjustment, error) {
	out := []DirectoryAdjustment{}
	err := s.DB.SelectContext(ctx, &out, adjustmentSelect+` WHERE a.directory_id = $1 AND ($2 = '' OR a.entry_id::text = $2)
		ORDER BY a.seq`, directoryID, entryID)
	if err != nil {
		return nil, fmt.Errorf("adjustments of directory %s: %w", directoryID, err)
	}
	return out, nil
}

func insertEntry(ctx context.Context, t *dirTx, e *DirectoryEntry) error {
	e.ID, e.DirectoryID, e.State = uuid.NewString(), t.d.ID, EntryListed
	e.Seq = len(t.entries) + 1
	e.CreatedAt, e.UpdatedAt = t.now, t.now
	e.CoUnits, e.ExpectedTracks = jsonArray(e.CoUnits), jsonArray(e.ExpectedTracks)
	_, err := t.tx.ExecContext(ctx, `INSERT INTO directory_entries (id, directory_id, seq, title, category, lead_unit, co_units,
		planned_start, planned_end, expected_tracks, no_tracks_reason, npc_track, state, created_at, updated_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$14)`,
		e.ID, e.DirectoryID, e.Seq, e.Title, e.Category, e.LeadUnit, string(e.CoUnits), e.PlannedStart, e.PlannedEnd,
		string(e.ExpectedTracks), e.NoTracksReason, e.NPCTrack, e.State, e.CreatedAt)
	if err != nil {
		return fmt.Errorf("insert directory entry: %w", mapErr(err))
	}
	return nil
}

// emptyNull is NULL for an absent JSON value.
func emptyNull(r json.RawMessage) *string {
	if len(r) == 0 {
		return nil
	}
	s := string(r)
	return &s
}

func jsonArray(r json.RawMessage) json.RawMessage {
	if len(r) == 0 || string(r) == "null" {
		return json.RawMessage(`[]`)
	}
	return r
}

// AddDirectoryEntry adds an entry to a draft directory (R-DIR-02 is the
// guard's); a published directory changes only by adjustment
// (ErrDirectoryState).
func (s *Store) AddDirectoryEntry(ctx context.Context, directoryID string, e DirectoryEntry, actor DirectoryEvent, guard DirectoryGuard) (DirectoryEntry, DirectoryEvent, error) {
	ev, err := s.changeDirectory(ctx, directoryID, actor, guard, func(t *dirTx) (DirectoryEvent, error) {
		if t.d.State != DirectoryDraft {
			return DirectoryEvent{}, ErrDirectoryState
		}
		if err := insertEntry(ctx, t, &e); err != nil {
			return DirectoryEvent{}, err
		}
		return DirectoryEvent{EventKey: "entry-" + e.ID, Action: ActionDirectoryEntryAdded, Data: marshalData(map[string]any{"entry": e})}, nil
	})
	if err != nil {
		return DirectoryEntry{}, DirectoryEvent{}, err
	}
	return e, ev, nil
}

// RecordDirectoryConsent records the Party committee's consent (R-DIR-01) on
// a draft directory: its document reference and date (YYYY-MM-DD).
func (s *Store) RecordDirectoryConsent(ctx context.Context, directoryID, ref, date string, actor DirectoryEvent) (Directory, DirectoryEvent, error) {
	var d Directory
	ev, err := s.changeDirectory(ctx, directoryID, actor, nil, func(t *dirTx) (DirectoryEvent, error) {
		if t.d.State != DirectoryDraft {
			return DirectoryEvent{}, ErrDirectoryState
		}
		if _, err := t.tx.ExecContext(ctx, `UPDATE directories SET consent_ref = $2, consent_date = $3, updated_at = $4 WHERE id = $1`,
			directoryID, ref, date, t.now); err != nil {
			return DirectoryEvent{}, fmt.Errorf("record consent: %w", mapErr(err))
		}
		d = t.d
		d.ConsentRef, d.ConsentDate, d.UpdatedAt = ref, date, t.now
		return DirectoryEvent{EventKey: eventKey("consent"), Action: ActionDirectoryConsent,
			Data: marshalData(map[string]any{"consent_ref": ref, "consent_date": date})}, nil
	})
	if err != nil {
		return Directory{}, DirectoryEvent{}, err
	}
	d.AuditSeq, d.AuditHead = ev.Seq, ev.Hash
	return d, ev, nil
}

// PublishDirectory publishes a draft directory on the given date, after the
// guard (R-DIR-01) accepted it.
func (s *Store) PublishDirectory(ctx context.Context, directoryID, on, website string, actor DirectoryEvent, guard DirectoryGuard) (Directory, DirectoryEvent, error) {
	var d Directory
	ev, err := s.changeDirectory(ctx, directoryID, actor, guard, func(t *dirTx) (DirectoryEvent, error) {
		if t.d.State != DirectoryDraft {
			return DirectoryEvent{}, ErrDirectoryState
		}
		if _, err := t.tx.ExecContext(ctx, `UPDATE directories SET state = 'published', published_on = $2, published_at = $3,
			website = $4, updated_at = $3 WHERE id = $1`, directoryID, on, t.now, website); err != nil {
			return DirectoryEvent{}, fmt.Errorf("publish directory: %w", mapErr(err))
		}
		d = t.d
		d.State, d.PublishedOn, d.PublishedAt, d.Website, d.UpdatedAt = DirectoryPublished, on, &t.now, website, t.now
		listed := 0
		for _, e := range t.entries {
			if e.State == EntryListed {
				listed++
			}
		}
		return DirectoryEvent{EventKey: "published", Action: ActionDirectoryPublished, Data: marshalData(map[string]any{
			"published_on": on, "website": website, "consent_ref": t.d.ConsentRef, "consent_date": t.d.ConsentDate, "entries": listed})}, nil
	})
	if err != nil {
		return Directory{}, DirectoryEvent{}, err
	}
	d.AuditSeq, d.AuditHead = ev.Seq, ev.Hash
	return d, ev, nil
}

// Adjustment is a change of a published directory. Kind add needs Entry (the
// new matter) and may name CaseID, an unlisted case it adds (R-DIR-04);
// remove, modify and exclude name EntryID, modify with the new Entry and
// exclude with Exclusion (R-DIR-05's ground, reason and approver).
type Adjustment struct {
	Kind        string
	EntryID     string
	Entry       *DirectoryEntry
	Exclusion   json.RawMessage
	Reason      string
	ConsentRef  string
	ConsentDate string // YYYY-MM-DD or ""
	CaseID      string
	CreatedBy   string
}

// AdjustDirectory records an adjustment of a published directory and applies
// it to the entry, in one transaction with its event. The guard sees the
// locked directory; the adjusted entry must be listed (ErrDirectoryState
// otherwise), and an added case must be an unlisted case of the organ
// (ErrNotFound otherwise).
func (s *Store) AdjustDirectory(ctx context.Context, directoryID string, a Adjustment, actor DirectoryEvent, guard DirectoryGuard) (DirectoryAdjustment, DirectoryEntry, DirectoryEvent, error) {
	var adj DirectoryAdjustment
	var entry DirectoryEntry
	ev, err := s.changeDirectory(ctx, directoryID, actor, guard, func(t *dirTx) (DirectoryEvent, error) {
		if t.d.State != DirectoryPublished {
			return DirectoryEvent{}, ErrDirectoryState
		}
		var before json.RawMessage
		switch a.Kind {
		case AdjustAdd:
			entry = *a.Entry
			if err := insertEntry(ctx, t, &entry); err != nil {
				return DirectoryEvent{}, err
			}
		case AdjustRemove, AdjustModify, AdjustExclude:
			i := -1
			for j, e := range t.entries {
				if e.ID == a.EntryID {
					i = j
				}
			}
			if i < 0 {
				return DirectoryEvent{}, fmt.Errorf("entry %s of directory %s: %w", a.EntryID, directoryID, ErrNotFound)
			}
			entry = t.entries[i]
			if entry.State != EntryListed {
				return DirectoryEvent{}, ErrDirectoryState
			}
			before = marshalData(entry)
			switch a.Kind {
			case AdjustRemove:
				entry.State = EntryRemoved
			case AdjustExclude:
				entry.State, entry.Exclusion = EntryExcluded, a.Exclusion
			case AdjustModify:
				n := *a.Entry
				entry.Title, entry.Category, entry.LeadUnit, entry.CoUnits = n.Title, n.Category, n.LeadUnit, jsonArray(n.CoUnits)
				entry.PlannedStart, entry.PlannedEnd, entry.ExpectedTracks = n.PlannedStart, n.PlannedEnd, jsonArray(n.ExpectedTracks)
				entry.NoTracksReason, entry.NPCTrack = n.NoTracksReason, n.NPCTrack
			}
			entry.UpdatedAt = t.now
			_, err := t.tx.ExecContext(ctx, `UPDATE directory_entries SET title = $2, category = $3, lead_unit = $4, co_units = $5,
				planned_start = $6, planned_end = $7, expected_tracks = $8, no_tracks_reason = $9, npc_track = $10,
				state = $11, exclusion = $12, updated_at = $13 WHERE id = $1`,
				entry.ID, entry.Title, entry.Category, entry.LeadUnit, string(entry.CoUnits), entry.PlannedStart, entry.PlannedEnd,
				string(entry.ExpectedTracks), entry.NoTracksReason, entry.NPCTrack, entry.State, emptyNull(entry.Exclusion), t.now)
			if err != nil {
				return DirectoryEvent{}, fmt.Errorf("adjust entry %s: %w", entry.ID, mapErr(err))
			}
		default:
			return DirectoryEvent{}, fmt.Errorf("unknown adjustment kind %q", a.Kind)
		}
		var seq int
		if err := t.tx.GetContext(ctx, &seq, `SELECT COALESCE(max(seq), 0) + 1 FROM directory_adjustments WHERE directory_id = $1`, directoryID); err != nil {
			return DirectoryEvent{}, fmt.Errorf("next adjustment: %w", err)
		}
		adj = DirectoryAdjustment{ID: uuid.NewString(), DirectoryID: directoryID, Seq: seq, Kind: a.Kind, EntryID: entry.ID,
			Reason: a.Reason, ConsentRef: a.ConsentRef, ConsentDate: a.ConsentDate, Before: before, After: marshalData(entry),
			CreatedBy: a.CreatedBy, CreatedByName: actor.ActorName, CreatedAt: t.now}
		if a.CaseID != "" {
			adj.CaseID = &a.CaseID
		}
		_, err := t.tx.ExecContext(ctx, `INSERT INTO directory_adjustments (id, directory_id, seq, kind, entry_id, reason,
			consent_ref, consent_date, before, after, case_id, created_by, created_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,NULLIF($8, '')::date,$9,$10,$11,$12,$13)`,
			adj.ID, adj.DirectoryID, adj.Seq, adj.Kind, adj.EntryID, adj.Reason, adj.ConsentRef, adj.ConsentDate,
			emptyNull(adj.Before), emptyNull(adj.After), adj.CaseID, adj.CreatedBy, adj.CreatedAt)
		if err != nil {
			return DirectoryEvent{}, fmt.Errorf("insert adjustment: %w", mapErr(err))
		}
		if a.CaseID != "" {
			// R-DIR-04: the unlisted case is now the added entry's.
			res, err := t.tx.ExecContext(ctx, `UPDATE directory_case_links SET entry_id = $2
				WHERE case_id = $1 AND entry_id IS NULL AND organ_id = $3`, a.CaseID, entry.ID, t.d.OrganID)
			if err != nil {
				return DirectoryEvent{}, fmt.Errorf("link case %s: %w", a.CaseID, err)
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return DirectoryEvent{}, fmt.Errorf("unlisted case %s of %s: %w", a.CaseID, t.d.OrganID, ErrNotFound)
			}
		}
		return DirectoryEvent{EventKey: "adjustment-" + adj.ID, Action: ActionDirectoryAdjusted, Data: marshalData(map[string]any{
			"adjustment": adj})}, nil
	})
	if err != nil {
		return DirectoryAdjustment{}, DirectoryEntry{}, DirectoryEvent{}, err
	}
	return adj, entry, ev, nil
}

// RecordDirectoryRefusal appends a refused change to the directory's record
// (action directory.refused); it changes nothing else.
func (s *Store) RecordDirectoryRefusal(ctx context.Context, directoryID string, data json.RawMessage, actor DirectoryEvent) (DirectoryEvent, error) {
	return s.changeDirectory(ctx, directoryID, actor, nil, func(*dirTx) (DirectoryEvent, error) {
		return DirectoryEvent{EventKey: eventKey("refused"), Action: ActionDirectoryRefused, Data: data}, nil
	})
}

// DirectoryTimeline returns a directory's events in chain order.
func (s *Store) DirectoryTimeline(ctx context.Context, id string) ([]DirectoryEvent, error) {
	evs := []DirectoryEvent{}
	if err := s.DB.SelectContext(ctx, &evs, `SELECT * FROM directory_events WHERE directory_id = $1 ORDER BY seq`, id); err != nil {
		return nil, fmt.Errorf("directory timeline %s: %w", id, err)
	}
	return evs, nil
}

// VerifyDirectory recomputes a directory's chain, as Verify does a case's.
func (s *Store) VerifyDirectory(ctx context.Context, id string) (Verification, error) {
	d, err := s.GetDirectory(ctx, id)
	if err != nil {
		return Verification{}, err
	}
	evs, err := s.DirectoryTimeline(ctx, id)
	if err != nil {
		return Verification{}, err
	}
	return VerifyDirectoryChainOf(d.HashAlg, evs, d.AuditSeq, d.AuditHead), nil
}

// VerifyDirectoryChain checks sequence, links and hashes of a directory's
// events, and the head recorded on the directory row.
func VerifyDirectoryChain(evs []DirectoryEvent, headSeq int64, headHash string) Verification {
	return VerifyDirectoryChainOf(suite.SHA256, evs, headSeq, headHash)
}

// VerifyDirectoryChainOf is VerifyDirectoryChain for a chain hashed with
// suite alg (the directory row records it).
func VerifyDirectoryChainOf(alg suite.Name, evs []DirectoryEvent, headSeq int64, headHash string) Verification {
	v := Verification{OK: true, Events: len(evs)}
	if !alg.Known() {
		v.OK = false
		v.Broken = &BrokenRecord{Reason: fmt.Sprintf("未知哈希算法 %q / unknown hash algorithm %q", alg, alg)}
		return v
	}
	prev := GenesisHash
	for i, e := range evs {
		fail := func(reason string) Verification {
			v.OK = false
			v.Broken = &BrokenRecord{Seq: e.Seq, Reason: reason}
			return v
		}
		if e.Seq != int64(i+1) {
			return fail(fmt.Sprintf("序号不连续 / sequence gap: expected %d", i+1))
		}
		if e.PrevHash != prev {
			return fail("prev_hash 与上一事件不符 / prev_hash does not match the previous event")
		}
		canon, err := e.Canonical()
		if err != nil {
			return fail("事件无法规范化 / event cannot be canonicalised")
		}
		h, err := ChainHashOf(alg, e.PrevHash, canon)
		if err != nil || h != e.Hash {
			return fail("哈希不符，事件内容被改动 / hash mismatch: event content was altered")
		}
		prev = e.Hash
	}
	if headSeq != int64(len(evs)) || (len(evs) > 0 && headHash != prev) {
		v.OK = false
		v.Broken = &BrokenRecord{Seq: headSeq, Reason: "链头与事件不符，事件被删除 / chain head does not match: events were removed"}
		return v
	}
	v.Head = prev
	return v
}

// verifyDirectoryChains is VerifyAll's step for the decision directories:
// every directory's chain recomputed against its row's head, as
// VerifyDirectory does one; events whose directory row is gone, and a
// directory whose events are all gone, are named too. Directories are few
// and their chains short, so this reads them in one ordered query.
func (s *Store) verifyDirectoryChains(ctx context.Context, a *reportBuilder) error {
	var heads []CaseHead
	if err := s.DB.SelectContext(ctx, &heads, `SELECT id AS case_id, audit_seq, audit_head, hash_alg FROM directories ORDER BY id`); err != nil {
		return fmt.Errorf("directory heads: %w", err)
	}
	byID := make(map[string]CaseHead, len(heads))
	for _, h := range heads {
		byID[h.CaseID] = h
	}
	a.r.Directories = len(heads)
	rows, err := s.DB.QueryxContext(ctx, `SELECT * FROM directory_events ORDER BY directory_id, seq`)
	if err != nil {
		return fmt.Errorf("directory events: %w", err)
	}
	defer rows.Close()
	seen := map[string]bool{}
	check := func(evs []DirectoryEvent) {
		if len(evs) == 0 {
			return
		}
		id := evs[0].DirectoryID
		seen[id] = true
		h, ok := byID[id]
		if !ok {
			a.add(AuditProblem{Kind: ProblemDirectoryOrphanEvents, DirectoryID: id, Seq: int64(len(evs)),
				Reason: fmt.Sprintf("决策事项目录已被删除，但留有 %d 个事件 / the directory row is gone but %d of its events remain", len(evs), len(evs))})
			return
		}
		if v := VerifyDirectoryChainOf(h.Alg, evs, h.Seq, h.Head); !v.OK {
			a.add(AuditProblem{Kind: ProblemDirectoryChain, DirectoryID: id, Seq: v.Broken.Seq, Reason: v.Broken.Reason})
		}
	}
	var evs []DirectoryEvent
	for rows.Next() {
		var e DirectoryEvent
		if err := rows.StructScan(&e); err != nil {
			return fmt.Errorf("scan directory event: %w", err)
		}
		a.r.DirectoryEvents++
		if len(evs) > 0 && e.DirectoryID != evs[0].DirectoryID {
			check(evs)
			evs = nil
		}
		evs = append(evs, e)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("directory events: %w", err)
	}
	check(evs)
	for _, h := range heads {
		if !seen[h.CaseID] && h.Seq > 0 {
			a.add(AuditProblem{Kind: ProblemDirectoryChain, DirectoryID: h.CaseID, Seq: h.Seq,
				Reason: fmt.Sprintf("目录的全部 %d 个事件已被删除 / all %d events of the directory were deleted", h.Seq, h.Seq)})
		}
	}
	return nil
}

// LinkedCase is a case started against a directory entry, or unlisted.
type LinkedCase struct {
	CaseID    string    `db:"case_id" json:"case_id"`
	Title     string    `db:"title" json:"title"`
	State     string    `db:"state" json:"state"`
	UnitID    string    `db:"unit_id" json:"unit_id"`
	CreatedAt time.Time `db:"created_at" json:"created_at"`
	LinkedAt  time.Time `db:"linked_at" json:"linked_at"`
}

// CaseLink is how a case started against its organ's directory.
type CaseLink struct {
	CaseID  string
	Title   string
	UnitID  string
	OrganID string
	Year    int
	EntryID string // "" = unlisted (R-DIR-04)
	// Tasks are the duties the link creates (R-DIR-04's directory_adjustment
	// task for the general office), recorded with the event.
	Tasks any
}

// LinkCase records how a case started against the directory: linked to
// EntryID, in the event chain of the entry's directory; or unlisted, in the
// chain of the organ's directory for the year when there is one (else only
// the link row is kept). It is idempotent per case.
func (s *Store) LinkCase(ctx context.Context, l CaseLink, actor DirectoryEvent) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		at := time.Now().UTC().Truncate(time.Microsecond)
		var entry *string
		if l.EntryID != "" {
			entry = &l.EntryID
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO directory_case_links (case_id, organ_id, year, entry_id, linked_at)
			VALUES ($1,$2,$3,$4,$5) ON CONFLICT (case_id) DO NOTHING`, l.CaseID, l.OrganID, l.Year, entry, at)
		if err != nil {
			return fmt.Errorf("link case %s: %w", l.CaseID, mapErr(err))
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // recorded before
		}
		var ds []Directory
		if l.EntryID != "" {
			err = tx.SelectContext(ctx, &ds, directorySelect+` WHERE id = (SELECT directory_id FROM directory_entries WHERE id = $1) FOR UPDATE`, l.EntryID)
		} else {
			err = tx.SelectContext(ctx, &ds, directorySelect+` WHERE organ_id = $1 AND year = $2 FOR UPDATE`, l.OrganID, l.Year)
		}
		if err != nil {
			return fmt.Errorf("directory of case %s: %w", l.CaseID, err)
		}
		if len(ds) == 0 {
			return nil // no directory of the organ this year: nothing to record it in
		}
		e := actor
		e.EventKey, e.At = "case-"+l.CaseID, at
		data := map[string]any{"case_id": l.CaseID, "title": l.Title, "unit_id": l.UnitID}
		if l.EntryID != "" {
			e.Action, data["entry_id"] = ActionDirectoryCaseLinked, l.EntryID
		} else {
			e.Action, data["rule"], data["tasks"] = ActionDirectoryUnlisted, "R-DIR-04", l.Tasks
		}
		e.Data = marshalData(data)
		_, err = appendDirectoryEvent(ctx, tx, ds[0], e)
		return err
	})
}

const linkedCaseSelect = `SELECT l.case_id, c.title, c.state, c.unit_id, c.created_at, l.linked_at
	FROM directory_case_links l JOIN cases c ON c.id = l.case_id`

// EntryCases lists the cases linked to an entry, oldest first.
func (s *Store) EntryCases(ctx context.Context, entryID string) ([]LinkedCase, error) {
	out := []LinkedCase{}
	if err := s.DB.SelectContext(ctx, &out, linkedCaseSelect+` WHERE l.entry_id = $1 ORDER BY l.linked_at, l.case_id`, entryID); err != nil {
		return nil, fmt.Errorf("cases of entry %s: %w", entryID, err)
	}
	return out, nil
}

// UnlistedCases lists the organ's cases of a year started without an entry
// and not added since (R-DIR-04), oldest first.
func (s *Store) UnlistedCases(ctx context.Context, organID string, year int) ([]LinkedCase, error) {
	out := []LinkedCase{}
	err := s.DB.SelectContext(ctx, &out, linkedCaseSelect+` WHERE l.organ_id = $1 AND l.year = $2 AND l.entry_id IS NULL
		ORDER BY l.linked_at, l.case_id`, organID, year)
	if err != nil {
		return nil, fmt.Errorf("unlisted cases of %s %d: %w", organID, year, err)
	}
	return out, nil
}

// CaseDirectoryState is a case's place in the directory, what R-DIR-03
// (rules.DirectoryMatterClosable) asks before the case is closed as not a
// major decision: the entry it started from ("" if unlisted), the entry's
// state, and the adjustment that took it out of the directory, if any.
type CaseDirectoryState struct {
	EntryID      string `db:"entry_id" json:"entry_id"`
	EntryState   string `db:"entry_state" json:"entry_state"`
	AdjustmentID string `db:"adjustment_id" json:"adjustment_id"`
}

// CaseDirectoryState looks up a case's place in the directory; a case with
// no link (started before the directory existed in Juece) has the zero value.
func (s *Store) CaseDirectoryState(ctx context.Context, caseID string) (CaseDirectoryState, error) {
	var out []CaseDirectoryState
	err := s.DB.SelectContext(ctx, &out, `SELECT COALESCE(l.entry_id::text, '') AS entry_id, COALESCE(e.state, '') AS entry_state,
		COALESCE((SELECT a.id::text FROM directory_adjustments a WHERE a.entry_id = e.id AND a.kind IN ('exclude', 'remove')
			ORDER BY a.seq DESC LIMIT 1), '') AS adjustment_id
		FROM directory_case_links l LEFT JOIN directory_entries e ON e.id = l.entry_id WHERE l.case_id = $1`, caseID)
	if err != nil {
		return CaseDirectoryState{}, fmt.Errorf("directory state of case %s: %w", caseID, err)
	}
	if len(out) == 0 {
		return CaseDirectoryState{}, nil
	}
	return out[0], nil
}

// OrgansWithGeneralOffice lists the decision organs whose configured general
// office (settings.general_office, Art. 42) is org: its staff compile their
// directories.
func (s *Store) OrgansWithGeneralOffice(ctx context.Context, org string) ([]string, error) {
	out := []string{}
	if err := s.DB.SelectContext(ctx, &out, `SELECT id FROM organisations WHERE settings ->> 'general_office' = $1 ORDER BY id`, org); err != nil {
		return nil, fmt.Errorf("organs of general office %s: %w", org, err)
	}
	return out, nil
}
