package server

import (
	"encoding/json"
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
	"github.com/juece/juece/db/numbering"
	"github.com/juece/juece/workflows"
	"github.com/juece/juece/workflows/rules"
)

// The auditor's views (审计监督; Arts. 38–40 and spec §4.16): the events of
// the cases, the refusals, and a check of the whole record. Only auditors
// and admins may use them, each within their reach (db.User.Reach: the
// organisations they oversee, migration 00020). Checkpoints are written by
// the scheduled system job and by admins, who own the record's upkeep; an
// auditor reads them.

// AuditEventQuery filters GET /audit/events. Dates are days in China time
// (UTC+8): from is inclusive, to includes the whole day; full RFC 3339
// instants are taken as given (to exclusive).
type AuditEventQuery struct {
	Actor  string `query:"actor" description:"操作人的用户 ID 或姓名"`
	Org    string `query:"org" description:"操作人所在单位"`
	Action string `query:"action" description:"事项，如 step.refused；以 * 结尾为前缀，如 task.completed.*"`
	Rule   string `query:"rule" description:"事件所涉规则编号，如 G-CD-LR"`
	CaseID string `query:"case_id" description:"决策事项的 UUID 或编号（如 宜阳决〔2026〕12号）"`
	From   string `query:"from" description:"YYYY-MM-DD 或 RFC 3339"`
	To     string `query:"to" description:"YYYY-MM-DD（含当日）或 RFC 3339（不含）"`
	Limit  int    `query:"limit" minimum:"1" maximum:"1000" description:"默认 100"`
	Cursor string `query:"cursor" description:"上一页的 next_cursor"`
}

// AuditEventView is one audit event across cases.
type AuditEventView struct {
	ID         int64           `json:"id"`
	CaseID     string          `json:"case_id"`
	Seq        int64           `json:"seq"`
	At         time.Time       `json:"at"`
	Actor      EventActor      `json:"actor"`
	OnBehalfOf string          `json:"on_behalf_of,omitempty"`
	Action     string          `json:"action"`
	TaskID     string          `json:"task_id,omitempty"`
	RequestID  string          `json:"request_id,omitempty"`
	ClientAddr string          `json:"client_addr,omitempty"`
	Data       json.RawMessage `json:"data"`
	PrevHash   string          `json:"prev_hash"`
	Hash       string          `json:"hash"`
}

// AuditEventPage answers GET /audit/events.
type AuditEventPage struct {
	Events     []AuditEventView `json:"events"`
	NextCursor string           `json:"next_cursor,omitempty" description:"有下一页时给出"`
}

// Refusal is a refused procedural step: who tried to skip which rule.
type Refusal struct {
	ID         int64             `json:"id"`
	CaseID     string            `json:"case_id"`
	CaseTitle  string            `json:"case_title"`
	Seq        int64             `json:"seq"`
	At         time.Time         `json:"at"`
	Actor      EventActor        `json:"actor"`
	TaskID     string            `json:"task_id,omitempty"`
	TaskType   string            `json:"task_type"`
	Violations []rules.Violation `json:"violations"`
	CaseNumber string            `json:"case_number,omitempty" description:"决策事项编号"`
}

// RefusalPage answers GET /audit/refusals.
type RefusalPage struct {
	Refusals   []Refusal `json:"refusals"`
	NextCursor string    `json:"next_cursor,omitempty"`
}

