package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/juece/juece/db/participation"
	hearing "github.com/juece/juece/workflows/participation"
	"github.com/juece/juece/workflows/rules"
)

// The undertaking unit's hearing page (听证会, Arts. 16–17): one form per
// step of the process, in order — decision, notice, method, draw, list,
// deliveries, record, on-site signatures — each posted to the API's
// POST /tasks/{id}/hearing/steps; the applicants, the participants with
// their evidence, and a personal link per participant and purpose, shown
// once. Documents are picked from the case's files, never typed as hashes.

// hearingData is the hearing page's content.
type hearingData struct {
	TaskID, CaseID, CaseTitle string
	CaseNumber                string
	Process                   bool
	Hearing                   *hearing.Hearing
	Registrations             []participation.Registration
	Links                     []participation.Link
	Blockers                  []rules.Violation
	Today                     string
	Documents                 []hearingDoc
	Problem                   *Problem
	Form                      string // the step whose form the problem is about
	// Issued is a link just issued: its address is shown this once.
	Issued     string
	IssuedFor  string
	IssuedWhat string
	Triggers   []string
	CanAct     bool
	// Institutions are the register's, offered as the organiser.
	Institutions []hearingInstitution
}

// hearingInstitution is an institution of the register in the organiser's select.
type hearingInstitution struct {
	ID         string  `json:"id"`
	Name       string  `json:"name"`
	CreditCode *string `json:"credit_code"`
	RegisterID *string `json:"register_id"`
}

type hearingDoc struct {
	SHA256 string `json:"sha256"`
	Name   string `json:"name"`
	Kind   string `json:"kind"`
}

func (ui *UI) loadHearing(c echo.Context) (hearingData, error) {
	id := c.Param("id")
	var d hearingData
	var v struct {
		TaskID        string                       `json:"task_id"`
		CaseID        string                       `json:"case_id"`
		Process       bool                         `json:"process"`
		Hearing       *hearing.Hearing             `json:"hearing"`
		Registrations []participation.Registration `json:"registrations"`
		Links         []participation.Link         `json:"links"`
		Blockers      []rules.Violation            `json:"blockers"`
		Today         string                       `json:"today"`
	}
	if err := ui.call(c, Op{Route: "GET /tasks/:id/hearing", Params: []string{id}}, &v); err != nil {
		return d, err
	}
	var cs struct {
		Title  string `json:"title"`
		Number string `json:"number"`
	}
	var docs struct {
		Documents []hearingDoc `json:"documents"`
	}
	var insts struct {
		Institutions []hearingInstitution `json:"institutions"`
	}
	var t struct {
		State string `json:"state"`
		Role  string `json:"role"`
		OrgID string `json:"org_id"`
	}
	if err := parallel(
		func() error { return ui.call(c, Op{Route: "GET /cases/:id", Params: []string{v.CaseID}}, &cs) },
		func() error {
			return ui.call(c, Op{Route: "GET /cases/:id/documents", Params: []string{v.CaseID}}, &docs)
		},
		func() error { return ui.call(c, Op{Route: "GET /tasks/:id", Params: []string{id}}, &t) },
		func() error {
			return ui.call(c, Op{Route: "GET /institutions", Query: url.Values{"limit": {"200"}}}, &insts)
		},
	); err != nil {
		return d, err
	}
	u := currentUser(c)
	d = hearingData{TaskID: v.TaskID, CaseID: v.CaseID, CaseTitle: cs.Title, CaseNumber: cs.Number, Process: v.Process, Hearing: v.Hearing, Registrations: v.Registrations,
		Links: v.Links, Blockers: v.Blockers, Today: v.Today, Documents: docs.Documents,
		Triggers:     []string{rules.HearingVitalInterests, rules.HearingMajorDisagreement, rules.HearingMandatedByLaw},
		CanAct:       (t.State == "open" || t.State == "claimed") && u.Role == t.Role && u.OrgID == t.OrgID,
		Institutions: insts.Institutions}
	return d, nil
}

func (ui *UI) hearingPage(c echo.Context) error {
	d, err := ui.loadHearing(c)
	if err != nil {
		return ui.fail(c, err)
	}
	return ui.showHearing(c, http.StatusOK, d)
}

func (ui *UI) showHearing(c echo.Context, status int, d hearingData) error {
	return ui.render(c, status, "hearing", ui.newPage(c, "", text(lang(c), "hearing.title"), d))
}

