package web

import (
	"encoding/json"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/accounts"
	"github.com/juece/juece/server/oidc"
	"github.com/juece/juece/server/ratelimit"
	"github.com/juece/juece/workflows"
	"github.com/juece/juece/workflows/rules"
)

// API is what the workbench needs of the server: the API's own handlers, run
// in-process for the signed-in user. The UI never re-implements a check the
// API makes (who may see a case, who may act on a task, the procedural rules):
// it runs the same handler and shows its answer. server/webui.go implements it.
type API interface {
	// Authenticate resolves a session ID (the session cookie) to its
	// user; an ended, timed-out or unknown session, or a disabled user, is
	// db.ErrNotFound.
	Authenticate(c echo.Context, session string) (db.User, error)
	// Accounts is the sign-in's store (db/accounts) with the server's
	// password, lockout, second-factor and session settings: the login's
	// steps and the account page run on it.
	Accounts() *accounts.Store
	// OIDC is the unified identity platform's client (server/oidc); nil
	// when none is configured, and the login offers none.
	OIDC() *oidc.Client
	// Limits are the server's limits against abuse (server/ratelimit), the
	// login's among them; nil: none.
	Limits() *ratelimit.Limiter
	// Logout ends the session on the server and records the logout.
	Logout(c echo.Context, u db.User, session string) error
	// SecureCookies says whether cookies set on this answer get Secure:
	// the browser reached the server over TLS (or the server is configured
	// so).
	SecureCookies(c echo.Context) bool
	// Call runs an API operation for u and decodes its JSON answer into out
	// (nil: discard). An error answer is returned as *Problem.
	Call(c echo.Context, u db.User, op Op, out any) error
	// Download runs an operation that answers with bytes (a document, the
	// dossier ZIP), writing straight to c's response. An error answer is
	// returned as *Problem, with nothing written.
	Download(c echo.Context, u db.User, op Op) error
}

// Op is one API operation: a route as server/routes.go names it under
// /api/v1 ("GET /cases/:id"), its path parameters in order, query and body.
type Op struct {
	Route  string
	Params []string
	Query  url.Values
	Body   any               // encoded as JSON
	Header map[string]string // e.g. Idempotency-Key
	// Raw, if set, is sent as the body instead of Body, with ContentType:
	// a document upload's multipart form, streamed.
	Raw         io.Reader
	ContentType string
}

// Problem is the API's problem+json answer.
type Problem struct {
	Status     int                    `json:"status"`
	Code       string                 `json:"code"`
	Detail     string                 `json:"detail"`
	DetailZH   string                 `json:"detail_zh"`
	DetailEN   string                 `json:"detail_en"`
	Rule       string                 `json:"rule"`
	Citation   string                 `json:"citation"`
	MessageEN  string                 `json:"message_en"`
	Violations []rules.Violation      `json:"violations"`
	Fields     []workflows.FieldError `json:"fields"`
	Winner     *struct {
		Name string `json:"name"`
		At   string `json:"at"`
	} `json:"winner"`
	RequestID string `json:"request_id"`
}

func (p *Problem) Error() string { return p.Code + ": " + p.Detail }

// ZH and EN are the Chinese and English halves of the API's detail
// (detail_zh, detail_en), or of a "中文 / English" detail the workbench
// made itself; a detail in one language only is returned by both.
func (p *Problem) ZH() string {
	if p.DetailZH != "" {
		return p.DetailZH
	}
	if p.DetailEN != "" {
		// An English-only detail (the HTTP router's): say what the status says.
		if zh, ok := statusZH[p.Status]; ok {
			return zh
		}
		return "请求未能办理"
	}
	zh, _, _ := strings.Cut(p.Detail, " / ")
	return zh
}

