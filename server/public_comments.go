package server

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/participation"
	"github.com/juece/juece/server/public"
	"github.com/juece/juece/workflows"
	"github.com/juece/juece/workflows/rules"
)

// Public comments on a case's comment notice (公开征求意见, Art. 15; spec
// §4.4.1). Anyone may comment, without a token, while the notice's period
// runs (publish_date to end_date inclusive, Beijing time), read from the
// case's latest task.completed.public_comment event. The comments go to
// PostgreSQL, never into the workflow's history (issue #4 item 6). The
// undertaking unit and auditors read them; the unit disposes of each
// (R-PP-10). The contact a commenter leaves is personal information (spec
// §5.2): only the unit (to answer) and auditors see it, never the public.

// Stable codes of the public-comment API.
const (
	// CodeCommentPeriodClosed refuses a public comment outside the period
	// of the case's comment notice.
	CodeCommentPeriodClosed = "comment_period_closed"
	// CodeRateLimited refuses a client over one of its limits (server/ratelimit):
	// too many public comments, API requests, bad tokens or challenges; the
	// answer carries Retry-After.
	CodeRateLimited = "rate_limited"
)

// CodeChallengeFailed refuses a public comment whose challenge (GET
// /cases/{id}/comments/challenge) is missing, forged, another case's,
// expired or wrongly answered; CodeChallengeUsed one whose challenge was
// answered before.
const (
	CodeChallengeFailed = "challenge_failed"
	CodeChallengeUsed   = "challenge_used"
)

// The per-address limit of public comments is the portal's
// (public.CommentLimit: a counter in PostgreSQL, counted in the comment's own
// INSERT, so every API server shares it). The API and the portal's form
// count together.

// PublicCommentRequest is one opinion from the public.
type PublicCommentRequest struct {
	AuthorName string `json:"author_name,omitempty" maxLength:"100" description:"署名，可不填（匿名）"`
	Contact    string `json:"contact,omitempty" maxLength:"200" description:"联系方式，不公开（个人隐私）"`
	Text       string `json:"text" required:"true" minLength:"1" maxLength:"5000" description:"意见内容"`
	Topic      string `json:"topic,omitempty" maxLength:"50" description:"意见所涉主题"`
	ClauseNo   int    `json:"clause_no,omitempty" minimum:"0" description:"意见针对的条款序号（公告页逐条编号，0 或不填为草案全文）"`
	Challenge  string `json:"challenge" required:"true" maxLength:"100" description:"GET /cases/{id}/comments/challenge 给出的验证题令牌，一次有效"`
	Answer     string `json:"answer" required:"true" maxLength:"10" description:"验证题的答案（整数）"`
}

type publicCommentReq struct {
	idPath
	PublicCommentRequest
}

// PublicCommentReceived answers a comment: what was received and when.
type PublicCommentReceived struct {
	ID         string    `json:"id"`
	CaseID     string    `json:"case_id"`
	ReceivedAt time.Time `json:"received_at"`
	PeriodEnd  string    `json:"period_end" description:"征求意见截止日期"`
	Receipt    string    `json:"receipt" description:"意见回执编号（仅此一次给出，凭此在公众参与平台查询处理情况）"`
	ClauseNo   int       `json:"clause_no"`
}

// commentCase loads the case of the path for the public: only whether it
// exists.
func (s *Server) commentCase(c echo.Context) (db.Case, error) {
	id := c.Param("id")
	if _, err := uuid.Parse(id); err != nil {
		return db.Case{}, notFound("决策事项不存在 / no such case")
	}
	cs, err := s.store.GetCase(c.Request().Context(), id)
	if errors.Is(err, db.ErrNotFound) {
		return cs, notFound("决策事项不存在 / no such case")
	}
	return cs, err
}

