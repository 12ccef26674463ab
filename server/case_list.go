package server

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/juece/juece/db"
	"github.com/juece/juece/workflows"
)

// CaseListQuery filters GET /cases. Dates are days in China time (UTC+8):
// created_from is inclusive, created_to includes the whole day; RFC 3339
// instants are taken as given (created_to exclusive).
type CaseListQuery struct {
	State          caseState   `query:"state" description:"事项状态"`
	Outcome        caseOutcome `query:"outcome" description:"已办结事项的结果"`
	Org            string      `query:"org" description:"决策机关或承办单位，如 yiyang、yiyang-nrb"`
	Profile        caseProfile `query:"profile" description:"适用的规则配置"`
	CreatedFrom    string      `query:"created_from" description:"发起日期起，YYYY-MM-DD 或 RFC 3339"`
	CreatedTo      string      `query:"created_to" description:"发起日期止，YYYY-MM-DD（含当日）或 RFC 3339（不含）"`
	Title          string      `query:"title" maxLength:"200" description:"名称包含（不区分大小写）"`
	DirectoryEntry string      `query:"directory_entry" description:"决策事项目录中的事项 ID；unlisted 为未列入目录而启动的事项（R-DIR-04）"`
	Cursor         string      `query:"cursor" description:"上一页返回的 next"`
	Limit          int         `query:"limit" minimum:"1" maximum:"200" description:"默认 50"`
}

// The values CaseListQuery documents are the lists the handler checks.
type (
	caseState   string
	caseOutcome string
	caseProfile string
)

func (caseState) Enum() []any   { return anys(workflows.States) }
func (caseOutcome) Enum() []any { return anys(workflows.Outcomes) }
func (caseProfile) Enum() []any { return anys(slices.Sorted(maps.Keys(workflows.Profiles))) }

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

var caseListParams = []string{"state", "outcome", "org", "profile", "created_from", "created_to", "title", "directory_entry", "cursor", "limit"}

// badParam refuses one query parameter: 400 invalid_request, naming it in
// fields, with the reason in Chinese and English.
func badParam(name, zh, en string) *Error {
	e := invalid(zh + " / " + en)
	e.Message, e.MessageEN = zh, en
	e.Fields = []workflows.FieldError{{Field: name, Message: zh, EN: en}}
	return e
}

// listCases lists the cases the user may see, newest first, one page at a
// time, with the number of cases per state on the first page (badges).
// Visibility is GET /cases/{id}'s (loadCase): the user's organisation as
// decision organ, undertaking unit or holder of one of the case's tasks;
// auditors and admins see every case.
func (s *Server) listCases(c echo.Context) error {
	q, err := s.parseCaseListQuery(c)
	if err != nil {
		return err
	}
	q.Counts = q.Cursor == ""
	page, err := s.store.ListCases(c.Request().Context(), viewer(currentUser(c)), q)
	if errors.Is(err, db.ErrBadCursor) {
		return badParam("cursor", "cursor 无效，请从第一页重新开始", "invalid cursor: start again from the first page")
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page)
}