// statusZH says in Chinese what a status means, for a detail that has no
// Chinese half.
var statusZH = map[int]string{
	400: "请求有误",
	401: "请先登录",
	403: "无权办理此操作",
	404: "未找到",
	405: "此地址不接受这种请求",
	409: "与当前状态冲突",
	413: "请求内容过大",
	415: "不支持此文件类型",
	422: "请求未能办理",
	429: "请求过于频繁，请稍后重试",
	500: "内部错误",
	503: "服务暂不可用，请稍后重试",
}

// EN is the English half of the detail (see ZH), or the rule's English message.
func (p *Problem) EN() string {
	if p.MessageEN != "" {
		return p.MessageEN
	}
	if p.DetailEN != "" {
		return p.DetailEN
	}
	if _, en, ok := strings.Cut(p.Detail, " / "); ok {
		return en
	}
	if p.DetailZH != "" {
		return p.DetailZH
	}
	return p.Detail
}

// The API's answers, decoded into the fields the pages show. They mirror the
// server's JSON, not its Go types: server imports this package.

// CaseView is GET /cases/{id}.
type CaseView struct {
	db.Case                   // Facts holds the API's facts object
	OpenTasks  []db.Task      `json:"open_tasks"`
	Deadlines  []DeadlineView `json:"deadlines"`
	NextSteps  []NextStep     `json:"next_steps"`
	HistoryURL string         `json:"history_url"`
	// DocumentNumbers are the 文号 of its opinions and minutes.
	DocumentNumbers []DocumentNumber `json:"document_numbers"`
}

// DocumentNumber is the 文号 of a legality opinion or meeting minutes.
type DocumentNumber struct {
	TaskID string `json:"task_id"`
	Kind   string `json:"kind"`
	OrgID  string `json:"org_id"`
	Number string `json:"number"`
}

// NextStep says whether an open task may be completed now, and what blocks it.
type NextStep struct {
	TaskID    string            `json:"task_id"`
	Type      string            `json:"type"`
	Role      string            `json:"role"`
	Org       string            `json:"org"`
	Allowed   bool              `json:"allowed"`
	BlockedBy []rules.Violation `json:"blocked_by"`
}

// DeadlineView is a deadline from the working-day clock.
type DeadlineView struct {
	TaskID      *string   `json:"task_id"`
	Rule        string    `json:"rule"`
	Kind        string    `json:"kind"`
	From        string    `json:"from"`
	N           int       `json:"n"`
	Date        string    `json:"date"`
	DueAt       time.Time `json:"due_at"`
	Provisional bool      `json:"provisional"`
	Sources     []string  `json:"sources"`
	// Status: open, overdue, met, late or cancelled (server.DeadlineView).
	Status          string `json:"status"`
	MetOn           string `json:"met_on"`
	WorkingDaysLeft *int   `json:"working_days_left"`
}

// TaskView is GET /tasks/{id}.
type TaskView struct {
	db.Task
	FormSchema json.RawMessage   `json:"form_schema"`
	Documents  []db.DocumentLink `json:"documents"`
	Assignee   *Person           `json:"assignee"`
	Delegate   *Person           `json:"delegate"`
}

// Person is a user a task names: its assignee, its delegate.
type Person struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Role string `json:"role"`
	Org  string `json:"org"`
}

// UserList is GET /users: an organisation's active staff.
type UserList struct {
	Org   string `json:"org"`
	Users []struct {
		ID     string `json:"id"`
		Handle string `json:"handle"`
		Name   string `json:"name"`
		Role   string `json:"role"`
		Org    string `json:"org"`
	} `json:"users"`
}

// Timeline is GET /cases/{id}/timeline.
type Timeline struct {
	CaseID string  `json:"case_id"`
	Events []Event `json:"events"`
}

