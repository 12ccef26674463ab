package public

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/calendar"
	"github.com/juece/juece/db/participation"
	"github.com/juece/juece/server/ratelimit"
)

// Comment notices (公开征求意见, Art. 15 of Decree 713; spec §4.4.1): the
// list of open notices, a page per notice with the draft clause by clause,
// its explanation, the period with its working-day facts, the channels and
// the reason of a shortened period (R-PP-05); per-clause commenting with
// the guard (guard.go); the receipt and its lookup; and after the period
// the published feedback (采纳情况反馈) per clause and the adoption report.

// commentKind is the comment notices' kind: /public/comment/….
func (p *Portal) commentKind() NoticeKind {
	return NoticeKind{
		Kind:  "comment",
		Label: "公开征求意见",
		Open:  p.openCommentNotices,
		Routes: func(g *echo.Group) {
			g.GET("/:case", p.commentNotice)
			g.POST("/:case/comments", p.postComment)
			g.GET("/:case/receipt", p.receipt)
			g.GET("/:case/feedback", p.feedback)
			g.GET("/:case/report", p.adoptionReport)
		},
	}
}

// Limits of a comment from the portal: a person writes a few a minute from
// one address; a script is stopped at the database, for every API server.
const (
	maxCommentForm  = 64 << 10
	maxCommentText  = 5000
	commentsPerMin  = 10
	feedbackPerPage = 50
)

// today is the civil date in Beijing at t.
func today(t time.Time) string { return t.In(beijing).Format(time.DateOnly) }

func (p *Portal) openCommentNotices(ctx context.Context, now time.Time) ([]Notice, error) {
	rows, err := p.Participation.OpenCommentNotices(ctx, today(now))
	if err != nil {
		return nil, err
	}
	out := make([]Notice, 0, len(rows))
	for _, r := range rows {
		out = append(out, Notice{Title: r.Title, Number: r.Number, URL: Prefix + "/comment/" + r.CaseID, Organ: r.UnitName,
			From: r.PublishDate, Until: r.EndDate})
	}
	return out, nil
}

// noticeCase is the path's case ID, checked: a malformed one is not there.
func noticeCase(c echo.Context) (string, error) {
	id := c.Param("case")
	if _, err := uuid.Parse(id); err != nil {
		return "", NotFound("该征求意见公告不存在。请从公众参与平台首页进入。")
	}
	return id, nil
}

// loadNotice is the path's case's published comment notice.
func (p *Portal) loadNotice(c echo.Context) (participation.PublishedNotice, error) {
	id, err := noticeCase(c)
	if err != nil {
		return participation.PublishedNotice{}, err
	}
	n, err := p.Participation.Notice(c.Request().Context(), id)
	if errors.Is(err, participation.ErrNoNotice) {
		return n, NotFound("该征求意见公告不存在或尚未公布。")
	}
	return n, err
}

// EnsureDraft splits the draft of a case's latest comment notice into
// clauses and stores them, once (participation.SplitClauses). The server
// calls it when the notice is published; the notice page calls it too, so a
// notice published while this failed is split on its first reading. The
// draft is the text document the notice's draft_ref names by its SHA-256,
// else the case's latest plain-text draft; failing both, the notice's
// draft_ref is the whole text. The explanation is read the same way.
func (p *Portal) EnsureDraft(ctx context.Context, caseID string) (participation.NoticeDraft, error) {
	n, err := p.Participation.Notice(ctx, caseID)
	if err != nil {
		return participation.NoticeDraft{}, err
	}
	return p.ensureDraft(ctx, n)
}

