package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/juece/juece/db/participation"
	"github.com/juece/juece/workflows"
	"github.com/juece/juece/workflows/rules"
)

// The expert pool (专家库) of a government, kept by its general office, and
// a case's expert panel (专家论证), run by the undertaking unit: draw by
// lot, name with a rationale, hand each expert their personal links,
// dispose of the opinions, generate the adoption report. Declarations and
// opinions are not made here: only the experts make them, through their
// links. Every form runs the API's own handler.

// expertsData is the pool page.
type expertsData struct {
	Government string
	// GovernmentName is the government's name, shown instead of its ID.
	GovernmentName string
	Field          string
	Experts        []participation.Expert
	Edit           bool // the user keeps this pool
	Institutions   []Option
	New            struct{ Name, Fields, EmployerID, Contact string }
	Form           string // new, or the ID of the expert whose flags were sent
	Problem        *Problem
}

func (ui *UI) expertsPage(c echo.Context) error {
	return ui.showExperts(c, &expertsData{}, http.StatusOK)
}

// showExperts renders the pool of the government in the query (default:
// the organ whose general office the user works in, or the user's own).
func (ui *UI) showExperts(c echo.Context, d *expertsData, status int) error {
	if d.Government == "" {
		d.Government = strings.TrimSpace(c.QueryParam("government"))
	}
	d.Field = strings.TrimSpace(c.QueryParam("field"))
	organs, err := ui.compiledOrgans(c)
	if err != nil {
		return ui.fail(c, err)
	}
	if d.Government == "" {
		d.Government = currentUser(c).OrgID
		if len(organs) > 0 {
			d.Government = organs[0]
		} else if o, err := ui.store.GetOrganisation(c.Request().Context(), d.Government); err == nil && o.ParentID != nil {
			d.Government = *o.ParentID
		}
	}
	for _, o := range organs {
		d.Edit = d.Edit || o == d.Government
	}
	var list struct {
		Experts []participation.Expert `json:"experts"`
	}
	q := url.Values{"government": {d.Government}}
	if d.Field != "" {
		q.Set("field", d.Field)
	}
	if err := ui.call(c, Op{Route: "GET /experts", Query: q}, &list); err != nil {
		p, ok := err.(*Problem)
		if !ok || p.Status >= 500 || p.Status == http.StatusUnauthorized {
			return ui.fail(c, err)
		}
		if d.Problem == nil {
			d.Problem = p
		}
	}
	d.Experts = list.Experts
	d.GovernmentName = ui.orgLabel(c.Request().Context(), lang(c), d.Government)
	if d.Edit {
		var insts struct {
			Institutions []struct {
				ID   string `json:"id"`
				Name string `json:"name"`
			} `json:"institutions"`
		}
		if err := ui.call(c, Op{Route: "GET /institutions", Query: url.Values{"limit": {"200"}}}, &insts); err == nil {
			for _, i := range insts.Institutions {
				d.Institutions = append(d.Institutions, Option{Value: i.ID, Label: i.Name})
			}
		}
	}
	return ui.render(c, status, "experts", ui.newPage(c, "experts", text(lang(c), "exp.pool_title"), *d))
}