// openNotice is the case's comment notice if its period runs on day
// (YYYY-MM-DD); otherwise comment_period_closed.
func (s *Server) openNotice(c echo.Context, caseID, day string) (db.CommentNotice, error) {
	n, err := s.store.LatestCommentNotice(c.Request().Context(), caseID)
	if errors.Is(err, db.ErrNotFound) {
		return n, newError(http.StatusConflict, CodeCommentPeriodClosed, "该决策事项没有正在征求意见的公告 / the case has no open comment notice")
	} else if err != nil {
		return n, err
	}
	if !noticeOpen(n, day) {
		return n, newError(http.StatusConflict, CodeCommentPeriodClosed,
			fmt.Sprintf("不在征求意见期限内（%s 至 %s）/ outside the comment period (%s to %s)", n.PublishDate, n.EndDate, n.PublishDate, n.EndDate))
	}
	return n, nil
}

// noticeOpen: day lies in [publish_date, end_date], both whole days.
func noticeOpen(n db.CommentNotice, day string) bool {
	from, err1 := time.Parse(time.DateOnly, n.PublishDate)
	to, err2 := time.Parse(time.DateOnly, n.EndDate)
	d, err3 := time.Parse(time.DateOnly, day)
	return err1 == nil && err2 == nil && err3 == nil && !d.Before(from) && !d.After(to)
}

func (s *Server) postPublicComment(c echo.Context) error {
	id := c.Param("id")
	if _, err := uuid.Parse(id); err != nil {
		return notFound("决策事项不存在 / no such case")
	}
	state, notice, err := s.store.CommentTarget(c.Request().Context(), id)
	if errors.Is(err, db.ErrNotFound) {
		return notFound("决策事项不存在 / no such case")
	} else if err != nil {
		return err
	}
	if state == workflows.StateClosed {
		return caseClosed()
	}
	if notice == nil {
		return newError(http.StatusConflict, CodeCommentPeriodClosed, "该决策事项没有正在征求意见的公告 / the case has no open comment notice")
	}
	n := *notice
	if !noticeOpen(n, today()) {
		return newError(http.StatusConflict, CodeCommentPeriodClosed,
			fmt.Sprintf("不在征求意见期限内（%s 至 %s）/ outside the comment period (%s to %s)", n.PublishDate, n.EndDate, n.PublishDate, n.EndDate))
	}
	cs := db.Case{ID: id}
	var req PublicCommentRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	text, err := cleanText("text", req.Text, 5000, true)
	if err != nil {
		return err
	}
	if text == "" {
		return invalid("意见内容不能为空 / text is required")
	}
	pc := participation.NewComment{CaseID: cs.ID, NoticeSeq: n.Seq, Body: text, ClauseNo: req.ClauseNo}
	if pc.AuthorName, err = cleanText("author_name", req.AuthorName, 100, false); err != nil {
		return err
	}
	if pc.Contact, err = cleanText("contact", req.Contact, 200, false); err != nil {
		return err
	}
	if pc.Topic, err = cleanText("topic", req.Topic, 50, false); err != nil {
		return err
	}
	ctx := c.Request().Context()
	if req.ClauseNo != 0 {
		d, err := s.portal.EnsureDraft(ctx, cs.ID)
		if err != nil {
			return err
		}
		if req.ClauseNo < 0 || req.ClauseNo > len(d.Clauses) {
			return invalid(fmt.Sprintf("clause_no 须为 0–%d / clause_no must be 0–%d", len(d.Clauses), len(d.Clauses)))
		}
	}
	nonce, err := s.portal.Guard().Check(ctx, cs.ID, req.Challenge, req.Answer)
	switch {
	case errors.Is(err, public.ErrChallengeExpired):
		return newError(http.StatusBadRequest, CodeChallengeFailed, "验证题已过期，请重新获取 / the challenge has expired, get a new one")
	case errors.Is(err, public.ErrChallengeWrong):
		return newError(http.StatusBadRequest, CodeChallengeFailed, "验证题答案不正确 / wrong answer to the challenge")
	case errors.Is(err, public.ErrChallengeMissing):
		return newError(http.StatusBadRequest, CodeChallengeFailed, "须附本事项的验证题（challenge）及答案（answer） / challenge and answer of this case are required")
	case err != nil:
		return err
	}
	pc.Challenge = nonce
	r, err := s.links.AddComment(ctx, pc, public.CommentLimit(c.RealIP()))
	switch {
	case errors.Is(err, participation.ErrChallengeUsed):
		return newError(http.StatusConflict, CodeChallengeUsed, "该验证题已使用，请重新获取 / the challenge was used before, get a new one")
	case errors.Is(err, participation.ErrRateLimited):
		c.Response().Header().Set("Retry-After", "60")
		return newError(http.StatusTooManyRequests, CodeRateLimited, "提交过于频繁，请稍后再试 / too many comments from this address, try again shortly")
	case err != nil:
		return err
	}
	return c.JSON(http.StatusCreated, PublicCommentReceived{ID: r.CommentID, CaseID: cs.ID, ReceivedAt: r.ReceivedAt, PeriodEnd: n.EndDate,
		Receipt: participation.FormatReceipt(r.Number), ClauseNo: req.ClauseNo})
}