func (p *Portal) ensureDraft(ctx context.Context, n participation.PublishedNotice) (participation.NoticeDraft, error) {
	d, err := p.Participation.Draft(ctx, n.CaseID, n.Seq)
	if err == nil || !errors.Is(err, db.ErrNotFound) {
		return d, err
	}
	docs, err := p.Store.CaseDocuments(ctx, n.CaseID)
	if err != nil {
		return d, err
	}
	textOf := func(ref string, kind string) (string, string) {
		ref = strings.TrimSpace(ref)
		var pick *db.DocumentLink
		for i := range docs {
			l := &docs[i]
			if !strings.HasPrefix(l.MediaType, "text/plain") {
				continue
			}
			if l.SHA256 == ref || (kind != "" && l.Kind == kind && pick == nil) {
				pick = l
			}
			if l.SHA256 == ref {
				break
			}
		}
		if pick != nil {
			if b, _, err := p.Store.Blobs().Get(ctx, pick.SHA256); err == nil && utf8.Valid(b) {
				return string(b), pick.SHA256
			}
		}
		return "", ""
	}
	draft := participation.NoticeDraft{CaseID: n.CaseID, NoticeSeq: n.Seq}
	text, sha := textOf(n.DraftRef, "draft")
	if sha != "" {
		split := participation.SplitClauses(text)
		draft.DraftSHA256, draft.Preamble, draft.Clauses = sha, split.Preamble, split.Clauses
	} else {
		draft.Preamble = n.DraftRef
	}
	if expl, sha := textOf(n.ExplanationRef, ""); sha != "" {
		draft.Explanation = expl
	} else {
		draft.Explanation = n.ExplanationRef
	}
	if err := p.Participation.StoreDraft(ctx, draft); err != nil {
		return d, err
	}
	return p.Participation.Draft(ctx, n.CaseID, n.Seq)
}

// noticePage is what the notice page shows.
type noticePage struct {
	participation.PublishedNotice
	Draft participation.NoticeDraft
	// The period: calendar days, working days in it and left, and whether
	// it ends on a rest day (R-PP-06) with the next working day.
	Days, WorkingDays, WorkingLeft int
	EndsOnRestDay, Provisional     bool
	NextWorkingDay                 string
	Shortened                      bool // less than 30 days: the notice states why (R-PP-04/05)
	Open, Over                     bool
	Channels, Methods              []string
	Counts                         map[int]participation.ClauseCount
	Total                          participation.ClauseCount
	Feedback                       map[int][]participation.PublishedComment
	Report                         bool // the adoption report is published
	Form                           commentForm
	Errors                         map[string]string
	Challenge                      Challenge
}

type commentForm struct {
	Clause                    int
	Text, Name, Contact       string
	ReceiptNo, ReceiptProblem string
}

var channelNames = map[string]string{"website": "政府网站", "new_media": "政务新媒体", "newspaper": "报刊", "radio": "广播", "tv": "电视"}

func (p *Portal) noticeView(ctx context.Context, n participation.PublishedNotice) (noticePage, error) {
	v := noticePage{PublishedNotice: n, Errors: map[string]string{}, Counts: map[int]participation.ClauseCount{}}
	var err error
	if v.Draft, err = p.ensureDraft(ctx, n); err != nil {
		return v, err
	}
	for _, ch := range n.Channels {
		if name, ok := channelNames[ch]; ok {
			v.Channels = append(v.Channels, name)
		} else {
			v.Channels = append(v.Channels, ch)
		}
	}
	v.Methods = n.SubmissionMethods
	day := today(p.Now())
	v.Open = n.PublishDate <= day && day <= n.EndDate
	v.Over = day > n.EndDate
	from, err1 := calendar.ParseDate(n.PublishDate)
	to, err2 := calendar.ParseDate(n.EndDate)
	if err1 == nil && err2 == nil {
		v.Days = to.Sub(from)
		v.Shortened = v.Days < 30
		if cal, err := p.Store.Calendar(ctx); err == nil {
			if wd, prov, err := cal.WorkingDaysBetween(from.AddDays(-1), to); err == nil {
				v.WorkingDays, v.Provisional = wd, prov
			}
			if now := calendar.MustParseDate(day); v.Open {
				if left, _, err := cal.WorkingDaysBetween(now.AddDays(-1), to); err == nil {
					v.WorkingLeft = left
				}
			}
			if working, _ := cal.IsWorkingDay(to); !working {
				v.EndsOnRestDay = true
				if next, err := cal.AddWorkingDays(to, 1); err == nil {
					v.NextWorkingDay = next.Date.String()
				}
			}
		}
	}
	counts, err := p.Participation.ClauseCounts(ctx, n.CaseID)
	if err != nil {
		return v, err
	}
	for _, c := range counts {
		v.Counts[c.ClauseNo] = c
		v.Total.Count += c.Count
		v.Total.Disposed += c.Disposed
		v.Total.Abuse += c.Abuse
		v.Total.PersonalData += c.PersonalData
		v.Total.Advertising += c.Advertising
	}
	if v.Over {
		v.Feedback = map[int][]participation.PublishedComment{}
		for no := range v.Counts {
			fb, err := p.Participation.Feedback(ctx, n.CaseID, no, 5, 0)
			if err != nil {
				return v, err
			}
			v.Feedback[no] = fb
		}
		if _, err := p.Participation.AdoptionReport(ctx, n.CaseID); err == nil {
			v.Report = true
		} else if !errors.Is(err, db.ErrNotFound) {
			return v, err
		}
	}
	return v, nil
}

