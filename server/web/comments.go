package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/participation"
	"github.com/juece/juece/workflows"
)

// The undertaking unit's disposition ledger of public comments (意见处理台账,
// Art. 18; R-PP-10): the comments counted by clause and topic, the list of a
// group's comments with their disposition, a cluster disposition of the
// comments ticked (one or many, a reason for each non-adoption), hiding a
// comment from the portal with a reason (it stays counted and in the
// record), and the adoption report made from the ledger (printable page and
// PDF filed with the case). Every form posts to the API's own routes.

// ledgerData is the ledger page's content.
type ledgerData struct {
	CaseID, CaseTitle string
	Notice            *struct {
		Seq         int64  `json:"seq"`
		PublishDate string `json:"publish_date"`
		EndDate     string `json:"end_date"`
		Open        bool   `json:"open"`
	}
	Clauses  []participation.Clause
	Groups   []participation.TopicCount
	Summary  db.CommentSummary
	Report   *participation.AdoptionReportRef
	Comments []db.PublicComment
	Next     string
	// The filter of the list: clause ("" every clause), topic, status
	// (undisposed, disposed, hidden, "" all).
	Clause, Topic, Status string
	CanAct                bool
	Problem               *Problem
	Dispositions          []string
	HideReasons           []string
}

// ClauseLabel names a clause of the notice's draft.
func (d ledgerData) ClauseLabel(no int) string {
	return participation.NoticeDraft{Clauses: d.Clauses}.ClauseLabel(no)
}

func (ui *UI) loadLedger(c echo.Context) (ledgerData, error) {
	id := c.Param("id")
	var d ledgerData
	var l struct {
		Notice *struct {
			Seq         int64  `json:"seq"`
			PublishDate string `json:"publish_date"`
			EndDate     string `json:"end_date"`
			Open        bool   `json:"open"`
		} `json:"notice"`
		Clauses []participation.Clause           `json:"clauses"`
		Groups  []participation.TopicCount       `json:"groups"`
		Summary db.CommentSummary                `json:"summary"`
		Report  *participation.AdoptionReportRef `json:"report"`
	}
	var cs struct {
		Title  string `json:"title"`
		UnitID string `json:"unit_id"`
		State  string `json:"state"`
	}
	var page struct {
		Comments   []db.PublicComment `json:"comments"`
		NextCursor string             `json:"next_cursor"`
	}
	q := url.Values{"limit": {"50"}}
	d.Clause, d.Topic, d.Status = c.QueryParam("clause"), c.QueryParam("topic"), c.QueryParam("status")
	if d.Clause != "" {
		q.Set("clause", d.Clause)
	}
	if c.QueryParams().Has("topic") {
		q.Set("topic", d.Topic)
	}
	switch d.Status {
	case "undisposed":
		q.Set("disposed", "false")
	case "disposed":
		q.Set("disposed", "true")
	case "hidden":
		q.Set("hidden", "true")
	}
	if v := c.QueryParam("cursor"); v != "" {
		q.Set("cursor", v)
	}
	if err := parallel(
		func() error { return ui.call(c, Op{Route: "GET /cases/:id/comments/ledger", Params: []string{id}}, &l) },
		func() error { return ui.call(c, Op{Route: "GET /cases/:id", Params: []string{id}}, &cs) },
		func() error {
			return ui.call(c, Op{Route: "GET /cases/:id/comments", Params: []string{id}, Query: q}, &page)
		},
	); err != nil {
		return d, err
	}
	u := currentUser(c)
	d.CaseID, d.CaseTitle = id, cs.Title
	d.Notice, d.Clauses, d.Groups, d.Summary, d.Report = l.Notice, l.Clauses, l.Groups, l.Summary, l.Report
	d.Comments, d.Next = page.Comments, page.NextCursor
	d.CanAct = u.OrgID == cs.UnitID && cs.State != workflows.StateClosed &&
		(u.Role == workflows.RoleDepartmentOfficer || u.Role == workflows.RoleOrgHead)
	d.Dispositions = []string{"adopted", "partly_adopted", "not_adopted", "outside_scope"}
	d.HideReasons = participation.HideReasons
	return d, nil
}

