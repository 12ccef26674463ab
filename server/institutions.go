package server

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/juece/juece/db/registry"
	"github.com/juece/juece/workflows"
)

// InstitutionQuery filters GET /institutions.
type InstitutionQuery struct {
	Q     string `query:"q" description:"机构名称的一部分，或完整的统一社会信用代码 / 登记编号"`
	Kind  string `query:"kind" description:"只列出该类别的机构"`
	Limit int    `query:"limit" minimum:"1" maximum:"200" description:"至多返回条数，默认 50"`
}

// InstitutionList answers GET /institutions.
type InstitutionList struct {
	Institutions []registry.Institution `json:"institutions"`
}

// InstitutionRegistered answers POST /institutions: the institution and
// whether this request registered it (false: its code was registered
// already, perhaps under another spelling of its name, and that record is
// the answer).
type InstitutionRegistered struct {
	registry.Institution
	Created bool `json:"created"`
}

// listInstitutions searches the register. The register is one for the
// deployment: an institution's code names it to every organ, so any
// signed-in user may read it (it holds public registration data only).
func (s *Server) listInstitutions(c echo.Context) error {
	q := InstitutionQuery{Q: c.QueryParam("q"), Kind: c.QueryParam("kind")}
	if q.Kind != "" && !slices.Contains(registry.Kinds, q.Kind) {
		return badParam("kind", "机构类别取值无效", "unknown kind")
	}
	if v := c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 200 {
			return badParam("limit", "limit 须为 1–200", "limit must be 1–200")
		}
		q.Limit = n
	}
	if _, err := cleanText("q", q.Q, 200, false); err != nil {
		return err
	}
	list, err := s.registry.List(c.Request().Context(), registry.Filter{Q: q.Q, Kind: q.Kind, Limit: q.Limit})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, InstitutionList{Institutions: list})
}

// registersInstitutions are the roles that add to the register: the
// officers who engage third parties and organise meetings and reviews.
// Supervisors read it only; the system administrator, who keeps accounts
// and configuration, does not do the officers' work (三员分立). The
// authorisation matrix (internal/authz) has the same roles.
var registersInstitutions = []string{workflows.RoleDepartmentOfficer, workflows.RoleLegalityReviewer,
	workflows.RoleLegalAdviser, workflows.RoleMeetingSecretary, workflows.RoleOrgHead}

// registerInstitution adds an institution to the register. A credit code
// that fails GB 32100-2015's check is a field error; a code already
// registered answers 200 with the registered institution, whatever name this
// request spelled, so a form that registers before choosing always gets the
// one identity.
func (s *Server) registerInstitution(c echo.Context) error {
	u := currentUser(c)
	if !slices.Contains(registersInstitutions, u.Role) {
		return forbidden("审计监督人员只能查阅机构登记 / supervisors can only read the register")
	}
	var in registry.Input
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	for _, f := range []struct {
		name, v string
		max     int
	}{{"name", in.Name, 200}, {"register_issuer", in.RegisterIssuer, 100}, {"register_id", in.RegisterID, 64}, {"credit_code", in.CreditCode, 40}} {
		if _, err := cleanText(f.name, f.v, f.max, false); err != nil {
			return err
		}
	}
	if ps := in.Check(); len(ps) > 0 {
		return institutionFieldErrors(ps)
	}
	inst, created, err := s.registry.Register(c.Request().Context(), in, u.ID, u.OrgID)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	return c.JSON(status, InstitutionRegistered{Institution: inst, Created: created})
}

// institutionFieldErrors is 400 invalid_request naming each field.
func institutionFieldErrors(ps []registry.FieldProblem) *Error {
	e := invalid(ps[0].ZH + " / " + ps[0].EN)
	e.Message, e.MessageEN = ps[0].ZH, ps[0].EN
	for _, p := range ps {
		e.Fields = append(e.Fields, workflows.FieldError{Field: p.Field, Message: p.ZH, EN: p.EN})
	}
	return e
}

// institutionOps document the register's routes.
var institutionOps = []apiOp{
	{"GET", "/api/v1/institutions", "Search the register of institutions (机构登记) by name, credit code or register ID; identities the independence rules compare", new(InstitutionQuery), new(InstitutionList), 200, true, []int{400}},
	{"POST", "/api/v1/institutions", "Register an institution by its unified social credit code (check character per GB 32100-2015) or a register ID; 201, or 200 with the registered one when its identity is known already", new(registry.Input), new(InstitutionRegistered), 201, true, []int{400, 403}},
}