// commentNotice is the page of one comment notice.
func (p *Portal) commentNotice(c echo.Context) error {
	n, err := p.loadNotice(c)
	if err != nil {
		return p.Fail(c, err)
	}
	ctx := c.Request().Context()
	v, err := p.noticeView(ctx, n)
	if err != nil {
		return p.Fail(c, err)
	}
	if q := c.QueryParam("clause"); q != "" {
		if no, err := strconv.Atoi(q); err == nil && no >= 0 && no <= len(v.Draft.Clauses) {
			v.Form.Clause = no
		}
	}
	if v.Open {
		if v.Challenge, err = p.IssueChallenge(c, n.CaseID); err != nil {
			return p.Fail(c, err)
		}
	}
	return p.Render(c, http.StatusOK, "comment_notice", n.Title, "comment", v)
}

// postComment takes a comment from the notice page's form. A refusal keeps
// what was typed, gives a new question, and records nothing.
func (p *Portal) postComment(c echo.Context) error {
	n, err := p.loadNotice(c)
	if err != nil {
		return p.Fail(c, err)
	}
	back := Prefix + "/comment/" + n.CaseID
	c.Request().Body = http.MaxBytesReader(c.Response(), c.Request().Body, maxCommentForm)
	if err := c.Request().ParseForm(); err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			return p.Fail(c, &Problem{Status: http.StatusRequestEntityTooLarge, Message: "提交的内容过大（意见至多5000字），请精简后重新填写。", Back: back})
		}
		return p.Fail(c, &Problem{Status: http.StatusBadRequest, Message: "提交的内容格式有误，请从征求意见公告页面重新填写。", Back: back})
	}
	ctx := c.Request().Context()
	v, err := p.noticeView(ctx, n)
	if err != nil {
		return p.Fail(c, err)
	}
	if !v.Open {
		return p.Fail(c, &Problem{Status: http.StatusConflict, Message: "不在征求意见期限内（" + n.PublishDate + " 至 " + n.EndDate + "），不能再提交意见。", Back: back})
	}
	if n.State == "closed" {
		return p.Fail(c, &Problem{Status: http.StatusConflict, Message: "该决策事项已办结，不再接受意见。", Back: back})
	}
	f := c.Request().PostForm
	for k, vs := range f {
		if len(vs) != 1 || !strings.Contains(" clause text name contact challenge answer ", " "+k+" ") {
			return p.Fail(c, &Problem{Status: http.StatusBadRequest, Message: "提交的内容格式有误，请从征求意见公告页面重新填写。", Back: back})
		}
	}
	form := commentForm{}
	clause, err := strconv.Atoi(f.Get("clause"))
	if err != nil || clause < 0 || clause > len(v.Draft.Clauses) {
		v.Errors["clause"] = "请选择意见所针对的条款（或草案全文）。"
	}
	form.Clause = clause
	text, ok := cleanField(f.Get("text"), maxCommentText, true)
	form.Text = text
	if !ok {
		v.Errors["text"] = "意见内容至多5000字，且不能含控制字符。"
	} else if text == "" {
		v.Errors["text"] = "请填写您的意见。"
	}
	if form.Name, ok = cleanField(f.Get("name"), 50, false); !ok {
		v.Errors["name"] = "署名至多50字。"
	}
	if form.Contact, ok = cleanField(f.Get("contact"), 100, false); !ok {
		v.Errors["contact"] = "联系方式至多100字。"
	}
	v.Form = form
	refuse := func(status int) error {
		var err error
		if v.Challenge, err = p.IssueChallenge(c, n.CaseID); err != nil {
			return p.Fail(c, err)
		}
		return p.Render(c, status, "comment_notice", n.Title, "comment", v)
	}
	if len(v.Errors) > 0 {
		return refuse(http.StatusUnprocessableEntity)
	}
	nonce, err := p.Guard().Check(ctx, n.CaseID, f.Get("challenge"), f.Get("answer"))
	switch {
	case errors.Is(err, ErrChallengeWrong):
		v.Errors["answer"] = "验证题答案不正确，请重新计算下面的新题目。"
		return refuse(http.StatusUnprocessableEntity)
	case errors.Is(err, ErrChallengeExpired):
		v.Errors["answer"] = "验证题已过期（有效期2小时），请回答下面的新题目。"
		return refuse(http.StatusUnprocessableEntity)
	case errors.Is(err, ErrChallengeMissing):
		v.Errors["answer"] = "验证题无效，请回答下面的新题目。"
		return refuse(http.StatusBadRequest)
	case err != nil:
		return p.Fail(c, err)
	}
	r, err := p.Participation.AddComment(ctx, participation.NewComment{CaseID: n.CaseID, NoticeSeq: n.Seq, ClauseNo: clause,
		AuthorName: form.Name, Contact: form.Contact, Body: text, Challenge: nonce}, CommentLimit(c.RealIP()))
	switch {
	case errors.Is(err, participation.ErrChallengeUsed):
		v.Errors["answer"] = "该验证题已使用过（意见可能已提交）。如需再提一条意见，请回答下面的新题目。"
		return refuse(http.StatusConflict)
	case errors.Is(err, participation.ErrRateLimited):
		c.Response().Header().Set("Retry-After", "60")
		return p.Fail(c, &Problem{Status: http.StatusTooManyRequests, Message: "同一网络地址提交过于频繁（每分钟至多10条），请稍后再试。", Back: back})
	case err != nil:
		return p.Fail(c, err)
	}
	return p.Render(c, http.StatusCreated, "comment_received", "意见已收到", "comment", struct {
		participation.PublishedNotice
		Receipt     string
		ReceivedAt  time.Time
		ClauseLabel string
	}{n, participation.FormatReceipt(r.Number), r.ReceivedAt, v.Draft.ClauseLabel(clause)})
}

