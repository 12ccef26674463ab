package participation

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/juece/juece/db"
)

// Hearings (听证会, Art. 16–17): the published notice, method, draw and list
// are read from the case's audit chain (the hearing_step events the case
// workflow recorded), so the portal needs nothing but PostgreSQL; the
// applicants' registrations are rows of hearing_registrations.

// Audit actions of the hearing steps (workflows/participation.Steps, as
// "hearing.<step>") that the portal reads.
const (
	ActionHearingNotice     = "hearing.notice"
	ActionHearingMethod     = "hearing.method"
	ActionHearingDraw       = "hearing.draw"
	ActionHearingList       = "hearing.publish_list"
	ActionHearingRegistered = "hearing.registered"
)

// Registration errors: what an applicant did wrong or too late.
var (
	ErrNoHearing          = errors.New("hearing: no published notice")
	ErrRegistrationClosed = errors.New("hearing: registration closed")
	ErrAlreadyRegistered  = errors.New("hearing: already registered with this contact")
	ErrUnknownSide        = errors.New("hearing: not a side of the notice")
)

// HearingNotice is a hearing as published: the notice, and once they are
// out, the selection method, the draw and the participant list.
type HearingNotice struct {
	CaseID   string `json:"case_id"`
	TaskID   string `json:"task_id"`
	Title    string `json:"title"`
	UnitName string `json:"unit_name"`
	Seq      int64  `json:"seq"`
	// Number is the case's 编号, from the case row (not the event).
	Number string `json:"-"`

	HearingDate        string    `json:"hearing_date"`
	StartTime          string    `json:"start_time"`
	Place              string    `json:"place"`
	DraftSHA256        string    `json:"draft_sha256"`
	Explanation        string    `json:"explanation"`
	RegistrationCloses string    `json:"registration_closes"`
	Sides              []string  `json:"sides"`
	PublishedOn        string    `json:"published_on"`
	PublishedAt        time.Time `json:"published_at"`

	Method *PublishedMethod `json:"method,omitempty"`
	Draw   *PublishedDraw   `json:"draw,omitempty"`
	// List is the participant list once published (names and sides).
	List            []Listed `json:"list,omitempty"`
	ListPublishedOn string   `json:"list_published_on,omitempty"`
}

// PublishedMethod is the selection method as published.
type PublishedMethod struct {
	Kind           string    `json:"kind"`
	Seats          int       `json:"seats"`
	Text           string    `json:"text"`
	SeedCommitment string    `json:"seed_commitment"`
	PublishedAt    time.Time `json:"published_at"`
}

// PublishedDraw is the draw as recorded: seed, candidates and result.
type PublishedDraw struct {
	Seed       string `json:"seed"`
	Candidates []struct {
		ID   string `json:"id"`
		Name string `json:"name"`
		Side string `json:"side"`
	} `json:"candidates"`
	Selected []string  `json:"selected"`
	At       time.Time `json:"at"`
}

// Listed is one name of the published participant list.
type Listed struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Side string `json:"side"`
}

// RegistrationOpen says whether applicants may register on day
// (YYYY-MM-DD, Beijing): from the notice to its closing day inclusive, and
// never once the draw was made.
func (n HearingNotice) RegistrationOpen(day string) bool {
	return n.Draw == nil && day >= n.PublishedOn && day <= n.RegistrationCloses
}

type hearingEvent struct {
	Seq    int64           `db:"seq"`
	Action string          `db:"action"`
	Data   json.RawMessage `db:"data"`
	CaseID string          `db:"case_id"`
	Title  string          `db:"title"`
	Number string          `db:"number"`
	Unit   string          `db:"unit_name"`
}

// HearingNotice reads the hearing of task taskID as published;
// ErrNoHearing when no notice is out.
func (s *Store) HearingNotice(ctx context.Context, taskID string) (HearingNotice, error) {
	return hearingNotice(ctx, s.DB, taskID)
}

