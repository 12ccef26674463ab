package server

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/numbering"
	"github.com/juece/juece/workflows"
)

// InboxQuery are the filters of GET /inbox.
type InboxQuery struct {
	View    string `query:"view" enum:"mine,unclaimed,due_soon,overdue,completed,all" description:"我的待办、本单位待认领、即将到期、已逾期、我已办结、全部可见"`
	CaseID  string `query:"case_id" description:"决策事项的 UUID 或编号（如 宜阳决〔2026〕12号）"`
	Type    string `query:"type"`
	Stage   string `query:"stage"`
	Org     string `query:"org"`
	DueFrom string `query:"due_from" format:"date-time"`
	DueTo   string `query:"due_to" format:"date-time"`
	Cursor  string `query:"cursor" description:"上一页返回的 next"`
	Limit   int    `query:"limit" minimum:"1" maximum:"200"`
}

var inboxParams = []string{"view", "case_id", "type", "stage", "org", "due_from", "due_to", "cursor", "limit"}

func viewer(u db.User) db.Viewer {
	return db.Viewer{UserID: u.ID, OrgID: u.OrgID, Role: u.Role, Reach: u.Reach}
}

func (s *Server) inbox(c echo.Context) error {
	qp := c.QueryParams()
	for k := range qp {
		if !slices.Contains(inboxParams, k) {
			return invalid("未知参数 " + k + " / unknown parameter " + k)
		}
	}
	q := db.InboxQuery{View: qp.Get("view"), CaseID: qp.Get("case_id"), Type: qp.Get("type"), Stage: qp.Get("stage"),
		OrgID: qp.Get("org"), Cursor: qp.Get("cursor"), Now: time.Now()}
	if q.View == "" {
		q.View = db.ViewMine
	}
	if !slices.Contains(db.InboxViews, q.View) {
		return invalid("view 取值无效 / unknown view")
	}
	if q.CaseID != "" {
		// The filter takes the case's UUID or its number (编号).
		if _, err := uuid.Parse(q.CaseID); err != nil {
			if !utf8.ValidString(q.CaseID) || strings.ContainsRune(q.CaseID, 0) || utf8.RuneCountInString(q.CaseID) > 100 ||
				!numbering.LooksLikeNumber(q.CaseID) {
				return invalid("case_id 须为决策事项编号或 UUID / case_id is neither a case number nor a UUID")
			}
			q.CaseID, q.CaseNumber = "", strings.TrimSpace(q.CaseID)
		}
	}
	for name, dst := range map[string]**time.Time{"due_from": &q.DueFrom, "due_to": &q.DueTo} {
		if v := qp.Get(name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return invalid(name + " 须为 RFC 3339 时间 / " + name + " must be an RFC 3339 time")
			}
			*dst = &t
		}
	}
	if v := qp.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 200 {
			return invalid("limit 须为 1–200 / limit must be 1–200")
		}
		q.Limit = n
	}
	page, err := s.store.Inbox(c.Request().Context(), viewer(currentUser(c)), q)
	if errors.Is(err, db.ErrBadCursor) {
		return invalid("cursor 无效 / bad cursor")
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page)
}

// InboxCounts are the badge numbers per view.
type InboxCounts struct {
	Counts map[string]int `json:"counts"`
}

func (s *Server) inboxCounts(c echo.Context) error {
	counts, err := s.store.InboxCounts(c.Request().Context(), viewer(currentUser(c)), time.Now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, InboxCounts{Counts: counts})
}

// OverdueReport is the per-organisation overdue list (督查): every
// organisation in reach, and the last twelve months' trend over them.
type OverdueReport struct {
	Organisations []db.OverdueCount `json:"organisations"`
	Months        []db.MonthCount   `json:"months" description:"近 12 个月（北京时间，当月截至现在），由远及近"`
}

// trendMonths is how many months 督查's trend shows.
const trendMonths = 12

func (s *Server) overdueByOrg(c echo.Context) error {
	u := currentUser(c)
	if !overseer(u) && u.Role != workflows.RoleExecutiveHead && u.Role != workflows.RoleOrgHead {
		return forbidden("仅审计、监督和负责人可查看督查数据 / only auditors, supervisors and heads see supervision data")
	}
	// An overseer sees the organisations in their reach; a head, those of
	// their own government.
	reach := u.Reach
	if !overseer(u) {
		var err error
		if reach, err = s.store.GovernmentOf(c.Request().Context(), u.OrgID); err != nil {
			return err
		}
	}
	now := time.Now()
	rows, err := s.store.OverdueByOrg(c.Request().Context(), now, reach)
	if err != nil {
		return err
	}
	months, err := s.store.OverdueByMonth(c.Request().Context(), now, reach, trendMonths)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, OverdueReport{Organisations: rows, Months: months})
}

// CommentList answers GET /tasks/{id}/comments.
type CommentList struct {
	Comments []db.TaskComment `json:"comments"`
}

func (s *Server) taskComments(c echo.Context) error {
	t, err := s.loadTask(c, true)
	if err != nil {
		return err
	}
	cs, err := s.store.Comments(c.Request().Context(), t.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, CommentList{Comments: cs})
}