// CommentLimit is the per-address limit of public comments, the portal's and
// the API's together.
func CommentLimit(addr string) participation.Limit {
	return participation.Limit{Key: "comment:" + addr, N: commentsPerMin, Window: time.Minute}
}

// receipt looks a receipt number up: the comment's disposition and reason
// once the unit disposed of it, else that it is pending.
func (p *Portal) receipt(c echo.Context) error {
	n, err := p.loadNotice(c)
	if err != nil {
		return p.Fail(c, err)
	}
	back := Prefix + "/comment/" + n.CaseID + "#receipt"
	q := c.QueryParams()
	if len(q) != 1 || len(q["no"]) != 1 || len(q.Get("no")) > 40 {
		return p.Fail(c, &Problem{Status: http.StatusBadRequest, Message: "请输入意见回执编号（16位字母和数字）。", Back: back})
	}
	number, ok := participation.ReceiptNumber(q.Get("no"))
	if !ok {
		return p.Fail(c, &Problem{Status: http.StatusBadRequest, Message: "回执编号应为16位字母和数字（如 ABCD-EFGH-JKLM-NPQR），请核对后重新输入。", Back: back})
	}
	ctx := c.Request().Context()
	if err := p.limit(c, func(c ratelimit.Config) ratelimit.Limit { return c.ReceiptPerAddress }, "查询过于频繁，请稍后再试。", back); err != nil {
		return p.Fail(c, err)
	}
	r, err := p.Participation.LookupReceipt(ctx, n.CaseID, number)
	if errors.Is(err, db.ErrNotFound) {
		return p.Fail(c, &Problem{Status: http.StatusNotFound, Message: "没有找到该回执编号对应的意见。请核对编号，并确认是在本公告下提交的意见。", Back: back})
	} else if err != nil {
		return p.Fail(c, err)
	}
	d, err := p.ensureDraft(ctx, n)
	if err != nil {
		return p.Fail(c, err)
	}
	return p.Render(c, http.StatusOK, "comment_receipt", "意见处理情况", "comment", struct {
		participation.PublishedNotice
		R           participation.ReceiptView
		Receipt     string
		ClauseLabel string
	}{n, r, participation.FormatReceipt(number), d.ClauseLabel(r.ClauseNo)})
}

