package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/juece/juece/db"
	"github.com/juece/juece/workflows"
	"github.com/juece/juece/workflows/rules"
)

// The decision directory (决策事项目录, spec §4.1). Each decision organ may
// compile a yearly directory of its major decision matters (Art. 3(3));
// Henan makes it the practice and manages it dynamically. The organ's general
// office compiles it (its meeting secretaries edit it), the Party committee
// consents, and only then is it published (R-DIR-01); afterwards it changes
// only by recorded adjustments (R-DIR-03, R-DIR-04), and a listed matter
// leaves it as "not a major decision" only with a reason and an approver
// (R-DIR-05). Published directories are public to every user; drafts only
// to the general office and auditors. Every accepted change and every rule
// refusal is an event of the directory's own hash chain (db/directories.go).

// Stable codes of the directory API.
const (
	// CodeDirectoryPublished refuses an edit of a published directory: it
	// changes only by adjustment (R-DIR-03).
	CodeDirectoryPublished = "directory_published"
	// CodeDirectoryNotPublished refuses an adjustment or exclusion of a
	// directory that is still a draft: edit the draft instead.
	CodeDirectoryNotPublished = "directory_not_published"
	// CodeDirectoryEmpty refuses to publish a directory without a listed entry.
	CodeDirectoryEmpty = "directory_empty"
	// CodeEntryNotListed refuses to adjust an entry already removed or excluded.
	CodeEntryNotListed = "entry_not_listed"
	// CodeInvalidDirectoryEntry refuses a case start whose directory_entry_id
	// is not a listed entry of the organ's published directory.
	CodeInvalidDirectoryEntry = "invalid_directory_entry"
)

// directoryPolicy is the rule policy of an organ's profile as configured
// now: a directory is not a case, so nothing of it is frozen.
func (s *Server) directoryPolicy(profile string) rules.Policy {
	if p := s.cfg.Profiles.Params(profile).Policy; p != nil {
		return *p
	}
	return workflows.ProfilePolicy(profile)
}

// DirectoryPolicyView is what the organ's policy means for its directory.
type DirectoryPolicyView struct {
	Henan                  bool `json:"henan" description:"河南七类（R-DIR-02）"`
	Categories             int  `json:"categories" description:"类别数：国家五类或河南七类"`
	AdjustmentNeedsConsent bool `json:"adjustment_needs_consent" description:"目录调整须经党委同意（R-DIR-01，组织政策）"`
}

func policyView(p rules.Policy) DirectoryPolicyView {
	v := DirectoryPolicyView{Henan: p.Henan, Categories: 5, AdjustmentNeedsConsent: p.DirectoryAdjustmentNeedsConsent}
	if p.Henan {
		v.Categories = 7
	}
	return v
}

// dirAccess is what the current user may do with an organ's directory.
type dirAccess struct {
	organ  db.Organisation
	policy rules.Policy
	drafts bool // may see drafts and the record: the general office, auditors
	edit   bool // may compile: a meeting secretary of the general office
	tree   bool // belongs to the organ or one of its departments
}

func (s *Server) directoryAccess(c echo.Context, organID string) (dirAccess, error) {
	ctx := c.Request().Context()
	u := currentUser(c)
	organ, err := s.store.GetOrganisation(ctx, organID)
	if err != nil {
		return dirAccess{}, err
	}
	var set OrganSettings
	_ = json.Unmarshal(organ.Settings, &set)
	a := dirAccess{organ: organ, policy: s.directoryPolicy(organ.Profile)}
	office := set.GeneralOffice != "" && u.OrgID == set.GeneralOffice
	oversees, err := s.oversees(c, organ.ID)
	if err != nil {
		return dirAccess{}, err
	}
	a.drafts = office || oversees
	a.edit = office && u.Role == workflows.RoleMeetingSecretary
	a.tree = oversees || u.OrgID == organ.ID || office
	if !a.tree {
		if own, err := s.store.GetOrganisation(ctx, u.OrgID); err == nil && own.ParentID != nil && *own.ParentID == organ.ID {
			a.tree = true
		}
	}
	return a, nil
}

func (a dirAccess) requireEdit() error {
	if !a.edit {
		return forbidden("只有决策机关政府办公室的会议秘书可以编制目录 / only a meeting secretary of the organ's general office compiles its directory")
	}
	return nil
}

var errNoDirectory = notFound("目录不存在 / no such directory")

// loadDirectory loads the directory of the path; a draft the user may not see
// is not found, so its existence does not leak.
func (s *Server) loadDirectory(c echo.Context) (db.Directory, dirAccess, error) {
	id := c.Param("id")
	if _, err := uuid.Parse(id); err != nil {
		return db.Directory{}, dirAccess{}, errNoDirectory
	}
	d, err := s.store.GetDirectory(c.Request().Context(), id)
	if errors.Is(err, db.ErrNotFound) {
		return d, dirAccess{}, errNoDirectory
	} else if err != nil {
		return d, dirAccess{}, err
	}
	a, err := s.directoryAccess(c, d.OrganID)
	if err != nil {
		return d, a, err
	}
	if d.State != db.DirectoryPublished && !a.drafts {
		return db.Directory{}, dirAccess{}, errNoDirectory
	}
	return d, a, nil
}

func dirActor(c echo.Context) db.DirectoryEvent {
	u := currentUser(c)
	return db.DirectoryEvent{ActorID: u.ID, ActorName: u.Name, ActorRole: u.Role, ActorOrg: u.OrgID, RequestID: requestID(c), ClientAddr: c.RealIP()}
}