func (ui *UI) addExpert(c echo.Context) error {
	d := expertsData{Government: strings.TrimSpace(c.FormValue("government")), Form: "new"}
	d.New.Name, d.New.Fields = strings.TrimSpace(c.FormValue("name")), c.FormValue("fields")
	d.New.EmployerID, d.New.Contact = c.FormValue("employer_id"), strings.TrimSpace(c.FormValue("contact"))
	fields := []string{}
	for _, f := range strings.FieldsFunc(d.New.Fields, func(r rune) bool { return r == ',' || r == '，' || r == '、' || r == '\n' }) {
		if f = strings.TrimSpace(f); f != "" {
			fields = append(fields, f)
		}
	}
	body := map[string]any{"government": d.Government, "name": d.New.Name, "fields": fields, "contact": d.New.Contact,
		"institution": c.FormValue("institution") == "true", "differing_view": c.FormValue("differing_view") == "true"}
	if d.New.EmployerID != "" {
		body["employer_id"] = d.New.EmployerID
	}
	err := ui.call(c, Op{Route: "POST /experts", Body: body}, nil)
	if err == nil {
		return c.Redirect(http.StatusSeeOther, "/experts?government="+url.QueryEscape(d.Government)+"&flash=expert_added")
	}
	p, ok := err.(*Problem)
	if !ok || p.Status >= 500 {
		return ui.fail(c, err)
	}
	d.Problem = p
	return ui.showExperts(c, &d, p.Status)
}

func (ui *UI) setExpertFlags(c echo.Context) error {
	id := c.Param("id")
	d := expertsData{Government: strings.TrimSpace(c.FormValue("government")), Form: id}
	body := map[string]any{"credit": c.FormValue("credit"), "exit_flag": c.FormValue("exit_flag"),
		"reason": c.FormValue("reason"), "on": c.FormValue("on")}
	err := ui.call(c, Op{Route: "POST /experts/:id/flags", Params: []string{id}, Body: body}, nil)
	if err == nil {
		return c.Redirect(http.StatusSeeOther, "/experts?government="+url.QueryEscape(d.Government)+"&flash=expert_flagged")
	}
	p, ok := err.(*Problem)
	if !ok || p.Status >= 500 {
		return ui.fail(c, err)
	}
	d.Problem = p
	return ui.showExperts(c, &d, p.Status)
}

// panelData is a case's panel page.
type panelData struct {
	CaseID, CaseTitle string
	CaseNumber        string
	Panel             struct {
		participation.PanelView
		Links []participation.Link `json:"links"`
	}
	Candidates []Option // the pool's eligible experts not on the panel, to name
	Unit       bool     // the user runs the panel: show its forms
	Issued     *issuedLinks
	Report     string
	Warnings   []rules.Violation
	Form       string
	Problem    *Problem
	Draw       struct{ Field, Size string }
	Name       struct{ ExpertID, Rationale string }
}

type issuedLinks struct {
	Name                 string
	Declaration, Opinion string
}

func (ui *UI) panelPage(c echo.Context) error {
	return ui.showPanel(c, &panelData{}, http.StatusOK)
}

func (ui *UI) showPanel(c echo.Context, d *panelData, status int) error {
	id := c.Param("id")
	d.CaseID = id
	var cv struct {
		Title   string `json:"title"`
		Number  string `json:"number"`
		OrganID string `json:"organ_id"`
		UnitID  string `json:"unit_id"`
	}
	if err := ui.call(c, Op{Route: "GET /cases/:id", Params: []string{id}}, &cv); err != nil {
		return ui.fail(c, err)
	}
	d.CaseTitle, d.CaseNumber = cv.Title, cv.Number
	if err := ui.call(c, Op{Route: "GET /cases/:id/expert-panel", Params: []string{id}}, &d.Panel); err != nil {
		return ui.fail(c, err)
	}
	u := currentUser(c)
	d.Unit = u.OrgID == cv.UnitID && u.Role == workflows.RoleDepartmentOfficer
	if d.Unit {
		var pool struct {
			Experts []participation.Expert `json:"experts"`
		}
		if err := ui.call(c, Op{Route: "GET /experts", Query: url.Values{"government": {cv.OrganID}}}, &pool); err == nil {
			on := map[string]bool{}
			for _, m := range d.Panel.Members {
				on[m.ExpertID] = true
			}
			for _, e := range pool.Experts {
				if e.Eligible() && !on[e.ID] {
					d.Candidates = append(d.Candidates, Option{Value: e.ID, Label: e.Name + "（" + strings.Join(e.Fields, "、") + "）"})
				}
			}
		}
	}
	if r := d.Panel.Report; r != nil && d.Report == "" {
		d.Report = r.Body
	}
	return ui.render(c, status, "panel", ui.newPage(c, "cases", text(lang(c), "exp.panel_title")+" · "+cv.Title, *d))
}