// AuditDirectoryEventQuery filters GET /audit/directory-events: the
// directories' records, which are not cases' and have their own search.
type AuditDirectoryEventQuery struct {
	DirectoryID string `query:"directory_id" format:"uuid"`
	Organ       string `query:"organ" description:"目录所属决策机关，如 yiyang"`
	Year        int    `query:"year" minimum:"2000" maximum:"2100" description:"目录年度"`
	Actor       string `query:"actor" description:"操作人的用户 ID 或姓名"`
	Org         string `query:"org" description:"操作人所在单位"`
	Action      string `query:"action" description:"事项，如 directory.refused（被拒绝的目录变更）；以 * 结尾为前缀，如 directory.*"`
	Rule        string `query:"rule" description:"事件所涉规则编号，如 R-DIR-01；R-DIR-04 为未列入目录而启动的事项"`
	From        string `query:"from" description:"YYYY-MM-DD 或 RFC 3339"`
	To          string `query:"to" description:"YYYY-MM-DD（含当日）或 RFC 3339（不含）"`
	Limit       int    `query:"limit" minimum:"1" maximum:"1000" description:"默认 100"`
	Cursor      string `query:"cursor" description:"上一页的 next_cursor"`
}

// DirectoryEventView is one event of a directory's chain, with the
// directory's organ and year.
type DirectoryEventView struct {
	ID          int64           `json:"id"`
	DirectoryID string          `json:"directory_id"`
	OrganID     string          `json:"organ_id"`
	Year        int             `json:"year"`
	Seq         int64           `json:"seq"`
	At          time.Time       `json:"at"`
	Actor       EventActor      `json:"actor"`
	Action      string          `json:"action"`
	RequestID   string          `json:"request_id,omitempty"`
	ClientAddr  string          `json:"client_addr,omitempty"`
	Data        json.RawMessage `json:"data" description:"directory.refused: {operation, violations: [{rule, citation, message, message_en}], input}"`
	PrevHash    string          `json:"prev_hash"`
	Hash        string          `json:"hash"`
}

// DirectoryEventPage answers GET /audit/directory-events.
type DirectoryEventPage struct {
	Events     []DirectoryEventView `json:"events"`
	NextCursor string               `json:"next_cursor,omitempty" description:"有下一页时给出"`
}

// CheckpointList answers GET /audit/checkpoints.
type CheckpointList struct {
	Checkpoints []db.Checkpoint `json:"checkpoints"`
}

// CheckpointWritten answers POST /audit/checkpoints.
type CheckpointWritten struct {
	db.Checkpoint
	Written bool `json:"written" description:"false：自上一检查点以来无变化，未新写"`
}

func requireAuditor(c echo.Context) error {
	if !overseer(currentUser(c)) {
		return forbidden("仅审计监督人员和系统管理员可用 / only auditors and administrators may use this")
	}
	return nil
}

var chinaTime = time.FixedZone("CST", 8*3600) // R-CAL-07: Asia/Shanghai, no DST

// parseEventQuery reads the filters strictly: an unknown or repeated
// parameter, a bad date or cursor is a 400 that says which.
func (s *Server) parseEventQuery(c echo.Context, allowed []string) (db.EventQuery, error) {
	var q db.EventQuery
	params := c.QueryParams()
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !slices.Contains(allowed, k) {
			return q, invalid(fmt.Sprintf("未知查询参数 %s，可用 %s / unknown query parameter %s; use %s", k, strings.Join(allowed, "、"), k, strings.Join(allowed, ", ")))
		}
		if len(params[k]) != 1 {
			return q, invalid(fmt.Sprintf("查询参数 %s 只能出现一次 / query parameter %s given more than once", k, k))
		}
		// PostgreSQL text holds neither NUL nor invalid UTF-8: refuse them
		// here rather than fail in the query.
		if v := params.Get(k); !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
			return q, invalid(fmt.Sprintf("查询参数 %s 无效 / query parameter %s is not valid text", k, k))
		}
	}
	q.Actor, q.Org, q.Action, q.Rule = params.Get("actor"), params.Get("org"), params.Get("action"), params.Get("rule")
	if id := strings.TrimSpace(params.Get("case_id")); id != "" {
		if _, err := uuid.Parse(id); err != nil {
			// The case's number (编号) names it too.
			if utf8.RuneCountInString(id) > 100 || !numbering.LooksLikeNumber(id) {
				return q, invalid("case_id 须为决策事项编号或 UUID / case_id is neither a case number nor a UUID")
			}
			ids, err := numbering.CaseIDsByNumber(c.Request().Context(), s.store.DB, id)
			if err != nil {
				return q, err
			}
			if len(ids) == 0 {
				ids = []string{uuid.Nil.String()} // a number of no case: nothing to list
			}
			id = ids[0]
		}
		q.CaseID = id
	}
	var err error
	if q.From, err = parseInstant(params.Get("from"), false); err != nil {
		return q, invalid("from 须为 YYYY-MM-DD 或 RFC 3339 时间 / from must be YYYY-MM-DD or an RFC 3339 time")
	}
	if q.To, err = parseInstant(params.Get("to"), true); err != nil {
		return q, invalid("to 须为 YYYY-MM-DD 或 RFC 3339 时间 / to must be YYYY-MM-DD or an RFC 3339 time")
	}
	if v := params.Get("limit"); v != "" {
		if q.Limit, err = strconv.Atoi(v); err != nil || q.Limit < 1 || q.Limit > db.MaxEventPage {
			return q, invalid("limit 须为 1–1000 / limit must be 1–1000")
		}
	}
	if v := params.Get("cursor"); v != "" {
		if q.After, err = strconv.ParseInt(v, 10, 64); err != nil || q.After < 0 {
			return q, invalid("cursor 无效 / invalid cursor")
		}
	}
	if q.Limit == 0 {
		q.Limit = db.DefaultEventPage
	}
	return q, nil
}