func (ui *UI) ledgerPage(c echo.Context) error {
	d, err := ui.loadLedger(c)
	if err != nil {
		return ui.fail(c, err)
	}
	return ui.showLedger(c, http.StatusOK, d)
}

func (ui *UI) showLedger(c echo.Context, status int, d ledgerData) error {
	return ui.render(c, status, "comments", ui.newPage(c, "", text(lang(c), "ledger.title"), d))
}

// ledgerBack is the ledger with the list's filter of the form.
func ledgerBack(c echo.Context, form url.Values, flash string) string {
	q := url.Values{"flash": {flash}}
	for _, k := range []string{"clause", "topic", "status"} {
		if v := form.Get("back_" + k); v != "" {
			q.Set(k, v)
		}
	}
	return "/cases/" + c.Param("id") + "/comments?" + q.Encode() + "#list"
}

// ledgerDispose disposes of the ticked comments as one cluster.
func (ui *UI) ledgerDispose(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return ui.formFailed(c, err)
	}
	ids := form["ids"]
	if ids == nil {
		ids = []string{} // the API says none was ticked
	}
	err = ui.call(c, Op{Route: "POST /cases/:id/comments/dispositions", Params: []string{c.Param("id")},
		Body: map[string]any{"comment_ids": ids, "disposition": form.Get("disposition"), "reason": form.Get("reason")}}, nil)
	if err == nil {
		return c.Redirect(http.StatusSeeOther, ledgerBack(c, form, "comments_disposed"))
	}
	return ui.ledgerRefused(c, err)
}

// ledgerHide hides one comment from the portal with a reason.
func (ui *UI) ledgerHide(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return ui.formFailed(c, err)
	}
	err = ui.call(c, Op{Route: "POST /cases/:id/comments/:comment_id/hide", Params: []string{c.Param("id"), form.Get("comment_id")},
		Body: map[string]string{"reason_code": form.Get("reason_code"), "reason": form.Get("reason")}}, nil)
	if err == nil {
		return c.Redirect(http.StatusSeeOther, ledgerBack(c, form, "comment_hidden"))
	}
	return ui.ledgerRefused(c, err)
}

// ledgerReport makes the adoption report (PDF, filed with the case).
func (ui *UI) ledgerReport(c echo.Context) error {
	err := ui.call(c, Op{Route: "POST /cases/:id/comments/report", Params: []string{c.Param("id")}}, nil)
	if err == nil {
		return c.Redirect(http.StatusSeeOther, "/cases/"+c.Param("id")+"/comments?flash=comments_report#report")
	}
	return ui.ledgerRefused(c, err)
}

// ledgerReportPage is the adoption report as it stands, printable.
func (ui *UI) ledgerReportPage(c echo.Context) error {
	if err := ui.api.Download(c, currentUser(c), Op{Route: "GET /cases/:id/comments/report", Params: []string{c.Param("id")}}); err != nil {
		return ui.fail(c, err)
	}
	return nil
}

func (ui *UI) ledgerRefused(c echo.Context, err error) error {
	var p *Problem
	if !errors.As(err, &p) || p.Status == http.StatusUnauthorized {
		return ui.fail(c, err)
	}
	d, lerr := ui.loadLedger(c)
	if lerr != nil {
		return ui.fail(c, lerr)
	}
	d.Problem = p
	return ui.showLedger(c, p.Status, d)
}

// itoa is for the templates' links.
func itoa(n int) string { return strconv.Itoa(n) }