// hearingStep posts one step's form to the API.
func (ui *UI) hearingStep(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return ui.formFailed(c, err)
	}
	step := hearing.Step{Step: form.Get("step"), Trigger: form.Get("trigger"), Citation: form.Get("citation"), Organiser: form.Get("organiser"), OrganiserInstitutionID: strings.TrimSpace(form.Get("organiser_institution_id")),
		HearingDate: form.Get("hearing_date"), StartTime: form.Get("start_time"), Place: form.Get("place"), DraftSHA256: form.Get("draft_sha256"),
		Explanation: form.Get("explanation"), RegistrationCloses: form.Get("registration_closes"), Method: form.Get("method"),
		MethodText: form.Get("method_text"), ParticipantID: form.Get("participant_id"), DeliveredOn: form.Get("delivered_on"),
		ProofSHA256: form.Get("proof_sha256"), Presentation: form.Get("presentation"), Debate: form.Get("debate"),
		Confirmation: form.Get("confirmation"), PublicAccess: form.Get("public_access"), RecordSHA256: form.Get("record_sha256"),
		Choice: form.Get("choice"), Reason: form.Get("reason")}
	for _, line := range strings.Split(form.Get("sides"), "\n") {
		if s := strings.TrimSpace(line); s != "" {
			step.Sides = append(step.Sides, s)
		}
	}
	if n := form.Get("seats"); n != "" {
		if step.Seats, err = strconv.Atoi(n); err != nil {
			step.Seats = -1 // the API names the field
		}
	}
	err = ui.call(c, Op{Route: "POST /tasks/:id/hearing/steps", Params: []string{c.Param("id")}, Body: step}, nil)
	if err == nil {
		return c.Redirect(http.StatusSeeOther, "/tasks/"+c.Param("id")+"/hearing?flash=hearing_step#"+step.Step)
	}
	return ui.hearingRefused(c, step.Step, err)
}

func (ui *UI) hearingRefused(c echo.Context, formName string, err error) error {
	var p *Problem
	if !errors.As(err, &p) || p.Status == http.StatusUnauthorized {
		return ui.fail(c, err)
	}
	d, lerr := ui.loadHearing(c)
	if lerr != nil {
		return ui.fail(c, lerr)
	}
	d.Problem, d.Form = p, formName
	return ui.showHearing(c, p.Status, d)
}

// hearingLink issues a participant's personal link and shows it once.
func (ui *UI) hearingLink(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return ui.formFailed(c, err)
	}
	var l struct {
		Path       string `json:"path"`
		HolderName string `json:"holder_name"`
	}
	err = ui.call(c, Op{Route: "POST /tasks/:id/hearing/links", Params: []string{c.Param("id")},
		Body: map[string]string{"participant_id": form.Get("participant_id"), "purpose": form.Get("purpose")}}, &l)
	if err != nil {
		return ui.hearingRefused(c, "links", err)
	}
	d, err := ui.loadHearing(c)
	if err != nil {
		return ui.fail(c, err)
	}
	u := url.URL{Scheme: "http", Host: c.Request().Host, Path: l.Path}
	if c.IsTLS() {
		u.Scheme = "https"
	}
	d.Issued, d.IssuedFor, d.IssuedWhat = u.String(), l.HolderName, form.Get("purpose")
	return ui.showHearing(c, http.StatusOK, d)
}