// feedback is the published feedback of one clause after the period, paged.
func (p *Portal) feedback(c echo.Context) error {
	n, err := p.loadNotice(c)
	if err != nil {
		return p.Fail(c, err)
	}
	back := Prefix + "/comment/" + n.CaseID
	if today(p.Now()) <= n.EndDate {
		return p.Fail(c, &Problem{Status: http.StatusNotFound, Message: "征求意见期限届满后，方公布意见采纳情况。", Back: back})
	}
	ctx := c.Request().Context()
	d, err := p.ensureDraft(ctx, n)
	if err != nil {
		return p.Fail(c, err)
	}
	clause, err1 := strconv.Atoi(c.QueryParam("clause"))
	page, err2 := strconv.Atoi(c.QueryParam("page"))
	if c.QueryParam("page") == "" {
		page, err2 = 1, nil
	}
	if err1 != nil || err2 != nil || clause < 0 || clause > len(d.Clauses) || page < 1 || page > 10000 {
		return p.Fail(c, &Problem{Status: http.StatusBadRequest, Message: "条款或页码有误。", Back: back})
	}
	fb, err := p.Participation.Feedback(ctx, n.CaseID, clause, feedbackPerPage+1, (page-1)*feedbackPerPage)
	if err != nil {
		return p.Fail(c, err)
	}
	more := len(fb) > feedbackPerPage
	if more {
		fb = fb[:feedbackPerPage]
	}
	return p.Render(c, http.StatusOK, "comment_feedback", "意见采纳情况", "comment", struct {
		participation.PublishedNotice
		ClauseNo    int
		ClauseLabel string
		Comments    []participation.PublishedComment
		Page        int
		More        bool
	}{n, clause, d.ClauseLabel(clause), fb, page, more})
}

// adoptionReport serves the published adoption report (PDF) once the period
// is over and the unit made it.
func (p *Portal) adoptionReport(c echo.Context) error {
	n, err := p.loadNotice(c)
	if err != nil {
		return p.Fail(c, err)
	}
	if today(p.Now()) <= n.EndDate {
		return p.Fail(c, &Problem{Status: http.StatusNotFound, Message: "征求意见期限届满后，方公布意见研究采纳情况报告。", Back: Prefix + "/comment/" + n.CaseID})
	}
	ctx := c.Request().Context()
	r, err := p.Participation.AdoptionReport(ctx, n.CaseID)
	if errors.Is(err, db.ErrNotFound) {
		return p.Fail(c, &Problem{Status: http.StatusNotFound, Message: "承办单位尚未公布意见研究采纳情况报告。", Back: Prefix + "/comment/" + n.CaseID})
	} else if err != nil {
		return p.Fail(c, err)
	}
	body, mediaType, err := p.Store.Blobs().Get(ctx, r.PDFSHA256)
	if err != nil {
		return p.Fail(c, err)
	}
	c.Response().Header().Set("Content-Disposition", `inline; filename="adoption-report-`+r.PDFSHA256[:12]+`.pdf"`)
	return c.Blob(http.StatusOK, mediaType, body)
}

// dispositionName is a disposition in Chinese.
func dispositionName(d string) string {
	switch d {
	case "adopted":
		return "采纳"
	case "partly_adopted":
		return "部分采纳"
	case "not_adopted":
		return "不予采纳"
	case "outside_scope":
		return "不属于征求意见范围"
	}
	return "待处理"
}

// hiddenName is why a comment is hidden, in Chinese.
func hiddenName(code string) string {
	switch code {
	case participation.HideAbuse:
		return "含有辱骂、攻击等不文明内容"
	case participation.HidePersonalData:
		return "含有个人信息"
	case participation.HideAdvertising:
		return "系广告或与草案无关的内容"
	}
	return ""
}