// ledgerMessages are the ledger's texts.
var ledgerMessages = map[string]msg{
	"ledger.title":               {"公众意见处理台账", "Public comments ledger"},
	"ledger.open":                {"公众意见处理台账", "Public comments ledger"},
	"ledger.intro":               {"依据《重大行政决策程序暂行条例》第十八条，对公众意见逐条（或归类）研究处理：每条意见须有处理结果，未采纳的须说明理由。隐藏只是不在公众参与平台显示，意见仍计入总数并须处理。", "Under Art. 18 every opinion, or cluster, gets a disposition, with a reason for each non-adoption. Hiding keeps a comment off the portal only: it stays counted and must be disposed of."},
	"ledger.summary":             {"共收到%d条意见，已处理%d条，待处理%d条，隐藏%d条。", "%d comments received, %d disposed of, %d pending, %d hidden."},
	"ledger.period":              {"征求意见期限", "Comment period"},
	"ledger.on_portal":           {"在公众参与平台查看公告", "See the notice on the portal"},
	"ledger.groups":              {"按条款和主题分组", "By clause and topic"},
	"ledger.clause":              {"条款", "Clause"},
	"ledger.topic":               {"主题", "Topic"},
	"ledger.count":               {"意见数", "Comments"},
	"ledger.disposed":            {"已处理", "Disposed"},
	"ledger.hidden":              {"隐藏", "Hidden"},
	"ledger.show":                {"查看", "Show"},
	"ledger.all":                 {"全部意见", "All comments"},
	"ledger.list":                {"意见列表", "Comments"},
	"ledger.status":              {"状态", "Status"},
	"ledger.status.":             {"全部", "All"},
	"ledger.status.undisposed":   {"待处理", "Pending"},
	"ledger.status.disposed":     {"已处理", "Disposed"},
	"ledger.status.hidden":       {"已隐藏", "Hidden"},
	"ledger.filter":              {"筛选", "Filter"},
	"ledger.pick":                {"选择", "Pick"},
	"ledger.received":            {"收到时间", "Received"},
	"ledger.author":              {"署名 / 联系方式（不公开）", "Name / contact (private)"},
	"ledger.text":                {"意见", "Comment"},
	"ledger.result":              {"处理结果", "Disposition"},
	"ledger.anonymous":           {"匿名", "anonymous"},
	"ledger.cluster":             {"处理勾选的意见（可归并为一类一并处理）", "Dispose of the ticked comments (one cluster)"},
	"ledger.disposition":         {"处理结果", "Disposition"},
	"ledger.reason":              {"理由（部分采纳、不予采纳时必填）", "Reason (required unless adopted)"},
	"ledger.dispose":             {"处理", "Dispose"},
	"ledger.hide":                {"隐藏", "Hide"},
	"ledger.hide_reason":         {"隐藏原因", "Why"},
	"ledger.hide_note":           {"说明（记入审计链）", "Note (recorded in the chain)"},
	"ledger.hidden_because":      {"已隐藏：", "Hidden: "},
	"ledger.pending":             {"待处理", "Pending"},
	"ledger.more":                {"下一页", "Next page"},
	"ledger.none":                {"没有符合条件的意见。", "No comments match."},
	"ledger.report":              {"公众意见研究采纳情况报告", "Adoption report"},
	"ledger.report_intro":        {"报告根据本台账生成（第二十九条第二项）：逐条列出意见的处理结果和理由。生成的PDF作为本事项的材料存档，其校验值和全部意见的摘要值记入审计链。", "Made from this ledger (Art. 29(2)): each clause's comments with their dispositions and reasons. The PDF is filed with the case; its hash and the comments' digest go into the chain."},
	"ledger.report_make":         {"生成报告（PDF）并存档", "Make the report (PDF) and file it"},
	"ledger.report_print":        {"打印版（网页）", "Printable page"},
	"ledger.report_pdf":          {"最新报告（PDF）", "Latest report (PDF)"},
	"ledger.report_made":         {"已生成：%d条意见，已处理%d条。PDF 校验值 %s", "Made: %d comments, %d disposed of. PDF sha256 %s"},
	"ledger.no_notice":           {"本事项尚未发布征求意见公告。", "No comment notice has been published."},
	"disposition.adopted":        {"采纳", "Adopted"},
	"disposition.partly_adopted": {"部分采纳", "Partly adopted"},
	"disposition.not_adopted":    {"不予采纳", "Not adopted"},
	"disposition.outside_scope":  {"不属于征求意见范围", "Outside scope"},
	"hide.abuse":                 {"不文明内容", "Abuse"},
	"hide.personal_data":         {"含个人信息", "Personal data"},
	"hide.advertising":           {"广告或无关内容", "Advertising or off topic"},
	"flash.comments_disposed":    {"已处理。", "Disposed of."},
	"flash.comment_hidden":       {"已隐藏；该意见仍计入总数。", "Hidden; it stays counted."},
	"flash.comments_report":      {"报告已生成并存档。", "The report is made and filed."},
}

func init() {
	for k, v := range ledgerMessages {
		messages[k] = v
	}
}