// commentChallenge gives a challenge for a comment on the case's open notice
// (public, no token): the question and its token, signed and expiring,
// answered once.
func (s *Server) commentChallenge(c echo.Context) error {
	cs, err := s.commentCase(c)
	if err != nil {
		return err
	}
	if _, err := s.openNotice(c, cs.ID, today()); err != nil {
		return err
	}
	// Counted with the portal's comment form (public.Portal.IssueChallenge).
	if s.limits != nil {
		if d, err := s.limits.Hit(c.Request().Context(), s.limits.Cfg.ChallengePerAddress, c.RealIP()); err != nil {
			return err
		} else if !d.OK {
			return tooManyRequests(c, d, "获取验证题过于频繁，请稍后再试 / too many challenges for this address, try again later")
		}
	}
	ch, err := s.portal.Guard().Issue(c.Request().Context(), cs.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ch)
}

// commentReader loads the case for reading its comments: the undertaking
// unit and auditors. Others who may see the case get 403, the rest 404.
func (s *Server) commentReader(c echo.Context) (db.Case, error) {
	cs, _, err := s.loadCase(c)
	if err != nil {
		return cs, err
	}
	u := currentUser(c)
	if ok, err := s.oversees(c, cs.OrganID, cs.UnitID); err != nil {
		return cs, err
	} else if u.OrgID != cs.UnitID && !ok {
		return cs, forbidden("公众意见仅供承办单位和审计监督人员查阅 / public comments are for the undertaking unit and auditors")
	}
	return cs, nil
}

// PublicCommentQuery filters GET /cases/{id}/comments.
type PublicCommentQuery struct {
	idPath
	Topic    string `query:"topic" description:"按主题筛选（空串为未分主题）"`
	Clause   int    `query:"clause" minimum:"0" description:"按条款筛选（0 为草案全文）"`
	Hidden   string `query:"hidden" enum:"true,false" description:"是否已隐藏（不在公众参与平台显示）"`
	Disposed string `query:"disposed" enum:"true,false" description:"是否已处理"`
	Limit    int    `query:"limit" minimum:"1" maximum:"500" description:"默认 50"`
	Cursor   string `query:"cursor" description:"上一页的 next_cursor"`
}

// PublicCommentPage answers GET /cases/{id}/comments, in arrival order.
type PublicCommentPage struct {
	CaseID     string             `json:"case_id"`
	Comments   []db.PublicComment `json:"comments"`
	NextCursor string             `json:"next_cursor,omitempty"`
}

func encodeCommentCursor(p db.PublicComment) string {
	return base64.RawURLEncoding.EncodeToString([]byte(p.ReceivedAt.UTC().Format(time.RFC3339Nano) + "|" + p.ID))
}

func decodeCommentCursor(v string) (time.Time, string, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil {
		return time.Time{}, "", false
	}
	at, id, ok := strings.Cut(string(raw), "|")
	t, err := time.Parse(time.RFC3339Nano, at)
	if !ok || err != nil {
		return time.Time{}, "", false
	}
	if _, err := uuid.Parse(id); err != nil {
		return time.Time{}, "", false
	}
	return t, id, true
}

var commentParams = []string{"topic", "disposed", "limit", "cursor", "clause", "hidden"}

