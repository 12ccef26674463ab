package rules

import (
	"fmt"
	"time"
)

// R-DIR: scope and the decision directory 决策事项目录 (spec §4.1).

var (
	RDIR01 = Rule{ID: "R-DIR-01", Kind: Gate, Status: "N✔+D", Policy: true,
		Citation: decree713 + "第三条第三款；" + henan210 + "第四条", Func: "DirectoryPublishable",
		ZH: "决策机关可以确定决策事项目录、标准，“经同级党委同意后向社会公布”：目录、标准（及本机关规定须报批的调整）公布前须记录党委同意（日期、文号）。",
		EN: "The directory and standards (and adjustments, where organ policy says so) are published only after the same-level Party committee's consent, recorded with date and reference (Art. 3(3))."}
	RDIR02 = Rule{ID: "R-DIR-02", Kind: Validation, Status: "D", Policy: true,
		Citation: decree713 + "第三条第三款" + policyNote, Func: "DirectoryEntryComplete",
		ZH: "目录事项须列明：名称、类别（国家五类或河南七类）、承办单位（牵头及协办）、计划时间、预计需履行的程序（公众参与、专家论证、风险评估、公平竞争审查）及是否报人大。",
		EN: "Each directory entry names its title, category (national 1–5 or Henan 1–7), undertaking units, planned timeline, expected conditional procedures and the NPC-track flag."}
	RDIR03 = Rule{ID: "R-DIR-03", Kind: Gate, Status: "L✔",
		Citation: decree713 + "第三条第三款（“并根据实际情况进行调整”）；河南各地目录动态管理实践", Func: "DirectoryMatterClosable",
		ZH: "已列入目录的事项，未经目录调整不得以“不属于重大行政决策”为由办结。",
		EN: "A matter in the directory cannot be closed as \"not a major decision\" without a directory adjustment record."}
	RDIR04 = Rule{ID: "R-DIR-04", Kind: Duty, Status: "L✔",
		Citation: decree713 + "第三条第三款（“并根据实际情况进行调整”）；河南各地目录动态管理实践（“确需新增或者调整的…按规定程序办理”）", Func: "DirectoryAdditionTasks",
		ZH: "符合第三条标准但未列入目录的事项，可以年中补充列入，须有目录调整记录。",
		EN: "A matter meeting Art. 3 but not listed may be added mid-year, with a directory adjustment record."}
	RDIR05 = Rule{ID: "R-DIR-05", Kind: Validation, Status: "N✔",
		Citation: decree713 + "第三条第二款", Func: "ExclusionJustified",
		ZH: "“财政政策、货币政策等宏观调控决策，政府立法决策以及突发事件应急处置决策不适用本条例”：认定事项属于上述情形的，须记录理由和批准人。",
		EN: "Marking a matter as macro-control, government legislation or emergency response (outside the Decree) needs a reason and the approving officer (Art. 3(2))."}
	RDIR06 = Rule{ID: "R-DIR-06", Kind: Validation, Status: "N✔+D", Policy: true,
		Citation: decree713 + "第三条第二款", Func: "SpecialProcedureValid",
		ZH: "“法律、行政法规对本条第一款规定事项的决策程序另有规定的，依照其规定”：须记录该法律或行政法规的条文及其替代的程序步骤，并由合法性审查部门在审查意见中确认。",
		EN: "A special procedure applies only if a law or administrative regulation prescribes it: record the citation and the steps it replaces; the legality review body confirms it in its opinion (Art. 3(2))."}
	RDIR07 = Rule{ID: "R-DIR-07", Kind: Duty, Status: "N✔",
		Citation: decree713 + "第八条", Func: "NPCTasks",
		ZH: "属于本级人民代表大会及其常务委员会讨论决定的重大事项范围或者应当在出台前向本级人大常委会报告的，按照有关规定办理：创建人大任务。",
		EN: "If the matter is for the people's congress or its standing committee to decide, or must be reported to the standing committee before issuance, an NPC task is created (Art. 8)."}
	RDIR08 = Rule{ID: "R-DIR-08", Kind: Publish, Status: "N✔",
		Citation: decree713 + "第三条第三款",
		ZH:       "党委同意后，在政府网站公布决策事项目录、标准及其调整。",
		EN:       "Once the Party committee has consented, the directory, standards and adjustments are published on the government website (Art. 3(3))."}
)

// DirectoryPublication is a request to publish the directory or an
// adjustment of it.
type DirectoryPublication struct {
	Adjustment bool      `json:"adjustment"`
	ConsentRef string    `json:"consent_ref"` // 党委同意文号
	ConsentOn  time.Time `json:"consent_on,omitzero"`
	PublishOn  time.Time `json:"publish_on,omitzero"`
}