// parseCaseListQuery reads the filters strictly: an unknown or repeated
// parameter, or a value no case could have, is a 400 naming the parameter.
func (s *Server) parseCaseListQuery(c echo.Context) (db.CaseQuery, error) {
	var q db.CaseQuery
	params := c.QueryParams()
	for _, k := range slices.Sorted(maps.Keys(params)) {
		if !slices.Contains(caseListParams, k) {
			return q, badParam(k, fmt.Sprintf("未知查询参数 %s，可用 %s", k, strings.Join(caseListParams, "、")),
				fmt.Sprintf("unknown query parameter %s; use %s", k, strings.Join(caseListParams, ", ")))
		}
		if len(params[k]) != 1 {
			return q, badParam(k, "查询参数 "+k+" 只能出现一次", "query parameter "+k+" given more than once")
		}
		// PostgreSQL text holds neither NUL nor invalid UTF-8.
		if v := params.Get(k); !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
			return q, badParam(k, "查询参数 "+k+" 不是有效文本", "query parameter "+k+" is not valid text")
		}
	}
	q.State, q.Outcome, q.OrgID, q.Profile = params.Get("state"), params.Get("outcome"), params.Get("org"), params.Get("profile")
	if q.State != "" && !slices.Contains(workflows.States, q.State) {
		return q, badParam("state", "state 取值无效，可用 "+strings.Join(workflows.States, "、"), "unknown state; use one of "+strings.Join(workflows.States, ", "))
	}
	if q.Outcome != "" && !slices.Contains(workflows.Outcomes, q.Outcome) {
		return q, badParam("outcome", "outcome 取值无效，可用 "+strings.Join(workflows.Outcomes, "、"), "unknown outcome; use one of "+strings.Join(workflows.Outcomes, ", "))
	}
	if q.Profile != "" {
		// The profiles in force (JUECE_PROFILES may add some) and the built-in
		// ones, which older cases may carry.
		_, configured := s.cfg.Profiles[q.Profile]
		if _, builtin := workflows.Profiles[q.Profile]; !configured && !builtin {
			profiles := s.cfg.Profiles.Names()
			return q, badParam("profile", "profile 取值无效，可用 "+strings.Join(profiles, "、"), "unknown profile; use one of "+strings.Join(profiles, ", "))
		}
	}
	if q.OrgID != "" {
		if !orgIDPattern.MatchString(q.OrgID) {
			return q, badParam("org", "org 不是有效的单位标识", "org is not an organisation id")
		}
		if _, err := s.store.GetOrganisation(c.Request().Context(), q.OrgID); errors.Is(err, db.ErrNotFound) {
			return q, badParam("org", "单位 "+q.OrgID+" 不存在", "no organisation "+q.OrgID)
		} else if err != nil {
			return q, err
		}
	}
	var err error
	if q.CreatedFrom, err = parseInstant(params.Get("created_from"), false); err != nil {
		return q, badParam("created_from", "created_from 须为 YYYY-MM-DD 或 RFC 3339 时间", "created_from must be YYYY-MM-DD or an RFC 3339 time")
	}
	if q.CreatedTo, err = parseInstant(params.Get("created_to"), true); err != nil {
		return q, badParam("created_to", "created_to 须为 YYYY-MM-DD 或 RFC 3339 时间", "created_to must be YYYY-MM-DD or an RFC 3339 time")
	}
	if !q.CreatedFrom.IsZero() && !q.CreatedTo.IsZero() && !q.CreatedFrom.Before(q.CreatedTo) {
		return q, badParam("created_to", "created_to 须晚于 created_from", "created_to must be after created_from")
	}
	q.TitleContains = strings.TrimSpace(params.Get("title"))
	if utf8.RuneCountInString(q.TitleContains) > 200 {
		return q, badParam("title", "title 不得超过 200 个字符", "title must be at most 200 characters")
	}
	if e := params.Get("directory_entry"); e != "" && e != db.CaseUnlisted {
		id, err := uuid.Parse(e)
		if err != nil {
			return q, badParam("directory_entry", "directory_entry 须为目录事项 ID 或 unlisted", "directory_entry must be a directory entry id or unlisted")
		}
		q.DirectoryEntryID = id.String()
	} else {
		q.DirectoryEntryID = e
	}
	q.Cursor = params.Get("cursor")
	if v := params.Get("limit"); v != "" {
		if q.Limit, err = strconv.Atoi(v); err != nil || q.Limit < 1 || q.Limit > db.MaxCasePage {
			return q, badParam("limit", fmt.Sprintf("limit 须为 1–%d", db.MaxCasePage), fmt.Sprintf("limit must be 1–%d", db.MaxCasePage))
		}
	}
	return q, nil
}
