// Package registry is the register of institutions (机构登记): research
// institutes, universities, consultancies, law firms and social organisations
// identified by their unified social credit code or a register ID, from which
// risk assessors, evaluators, third parties, hearing organisers and experts'
// employers are chosen. Imported by server, activities and db/participation;
// it imports neither echo nor Temporal.
package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/juece/juece/db"
	"github.com/juece/juece/workflows/rules"
)

// Kinds of institution, as the independence rules and the forms name them.
const (
	KindResearch      = "research_institute"  // 科研机构
	KindUniversity    = "university"          // 高等院校
	KindConsultancy   = "consultancy"         // 咨询、评估机构
	KindLawFirm       = "law_firm"            // 律师事务所
	KindAccounting    = "accounting_firm"     // 会计师事务所
	KindSocialOrg     = "social_organisation" // 社会组织
	KindEnterprise    = "enterprise"          // 企业
	KindPublicService = "public_institution"  // 事业单位
	KindOrgan         = "state_organ"         // 国家机关
	KindOther         = "other"               // 其他
)

// Kinds lists every kind, in the order forms offer them.
var Kinds = []string{KindResearch, KindUniversity, KindConsultancy, KindLawFirm, KindAccounting, KindSocialOrg,
	KindEnterprise, KindPublicService, KindOrgan, KindOther}

// KindNames are the kinds' Chinese names.
var KindNames = map[string]string{
	KindResearch: "科研机构", KindUniversity: "高等院校", KindConsultancy: "咨询、评估机构", KindLawFirm: "律师事务所",
	KindAccounting: "会计师事务所", KindSocialOrg: "社会组织", KindEnterprise: "企业", KindPublicService: "事业单位",
	KindOrgan: "国家机关", KindOther: "其他",
}

// Institution is one registered institution. Exactly one of CreditCode and
// RegisterID identifies it; Key returns that identity.
type Institution struct {
	ID             string    `db:"id" json:"id" format:"uuid"`
	CreditCode     *string   `db:"credit_code" json:"credit_code,omitempty" description:"统一社会信用代码（18 位）"`
	RegisterIssuer *string   `db:"register_issuer" json:"register_issuer,omitempty" description:"无统一社会信用代码时：登记机关或名录"`
	RegisterID     *string   `db:"register_id" json:"register_id,omitempty" description:"无统一社会信用代码时：该名录中的编号"`
	Name           string    `db:"name" json:"name"`
	Kind           string    `db:"kind" json:"kind"`
	CreatedBy      string    `db:"created_by" json:"created_by" format:"uuid"`
	CreatedOrg     string    `db:"created_org" json:"created_org"`
	CreatedAt      time.Time `db:"created_at" json:"created_at"`
}