// hearingMessages are the hearing page's texts.
var hearingMessages = map[string]msg{
	"hearing.title":                      {"听证会", "Hearing"},
	"hearing.open":                       {"办理听证会", "Run the hearing"},
	"hearing.intro":                      {"听证会按《重大行政决策程序暂行条例》第十六条、第十七条逐步办理：每一步单独记入案卷。材料送达确认和签字由参加人本人通过专用链接完成，承办单位不能代填。", "The hearing runs step by step under Arts. 16–17; each step is its own record. Participants confirm delivery and sign through their personal links; the unit cannot do it for them."},
	"hearing.old_form":                   {"此事项在听证过程上线前开始，听证会按原表单一次填写。", "This case began before the hearing process: its hearing is recorded on the one form."},
	"hearing.flash":                      {"已记录。", "Recorded."},
	"hearing.done":                       {"已完成", "Done"},
	"hearing.decide":                     {"一、听证决定", "1. Hearing decision"},
	"hearing.trigger":                    {"召开依据", "Trigger"},
	"hearing.citation":                   {"法定依据条文（法定要求时必填）", "Citation (if required by law)"},
	"hearing.organiser":                  {"组织单位", "Organiser"},
	"hearing.organiser_registered":       {"或从机构登记中选择组织单位（选择后名称取自登记）", "Or choose the organiser from the register (its registered name is used)"},
	"hearing.notice":                     {"二、听证公告", "2. Notice"},
	"hearing.date":                       {"听证日期", "Hearing date"},
	"hearing.start":                      {"开始时间", "Start time"},
	"hearing.place":                      {"地点", "Place"},
	"hearing.draft":                      {"公布的决策草案（本事项已上传的文件）", "Draft published (a document of this case)"},
	"hearing.explanation":                {"草案说明", "Explanation"},
	"hearing.closes":                     {"报名截止日期", "Registration closes"},
	"hearing.sides":                      {"相关各方（每行一方）", "Sides concerned (one per line)"},
	"hearing.publish":                    {"公布", "Publish"},
	"hearing.on_portal":                  {"在公众参与平台查看公告", "See the notice on the public portal"},
	"hearing.registrations":              {"三、报名情况", "3. Registrations"},
	"hearing.none":                       {"尚无。", "None yet."},
	"hearing.name":                       {"姓名", "Name"},
	"hearing.side":                       {"代表的一方", "Side"},
	"hearing.contact":                    {"联系方式（不公开）", "Contact (private)"},
	"hearing.method":                     {"四、遴选办法", "4. Selection method"},
	"hearing.method_kind":                {"遴选方式", "Method"},
	"hearing.method.lot":                 {"随机抽选（摇号）", "By lot"},
	"hearing.method.all":                 {"报名者全部参加", "All applicants"},
	"hearing.seats":                      {"名额", "Seats"},
	"hearing.method_text":                {"遴选办法全文", "Method text"},
	"hearing.commitment":                 {"抽签种子的校验值", "Seed commitment"},
	"hearing.draw":                       {"五、遴选", "5. Selection"},
	"hearing.draw_button":                {"按公布的办法抽选", "Draw by the published method"},
	"hearing.seed":                       {"种子", "Seed"},
	"hearing.list":                       {"六、公布参加人名单", "6. Publish the list"},
	"hearing.list_button":                {"公布名单", "Publish the list"},
	"hearing.participants":               {"七、参加人、材料送达与签字", "7. Participants, delivery and signatures"},
	"hearing.delivery":                   {"材料送达", "Delivery"},
	"hearing.signature":                  {"签字", "Signature"},
	"hearing.by.document":                {"送达凭证", "proof filed"},
	"hearing.by.confirmation":            {"本人确认", "confirmed by the participant"},
	"hearing.by.link":                    {"本人链接签字", "signed through own link"},
	"hearing.by.onsite":                  {"现场签字（扫描件）", "signed on site (scan)"},
	"hearing.signed":                     {"已签字", "Signed"},
	"hearing.refused":                    {"拒签", "Refused"},
	"hearing.link_delivery":              {"发送送达确认链接", "Issue delivery link"},
	"hearing.link_signature":             {"发送签字链接", "Issue signature link"},
	"hearing.proof":                      {"送达凭证（已上传文件）", "Proof (a filed document)"},
	"hearing.delivered_on":               {"送达日期", "Delivered on"},
	"hearing.file_proof":                 {"登记送达凭证", "File the proof"},
	"hearing.onsite":                     {"现场签字或拒签", "On-site signature or refusal"},
	"hearing.scan":                       {"签字页扫描件（签字时必选）", "Signed scan (for a signature)"},
	"hearing.reason":                     {"拒签理由", "Reason for refusing"},
	"hearing.record_onsite":              {"登记", "Record"},
	"hearing.record":                     {"八、听证会记录", "8. Hearing record"},
	"hearing.seg1":                       {"（一）承办单位介绍决策草案、依据和有关情况", "(1) Presentation of the draft, its basis and circumstances"},
	"hearing.seg2":                       {"（二）参加人陈述意见，进行询问、质证和辩论", "(2) Statements, questions, cross-examination and debate"},
	"hearing.seg3":                       {"（三）参加人确认听证会记录并签字", "(3) Confirmation and signing of the record"},
	"hearing.public_access":              {"公开举行的方式（公众旁听、直播等）", "How it was public (attendance, broadcast)"},
	"hearing.record_doc":                 {"听证会记录文件（已上传文件）", "Record document (a filed document)"},
	"hearing.record_button":              {"形成记录", "Make the record"},
	"hearing.blockers":                   {"结束听证前尚需", "Before the hearing can close"},
	"hearing.ready":                      {"听证过程已完整，可以办结听证任务。", "The hearing's record is complete: the task can be completed."},
	"hearing.task":                       {"办结听证任务", "Complete the hearing task"},
	"hearing.issued":                     {"个人专用链接（仅显示这一次，请交给本人）", "Personal link (shown this once: hand it to the person)"},
	"hearing.links":                      {"已发放的链接", "Links issued"},
	"hearing.link_status":                {"状态", "Status"},
	"hearing.pick":                       {"请选择", "Choose"},
	"hearing.fields":                     {"需要修改的字段", "Fields to correct"},
	"hearing.trigger.vital_interests":    {"直接涉及切身利益", "Vital interests"},
	"hearing.trigger.major_disagreement": {"存在较大分歧", "Major disagreement"},
	"hearing.trigger.mandated_by_law":    {"法律、法规、规章规定", "Required by law"},
	"hearing.link.delivery":              {"送达确认", "delivery"},
	"hearing.link.signature":             {"签字", "signature"},
	"flash.hearing_step":                 {"已记录。", "Recorded."},
}

func init() {
	for k, v := range hearingMessages {
		messages[k] = v
	}
}