func (s *Server) listPublicComments(c echo.Context) error {
	cs, err := s.commentReader(c)
	if err != nil {
		return err
	}
	params := c.QueryParams()
	for k, v := range params {
		if !slices.Contains(commentParams, k) || len(v) != 1 {
			return invalid("查询参数为 topic、clause、disposed、hidden、limit、cursor，各至多一次 / query parameters are topic, clause, disposed, hidden, limit, cursor, each at most once")
		}
	}
	q := db.CommentQuery{CaseID: cs.ID, Limit: 50}
	if params.Has("topic") {
		t := params.Get("topic")
		if utf8.RuneCountInString(t) > 50 || strings.ContainsRune(t, 0) {
			return invalid("topic 至多 50 个字符 / topic must be at most 50 characters")
		}
		q.Topic = &t
	}
	if v := params.Get("disposed"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return invalid("disposed 须为 true 或 false / disposed must be true or false")
		}
		q.Disposed = &b
	}
	if v := params.Get("clause"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 100000 {
			return invalid("clause 须为条款序号（0 为草案全文） / clause must be a clause number (0: the whole draft)")
		}
		q.Clause = &n
	}
	if v := params.Get("hidden"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return invalid("hidden 须为 true 或 false / hidden must be true or false")
		}
		q.Hidden = &b
	}
	if v := params.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			return invalid("limit 须为 1–500 / limit must be 1–500")
		}
		q.Limit = n
	}
	if v := params.Get("cursor"); v != "" {
		var ok bool
		if q.AfterAt, q.AfterID, ok = decodeCommentCursor(v); !ok {
			return invalid("cursor 无效 / invalid cursor")
		}
	}
	limit := q.Limit
	q.Limit++
	page, err := s.store.ListComments(c.Request().Context(), q)
	if err != nil {
		return err
	}
	out := PublicCommentPage{CaseID: cs.ID, Comments: page}
	if len(page) > limit {
		out.Comments = page[:limit]
		out.NextCursor = encodeCommentCursor(page[limit-1])
	}
	return c.JSON(http.StatusOK, out)
}

// PublicCommentSummary answers GET /cases/{id}/comments/summary: counts only,
// with the latest notice's period and whether it is open today.
type PublicCommentSummary struct {
	db.CommentSummary
	Notice *db.CommentNotice `json:"notice,omitempty"`
	Open   bool              `json:"open" description:"今日（北京时间）是否在征求意见期限内"`
}

