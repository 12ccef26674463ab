package participation

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/juece/juece/db"
)

// The expert pool of a government (决策咨询论证专家库, Art. 21) and the panels
// drawn from it for cases (Arts. 19–20, spec §4.5). The pool is kept by the
// government's office through the API; a panel's rows are written only by
// PanelHook inside the transaction of the case's audit event that records
// them.

// Exit flags and credit of an expert (R-EXP-06, Art. 41).
const (
	FlagNone         = ""
	FlagSuspended    = "suspended"    // 责令限期整改期间暂停选用
	FlagDisqualified = "disqualified" // 取消论证资格
	CreditGood       = "good"
	CreditCriticised = "criticised" // 通报批评
)

// Expert is one row of a government's pool.
type Expert struct {
	ID            string         `db:"id" json:"id"`
	Government    string         `db:"government" json:"government"`
	Name          string         `db:"name" json:"name"`
	Institution   bool           `db:"institution" json:"institution"`
	Fields        pq.StringArray `db:"fields" json:"fields"`
	EmployerID    string         `db:"employer_id" json:"employer_id,omitempty"`
	EmployerName  string         `db:"employer_name" json:"employer_name,omitempty"`
	Contact       string         `db:"contact" json:"contact,omitempty"`
	DifferingView bool           `db:"differing_view" json:"differing_view"`
	Credit        string         `db:"credit" json:"credit"`
	ExitFlag      string         `db:"exit_flag" json:"exit_flag"`
	FlagReason    string         `db:"flag_reason" json:"flag_reason,omitempty"`
	FlagOn        string         `db:"flag_on" json:"flag_on,omitempty"`
	CreatedBy     *string        `db:"created_by" json:"created_by,omitempty"`
	CreatedAt     time.Time      `db:"created_at" json:"created_at"`
	UpdatedAt     time.Time      `db:"updated_at" json:"updated_at"`
}

// Eligible says whether the expert may be selected at all (R-EXP-06).
func (e Expert) Eligible() bool { return e.ExitFlag == FlagNone }

const expertCols = `id, government, name, institution, fields, employer_id, employer_name, contact, differing_view,
	credit, exit_flag, flag_reason, COALESCE(to_char(flag_on, 'YYYY-MM-DD'), '') AS flag_on, created_by, created_at, updated_at`

func mapErr(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return db.ErrNotFound
	}
	var pe *pq.Error
	if errors.As(err, &pe) && pe.Code == "23505" {
		return fmt.Errorf("%w: %s", db.ErrConflict, pe.Constraint)
	}
	return err
}