func hearingNotice(ctx context.Context, q sqlx.QueryerContext, taskID string) (HearingNotice, error) {
	if _, err := uuid.Parse(taskID); err != nil {
		return HearingNotice{}, ErrNoHearing
	}
	var evs []hearingEvent
	err := sqlx.SelectContext(ctx, q, &evs, `SELECT e.seq, e.action, e.data, e.case_id, c.title, c.number, COALESCE(o.name, c.unit_id) AS unit_name
		FROM audit_events e JOIN cases c ON c.id = e.case_id LEFT JOIN organisations o ON o.id = c.unit_id
		WHERE e.task_id = $1 AND e.action = ANY($2) ORDER BY e.seq`, taskID,
		pq.Array([]string{ActionHearingNotice, ActionHearingMethod, ActionHearingDraw, ActionHearingList}))
	if err != nil {
		return HearingNotice{}, fmt.Errorf("hearing %s: %w", taskID, err)
	}
	var n HearingNotice
	found := false
	for _, ev := range evs {
		var d struct {
			Notice       *HearingNotice   `json:"notice"`
			Method       *PublishedMethod `json:"method"`
			Draw         *PublishedDraw   `json:"draw"`
			Participants []Listed         `json:"participants"`
			PublishedOn  string           `json:"published_on"`
		}
		if err := json.Unmarshal(ev.Data, &d); err != nil {
			return HearingNotice{}, fmt.Errorf("hearing %s event %d: %w", taskID, ev.Seq, err)
		}
		switch ev.Action {
		case ActionHearingNotice:
			if d.Notice != nil {
				n, found = *d.Notice, true
				n.CaseID, n.TaskID, n.Title, n.UnitName, n.Seq = ev.CaseID, taskID, ev.Title, ev.Unit, ev.Seq
				n.Number = ev.Number
			}
		case ActionHearingMethod:
			n.Method = d.Method
		case ActionHearingDraw:
			n.Draw = d.Draw
		case ActionHearingList:
			n.List, n.ListPublishedOn = d.Participants, d.PublishedOn
		}
	}
	if !found {
		return HearingNotice{}, ErrNoHearing
	}
	return n, nil
}