// panelWrite posts one of the panel page's forms; a refusal shows the page
// again with the API's answer next to the form.
func (ui *UI) panelWrite(c echo.Context, form, route string, params []string, body any, flash string, d *panelData, out any) error {
	err := ui.call(c, Op{Route: route, Params: params, Body: body}, out)
	if err == nil {
		if flash == "" {
			return nil
		}
		return c.Redirect(http.StatusSeeOther, "/cases/"+url.PathEscape(c.Param("id"))+"/expert-panel?flash="+flash)
	}
	p, ok := err.(*Problem)
	if !ok || p.Status >= 500 {
		return ui.fail(c, err)
	}
	d.Form, d.Problem = form, p
	return ui.showPanel(c, d, p.Status)
}

func (ui *UI) panelDraw(c echo.Context) error {
	d := panelData{}
	d.Draw.Field, d.Draw.Size = strings.TrimSpace(c.FormValue("field")), c.FormValue("size")
	size, _ := strconv.Atoi(d.Draw.Size)
	return ui.panelWrite(c, "draw", "POST /cases/:id/expert-panel/draws", []string{c.Param("id")},
		map[string]any{"field": d.Draw.Field, "size": size}, "experts_drawn", &d, nil)
}

func (ui *UI) panelName(c echo.Context) error {
	d := panelData{}
	d.Name.ExpertID, d.Name.Rationale = c.FormValue("expert_id"), c.FormValue("rationale")
	return ui.panelWrite(c, "name", "POST /cases/:id/expert-panel/members", []string{c.Param("id")},
		map[string]any{"expert_id": d.Name.ExpertID, "rationale": d.Name.Rationale}, "expert_named", &d, nil)
}

func (ui *UI) panelDispose(c echo.Context) error {
	d := panelData{}
	eid := c.Param("expert_id")
	return ui.panelWrite(c, "dispose-"+eid, "POST /cases/:id/expert-panel/opinions/:expert_id/disposition", []string{c.Param("id"), eid},
		map[string]any{"disposition": c.FormValue("disposition"), "reason": c.FormValue("reason")}, "opinion_disposed", &d, nil)
}

// panelLinks issues a member's links and shows them once.
func (ui *UI) panelLinks(c echo.Context) error {
	d := panelData{}
	var out struct {
		Declaration struct {
			Path       string `json:"path"`
			HolderName string `json:"holder_name"`
		} `json:"declaration"`
		Opinion struct {
			Path string `json:"path"`
		} `json:"opinion"`
	}
	eid := c.FormValue("expert_id")
	if err := ui.panelWrite(c, "links-"+eid, "POST /cases/:id/expert-panel/links", []string{c.Param("id")},
		map[string]any{"expert_id": eid}, "", &d, &out); err != nil || d.Problem != nil {
		return err
	}
	base := c.Scheme() + "://" + c.Request().Host
	d.Issued = &issuedLinks{Name: out.Declaration.HolderName, Declaration: base + out.Declaration.Path, Opinion: base + out.Opinion.Path}
	return ui.showPanel(c, &d, http.StatusOK)
}

func (ui *UI) panelReport(c echo.Context) error {
	d := panelData{}
	var out struct {
		Text     string            `json:"text"`
		Warnings []rules.Violation `json:"warnings"`
	}
	if err := ui.panelWrite(c, "report", "POST /cases/:id/expert-panel/report", []string{c.Param("id")}, nil, "", &d, &out); err != nil || d.Problem != nil {
		return err
	}
	d.Report, d.Warnings = out.Text, out.Warnings
	return ui.showPanel(c, &d, http.StatusOK)
}