// DirectoryPublishable is R-DIR-01. Art. 3(3): the directory and standards
// are published "经同级党委同意后" — so the consent must be on record, and
// dated no later than publication. Whether an adjustment needs consent again
// is organ policy [D].
func DirectoryPublishable(d DirectoryPublication, p Policy) *Violation {
	if d.Adjustment && !p.DirectoryAdjustmentNeedsConsent {
		return nil
	}
	if blank(d.ConsentRef) || d.ConsentOn.IsZero() {
		return RDIR01.refuse("目录公布前须经同级党委同意：未记录党委同意的日期和文号。",
			"The directory needs the same-level Party committee's consent before publication: no consent date and reference are recorded.")
	}
	if !d.PublishOn.IsZero() && civil(d.ConsentOn).After(civil(d.PublishOn)) {
		return RDIR01.refuse("党委同意日期（"+day(d.ConsentOn)+"）晚于公布日期（"+day(d.PublishOn)+"）：须先经同意后公布。",
			"The Party committee consented ("+day(d.ConsentOn)+") after the publication date ("+day(d.PublishOn)+"): consent must come first.")
	}
	return nil
}

// DirectoryEntry is one matter of the directory (spec §7 DirectoryEntry).
type DirectoryEntry struct {
	Title        string    `json:"title"`
	Category     int       `json:"category"` // Art. 3(1) 1–5, or Henan Decree 210 Art. 3 1–7
	LeadUnit     string    `json:"lead_unit"`
	CoUnits      []string  `json:"co_units,omitempty"`
	PlannedStart time.Time `json:"planned_start,omitzero"`
	PlannedEnd   time.Time `json:"planned_end,omitzero"`
	// ExpectedTracks are the conditional procedures expected (TrackPP…);
	// an entry expecting none says why in NoTracksReason.
	ExpectedTracks []string `json:"expected_tracks,omitempty"`
	NoTracksReason string   `json:"no_tracks_reason,omitempty"`
	NPCTrack       bool     `json:"npc_track"`
}

// DirectoryEntryComplete is R-DIR-02 [D]: each entry carries what the organ
// needs to plan and later check the matter's procedure. The category list is
// the Decree's five or, for a Henan organ, Decree 210's seven.
func DirectoryEntryComplete(e DirectoryEntry, p Policy) []Violation {
	c := items{r: RDIR02}
	c.need(!blank(e.Title), "缺少事项名称。", "The entry has no title.")
	categories := 5
	if p.Henan {
		categories = 7
	}
	c.need(e.Category >= 1 && e.Category <= categories,
		fmt.Sprintf("类别须为1至%d。", categories), fmt.Sprintf("The category must be 1 to %d.", categories))
	c.need(!blank(e.LeadUnit), "缺少承办单位（牵头单位）。", "The entry names no (lead) undertaking unit.")
	c.need(!e.PlannedStart.IsZero() && !e.PlannedEnd.IsZero() && !civil(e.PlannedEnd).Before(civil(e.PlannedStart)),
		"缺少计划时间，或计划完成早于计划开始。", "The planned timeline is missing or ends before it starts.")
	valid := true
	for _, t := range e.ExpectedTracks {
		valid = valid && has(Tracks, t)
	}
	c.need(valid, "预计程序只能是公众参与、专家论证、风险评估、公平竞争审查。", "Expected procedures must be PP, EXP, RISK or FCR.")
	c.need(len(e.ExpectedTracks) > 0 || !blank(e.NoTracksReason),
		"未列明预计需履行的程序，也未说明无需履行的理由。", "The entry neither lists expected procedures nor says why none is expected.")
	return c.vs
}

// DirectoryClosure is a request to close a matter as not being a major
// administrative decision.
type DirectoryClosure struct {
	InDirectory   bool   `json:"in_directory"`
	AdjustmentRef string `json:"adjustment_ref,omitempty"`
}

// DirectoryMatterClosable is R-DIR-03. Henan practice: matters listed in the
// directory "must go through the full procedure" and the directory is
// managed dynamically, so a listed matter leaves it only by an adjustment.
func DirectoryMatterClosable(c DirectoryClosure) *Violation {
	if !c.InDirectory || !blank(c.AdjustmentRef) {
		return nil
	}
	return RDIR03.refuse("该事项已列入决策事项目录，须先办理目录调整，方可认定为非重大行政决策并办结。",
		"The matter is in the directory: record a directory adjustment before closing it as not a major decision.")
}