func (s *Server) publicCommentSummary(c echo.Context) error {
	cs, err := s.commentReader(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	sum, err := s.store.CommentSummary(ctx, cs.ID)
	if err != nil {
		return err
	}
	out := PublicCommentSummary{CommentSummary: sum}
	n, err := s.store.LatestCommentNotice(ctx, cs.ID)
	if err == nil {
		out.Notice, out.Open = &n, noticeOpen(n, today())
	} else if !errors.Is(err, db.ErrNotFound) {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// DispositionRequest is the unit's disposition of one comment (R-PP-10).
type DispositionRequest struct {
	Disposition string `json:"disposition" required:"true" enum:"adopted,partly_adopted,not_adopted,outside_scope" description:"采纳、部分采纳、不采纳、不属于征求意见范围"`
	Reason      string `json:"reason,omitempty" description:"理由；部分采纳和不采纳时必填"`
}

type commentPath struct {
	ID        string `path:"id" format:"uuid"`
	CommentID string `path:"comment_id" format:"uuid"`
}

// commentOfPath is the comment_id of the path when it names a comment of
// case caseID; notFound otherwise.
func (s *Server) commentOfPath(c echo.Context, caseID string) (string, error) {
	cid := c.Param("comment_id")
	if _, err := uuid.Parse(cid); err != nil {
		return "", notFound("意见不存在 / no such comment")
	}
	if _, err := s.store.GetComment(c.Request().Context(), caseID, cid); errors.Is(err, db.ErrNotFound) {
		return "", notFound("意见不存在 / no such comment")
	} else if err != nil {
		return "", err
	}
	return cid, nil
}

type dispositionReq struct {
	commentPath
	DispositionRequest
}

// CommentDisposed answers a disposition: the comment and the case event
// that records it.
type CommentDisposed struct {
	Comment  db.PublicComment `json:"comment"`
	EventSeq int64            `json:"event_seq"`
}

// disposeComment records the undertaking unit's disposition of a comment:
// Art. 18 "充分采纳合理意见", R-PP-10 every opinion disposed, a reason for
// every non-adoption. A refusal is recorded in the case's chain.
func (s *Server) disposeComment(c echo.Context) error {
	cs, u, err := s.commentDisposer(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	cid, err := s.commentOfPath(c, cs.ID)
	if err != nil {
		return err
	}
	var req DispositionRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	reason, err := cleanText("reason", req.Reason, 2000, true)
	if err != nil {
		return err
	}
	if len(req.Disposition) > 50 {
		return invalid("disposition 无效 / invalid disposition")
	}
	actor := db.AuditEvent{ActorID: u.ID, ActorName: u.Name, ActorRole: u.Role, ActorOrg: u.OrgID, RequestID: requestID(c), ClientAddr: c.RealIP()}
	if v := rules.OpinionsDisposed([]rules.Opinion{{ID: cid, Disposition: req.Disposition, Reason: reason}}, nil); v != nil {
		return s.refuseByRule(c, cs.ID, "", map[string]any{"task_type": "comment_disposition", "comment_id": cid, "form": req}, []rules.Violation{*v})
	}
	pc, ev, err := s.store.DisposeComment(ctx, cs.ID, cid, req.Disposition, reason, actor)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, CommentDisposed{Comment: pc, EventSeq: ev.Seq})
}

// commentDisposer loads the case of a disposition and checks that the user is
// of its undertaking unit, which alone disposes of public comments.
func (s *Server) commentDisposer(c echo.Context) (db.Case, db.User, error) {
	cs, err := s.commentReader(c)
	if err != nil {
		return db.Case{}, db.User{}, err
	}
	u := currentUser(c)
	if u.OrgID != cs.UnitID || (u.Role != workflows.RoleDepartmentOfficer && u.Role != workflows.RoleOrgHead) {
		return db.Case{}, db.User{}, forbidden("只有承办单位可以处理公众意见 / only the undertaking unit disposes of public comments")
	}
	if cs.State == workflows.StateClosed {
		return db.Case{}, db.User{}, caseClosed()
	}
	return cs, u, nil
}

// TopicDispositionRequest disposes of several comments together, as one
// cluster: a topic's undisposed comments, or the comments the unit picked
// in its ledger (comment_ids; then topic is not given).
type TopicDispositionRequest struct {
	Topic      string   `json:"topic,omitempty" maxLength:"100" description:"意见主题（同类意见归并处理）"`
	CommentIDs []string `json:"comment_ids,omitempty" maxItems:"500" description:"承办单位归并的意见（1–500 条）；与 topic 二选一"`
	DispositionRequest
}

type topicDispositionReq struct {
	idPath
	TopicDispositionRequest
}

// TopicDisposed answers a disposition by topic or of a picked cluster.
type TopicDisposed struct {
	Topic    string `json:"topic,omitempty"`
	Count    int    `json:"count"`
	EventSeq int64  `json:"event_seq"`
}

// disposeTopic disposes of every undisposed comment of a topic as one cluster
// (R-PP-10: like opinions are disposed of together, each non-adoption with
// its reason).
func (s *Server) disposeTopic(c echo.Context) error {
	cs, u, err := s.commentDisposer(c)
	if err != nil {
		return err
	}
	var req TopicDispositionRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	topic, err := cleanText("topic", req.Topic, 100, false)
	if err != nil {
		return err
	}
	reason, err := cleanText("reason", req.Reason, 2000, true)
	if err != nil {
		return err
	}
	if len(req.Disposition) > 50 {
		return invalid("disposition 无效 / invalid disposition")
	}
	if req.CommentIDs != nil {
		return s.disposeCluster(c, cs, u, topic, req.CommentIDs, req.Disposition, reason, req)
	}
	cluster := "topic:" + topic
	if v := rules.OpinionsDisposed([]rules.Opinion{{ID: cluster, Cluster: cluster}},
		[]rules.OpinionCluster{{ID: cluster, Disposition: req.Disposition, Reason: reason}}); v != nil {
		return s.refuseByRule(c, cs.ID, "", map[string]any{"task_type": "comment_disposition", "topic": topic, "form": req}, []rules.Violation{*v})
	}
	actor := db.AuditEvent{ActorID: u.ID, ActorName: u.Name, ActorRole: u.Role, ActorOrg: u.OrgID, RequestID: requestID(c), ClientAddr: c.RealIP()}
	n, ev, err := s.store.DisposeTopic(c.Request().Context(), cs.ID, topic, req.Disposition, reason, actor)
	if errors.Is(err, db.ErrNotFound) {
		return notFound("该主题没有待处理的意见 / the topic has no undisposed comments")
	} else if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, TopicDisposed{Topic: topic, Count: n, EventSeq: ev.Seq})
}

// disposeCluster disposes of the comments the unit picked as one cluster
// (R-PP-10).
func (s *Server) disposeCluster(c echo.Context, cs db.Case, u db.User, topic string, picked []string, disposition, reason string, req TopicDispositionRequest) error {
	if topic != "" {
		return invalid("topic 与 comment_ids 只能给出其一 / give topic or comment_ids, not both")
	}
	ids, err := clusterIDs(picked)
	if err != nil {
		return err
	}
	cluster := "cluster:" + ids[0]
	if v := rules.OpinionsDisposed([]rules.Opinion{{ID: cluster, Cluster: cluster}},
		[]rules.OpinionCluster{{ID: cluster, Disposition: disposition, Reason: reason}}); v != nil {
		return s.refuseByRule(c, cs.ID, "", map[string]any{"task_type": "comment_disposition", "comment_ids": ids, "form": req}, []rules.Violation{*v})
	}
	actor := db.AuditEvent{ActorID: u.ID, ActorName: u.Name, ActorRole: u.Role, ActorOrg: u.OrgID, RequestID: requestID(c), ClientAddr: c.RealIP()}
	ev, err := s.store.DisposeCluster(c.Request().Context(), cs.ID, ids, disposition, reason, actor)
	if errors.Is(err, db.ErrNotFound) {
		return notFound("comment_ids 中有不属于本事项的意见 / comment_ids names comments that are not this case's")
	} else if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, TopicDisposed{Count: len(ids), EventSeq: ev.Seq})
}

// publicCommentOps document the public-comment routes.
var publicCommentOps = []apiOp{
	{"POST", "/api/v1/cases/{id}/comments", "Comment on a case's open comment notice (public, no token): with a challenge from GET /cases/{id}/comments/challenge and its answer (400 challenge_failed; 409 challenge_used when answered before), at most 10 a minute per client address (429, shared by every API server); the answer's receipt number is shown once; a closed case takes none (409 case_closed)", new(publicCommentReq), new(PublicCommentReceived), 201, false, []int{400, 404, 409, 429}},
	{"GET", "/api/v1/cases/{id}/comments", "A case's public comments in arrival order, keyset-paged (undertaking unit, auditors)", new(PublicCommentQuery), new(PublicCommentPage), 200, true, []int{400, 403, 404}},
	{"GET", "/api/v1/cases/{id}/comments/summary", "Counts of a case's public comments: total, by topic, first and last, disposed (undertaking unit, auditors)", new(idPath), new(PublicCommentSummary), 200, true, []int{403, 404}},
	{"POST", "/api/v1/cases/{id}/comments/dispositions", "Dispose of several comments together, as one cluster (R-PP-10): every undisposed comment of a topic, or the comment_ids the unit picked; 409 case_closed once the case is closed", new(topicDispositionReq), new(TopicDisposed), 200, true, []int{400, 403, 404, 409, 422}},
	{"POST", "/api/v1/cases/{id}/comments/{comment_id}/disposition", "The undertaking unit's disposition of a comment (R-PP-10): adopted, partly_adopted, not_adopted (with reason) or outside_scope; 409 case_closed once the case is closed", new(dispositionReq), new(CommentDisposed), 200, true, []int{400, 403, 404, 409, 422}},
}