// parseInstant reads a day (China time; as an upper bound, the end of that
// day) or an RFC 3339 instant.
func parseInstant(v string, upper bool) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseInLocation(time.DateOnly, v, chinaTime); err == nil {
		if upper {
			d = d.AddDate(0, 0, 1)
		}
		return d, nil
	}
	return time.Parse(time.RFC3339Nano, v)
}

var eventParams = []string{"actor", "org", "action", "rule", "case_id", "from", "to", "limit", "cursor"}

// searchPage fetches one page and the cursor of the next, if another page
// follows (the store reads one event ahead to know).
func (s *Server) searchPage(c echo.Context, q db.EventQuery) ([]db.AuditEvent, string, error) {
	evs, more, err := s.store.SearchEvents(c.Request().Context(), q)
	if err != nil || !more || len(evs) == 0 {
		return evs, "", err
	}
	return evs, strconv.FormatInt(evs[len(evs)-1].ID, 10), nil
}

func (s *Server) auditEvents(c echo.Context) error {
	if err := requireAuditor(c); err != nil {
		return err
	}
	q, err := s.parseEventQuery(c, eventParams)
	if err != nil {
		return err
	}
	q.Reach = currentUser(c).Reach
	evs, next, err := s.searchPage(c, q)
	if err != nil {
		return err
	}
	out := AuditEventPage{Events: make([]AuditEventView, 0, len(evs)), NextCursor: next}
	for _, e := range evs {
		out.Events = append(out.Events, AuditEventView{ID: e.ID, CaseID: e.CaseID, Seq: e.Seq, At: e.At,
			Actor: EventActor{e.ActorID, e.ActorName, e.ActorRole, e.ActorOrg}, OnBehalfOf: e.OnBehalfOf, Action: e.Action,
			TaskID: e.TaskID, RequestID: e.RequestID, ClientAddr: e.ClientAddr, Data: e.Data, PrevHash: e.PrevHash, Hash: e.Hash})
	}
	return c.JSON(http.StatusOK, out)
}