// refuseDirectory records a rule refusal in the directory's chain and answers
// 422 with the rules; the refused change itself wrote nothing.
func (s *Server) refuseDirectory(c echo.Context, directoryID, operation string, input any, vs []rules.Violation) error {
	data, err := json.Marshal(map[string]any{"operation": operation, "violations": vs, "input": input})
	if err != nil {
		return err
	}
	if _, err := s.store.RecordDirectoryRefusal(c.Request().Context(), directoryID, data, dirActor(c)); err != nil {
		return err // the refusal must be recorded; if it cannot be, say so
	}
	return ruleError(vs)
}

// refused carries rule violations out of a store guard.
type refused struct{ vs []rules.Violation }

func (r *refused) Error() string { return "refused: " + r.vs[0].Rule }

// directoryError maps the store's directory errors to API errors.
func directoryError(err error, published bool) error {
	if errors.Is(err, db.ErrDirectoryState) {
		if published {
			return newError(http.StatusConflict, CodeDirectoryPublished,
				"目录已公布，只能通过目录调整变更 / the directory is published: change it by an adjustment")
		}
		return newError(http.StatusConflict, CodeDirectoryNotPublished,
			"目录尚未公布，请直接编辑草稿 / the directory is not published yet: edit the draft instead")
	}
	return err
}