// Key is the institution's identity as the independence rules compare it:
// "USCC:<code>" or "REG:<issuer>:<id>". Two records with the same key are
// the same institution whatever their names.
func (i Institution) Key() string {
	if i.CreditCode != nil {
		return "USCC:" + *i.CreditCode
	}
	if i.RegisterID != nil {
		return "REG:" + deref(i.RegisterIssuer) + ":" + *i.RegisterID
	}
	return ""
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// Input is a new institution as a caller gives it.
type Input struct {
	CreditCode     string `json:"credit_code,omitempty" maxLength:"18" description:"统一社会信用代码（18 位，校验位按 GB 32100-2015 核对）；与 register_id 二选一"`
	RegisterIssuer string `json:"register_issuer,omitempty" maxLength:"100" description:"无统一社会信用代码时：登记机关或名录名称"`
	RegisterID     string `json:"register_id,omitempty" maxLength:"64" description:"无统一社会信用代码时：该名录中的编号"`
	Name           string `json:"name" required:"true" maxLength:"200" description:"机构名称"`
	Kind           string `json:"kind" required:"true" description:"机构类别"`
}

// FieldProblem is one field of an Input that cannot be registered.
type FieldProblem struct {
	Field, ZH, EN string
}

// Check normalises in and lists what is wrong with it, field by field: a
// credit code must pass GB 32100-2015's check; without one, a register ID and
// its issuer are both needed; a name and a known kind always.
func (in *Input) Check() []FieldProblem {
	var ps []FieldProblem
	in.CreditCode = rules.NormalizeCreditCode(in.CreditCode)
	in.RegisterIssuer = strings.TrimSpace(in.RegisterIssuer)
	in.RegisterID = strings.TrimSpace(in.RegisterID)
	in.Name = strings.TrimSpace(in.Name)
	switch {
	case in.CreditCode != "" && (in.RegisterID != "" || in.RegisterIssuer != ""):
		ps = append(ps, FieldProblem{"register_id", "已填统一社会信用代码的，不再填写其他登记编号。", "Give a credit code or a register ID, not both."})
	case in.CreditCode != "":
		if zh, en := rules.CreditCodeProblem(in.CreditCode); zh != "" {
			ps = append(ps, FieldProblem{"credit_code", zh, en})
		}
	case in.RegisterID == "" && in.RegisterIssuer == "":
		ps = append(ps, FieldProblem{"credit_code", "须填写统一社会信用代码；没有的，填写登记名录及编号。", "A credit code is required, or for an institution without one, a register and its ID."})
	case in.RegisterID == "":
		ps = append(ps, FieldProblem{"register_id", "须填写该名录中的编号。", "The ID in that register is required."})
	case in.RegisterIssuer == "":
		ps = append(ps, FieldProblem{"register_issuer", "须填写登记名录或登记机关。", "The register (or registering authority) is required."})
	}
	if in.Name == "" {
		ps = append(ps, FieldProblem{"name", "须填写机构名称。", "The name is required."})
	}
	if !contains(Kinds, in.Kind) {
		ps = append(ps, FieldProblem{"kind", "机构类别不在可选范围内。", "The kind is not one of the register's kinds."})
	}
	return ps
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// Store reads and writes the register on the application's pool.
type Store struct {
	DB *sqlx.DB
}

// New returns the register over d.
func New(d *sqlx.DB) *Store { return &Store{DB: d} }

// Register adds in (which Check must have passed) as registered by user of
// org. If its identity is registered already, it returns that institution
// and created false: the register holds one row per identity, under the
// name it was first registered with.
func (s *Store) Register(ctx context.Context, in Input, userID, orgID string) (inst Institution, created bool, err error) {
	nullable := func(v string) *string {
		if v == "" {
			return nil
		}
		return &v
	}
	code, issuer, rid := nullable(in.CreditCode), nullable(in.RegisterIssuer), nullable(in.RegisterID)
	// ON CONFLICT DO NOTHING and read back: two servers registering the same
	// code at once both answer with the one row.
	err = s.DB.GetContext(ctx, &inst, `INSERT INTO institutions (id, credit_code, register_issuer, register_id, name, kind, created_by, created_org)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT DO NOTHING RETURNING *`,
		uuid.NewString(), code, issuer, rid, in.Name, in.Kind, userID, orgID)
	if err == nil {
		return inst, true, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return inst, false, fmt.Errorf("register institution: %w", mapErr(err))
	}
	if code != nil {
		inst, err = s.ByCreditCode(ctx, *code)
	} else {
		err = s.DB.GetContext(ctx, &inst, `SELECT * FROM institutions WHERE register_issuer = $1 AND register_id = $2`, *issuer, *rid)
		err = mapErr(err)
	}
	if err != nil {
		return inst, false, fmt.Errorf("registered institution: %w", err)
	}
	return inst, false, nil
}

// Get loads one institution by its ID (db.ErrNotFound if none).
func (s *Store) Get(ctx context.Context, id string) (Institution, error) {
	var inst Institution
	if _, err := uuid.Parse(id); err != nil {
		return inst, fmt.Errorf("institution %q: %w", id, db.ErrNotFound)
	}
	if err := s.DB.GetContext(ctx, &inst, `SELECT * FROM institutions WHERE id = $1`, id); err != nil {
		return inst, fmt.Errorf("institution %s: %w", id, mapErr(err))
	}
	return inst, nil
}

// ByCreditCode loads the institution with a (normalised) credit code.
func (s *Store) ByCreditCode(ctx context.Context, code string) (Institution, error) {
	var inst Institution
	if err := s.DB.GetContext(ctx, &inst, `SELECT * FROM institutions WHERE credit_code = $1`, code); err != nil {
		return inst, fmt.Errorf("institution with code %s: %w", code, mapErr(err))
	}
	return inst, nil
}

// Filter narrows List.
type Filter struct {
	Q     string // part of the name, or a whole credit code
	Kind  string
	Limit int // default 50, at most 200
}

// List returns institutions matching f, by name.
func (s *Store) List(ctx context.Context, f Filter) ([]Institution, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	q := strings.TrimSpace(f.Q)
	like := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(q) + "%"
	out := []Institution{}
	err := s.DB.SelectContext(ctx, &out, `SELECT * FROM institutions
		WHERE ($1 = '' OR name LIKE $2 OR credit_code = upper($1) OR register_id = $1)
		  AND ($3 = '' OR kind = $3)
		ORDER BY name, id LIMIT $4`, q, like, f.Kind, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("list institutions: %w", err)
	}
	return out, nil
}

// mapErr turns driver errors into db's error kinds.
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