// auditRefusals lists step.refused events (R-LIA-04: procedure-breach
// attempts with the actor, for Arts. 38–40).
func (s *Server) auditRefusals(c echo.Context) error {
	if err := requireAuditor(c); err != nil {
		return err
	}
	q, err := s.parseEventQuery(c, slices.DeleteFunc(slices.Clone(eventParams), func(p string) bool { return p == "action" }))
	if err != nil {
		return err
	}
	q.Action = "step.refused"
	q.Reach = currentUser(c).Reach
	evs, next, err := s.searchPage(c, q)
	if err != nil {
		return err
	}
	var ids []string
	for _, e := range evs {
		if !slices.Contains(ids, e.CaseID) {
			ids = append(ids, e.CaseID)
		}
	}
	cases, err := s.store.CaseSummaries(c.Request().Context(), ids)
	if err != nil {
		return err
	}
	out := RefusalPage{Refusals: make([]Refusal, 0, len(evs)), NextCursor: next}
	for _, e := range evs {
		var d struct {
			TaskType   string            `json:"task_type"`
			Violations []rules.Violation `json:"violations"`
		}
		_ = json.Unmarshal(e.Data, &d) // recorded by server/tasks.go; older shapes show empty fields
		if d.Violations == nil {
			d.Violations = []rules.Violation{}
		}
		out.Refusals = append(out.Refusals, Refusal{ID: e.ID, CaseID: e.CaseID, CaseTitle: cases[e.CaseID].Title, Seq: e.Seq, At: e.At,
			Actor: EventActor{e.ActorID, e.ActorName, e.ActorRole, e.ActorOrg}, TaskID: e.TaskID, TaskType: d.TaskType, Violations: d.Violations,
			CaseNumber: cases[e.CaseID].Number})
	}
	return c.JSON(http.StatusOK, out)
}

var directoryEventParams = []string{"directory_id", "organ", "year", "actor", "org", "action", "rule", "from", "to", "limit", "cursor"}

// auditDirectoryEvents searches the decision directories' records
// (directory_events) across directories, as auditEvents does the cases':
// ?action=directory.refused lists the refused directory changes (R-DIR-01,
// R-DIR-02, R-DIR-03, R-DIR-05 …) with who tried them.
func (s *Server) auditDirectoryEvents(c echo.Context) error {
	if err := requireAuditor(c); err != nil {
		return err
	}
	q, err := s.parseEventQuery(c, directoryEventParams)
	if err != nil {
		return err
	}
	q.Reach = currentUser(c).Reach
	dq := db.DirectoryEventQuery{EventQuery: q}
	params := c.QueryParams()
	if id := params.Get("directory_id"); id != "" {
		if _, err := uuid.Parse(id); err != nil {
			return invalid("directory_id 须为 UUID / directory_id must be a UUID")
		}
		dq.DirectoryID = id
	}
	if o := params.Get("organ"); o != "" {
		if !orgIDPattern.MatchString(o) {
			return invalid("organ 须为决策机关的编号，如 yiyang / organ must be a decision organ's id, e.g. yiyang")
		}
		dq.OrganID = o
	}
	if y := params.Get("year"); y != "" {
		if dq.Year, err = strconv.Atoi(y); err != nil || dq.Year < 2000 || dq.Year > 2100 {
			return invalid("year 须为 2000–2100 / year must be 2000–2100")
		}
	}
	evs, more, err := s.store.SearchDirectoryEvents(c.Request().Context(), dq)
	if err != nil {
		return err
	}
	out := DirectoryEventPage{Events: make([]DirectoryEventView, 0, len(evs))}
	if more && len(evs) > 0 {
		out.NextCursor = strconv.FormatInt(evs[len(evs)-1].ID, 10)
	}
	for _, e := range evs {
		out.Events = append(out.Events, DirectoryEventView{ID: e.ID, DirectoryID: e.DirectoryID, OrganID: e.OrganID, Year: e.Year, Seq: e.Seq,
			At: e.At, Actor: EventActor{e.ActorID, e.ActorName, e.ActorRole, e.ActorOrg}, Action: e.Action, RequestID: e.RequestID,
			ClientAddr: e.ClientAddr, Data: e.Data, PrevHash: e.PrevHash, Hash: e.Hash})
	}
	return c.JSON(http.StatusOK, out)
}