// orgIDPattern is the form of an organisation's id (organisations.id).
var orgIDPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,62}$`)

// today is the civil date in Beijing (R-CAL-07), YYYY-MM-DD.
func today() string { return time.Now().In(chinaTime).Format(time.DateOnly) }

// parseDay reads a civil date of 2000–2100; "" is the zero time.
func parseDay(field, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	d, err := time.Parse(time.DateOnly, v)
	if err != nil || d.Year() < 2000 || d.Year() > 2100 {
		return time.Time{}, invalid(fmt.Sprintf("%s 须为 2000–2100 年间的日期 YYYY-MM-DD / %s must be a date YYYY-MM-DD in 2000–2100", field, field))
	}
	return d, nil
}

// cleanText trims v and refuses it when longer than max characters or when
// it holds control characters (newlines only where multiline).
func cleanText(field, v string, max int, multiline bool) (string, error) {
	v = strings.TrimSpace(v)
	bad := strings.IndexFunc(v, func(r rune) bool {
		return unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\r' || r == '\t'))
	}) >= 0
	if bad || utf8.RuneCountInString(v) > max {
		return "", invalid(fmt.Sprintf("%s 至多 %d 个字符，且不含控制字符 / %s must be at most %d characters without control characters", field, max, field, max))
	}
	return v, nil
}

// CreateDirectoryRequest starts an organ's directory for a year.
type CreateDirectoryRequest struct {
	OrganID string `json:"organ_id" required:"true" description:"决策机关，如 yiyang"`
	Year    int    `json:"year" required:"true" minimum:"2000" maximum:"2100"`
	Title   string `json:"title,omitempty" maxLength:"200" description:"默认为“<机关>YYYY年度重大行政决策事项目录”"`
}

// DirectoryEntryInput is one matter of the directory (R-DIR-02).
type DirectoryEntryInput struct {
	Title          string   `json:"title" description:"事项名称"`
	Category       int      `json:"category" description:"类别：国家五类 1–5 或河南七类 1–7"`
	LeadUnit       string   `json:"lead_unit" description:"牵头承办单位：本机关或其所属部门的编号"`
	CoUnits        []string `json:"co_units,omitempty" description:"协办单位"`
	PlannedStart   string   `json:"planned_start" format:"date" description:"计划开始 YYYY-MM-DD"`
	PlannedEnd     string   `json:"planned_end" format:"date" description:"计划完成 YYYY-MM-DD"`
	ExpectedTracks []string `json:"expected_tracks,omitempty" description:"预计程序：PP 公众参与、EXP 专家论证、RISK 风险评估、FCR 公平竞争审查"`
	NoTracksReason string   `json:"no_tracks_reason,omitempty" description:"无需上述程序的理由"`
	NPCTrack       bool     `json:"npc_track" description:"是否报人大（第八条）"`
}

// ConsentRequest records the Party committee's consent (R-DIR-01).
type ConsentRequest struct {
	ConsentRef  string `json:"consent_ref" required:"true" description:"党委同意文号"`
	ConsentDate string `json:"consent_date" required:"true" format:"date" description:"同意日期 YYYY-MM-DD，不晚于今日"`
}

// PublishDirectoryRequest publishes a directory (R-DIR-01, R-DIR-08).
type PublishDirectoryRequest struct {
	PublishDate string `json:"publish_date,omitempty" format:"date" description:"公布日期，默认今日（北京时间），不晚于今日"`
	Website     string `json:"website,omitempty" description:"政府网站公布地址（R-DIR-08）"`
}

// AdjustmentRequest changes a published directory (R-DIR-03, R-DIR-04).
type AdjustmentRequest struct {
	Kind        string               `json:"kind" required:"true" enum:"add,remove,modify" description:"新增、移出或修改事项"`
	EntryID     string               `json:"entry_id,omitempty" format:"uuid" description:"remove、modify：调整的事项"`
	Entry       *DirectoryEntryInput `json:"entry,omitempty" description:"add、modify：事项内容"`
	CaseID      string               `json:"case_id,omitempty" format:"uuid" description:"add：据以补充列入的未列入目录的决策事项（R-DIR-04）"`
	Reason      string               `json:"reason" required:"true" description:"调整理由"`
	ConsentRef  string               `json:"consent_ref,omitempty" description:"党委同意文号（组织政策要求时，R-DIR-01）"`
	ConsentDate string               `json:"consent_date,omitempty" format:"date"`
}

// AdjustmentRecord is the directory adjustment an exclusion needs (R-DIR-03).
type AdjustmentRecord struct {
	Reason      string `json:"reason,omitempty" description:"调整理由，默认为排除理由"`
	ConsentRef  string `json:"consent_ref,omitempty" description:"党委同意文号（组织政策要求时，R-DIR-01）"`
	ConsentDate string `json:"consent_date,omitempty" format:"date"`
}

// ExclusionRequest takes a listed matter out as not a major decision
// (Art. 3(2), R-DIR-05), by a directory adjustment (R-DIR-03).
type ExclusionRequest struct {
	Ground       string            `json:"ground" enum:"macro_control,legislation,emergency_response" description:"宏观调控决策、政府立法决策或突发事件应急处置决策"`
	Reason       string            `json:"reason" description:"认定理由"`
	ApprovedBy   string            `json:"approved_by" description:"批准人"`
	ApproverRole string            `json:"approver_role,omitempty" description:"批准人职务"`
	Citation     string            `json:"citation,omitempty" description:"依据（应急处置决策的依据，R-EMG-03）"`
	Adjustment   *AdjustmentRecord `json:"adjustment,omitempty" description:"目录调整记录（R-DIR-03）；缺少则拒绝"`
}

// DirectoryView is a directory with its entries and adjustments.
type DirectoryView struct {
	db.Directory
	Policy      DirectoryPolicyView      `json:"policy"`
	Entries     []db.DirectoryEntry      `json:"entries"`
	Adjustments []db.DirectoryAdjustment `json:"adjustments"`
	// Publishable and BlockedBy say whether a draft may be published now and
	// which rules block it, before anyone tries.
	Publishable bool              `json:"publishable"`
	BlockedBy   []rules.Violation `json:"blocked_by"`
	// UnlistedCases are the organ's cases of the year started without an
	// entry, for the general office to consider adding (R-DIR-04); shown to
	// the general office and auditors.
	UnlistedCases []db.LinkedCase `json:"unlisted_cases,omitempty"`
}

// DirectoryList answers GET /directories.
type DirectoryList struct {
	Directories []db.Directory `json:"directories"`
}

// DirectoryEntryView is one entry with the cases started for it.
type DirectoryEntryView struct {
	db.DirectoryEntry
	OrganID        string                   `json:"organ_id"`
	Year           int                      `json:"year"`
	DirectoryState string                   `json:"directory_state"`
	CaseCount      int                      `json:"case_count"`
	Cases          []db.LinkedCase          `json:"cases" description:"关联的决策事项（本机关及其部门、审计人员可见）"`
	Adjustments    []db.DirectoryAdjustment `json:"adjustments"`
}

// AdjustmentResult answers an adjustment or exclusion.
type AdjustmentResult struct {
	Adjustment db.DirectoryAdjustment `json:"adjustment"`
	Entry      db.DirectoryEntry      `json:"entry"`
	EventSeq   int64                  `json:"event_seq"`
}

// DirectoryRecord answers GET /directories/{id}/events: the directory's
// hash-chained record and its verification.
type DirectoryRecord struct {
	DirectoryID string              `json:"directory_id"`
	Events      []db.DirectoryEvent `json:"events"`
	Verify      db.Verification     `json:"verify"`
}

type dirPath struct {
	ID string `path:"id" format:"uuid"`
}

type entryPath struct {
	ID      string `path:"id" format:"uuid"`
	EntryID string `path:"entry_id" format:"uuid"`
}

// DirectoryQuery filters GET /directories.
type DirectoryQuery struct {
	Org  string `query:"org" description:"决策机关"`
	Year int    `query:"year"`
}

func (s *Server) listDirectories(c echo.Context) error {
	ctx := c.Request().Context()
	u := currentUser(c)
	f := db.DirectoryFilter{OrganID: c.QueryParam("org"), DraftsReach: u.Reach}
	if v := c.QueryParam("year"); v != "" {
		y, err := strconv.Atoi(v)
		if err != nil || y < 2000 || y > 2100 {
			return invalid("year 须为 2000–2100 / year must be 2000–2100")
		}
		f.Year = y
	}
	if f.OrganID != "" && !orgIDPattern.MatchString(f.OrganID) {
		return invalid("org 无效 / invalid org")
	}
	organs, err := s.store.OrgansWithGeneralOffice(ctx, u.OrgID)
	if err != nil {
		return err
	}
	f.DraftsOf = organs
	ds, err := s.store.ListDirectories(ctx, f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, DirectoryList{Directories: ds})
}

func (s *Server) directoryView(c echo.Context, d db.Directory, a dirAccess) (DirectoryView, error) {
	ctx := c.Request().Context()
	v := DirectoryView{Directory: d, Policy: policyView(a.policy), BlockedBy: []rules.Violation{}}
	var err error
	if v.Entries, err = s.store.DirectoryEntries(ctx, d.ID); err != nil {
		return v, err
	}
	if v.Adjustments, err = s.store.DirectoryAdjustments(ctx, d.ID, ""); err != nil {
		return v, err
	}
	if d.State == db.DirectoryDraft {
		v.BlockedBy = publishBlockers(d, v.Entries, a.policy, today())
		v.Publishable = len(v.BlockedBy) == 0 && len(v.Entries) > 0
	}
	if a.drafts {
		if v.UnlistedCases, err = s.store.UnlistedCases(ctx, d.OrganID, d.Year); err != nil {
			return v, err
		}
	}
	return v, nil
}

// publishBlockers are the rules that keep a draft from being published on
// day: R-DIR-01 (consent) and R-DIR-02 (every listed entry complete).
func publishBlockers(d db.Directory, entries []db.DirectoryEntry, p rules.Policy, day string) []rules.Violation {
	vs := []rules.Violation{}
	consent, _ := time.Parse(time.DateOnly, d.ConsentDate)
	on, _ := time.Parse(time.DateOnly, day)
	if v := rules.DirectoryPublishable(rules.DirectoryPublication{ConsentRef: d.ConsentRef, ConsentOn: consent, PublishOn: on}, p); v != nil {
		vs = append(vs, *v)
	}
	for _, e := range entries {
		if e.State == db.EntryListed {
			vs = append(vs, rules.DirectoryEntryComplete(ruleEntry(e), p)...)
		}
	}
	return vs
}

// ruleEntry is the stored entry as R-DIR-02 sees it.
func ruleEntry(e db.DirectoryEntry) rules.DirectoryEntry {
	r := rules.DirectoryEntry{Title: e.Title, Category: e.Category, LeadUnit: e.LeadUnit, NoTracksReason: e.NoTracksReason, NPCTrack: e.NPCTrack}
	r.PlannedStart, _ = time.Parse(time.DateOnly, e.PlannedStart)
	r.PlannedEnd, _ = time.Parse(time.DateOnly, e.PlannedEnd)
	_ = json.Unmarshal(e.CoUnits, &r.CoUnits)
	_ = json.Unmarshal(e.ExpectedTracks, &r.ExpectedTracks)
	return r
}

func (s *Server) createDirectory(c echo.Context) error {
	ctx := c.Request().Context()
	var req CreateDirectoryRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if !orgIDPattern.MatchString(req.OrganID) {
		return invalid("organ_id 须为决策机关的编号，如 yiyang / organ_id must be a decision organ's id, e.g. yiyang")
	}
	if req.Year < 2000 || req.Year > 2100 {
		return invalid("year 须为 2000–2100 / year must be 2000–2100")
	}
	title, err := cleanText("title", req.Title, 200, false)
	if err != nil {
		return err
	}
	a, err := s.directoryAccess(c, req.OrganID)
	if errors.Is(err, db.ErrNotFound) {
		return invalid("organ_id 不是已登记的决策机关 / organ_id is not a known decision organ")
	} else if err != nil {
		return err
	}
	if err := a.requireEdit(); err != nil {
		return err
	}
	if title == "" {
		title = fmt.Sprintf("%s%d年度重大行政决策事项目录", a.organ.Name, req.Year)
	}
	u := currentUser(c)
	d, _, err := s.store.CreateDirectory(ctx, db.Directory{OrganID: a.organ.ID, Year: req.Year, Title: title, CreatedBy: u.ID}, dirActor(c))
	if errors.Is(err, db.ErrConflict) {
		return newError(http.StatusConflict, CodeConflict, "该决策机关该年度的目录已存在 / the organ already has a directory for that year")
	} else if err != nil {
		return err
	}
	v, err := s.directoryView(c, d, a)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, v)
}

func (s *Server) getDirectory(c echo.Context) error {
	d, a, err := s.loadDirectory(c)
	if err != nil {
		return err
	}
	v, err := s.directoryView(c, d, a)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

// entryFromInput checks the form of an entry (types, lengths, that the lead
// unit is the organ or one of its departments) and returns it for the store
// and for R-DIR-02. Missing content is R-DIR-02's to refuse.
func (s *Server) entryFromInput(c echo.Context, organID string, in DirectoryEntryInput) (db.DirectoryEntry, rules.DirectoryEntry, error) {
	var e db.DirectoryEntry
	var err error
	if e.Title, err = cleanText("title", in.Title, 200, false); err != nil {
		return e, rules.DirectoryEntry{}, err
	}
	if e.NoTracksReason, err = cleanText("no_tracks_reason", in.NoTracksReason, 1000, true); err != nil {
		return e, rules.DirectoryEntry{}, err
	}
	if len(in.CoUnits) > 20 {
		return e, rules.DirectoryEntry{}, invalid("co_units 至多 20 个 / at most 20 co_units")
	}
	co := make([]string, 0, len(in.CoUnits))
	for _, u := range in.CoUnits {
		u, err := cleanText("co_units", u, 100, false)
		if err != nil {
			return e, rules.DirectoryEntry{}, err
		}
		if u != "" {
			co = append(co, u)
		}
	}
	if len(in.ExpectedTracks) > len(rules.Tracks) {
		return e, rules.DirectoryEntry{}, invalid("expected_tracks 至多 4 项 / at most 4 expected_tracks")
	}
	start, err := parseDay("planned_start", in.PlannedStart)
	if err != nil {
		return e, rules.DirectoryEntry{}, err
	}
	end, err := parseDay("planned_end", in.PlannedEnd)
	if err != nil {
		return e, rules.DirectoryEntry{}, err
	}
	e.LeadUnit = strings.TrimSpace(in.LeadUnit)
	if e.LeadUnit != "" {
		if !orgIDPattern.MatchString(e.LeadUnit) {
			return e, rules.DirectoryEntry{}, invalid("lead_unit 须为本决策机关或其所属部门 / lead_unit must be the organ or one of its departments")
		}
		unit, err := s.store.GetOrganisation(c.Request().Context(), e.LeadUnit)
		if err != nil && !errors.Is(err, db.ErrNotFound) {
			return e, rules.DirectoryEntry{}, err
		}
		if err != nil || (unit.ID != organID && (unit.ParentID == nil || *unit.ParentID != organID)) {
			return e, rules.DirectoryEntry{}, invalid("lead_unit 须为本决策机关或其所属部门 / lead_unit must be the organ or one of its departments")
		}
	}
	e.Category, e.NPCTrack = in.Category, in.NPCTrack
	e.CoUnits, _ = json.Marshal(co)
	tracks := in.ExpectedTracks
	if tracks == nil {
		tracks = []string{}
	}
	e.ExpectedTracks, _ = json.Marshal(tracks)
	r := rules.DirectoryEntry{Title: e.Title, Category: e.Category, LeadUnit: e.LeadUnit, CoUnits: co, PlannedStart: start, PlannedEnd: end,
		ExpectedTracks: tracks, NoTracksReason: e.NoTracksReason, NPCTrack: e.NPCTrack}
	if !start.IsZero() {
		e.PlannedStart = in.PlannedStart
	}
	if !end.IsZero() {
		e.PlannedEnd = in.PlannedEnd
	}
	return e, r, nil
}

func (s *Server) addDirectoryEntry(c echo.Context) error {
	d, a, err := s.loadDirectory(c)
	if err != nil {
		return err
	}
	if err := a.requireEdit(); err != nil {
		return err
	}
	var in DirectoryEntryInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	e, r, err := s.entryFromInput(c, d.OrganID, in)
	if err != nil {
		return err
	}
	if d.State != db.DirectoryDraft {
		return directoryError(db.ErrDirectoryState, true)
	}
	if vs := rules.DirectoryEntryComplete(r, a.policy); len(vs) > 0 {
		return s.refuseDirectory(c, d.ID, "entry.add", in, vs)
	}
	stored, _, err := s.store.AddDirectoryEntry(c.Request().Context(), d.ID, e, dirActor(c), nil)
	if err != nil {
		return directoryError(err, true)
	}
	return c.JSON(http.StatusCreated, stored)
}

func (s *Server) recordConsent(c echo.Context) error {
	d, a, err := s.loadDirectory(c)
	if err != nil {
		return err
	}
	if err := a.requireEdit(); err != nil {
		return err
	}
	var req ConsentRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	ref, err := cleanText("consent_ref", req.ConsentRef, 100, false)
	if err != nil {
		return err
	}
	on, err := parseDay("consent_date", req.ConsentDate)
	if err != nil {
		return err
	}
	if ref == "" || on.IsZero() {
		return invalid("须填写党委同意文号 consent_ref 和日期 consent_date / consent_ref and consent_date are required")
	}
	if req.ConsentDate > today() {
		return invalid("党委同意日期不能晚于今日 / consent_date cannot be in the future")
	}
	if d.State != db.DirectoryDraft {
		return directoryError(db.ErrDirectoryState, true)
	}
	d, _, err = s.store.RecordDirectoryConsent(c.Request().Context(), d.ID, ref, req.ConsentDate, dirActor(c))
	if err != nil {
		return directoryError(err, true)
	}
	v, err := s.directoryView(c, d, a)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

// decodeOptionalJSON is decodeJSON for a body that may be left out.
func decodeOptionalJSON(c echo.Context, v any) error {
	if c.Request().ContentLength == 0 {
		return nil
	}
	return decodeJSON(c, v)
}

func checkWebsite(v string) (string, error) {
	v, err := cleanText("website", v, 500, false)
	if err != nil || v == "" {
		return v, err
	}
	u, perr := url.Parse(v)
	if perr != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", invalid("website 须为 http(s) 网址 / website must be an http(s) URL")
	}
	return v, nil
}

// publishDirectory publishes a draft (R-DIR-08) once the Party committee's
// consent is on record and dated no later than publication (R-DIR-01).
func (s *Server) publishDirectory(c echo.Context) error {
	d, a, err := s.loadDirectory(c)
	if err != nil {
		return err
	}
	if err := a.requireEdit(); err != nil {
		return err
	}
	var req PublishDirectoryRequest
	if err := decodeOptionalJSON(c, &req); err != nil {
		return err
	}
	if req.PublishDate == "" {
		req.PublishDate = today()
	}
	if _, err := parseDay("publish_date", req.PublishDate); err != nil {
		return err
	}
	if req.PublishDate > today() {
		return invalid("公布日期不能晚于今日 / publish_date cannot be in the future")
	}
	website, err := checkWebsite(req.Website)
	if err != nil {
		return err
	}
	var ruleRefusal *refused
	pub, _, err := s.store.PublishDirectory(c.Request().Context(), d.ID, req.PublishDate, website, dirActor(c),
		func(d db.Directory, entries []db.DirectoryEntry) error {
			if d.State != db.DirectoryDraft {
				return db.ErrDirectoryState
			}
			if vs := publishBlockers(d, entries, a.policy, req.PublishDate); len(vs) > 0 {
				ruleRefusal = &refused{vs}
				return ruleRefusal
			}
			for _, e := range entries {
				if e.State == db.EntryListed {
					return nil
				}
			}
			return newError(http.StatusConflict, CodeDirectoryEmpty, "目录没有事项，不能公布 / the directory lists no matter and cannot be published")
		})
	if ruleRefusal != nil {
		return s.refuseDirectory(c, d.ID, "publish", req, ruleRefusal.vs)
	}
	if err != nil {
		return directoryError(err, true)
	}
	s.log.InfoContext(c.Request().Context(), "directory published", "directory_id", d.ID, "organ", d.OrganID, "year", d.Year)
	v, err := s.directoryView(c, pub, a)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

// adjustmentConsent is R-DIR-01 for an adjustment: when organ policy says
// so, the Party committee's consent is recorded, dated no later than today.
func adjustmentConsent(ref, date string, p rules.Policy) (*rules.Violation, error) {
	ref, err := cleanText("consent_ref", ref, 100, false)
	if err != nil {
		return nil, err
	}
	on, err := parseDay("consent_date", date)
	if err != nil {
		return nil, err
	}
	now, _ := time.Parse(time.DateOnly, today())
	return rules.DirectoryPublishable(rules.DirectoryPublication{Adjustment: true, ConsentRef: ref, ConsentOn: on, PublishOn: now}, p), nil
}

// adjustGuard checks, with the directory locked, that it is published and
// that the adjusted entry is listed.
func adjustGuard(entryID string) db.DirectoryGuard {
	return func(d db.Directory, entries []db.DirectoryEntry) error {
		if d.State != db.DirectoryPublished {
			return directoryError(db.ErrDirectoryState, false)
		}
		if entryID == "" {
			return nil
		}
		for _, e := range entries {
			if e.ID == entryID {
				if e.State != db.EntryListed {
					return newError(http.StatusConflict, CodeEntryNotListed, "该事项已移出或排除，不能再调整 / the entry was already removed or excluded")
				}
				return nil
			}
		}
		return notFound("目录事项不存在 / no such entry in this directory")
	}
}

// adjustDirectory records an adjustment of a published directory: a matter
// added mid-year (R-DIR-04, optionally naming the unlisted case it adds),
// removed or modified (R-DIR-03), with its reason and, where organ policy
// requires, the Party committee's consent (R-DIR-01).
func (s *Server) adjustDirectory(c echo.Context) error {
	d, a, err := s.loadDirectory(c)
	if err != nil {
		return err
	}
	if err := a.requireEdit(); err != nil {
		return err
	}
	var req AdjustmentRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	reason, err := cleanText("reason", req.Reason, 1000, true)
	if err != nil {
		return err
	}
	if reason == "" {
		return invalid("须说明调整理由 reason / reason is required")
	}
	adj := db.Adjustment{Kind: req.Kind, Reason: reason, ConsentRef: strings.TrimSpace(req.ConsentRef), ConsentDate: req.ConsentDate, CreatedBy: currentUser(c).ID}
	var vs []rules.Violation
	switch req.Kind {
	case db.AdjustAdd, db.AdjustModify:
		if req.Entry == nil {
			return invalid("add、modify 须给出事项内容 entry / add and modify need entry")
		}
		e, r, err := s.entryFromInput(c, d.OrganID, *req.Entry)
		if err != nil {
			return err
		}
		adj.Entry = &e
		vs = append(vs, rules.DirectoryEntryComplete(r, a.policy)...)
	case db.AdjustRemove:
	default:
		return invalid("kind 须为 add、remove 或 modify（排除请用 /entries/{id}/exclude）/ kind must be add, remove or modify (exclusion: /entries/{id}/exclude)")
	}
	if req.Kind == db.AdjustAdd {
		if req.EntryID != "" {
			return invalid("add 不能指定 entry_id / add takes no entry_id")
		}
		if req.CaseID != "" {
			if _, err := uuid.Parse(req.CaseID); err != nil {
				return invalid("case_id 须为 UUID / case_id must be a UUID")
			}
			adj.CaseID = req.CaseID
		}
	} else {
		if _, err := uuid.Parse(req.EntryID); err != nil {
			return invalid("remove、modify 须指定 entry_id / remove and modify need entry_id")
		}
		if req.CaseID != "" {
			return invalid("只有 add 可以指定 case_id / only add takes case_id")
		}
		adj.EntryID = req.EntryID
	}
	v, err := adjustmentConsent(req.ConsentRef, req.ConsentDate, a.policy)
	if err != nil {
		return err
	}
	if v != nil {
		vs = append([]rules.Violation{*v}, vs...)
	}
	if d.State != db.DirectoryPublished {
		return directoryError(db.ErrDirectoryState, false)
	}
	if len(vs) > 0 {
		return s.refuseDirectory(c, d.ID, "adjust."+req.Kind, req, vs)
	}
	stored, entry, ev, err := s.store.AdjustDirectory(c.Request().Context(), d.ID, adj, dirActor(c), adjustGuard(adj.EntryID))
	if errors.Is(err, db.ErrNotFound) && adj.CaseID != "" {
		return invalid("case_id 不是本机关未列入目录的决策事项 / case_id is not an unlisted case of this organ")
	}
	if err != nil {
		return directoryError(err, false)
	}
	return c.JSON(http.StatusCreated, AdjustmentResult{Adjustment: stored, Entry: entry, EventSeq: ev.Seq})
}

// excludeEntry takes a listed matter out of the directory as not a major
// decision (Art. 3(2)): the ground, reason and approving officer are
// required (R-DIR-05), and so is the directory adjustment that records it
// (R-DIR-03), with the Party committee's consent where organ policy requires
// it (R-DIR-01).
func (s *Server) excludeEntry(c echo.Context) error {
	d, a, err := s.loadDirectory(c)
	if err != nil {
		return err
	}
	if err := a.requireEdit(); err != nil {
		return err
	}
	entryID := c.Param("entry_id")
	if _, err := uuid.Parse(entryID); err != nil {
		return notFound("目录事项不存在 / no such entry in this directory")
	}
	var req ExclusionRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	x := rules.Exclusion{Ground: strings.TrimSpace(req.Ground)}
	for _, f := range []struct {
		name string
		in   string
		out  *string
		max  int
	}{{"reason", req.Reason, &x.Reason, 1000}, {"approved_by", req.ApprovedBy, &x.ApprovedBy, 100},
		{"approver_role", req.ApproverRole, &x.ApproverRole, 100}, {"citation", req.Citation, &x.Citation, 500}} {
		if *f.out, err = cleanText(f.name, f.in, f.max, f.name == "reason"); err != nil {
			return err
		}
	}
	if len(x.Ground) > 50 {
		return invalid("ground 无效 / invalid ground")
	}
	vs := rules.ExclusionJustified(x)
	adjReason := x.Reason
	if req.Adjustment == nil {
		if v := rules.DirectoryMatterClosable(rules.DirectoryClosure{InDirectory: true}); v != nil {
			vs = append(vs, *v)
		}
	} else {
		if r, err := cleanText("adjustment.reason", req.Adjustment.Reason, 1000, true); err != nil {
			return err
		} else if r != "" {
			adjReason = r
		}
		v, err := adjustmentConsent(req.Adjustment.ConsentRef, req.Adjustment.ConsentDate, a.policy)
		if err != nil {
			return err
		}
		if v != nil {
			vs = append(vs, *v)
		}
	}
	if d.State != db.DirectoryPublished {
		return directoryError(db.ErrDirectoryState, false)
	}
	if e, err := s.store.GetDirectoryEntry(c.Request().Context(), entryID); errors.Is(err, db.ErrNotFound) || (err == nil && e.DirectoryID != d.ID) {
		return notFound("目录事项不存在 / no such entry in this directory")
	} else if err != nil {
		return err
	}
	if len(vs) > 0 {
		return s.refuseDirectory(c, d.ID, "entry.exclude", map[string]any{"entry_id": entryID, "request": req}, vs)
	}
	// Here req.Adjustment is set: without it R-DIR-03 refused above.
	exclusion, err := json.Marshal(x)
	if err != nil {
		return err
	}
	adj := db.Adjustment{Kind: db.AdjustExclude, EntryID: entryID, Exclusion: exclusion, Reason: adjReason, CreatedBy: currentUser(c).ID,
		ConsentRef: strings.TrimSpace(req.Adjustment.ConsentRef), ConsentDate: req.Adjustment.ConsentDate}
	stored, entry, ev, err := s.store.AdjustDirectory(c.Request().Context(), d.ID, adj, dirActor(c), adjustGuard(entryID))
	if err != nil {
		return directoryError(err, false)
	}
	return c.JSON(http.StatusCreated, AdjustmentResult{Adjustment: stored, Entry: entry, EventSeq: ev.Seq})
}

func (s *Server) getDirectoryEntry(c echo.Context) error {
	d, a, err := s.loadDirectory(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	e, err := s.store.GetDirectoryEntry(ctx, c.Param("entry_id"))
	if _, perr := uuid.Parse(c.Param("entry_id")); perr != nil || errors.Is(err, db.ErrNotFound) || (err == nil && e.DirectoryID != d.ID) {
		return notFound("目录事项不存在 / no such entry in this directory")
	} else if err != nil {
		return err
	}
	v := DirectoryEntryView{DirectoryEntry: e, OrganID: d.OrganID, Year: d.Year, DirectoryState: d.State, Cases: []db.LinkedCase{}}
	cases, err := s.store.EntryCases(ctx, e.ID)
	if err != nil {
		return err
	}
	v.CaseCount = len(cases)
	if a.tree {
		v.Cases = cases
	}
	if v.Adjustments, err = s.store.DirectoryAdjustments(ctx, d.ID, e.ID); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

func (s *Server) directoryEvents(c echo.Context) error {
	d, a, err := s.loadDirectory(c)
	if err != nil {
		return err
	}
	if !a.drafts {
		return forbidden("目录记录仅供政府办公室和审计监督人员查阅 / the directory's record is for the general office and auditors")
	}
	ctx := c.Request().Context()
	evs, err := s.store.DirectoryTimeline(ctx, d.ID)
	if err != nil {
		return err
	}
	v, err := s.store.VerifyDirectory(ctx, d.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, DirectoryRecord{DirectoryID: d.ID, Events: evs, Verify: v})
}

// invalidEntry refuses a case start's directory entry; with a rule, it
// carries the rule and its citation.
func invalidEntry(detail, en string, v *rules.Violation) *Error {
	e := newError(http.StatusUnprocessableEntity, CodeInvalidDirectoryEntry, detail)
	e.MessageEN = en
	if v != nil {
		e.Rule, e.Citation, e.Message, e.Violations = v.Rule, v.Citation, v.Message, []rules.Violation{*v}
	}
	return e
}

// checkDirectoryEntry checks the directory entry a case starts with: it must
// be a listed entry of a published directory of the case's decision organ.
// An excluded entry is refused with R-DIR-05 (the matter left the Decree's
// procedure), and that refusal is recorded in the directory's chain. No entry
// is allowed: the matter is then unlisted (R-DIR-04, linkCaseToDirectory).
func (s *Server) checkDirectoryEntry(c echo.Context, organID, entryID string) error {
	if entryID == "" {
		return nil
	}
	ctx := c.Request().Context()
	const none = "目录事项不存在，或不在本决策机关已公布的目录中 / the entry does not exist or is not in a published directory of the decision organ"
	if _, err := uuid.Parse(entryID); err != nil {
		return invalidEntry(none, "", nil)
	}
	e, err := s.store.GetDirectoryEntry(ctx, entryID)
	if errors.Is(err, db.ErrNotFound) {
		return invalidEntry(none, "", nil)
	} else if err != nil {
		return err
	}
	d, err := s.store.GetDirectory(ctx, e.DirectoryID)
	if err != nil {
		return err
	}
	if d.OrganID != organID || d.State != db.DirectoryPublished {
		return invalidEntry(none, "", nil)
	}
	switch e.State {
	case db.EntryExcluded:
		v := rules.Violation{Rule: rules.RDIR05.ID, Citation: rules.RDIR05.Citation,
			Message: "该事项已由目录调整认定为不属于重大行政决策（第三条第二款），不能按重大行政决策程序发起。",
			EN:      "The matter was excluded from the directory as not a major administrative decision (Art. 3(2)); it cannot start as one."}
		if err := s.refuseDirectoryCase(c, d.ID, entryID, v); err != nil {
			return err
		}
		return invalidEntry(v.Message, v.EN, &v)
	case db.EntryRemoved:
		return invalidEntry("该事项已由目录调整移出目录 / the entry was removed from the directory by an adjustment", "", nil)
	}
	return nil
}

func (s *Server) refuseDirectoryCase(c echo.Context, directoryID, entryID string, v rules.Violation) error {
	data, err := json.Marshal(map[string]any{"operation": "case.start", "entry_id": entryID, "violations": []rules.Violation{v}})
	if err != nil {
		return err
	}
	_, err = s.store.RecordDirectoryRefusal(c.Request().Context(), directoryID, data, dirActor(c))
	return err
}

// linkCaseToDirectory records, once the case exists, how it started against
// the directory: linked to its entry, or unlisted (R-DIR-04: the general
// office is to consider adding it; DirectoryAdditionTasks names that duty,
// recorded with the event and shown on the organ's directory).
func (s *Server) linkCaseToDirectory(c echo.Context, in workflows.CaseInput) error {
	ctx := c.Request().Context()
	l := db.CaseLink{CaseID: in.CaseID, Title: in.Title, UnitID: in.Organs.Unit, OrganID: in.Organs.DecisionOrgan,
		Year: in.CreatedAt.In(chinaTime).Year(), EntryID: in.Matter.DirectoryEntryID}
	if l.EntryID != "" {
		e, err := s.store.GetDirectoryEntry(ctx, l.EntryID)
		if err != nil {
			return err
		}
		d, err := s.store.GetDirectory(ctx, e.DirectoryID)
		if err != nil {
			return err
		}
		l.Year = d.Year
	} else {
		// A case is started as a major decision, so it meets Art. 3 by its
		// starter's account.
		l.Tasks = rules.DirectoryAdditionTasks(rules.ScopeCheck{MeetsArt3: true})
	}
	if err := s.store.LinkCase(ctx, l, dirActor(c)); err != nil {
		return fmt.Errorf("link case %s to the directory: %w", in.CaseID, err)
	}
	return nil
}

// apiOp is an OpenAPI operation of openapi.go, declared here for the routes
// of this file and public_comments.go (the same fields as openapi.go's op,
// so one converts to the other).
type apiOp struct {
	method, path, summary string
	req                   any
	resp                  any
	status                int
	auth                  bool
	errs                  []int
}

// directoryOps document the directory routes.
var directoryOps = []apiOp{
	{"GET", "/api/v1/directories", "Decision directories (决策事项目录) by organ and year: published ones to everyone, drafts to the organ's general office and auditors", new(DirectoryQuery), new(DirectoryList), 200, true, []int{400}},
	{"POST", "/api/v1/directories", "Start an organ's directory for a year (meeting secretary of the organ's general office)", new(CreateDirectoryRequest), new(DirectoryView), 201, true, []int{400, 403, 409}},
	{"GET", "/api/v1/directories/{id}", "A directory with its entries, adjustments, what blocks publication, and unlisted cases (R-DIR-04; general office, auditors)", new(dirPath), new(DirectoryView), 200, true, []int{404}},
	{"GET", "/api/v1/directories/{id}/events", "The directory's hash-chained record (every change and refusal) and its verification (general office, auditors)", new(dirPath), new(DirectoryRecord), 200, true, []int{403, 404}},
	{"POST", "/api/v1/directories/{id}/entries", "Add an entry to a draft directory (R-DIR-02: national five or Henan seven categories)", new(struct {
		dirPath
		DirectoryEntryInput
	}), new(db.DirectoryEntry), 201, true, []int{400, 403, 404, 409, 422}},
	{"GET", "/api/v1/directories/{id}/entries/{entry_id}", "One entry with the cases started for it and its adjustments", new(entryPath), new(DirectoryEntryView), 200, true, []int{404}},
	{"POST", "/api/v1/directories/{id}/entries/{entry_id}/exclude", "Exclude a listed matter as not a major decision: ground, reason and approver (R-DIR-05) and an adjustment record (R-DIR-03, consent per policy R-DIR-01)", new(struct {
		entryPath
		ExclusionRequest
	}), new(AdjustmentResult), 201, true, []int{400, 403, 404, 409, 422}},
	{"POST", "/api/v1/directories/{id}/consent", "Record the Party committee's consent to a draft (reference and date)", new(struct {
		dirPath
		ConsentRequest
	}), new(DirectoryView), 200, true, []int{400, 403, 404, 409}},
	{"POST", "/api/v1/directories/{id}/publish", "Publish a draft: refused without Party-committee consent dated no later than publication (R-DIR-01)", new(struct {
		dirPath
		PublishDirectoryRequest
	}), new(DirectoryView), 200, true, []int{400, 403, 404, 409, 422}},
	{"POST", "/api/v1/directories/{id}/adjustments", "Adjust a published directory: add (R-DIR-04, optionally an unlisted case), remove or modify an entry, with a reason (R-DIR-03) and consent per policy (R-DIR-01)", new(struct {
		dirPath
		AdjustmentRequest
	}), new(AdjustmentResult), 201, true, []int{400, 403, 404, 409, 422}},
}