// ScopeCheck is a matter's place against the directory.
type ScopeCheck struct {
	MeetsArt3     bool   `json:"meets_art3"` // meets the Art. 3(1) criteria
	Listed        bool   `json:"listed"`
	AdjustmentRef string `json:"adjustment_ref,omitempty"`
}

// Task types created by the directory rules.
const (
	TaskDirectoryAdjustment = "directory_adjustment"
	TaskNPCRecord           = "npc_record"
)

// DirectoryAdditionTasks is R-DIR-04: a matter that meets Art. 3 but is not
// in the directory gets a task for the general office, which drafts the
// directory, to add it by adjustment.
func DirectoryAdditionTasks(s ScopeCheck) []Task {
	if !s.MeetsArt3 || s.Listed || !blank(s.AdjustmentRef) {
		return nil
	}
	return []Task{RDIR04.task(TaskDirectoryAdjustment, RoleGO, "")}
}

// Exclusion grounds of Art. 3(2).
const (
	ExclusionMacroControl = "macro_control"      // 宏观调控决策
	ExclusionLegislation  = "legislation"        // 政府立法决策
	ExclusionEmergency    = "emergency_response" // 突发事件应急处置决策
)

// Exclusion marks a matter as outside the Decree.
type Exclusion struct {
	Ground       string `json:"ground"`
	Reason       string `json:"reason"`
	Citation     string `json:"citation,omitempty"` // the emergency-response basis (R-EMG-03)
	ApprovedBy   string `json:"approved_by"`
	ApproverRole string `json:"approver_role,omitempty"`
}

// ExclusionJustified is R-DIR-05. Art. 3(2) takes three kinds of decision out
// of the Decree; because leaving the workflow removes every safeguard, the
// choice carries a reason and the officer who approved it.
func ExclusionJustified(x Exclusion) []Violation {
	c := items{r: RDIR05}
	c.need(has([]string{ExclusionMacroControl, ExclusionLegislation, ExclusionEmergency}, x.Ground),
		"排除理由须为宏观调控决策、政府立法决策或突发事件应急处置决策之一。",
		"The ground must be macro-control, government legislation or emergency response.")
	c.need(!blank(x.Reason), "缺少认定理由。", "No reason is recorded.")
	c.need(!blank(x.ApprovedBy), "缺少批准人。", "No approving officer is recorded.")
	return c.vs
}

// Instrument levels that may prescribe a different procedure (Art. 3(2)).
const (
	LevelLaw             = "law"                       // 法律
	LevelAdminRegulation = "administrative_regulation" // 行政法规
)

// SpecialProcedure records a law or administrative regulation that
// prescribes a different procedure for the matter.
type SpecialProcedure struct {
	Citation       string   `json:"citation"`
	Level          string   `json:"level"`
	ReplacedSteps  []string `json:"replaced_steps"`
	ConfirmedByLRD bool     `json:"confirmed_by_lrd"`
}

// SpecialProcedureValid is R-DIR-06. Only a law or an administrative
// regulation displaces the Decree's procedure (Art. 3(2); Henan Decree 210
// Art. 3 the same) — a local rule or normative document does not. Once the
// legality opinion is issued, the review body must have confirmed the
// override [D].
func SpecialProcedureValid(s SpecialProcedure, opinionIssued bool) []Violation {
	c := items{r: RDIR06}
	c.need(!blank(s.Citation), "缺少规定特别程序的法律、行政法规条文。", "The citation of the law or regulation is missing.")
	c.need(s.Level == LevelLaw || s.Level == LevelAdminRegulation,
		"只有法律、行政法规可以另行规定决策程序；地方性法规、规章、规范性文件不能替代本条例程序。",
		"Only a law or an administrative regulation can prescribe a different procedure.")
	c.need(len(s.ReplacedSteps) > 0, "须列明被替代的程序步骤。", "List the procedure steps the special procedure replaces.")
	c.need(!opinionIssued || s.ConfirmedByLRD, "合法性审查意见须确认特别程序的适用。",
		"The legality opinion must confirm the special procedure.")
	return c.vs
}

// NPCTasks is R-DIR-07 (Art. 8): a matter in the people's congress's scope,
// or to be reported to its standing committee before issuance, gets an NPC
// task for the decision organ until the record exists; it feeds G-PUB-NPC.
func NPCTasks(n NPCTrack) []Task {
	if !n.Applies() || !blank(n.RecordRef) {
		return nil
	}
	return []Task{RDIR07.task(TaskNPCRecord, RoleDO, "")}
}