// OpenHearingNotices lists the published hearings whose day is on or after
// day, soonest first.
func (s *Store) OpenHearingNotices(ctx context.Context, day string) ([]HearingNotice, error) {
	var tasks []string
	err := s.DB.SelectContext(ctx, &tasks, `SELECT task_id FROM audit_events
		WHERE action = $1 AND data::jsonb -> 'notice' ->> 'hearing_date' >= $2
		ORDER BY data::jsonb -> 'notice' ->> 'hearing_date', task_id`, ActionHearingNotice, day)
	if err != nil {
		return nil, fmt.Errorf("open hearings on %s: %w", day, err)
	}
	out := make([]HearingNotice, 0, len(tasks))
	for _, t := range tasks {
		n, err := s.HearingNotice(ctx, t)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

// Registration is one applicant's registration.
type Registration struct {
	ID         string    `db:"id" json:"id"`
	CaseID     string    `db:"case_id" json:"case_id"`
	TaskID     string    `db:"task_id" json:"task_id"`
	Name       string    `db:"name" json:"name"`
	Contact    string    `db:"contact" json:"contact"`
	Side       string    `db:"side" json:"side"`
	Interest   string    `db:"interest" json:"interest,omitempty"`
	ReceivedAt time.Time `db:"received_at" json:"received_at"`
	ClientAddr string    `db:"client_addr" json:"-"`
	// ContactDigest is the keyed digest of the contact when it is sealed
	// (migration 00141): what keeps one registration per contact.
	ContactDigest string `db:"contact_digest" json:"-"`
}

// ApplicantActorID is the actor ID of an applicant's own registration.
func ApplicantActorID(registrationID string) string { return "applicant:" + registrationID }

// Register stores an applicant's registration for the hearing of taskID and
// its hearing.registered event (name and side; never the contact), in one
// transaction under the case's chain lock, so that no registration slips in
// after the draw: the draw's event is written under the same lock.
// day is today in Beijing (the server's clock).
func (s *Store) Register(ctx context.Context, r Registration, day string, requestID string) (Registration, db.AuditEvent, error) {
	var ev db.AuditEvent
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		n, err := hearingNotice(ctx, tx, r.TaskID)
		if err != nil {
			return err
		}
		var locked string
		if err := tx.GetContext(ctx, &locked, `SELECT id FROM cases WHERE id = $1 FOR UPDATE`, n.CaseID); err != nil {
			return fmt.Errorf("lock case %s: %w", n.CaseID, err)
		}
		// Read again under the lock: the draw may have been recorded meanwhile.
		if n, err = hearingNotice(ctx, tx, r.TaskID); err != nil {
			return err
		}
		if !n.RegistrationOpen(day) {
			return ErrRegistrationClosed
		}
		if !slices.Contains(n.Sides, r.Side) {
			return ErrUnknownSide
		}
		digest := ""
		if s.Sealer != nil {
			digest = s.Sealer.Digest(r.Contact)
		}
		var dup int
		if err := tx.GetContext(ctx, &dup, `SELECT count(*) FROM hearing_registrations WHERE task_id = $1
			AND (contact = $2 OR (contact_digest <> '' AND contact_digest = $3))`, r.TaskID, r.Contact, digest); err != nil {
			return fmt.Errorf("registration lookup: %w", err)
		}
		if dup > 0 {
			return ErrAlreadyRegistered
		}
		r.ID, r.CaseID, r.ReceivedAt = uuid.NewString(), n.CaseID, time.Now().UTC().Truncate(time.Microsecond)
		stored := r
		if stored.Contact, err = db.SealContact(s.Sealer, r.Contact, r.ID); err != nil {
			return err
		}
		stored.ContactDigest = digest
		if _, err := tx.NamedExecContext(ctx, `INSERT INTO hearing_registrations
			(id, case_id, task_id, name, contact, side, interest, received_at, client_addr, contact_digest)
			VALUES (:id, :case_id, :task_id, :name, :contact, :side, :interest, :received_at, :client_addr, :contact_digest)`, stored); err != nil {
			return fmt.Errorf("insert registration: %w", err)
		}
		data, _ := json.Marshal(map[string]any{"registration_id": r.ID, "task_id": r.TaskID, "name": r.Name, "side": r.Side})
		ev, _, err = db.AppendEventTx(ctx, tx, db.AuditEvent{CaseID: r.CaseID, EventKey: "hearing-registration/" + r.ID, At: r.ReceivedAt,
			Action: ActionHearingRegistered, ActorID: ApplicantActorID(r.ID), ActorName: r.Name, ActorRole: "hearing_applicant",
			TaskID: r.TaskID, RequestID: requestID, ClientAddr: r.ClientAddr, Data: data})
		return err
	})
	return r, ev, err
}

// Registrations lists a hearing's registrations in arrival order (with
// contact: for the undertaking unit only).
func (s *Store) Registrations(ctx context.Context, taskID string) ([]Registration, error) {
	out := []Registration{}
	err := s.DB.SelectContext(ctx, &out, `SELECT * FROM hearing_registrations WHERE task_id = $1 ORDER BY received_at, id`, taskID)
	if err != nil {
		return nil, fmt.Errorf("registrations of %s: %w", taskID, err)
	}
	for i := range out {
		if out[i].Contact, err = db.OpenContact(s.Sealer, out[i].Contact, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// GetRegistration is one registration of a hearing.
func (s *Store) GetRegistration(ctx context.Context, taskID, id string) (Registration, error) {
	var r Registration
	if _, err := uuid.Parse(id); err != nil {
		return r, db.ErrNotFound
	}
	err := s.DB.GetContext(ctx, &r, `SELECT * FROM hearing_registrations WHERE task_id = $1 AND id = $2`, taskID, id)
	if errors.Is(err, sql.ErrNoRows) {
		return r, db.ErrNotFound
	}
	if err != nil {
		return r, err
	}
	r.Contact, err = db.OpenContact(s.Sealer, r.Contact, r.ID)
	return r, err
}