// Event is one audit event, of a case's timeline or an audit search.
type Event struct {
	ID         int64           `json:"id"`
	CaseID     string          `json:"case_id"`
	Seq        int64           `json:"seq"`
	At         time.Time       `json:"at"`
	Actor      EventActor      `json:"actor"`
	OnBehalfOf string          `json:"on_behalf_of"`
	Action     string          `json:"action"`
	TaskID     string          `json:"task_id"`
	RequestID  string          `json:"request_id"`
	ClientAddr string          `json:"client_addr"`
	Data       json.RawMessage `json:"data"`
	Diff       json.RawMessage `json:"diff"`
	PrevHash   string          `json:"prev_hash"`
	Hash       string          `json:"hash"`
}

// EventActor is who did it.
type EventActor struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Role string `json:"role"`
	Org  string `json:"org"`
}

// EventPage is GET /audit/events.
type EventPage struct {
	Events     []Event `json:"events"`
	NextCursor string  `json:"next_cursor"`
}

// RefusalPage is GET /audit/refusals.
type RefusalPage struct {
	Refusals []struct {
		ID         int64             `json:"id"`
		CaseID     string            `json:"case_id"`
		CaseTitle  string            `json:"case_title"`
		Seq        int64             `json:"seq"`
		At         time.Time         `json:"at"`
		Actor      EventActor        `json:"actor"`
		TaskID     string            `json:"task_id"`
		TaskType   string            `json:"task_type"`
		Violations []rules.Violation `json:"violations"`
		CaseNumber string            `json:"case_number"`
	} `json:"refusals"`
	NextCursor string `json:"next_cursor"`
}

// PrintedList is GET /cases/{id}/print: the printed documents a case has
// reached.
type PrintedList struct {
	Documents []struct {
		Key string `json:"key"`
	} `json:"documents"`
}

// DocumentList is GET /cases/{id}/documents.
type DocumentList struct {
	Documents []struct {
		SHA256    string     `json:"sha256"`
		Kind      string     `json:"kind"`
		Name      string     `json:"name"`
		Version   int        `json:"version"`
		Stage     string     `json:"stage"`
		TaskID    string     `json:"task_id"`
		CreatedBy EventActor `json:"created_by"`
		CreatedAt time.Time  `json:"created_at"`
		MediaType string     `json:"media_type"`
		Size      int64      `json:"size"`
	} `json:"documents"`
}

// DocumentFiled answers POST /cases/{id}/documents.
type DocumentFiled struct {
	SHA256  string `json:"sha256"`
	Name    string `json:"name"`
	Version int    `json:"version"`
}

// CalendarYear is GET /calendar/years/{year}.
type CalendarYear struct {
	Year           int      `json:"year"`
	Version        int      `json:"version"`
	Notice         string   `json:"notice"`
	DocumentNumber string   `json:"document_number"`
	PublishedOn    *string  `json:"published_on"`
	RestDays       []string `json:"rest_days"`
	WorkingDays    []string `json:"working_days"`
	Provisional    bool     `json:"provisional"`
	Source         string   `json:"source"`
	Versions       []struct {
		Version        int       `json:"version"`
		DocumentNumber string    `json:"document_number"`
		RestDays       int       `json:"rest_day_count"`
		WorkingDays    int       `json:"working_day_count"`
		SourceFormat   string    `json:"source_format"`
		LoadedBy       string    `json:"loaded_by"`
		LoadedAt       time.Time `json:"loaded_at"`
	} `json:"versions"`
}

// Deadline is GET /calendar/deadline.
type Deadline struct {
	Date           string   `json:"date"`
	Provisional    bool     `json:"provisional"`
	EndsOnRestDay  *bool    `json:"ends_on_rest_day"`
	NextWorkingDay string   `json:"next_working_day"`
	Source         []string `json:"source"`
}

// Completed answers a task completion or action.
type Completed struct {
	TaskID string `json:"task_id"`
	CaseID string `json:"case_id"`
	State  string `json:"state"`
	Seq    int64  `json:"seq"`
}

// CommentList is GET /tasks/{id}/comments.
type CommentList struct {
	Comments []db.TaskComment `json:"comments"`
}