// auditVerify checks the whole record (db.Store.VerifyAll). It answers 200
// with ok:false and the problems when something is wrong: the check worked.
// An auditor whose reach is not everything is told of the problems of the
// cases and directories in their reach, and of those of the record as a
// whole (the checkpoint and access chains, which name no case) and of
// cases and directories that are gone; the problems of other cases and
// directories are left out, and ok says whether what is shown is sound.
func (s *Server) auditVerify(c echo.Context) error {
	if err := requireAuditor(c); err != nil {
		return err
	}
	rep, err := s.store.VerifyAll(c.Request().Context())
	if err != nil {
		return err
	}
	if rep, err = s.verifyInReach(c, rep); err != nil {
		return err
	}
	if !rep.OK {
		s.log.WarnContext(c.Request().Context(), "audit record verification failed", "problems", len(rep.Problems), "user_id", currentUser(c).ID)
	}
	return c.JSON(http.StatusOK, rep)
}

// verifyInReach keeps the problems of rep the current user may see.
func (s *Server) verifyInReach(c echo.Context, rep db.AuditReport) (db.AuditReport, error) {
	reach := currentUser(c).Reach
	if reach == db.ReachAll {
		return rep, nil
	}
	var caseIDs, organs []string
	dirOrgans := map[string]string{}
	for _, p := range rep.Problems {
		switch {
		case p.CaseID != "":
			caseIDs = append(caseIDs, p.CaseID)
		case p.DirectoryID != "":
			if _, ok := dirOrgans[p.DirectoryID]; !ok {
				d, err := s.store.GetDirectory(c.Request().Context(), p.DirectoryID)
				if err != nil && !errors.Is(err, db.ErrNotFound) {
					return rep, err
				}
				dirOrgans[p.DirectoryID] = d.OrganID // "" for a directory that is gone
				organs = append(organs, d.OrganID)
			}
		}
	}
	cases, err := s.store.CasesInReach(c.Request().Context(), reach, caseIDs)
	if err != nil {
		return rep, err
	}
	existing, err := s.store.CaseTitles(c.Request().Context(), caseIDs)
	if err != nil {
		return rep, err
	}
	seen := map[string]bool{}
	for _, o := range organs {
		if o != "" {
			if seen[o], err = s.store.InReach(c.Request().Context(), reach, o); err != nil {
				return rep, err
			}
		}
	}
	// A case or directory that is gone belongs to nobody's reach any more:
	// its problem is shown to every auditor, or the removal would hide
	// itself.
	kept := []db.AuditProblem{}
	for _, p := range rep.Problems {
		_, exists := existing[p.CaseID]
		organ := dirOrgans[p.DirectoryID]
		switch {
		case p.CaseID != "" && exists && !cases[p.CaseID]:
		case p.DirectoryID != "" && organ != "" && !seen[organ]:
		default:
			kept = append(kept, p)
		}
	}
	rep.Problems = kept
	rep.OK = len(kept) == 0 && !rep.Truncated
	return rep, nil
}

func (s *Server) listCheckpoints(c echo.Context) error {
	if err := requireAuditor(c); err != nil {
		return err
	}
	cps, err := s.store.Checkpoints(c.Request().Context(), 100)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, CheckpointList{Checkpoints: cps})
}

// createCheckpoint writes a checkpoint now: 201 when written, 200 with the
// latest when nothing changed since. Checkpoints fix every case of the
// installation, so they belong to its upkeep: the scheduled job writes them
// daily, and an admin may write one between; an auditor reads them and
// does not write into the record they audit.
func (s *Server) createCheckpoint(c echo.Context) error {
	u := currentUser(c)
	if u.Role != workflows.RoleAdmin {
		return forbidden("检查点由系统定时任务和系统管理员写入 / checkpoints are written by the scheduled system job and administrators")
	}
	cp, written, err := s.store.Checkpoint(c.Request().Context(), "user:"+u.Handle)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if written {
		status = http.StatusCreated
		s.log.InfoContext(c.Request().Context(), "audit checkpoint written", "seq", cp.Seq, "hash", cp.Hash, "user_id", u.ID)
	}
	return c.JSON(status, CheckpointWritten{Checkpoint: cp, Written: written})
}