// AddExpert enters an expert in a government's pool.
func (s *Store) AddExpert(ctx context.Context, e Expert) (Expert, error) {
	if e.ID == "" {
		e.ID = uuid.NewString()
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	e.CreatedAt, e.UpdatedAt = now, now
	if e.Credit == "" {
		e.Credit = CreditGood
	}
	_, err := s.DB.ExecContext(ctx, `INSERT INTO experts (id, government, name, institution, fields, employer_id, employer_name,
		contact, differing_view, credit, exit_flag, flag_reason, created_by, created_at, updated_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,'','',$11,$12,$12)`,
		e.ID, e.Government, e.Name, e.Institution, e.Fields, e.EmployerID, e.EmployerName, e.Contact, e.DifferingView, e.Credit, e.CreatedBy, now)
	if err != nil {
		return Expert{}, fmt.Errorf("add expert to pool of %s: %w", e.Government, mapErr(err))
	}
	return e, nil
}

// GetExpert reads one expert.
func (s *Store) GetExpert(ctx context.Context, id string) (Expert, error) {
	var e Expert
	if err := s.DB.GetContext(ctx, &e, `SELECT `+expertCols+` FROM experts WHERE id = $1`, id); err != nil {
		return e, fmt.Errorf("expert %s: %w", id, mapErr(err))
	}
	return e, nil
}

// Pool lists a government's experts, optionally of one field, by ID: the
// order in which a draw's candidates are recorded.
func (s *Store) Pool(ctx context.Context, government, field string) ([]Expert, error) {
	out := []Expert{}
	err := s.DB.SelectContext(ctx, &out, `SELECT `+expertCols+` FROM experts
		WHERE government = $1 AND ($2 = '' OR $2 = ANY (fields)) ORDER BY id`, government, field)
	if err != nil {
		return nil, fmt.Errorf("pool of %s: %w", government, err)
	}
	return out, nil
}

// FlagChange sets an expert's credit and exit flag (R-EXP-06), with reason
// and date; every change is kept in expert_flag_events.
type FlagChange struct {
	Credit   string
	ExitFlag string
	Reason   string
	On       string // YYYY-MM-DD
	ByID     string
	ByName   string
}

// SetFlags changes an expert's flags and appends the change to its history.
func (s *Store) SetFlags(ctx context.Context, id string, f FlagChange) (Expert, error) {
	tx, err := s.DB.BeginTxx(ctx, nil)
	if err != nil {
		return Expert{}, fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	now := time.Now().UTC().Truncate(time.Microsecond)
	var on any
	if f.On != "" {
		on = f.On
	}
	res, err := tx.ExecContext(ctx, `UPDATE experts SET credit = $2, exit_flag = $3, flag_reason = $4, flag_on = $5, updated_at = $6
		WHERE id = $1`, id, f.Credit, f.ExitFlag, f.Reason, on, now)
	if err != nil {
		return Expert{}, fmt.Errorf("flag expert %s: %w", id, mapErr(err))
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return Expert{}, fmt.Errorf("flag expert %s: %w", id, db.ErrNotFound)
	}
	var by any
	if f.ByID != "" {
		by = f.ByID
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO expert_flag_events (expert_id, credit, exit_flag, reason, flag_on, set_by, set_by_name, at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`, id, f.Credit, f.ExitFlag, f.Reason, on, by, f.ByName, now); err != nil {
		return Expert{}, fmt.Errorf("flag history of %s: %w", id, err)
	}
	if err := tx.Commit(); err != nil {
		return Expert{}, fmt.Errorf("commit: %w", err)
	}
	return s.GetExpert(ctx, id)
}

// FlagEvent is one past change of an expert's flags.
type FlagEvent struct {
	Credit    string    `db:"credit" json:"credit"`
	ExitFlag  string    `db:"exit_flag" json:"exit_flag"`
	Reason    string    `db:"reason" json:"reason"`
	On        *string   `db:"flag_on" json:"flag_on,omitempty"`
	SetByName string    `db:"set_by_name" json:"set_by"`
	At        time.Time `db:"at" json:"at"`
}

// FlagHistory lists an expert's flag changes, oldest first.
func (s *Store) FlagHistory(ctx context.Context, id string) ([]FlagEvent, error) {
	out := []FlagEvent{}
	err := s.DB.SelectContext(ctx, &out, `SELECT credit, exit_flag, reason, to_char(flag_on, 'YYYY-MM-DD') AS flag_on, set_by_name, at
		FROM expert_flag_events WHERE expert_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("flag history of %s: %w", id, err)
	}
	return out, nil
}

// Panel steps: what a case's expert-panel audit event carries for its rows.
const (
	StepDraw    = "draw"
	StepName    = "name"
	StepDeclare = "declare"
	StepOpinion = "opinion"
	StepDispose = "dispose"
	StepReport  = "report"
)

// PanelStep is the row change one expert-panel event makes. Bodies (the
// declaration, the opinion, the report) are read from the blob store by
// their SHA-256, where the server put them before asking the workflow.
type PanelStep struct {
	Kind     string   `json:"kind"`
	ExpertID string   `json:"expert_id,omitempty"`
	Experts  []string `json:"experts,omitempty"` // draw: the experts picked

	// draw
	DrawID     string   `json:"draw_id,omitempty"`
	Field      string   `json:"field,omitempty"`
	Seed       string   `json:"seed,omitempty"`
	Candidates []string `json:"candidates,omitempty"`
	Size       int      `json:"size,omitempty"`
	// name
	Rationale string `json:"rationale,omitempty"`
	// declare, opinion, report: the body's address
	SHA256         string `json:"sha256,omitempty"`
	DirectInterest bool   `json:"direct_interest,omitempty"`
	// dispose
	Disposition string `json:"disposition,omitempty"`
	Reason      string `json:"reason,omitempty"`
	ActorName   string `json:"actor_name,omitempty"`
}

// Declaration is the body of a conflict-of-interest declaration (R-EXP-03),
// as the expert made it.
type Declaration struct {
	CaseID          string `json:"case_id"`
	ExpertID        string `json:"expert_id"`
	DirectInterest  bool   `json:"direct_interest"`
	Interests       string `json:"interests"`
	Confidentiality bool   `json:"confidentiality"`
	SignedName      string `json:"signed_name"`
}

// Opinion is the body of an expert's written opinion (R-EXP-02, R-EXP-05).
type Opinion struct {
	CaseID      string `json:"case_id"`
	ExpertID    string `json:"expert_id"`
	Necessity   string `json:"necessity"`
	Feasibility string `json:"feasibility"`
	Scientific  string `json:"scientific"`
	Conclusion  string `json:"conclusion"`
	SignedName  string `json:"signed_name"`
	SealSHA256  string `json:"seal_sha256,omitempty"`
}

func readBody(ctx context.Context, tx *sqlx.Tx, sha string, v any) ([]byte, error) {
	var b []byte
	if err := tx.GetContext(ctx, &b, `SELECT content FROM documents WHERE sha256 = $1`, sha); err != nil {
		return nil, fmt.Errorf("body %s: %w", sha, mapErr(err))
	}
	if db.SHA256Hex(b) != sha {
		return nil, fmt.Errorf("body %s: %w", sha, db.ErrAltered)
	}
	if v != nil {
		if err := json.Unmarshal(b, v); err != nil {
			return nil, fmt.Errorf("body %s: %w", sha, err)
		}
	}
	return b, nil
}

// PanelHook writes the rows of an expert-panel step inside the transaction
// of its audit event ev (db.Step.Also).
func (s *Store) PanelHook(p PanelStep) func(ctx context.Context, tx *sqlx.Tx, ev db.AuditEvent) error {
	return func(ctx context.Context, tx *sqlx.Tx, ev db.AuditEvent) error {
		caseID, at := ev.CaseID, ev.At
		switch p.Kind {
		case StepDraw:
			cands, _ := json.Marshal(p.Candidates)
			picked, _ := json.Marshal(p.Experts)
			if _, err := tx.ExecContext(ctx, `INSERT INTO expert_draws (id, case_id, event_seq, field, seed, candidates, size, picked, drawn_by, at)
				VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)`, p.DrawID, caseID, ev.Seq, p.Field, p.Seed, cands, p.Size, picked, p.ActorName, at); err != nil {
				return fmt.Errorf("draw of case %s: %w", caseID, mapErr(err))
			}
			for _, id := range p.Experts {
				if _, err := tx.ExecContext(ctx, `INSERT INTO panel_members (case_id, expert_id, source, draw_id, state, selected_seq, selected_at)
					VALUES ($1,$2,'draw',$3,'selected',$4,$5)`, caseID, id, p.DrawID, ev.Seq, at); err != nil {
					return fmt.Errorf("panel member %s: %w", id, mapErr(err))
				}
			}
		case StepName:
			if _, err := tx.ExecContext(ctx, `INSERT INTO panel_members (case_id, expert_id, source, rationale, state, selected_seq, selected_at)
				VALUES ($1,$2,'named',$3,'selected',$4,$5)`, caseID, p.ExpertID, p.Rationale, ev.Seq, at); err != nil {
				return fmt.Errorf("panel member %s: %w", p.ExpertID, mapErr(err))
			}
		case StepDeclare:
			var d Declaration
			if _, err := readBody(ctx, tx, p.SHA256, &d); err != nil {
				return err
			}
			state := "declared"
			if d.DirectInterest {
				state = "recused"
			}
			return one(tx.ExecContext(ctx, `UPDATE panel_members SET state = $3, declared_at = $4, declared_seq = $5, direct_interest = $6,
				interests = $7, declaration_sha256 = $8 WHERE case_id = $1 AND expert_id = $2 AND state = 'selected'`,
				caseID, p.ExpertID, state, at, ev.Seq, d.DirectInterest, d.Interests, p.SHA256))
		case StepOpinion:
			var o Opinion
			if _, err := readBody(ctx, tx, p.SHA256, &o); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO expert_opinions (case_id, expert_id, event_seq, necessity, feasibility, scientific,
				conclusion, signed_name, seal_sha256, body_sha256, submitted_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)`,
				caseID, p.ExpertID, ev.Seq, o.Necessity, o.Feasibility, o.Scientific, o.Conclusion, o.SignedName, o.SealSHA256, p.SHA256, at); err != nil {
				return fmt.Errorf("opinion of %s: %w", p.ExpertID, mapErr(err))
			}
			return one(tx.ExecContext(ctx, `UPDATE panel_members SET state = 'opined' WHERE case_id = $1 AND expert_id = $2 AND state = 'declared'`,
				caseID, p.ExpertID))
		case StepDispose:
			return one(tx.ExecContext(ctx, `UPDATE expert_opinions SET disposition = $3, disposition_reason = $4, disposed_by = $5,
				disposed_at = $6, disposed_seq = $7 WHERE case_id = $1 AND expert_id = $2`,
				caseID, p.ExpertID, p.Disposition, p.Reason, p.ActorName, at, ev.Seq))
		case StepReport:
			b, err := readBody(ctx, tx, p.SHA256, nil)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO expert_adoption_reports (case_id, event_seq, sha256, body, at) VALUES ($1,$2,$3,$4,$5)`,
				caseID, ev.Seq, p.SHA256, string(b), at); err != nil {
				return fmt.Errorf("adoption report of %s: %w", caseID, mapErr(err))
			}
		default:
			return fmt.Errorf("unknown panel step %q", p.Kind)
		}
		return nil
	}
}

func one(res sql.Result, err error) error {
	if err != nil {
		return fmt.Errorf("panel row: %w", mapErr(err))
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("panel row: %w", db.ErrConflict)
	}
	return nil
}

// Member is one expert of a case's panel, with their opinion if any.
type Member struct {
	ExpertID          string         `db:"expert_id" json:"expert_id"`
	Name              string         `db:"name" json:"name"`
	Institution       bool           `db:"institution" json:"institution"`
	EmployerName      string         `db:"employer_name" json:"employer_name,omitempty"`
	DifferingView     bool           `db:"differing_view" json:"differing_view"`
	Source            string         `db:"source" json:"source"`
	Rationale         string         `db:"rationale" json:"rationale,omitempty"`
	State             string         `db:"state" json:"state"`
	SelectedAt        time.Time      `db:"selected_at" json:"selected_at"`
	DeclaredAt        *time.Time     `db:"declared_at" json:"declared_at,omitempty"`
	DirectInterest    *bool          `db:"direct_interest" json:"direct_interest,omitempty"`
	Interests         string         `db:"interests" json:"interests,omitempty"`
	DeclarationSHA256 string         `db:"declaration_sha256" json:"declaration_sha256,omitempty"`
	Opinion           *MemberOpinion `db:"-" json:"opinion,omitempty"`
}

// MemberOpinion is an expert's opinion and the unit's disposition of it.
type MemberOpinion struct {
	ExpertID          string     `db:"expert_id" json:"-"`
	Necessity         string     `db:"necessity" json:"necessity"`
	Feasibility       string     `db:"feasibility" json:"feasibility"`
	Scientific        string     `db:"scientific" json:"scientific"`
	Conclusion        string     `db:"conclusion" json:"conclusion"`
	SignedName        string     `db:"signed_name" json:"signed_name"`
	SealSHA256        string     `db:"seal_sha256" json:"seal_sha256,omitempty"`
	BodySHA256        string     `db:"body_sha256" json:"body_sha256"`
	SubmittedAt       time.Time  `db:"submitted_at" json:"submitted_at"`
	Disposition       string     `db:"disposition" json:"disposition"`
	DispositionReason string     `db:"disposition_reason" json:"disposition_reason,omitempty"`
	DisposedBy        string     `db:"disposed_by" json:"disposed_by,omitempty"`
	DisposedAt        *time.Time `db:"disposed_at" json:"disposed_at,omitempty"`
}

// Draw is a recorded draw.
type Draw struct {
	ID         string          `db:"id" json:"id"`
	EventSeq   int64           `db:"event_seq" json:"event_seq"`
	Field      string          `db:"field" json:"field"`
	Seed       string          `db:"seed" json:"seed"`
	Candidates json.RawMessage `db:"candidates" json:"candidates"`
	Size       int             `db:"size" json:"size"`
	Picked     json.RawMessage `db:"picked" json:"picked"`
	DrawnBy    string          `db:"drawn_by" json:"drawn_by"`
	At         time.Time       `db:"at" json:"at"`
}

// Report is a recorded adoption report.
type Report struct {
	EventSeq int64     `db:"event_seq" json:"event_seq"`
	SHA256   string    `db:"sha256" json:"sha256"`
	Body     string    `db:"body" json:"-"`
	At       time.Time `db:"at" json:"at"`
}

// PanelView is a case's panel as recorded.
type PanelView struct {
	Members []Member `json:"members"`
	Draws   []Draw   `json:"draws"`
	Report  *Report  `json:"report,omitempty"`
}

// Panel reads a case's panel, its draws, opinions and latest report.
func (s *Store) Panel(ctx context.Context, caseID string) (PanelView, error) {
	v := PanelView{Members: []Member{}, Draws: []Draw{}}
	err := s.DB.SelectContext(ctx, &v.Members, `SELECT m.expert_id, e.name, e.institution, e.employer_name, e.differing_view, m.source,
		m.rationale, m.state, m.selected_at, m.declared_at, m.direct_interest, m.interests, m.declaration_sha256
		FROM panel_members m JOIN experts e ON e.id = m.expert_id WHERE m.case_id = $1 ORDER BY m.selected_seq, e.id`, caseID)
	if err != nil {
		return v, fmt.Errorf("panel of %s: %w", caseID, err)
	}
	var ops []MemberOpinion
	if err := s.DB.SelectContext(ctx, &ops, `SELECT expert_id, necessity, feasibility, scientific, conclusion, signed_name, seal_sha256,
		body_sha256, submitted_at, disposition, disposition_reason, disposed_by, disposed_at FROM expert_opinions WHERE case_id = $1`, caseID); err != nil {
		return v, fmt.Errorf("opinions of %s: %w", caseID, err)
	}
	for i := range ops {
		for j := range v.Members {
			if v.Members[j].ExpertID == ops[i].ExpertID {
				v.Members[j].Opinion = &ops[i]
			}
		}
	}
	if err := s.DB.SelectContext(ctx, &v.Draws, `SELECT id, event_seq, field, seed, candidates, size, picked, drawn_by, at
		FROM expert_draws WHERE case_id = $1 ORDER BY at, id`, caseID); err != nil {
		return v, fmt.Errorf("draws of %s: %w", caseID, err)
	}
	var reps []Report
	if err := s.DB.SelectContext(ctx, &reps, `SELECT event_seq, sha256, body, at FROM expert_adoption_reports
		WHERE case_id = $1 ORDER BY event_seq DESC LIMIT 1`, caseID); err != nil {
		return v, fmt.Errorf("report of %s: %w", caseID, err)
	}
	if len(reps) == 1 {
		v.Report = &reps[0]
	}
	return v, nil
}

// PanelMembers lists the expert IDs ever on a case's panel (drawn, named,
// recused): a new draw does not pick them again.
func (s *Store) PanelMembers(ctx context.Context, caseID string) ([]string, error) {
	var ids []string
	if err := s.DB.SelectContext(ctx, &ids, `SELECT expert_id FROM panel_members WHERE case_id = $1`, caseID); err != nil {
		return nil, fmt.Errorf("panel of %s: %w", caseID, err)
	}
	return ids, nil
}
