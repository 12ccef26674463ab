package rules

import (
	"fmt"
	"time"
)

// G-INI and R-INI: proposals and the decision to start (spec §4.2, Arts. 10–11).

var (
	GINI = Rule{ID: "G-INI", Kind: Gate, Status: "N✔", Citation: decree713 + "第十条、第十一条",
		Func: "InitiationRecorded",
		ZH:   "决策启动须记录决策机关的启动决定并明确决策承办单位（多个承办单位的须明确牵头单位）。",
		EN:   "Initiation requires the decision organ's recorded decision naming the undertaking unit (and the lead unit if several)."}
	RINI01 = Rule{ID: "R-INI-01", Kind: Validation, Status: "N✔",
		Citation: decree713 + "第十条第二项", Func: "ProposalRegistrable",
		ZH: "决策机关所属部门或者下一级人民政府提出决策事项建议的，应当论证拟解决的主要问题、建议理由和依据、解决问题的初步方案及其必要性、可行性等：四项缺一不得登记。",
		EN: "A proposal from a department or lower government must set out the problem, the reasons and basis, a preliminary solution, and its necessity and feasibility (Art. 10(2))."}
	RINI02 = Rule{ID: "R-INI-02", Kind: Validation, Status: "N✔",
		Citation: decree713 + "第十条第三项", Func: "ProposalWritten",
		ZH: "公民、法人或者其他组织提出书面决策事项建议的，交有关单位研究论证：口头建议只作为意见反馈登记。",
		EN: "Proposals from citizens, legal persons or other organisations are written; oral ones are logged as feedback only (Art. 10(3))."}
	RINI03 = Rule{ID: "R-INI-03", Kind: Gate, Gate: "G-INI", Status: "N✔",
		Citation: decree713 + "第十一条", Func: "InitiationRecorded",
		ZH: "决策机关决定启动决策程序的，应当明确决策承办单位：无启动决定记录和承办单位，不得进入草案拟订。",
		EN: "No drafting without the decision organ's initiation record and an undertaking unit (Art. 11)."}
	RINI04 = Rule{ID: "R-INI-04", Kind: Validation, Status: "N✔",
		Citation: decree713 + "第十一条", Func: "LeadUnitNamed",
		ZH: "决策事项需要两个以上单位承办的，应当明确牵头的决策承办单位：有且只有一个牵头单位。",
		EN: "With two or more undertaking units, exactly one is the lead (Art. 11)."}
	RINI05 = Rule{ID: "R-INI-05", Kind: Record, Status: "D", Policy: true,
		Citation: decree713 + "第十条" + policyNote, Func: "ProposalsDisposed",
		ZH: "记录每项建议的处理结果（启动、不启动、合并）及理由；建议答复建议人。",
		EN: "Record how each proposal was disposed of (initiated / not initiated / merged) with reasons; replying to proposers is recommended."}
)

// Unit is an undertaking or execution unit.
type Unit struct {
	Name string `json:"name" picker:"org"`
	Lead bool   `json:"lead,omitempty"`
}

// InitiationDecision is the decision organ's decision to start (spec §7).
type InitiationDecision struct {
	DecisionRef string    `json:"decision_ref"`
	DecidedOn   time.Time `json:"decided_on,omitzero"`
	Units       []Unit    `json:"units"`
}

// InitiationRecorded is G-INI (and R-INI-03). Art. 11: "决策机关决定启动决策
// 程序的，应当明确决策事项的承办单位…需要两个以上单位承办的，应当明确牵头的决策
// 承办单位" — no drafting without the decision on record and a unit that owns
// the draft.
func InitiationRecorded(d InitiationDecision) *Violation {
	named, leads := 0, 0
	for _, u := range d.Units {
		if !blank(u.Name) {
			named++
			if u.Lead {
				leads++
			}
		}
	}
	if blank(d.DecisionRef) || d.DecidedOn.IsZero() || named == 0 || (named > 1 && leads == 0) {
		v := GINI.violation()
		return &v
	}
	return nil
}

// LeadUnitNamed is R-INI-04 (Art. 11): two or more units need exactly one
// lead — two leads leave the draft without an owner as surely as none.
func LeadUnitNamed(units []Unit) *Violation {
	named, leads := 0, 0
	for _, u := range units {
		if !blank(u.Name) {
			named++
			if u.Lead {
				leads++
			}
		}
	}
	if named < 2 || leads == 1 {
		return nil
	}
	if leads == 0 {
		return RINI04.refuse("有两个以上承办单位，须明确一个牵头单位。", "Several undertaking units: name the lead.")
	}
	return RINI04.refuse("牵头单位只能有一个。", "Only one undertaking unit can be the lead.")
}

// Proposal sources of Art. 10.
const (
	SourceLeader          = "leader"           // 决策机关领导人员
	SourceDepartment      = "department"       // 所属部门
	SourceLowerGovernment = "lower_government" // 下一级人民政府
	SourceNPCDeputy       = "npc_deputy"       // 人大代表建议
	SourceCPPCCMember     = "cppcc_member"     // 政协委员提案
	SourceCitizen         = "citizen"          // 公民
	SourceOrganisation    = "organisation"     // 法人或者其他组织
)

// Proposal is a decision-matter proposal (spec §7 Proposal).
type Proposal struct {
	Source   string `json:"source"`
	Problem  string `json:"problem,omitempty"`  // (a) 拟解决的主要问题
	Reasons  string `json:"reasons,omitempty"`  // (b) 建议理由和依据
	Solution string `json:"solution,omitempty"` // (c) 解决问题的初步方案
	Merits   string `json:"merits,omitempty"`   // (d) 必要性、可行性
	Written  bool   `json:"written"`            // uploaded document or written form
}

// ProposalRegistrable is R-INI-01. Art. 10(2) puts the burden of argument on
// a department or lower government: its proposal itself must carry the four
// elements, so each missing one is listed.
func ProposalRegistrable(p Proposal) []Violation {
	c := items{r: RINI01}
	known := []string{SourceLeader, SourceDepartment, SourceLowerGovernment, SourceNPCDeputy, SourceCPPCCMember, SourceCitizen, SourceOrganisation}
	c.need(has(known, p.Source), "建议来源须为第十条所列之一。", "The source must be one of those Art. 10 lists.")
	if p.Source != SourceDepartment && p.Source != SourceLowerGovernment {
		return c.vs
	}
	c.need(!blank(p.Problem), "缺少（一）拟解决的主要问题。", "Missing (a): the main problem to solve.")
	c.need(!blank(p.Reasons), "缺少（二）建议理由和依据。", "Missing (b): the reasons and the legal or policy basis.")
	c.need(!blank(p.Solution), "缺少（三）解决问题的初步方案。", "Missing (c): a preliminary solution.")
	c.need(!blank(p.Merits), "缺少（四）方案的必要性、可行性。", "Missing (d): its necessity and feasibility.")
	return c.vs
}

// ProposalWritten is R-INI-02. Art. 10(3) makes a citizen's or
// organisation's proposal one that is "书面提出"; an oral one is feedback,
// not a proposal the organ must have studied.
func ProposalWritten(p Proposal) *Violation {
	if (p.Source != SourceCitizen && p.Source != SourceOrganisation) || p.Written {
		return nil
	}
	return RINI02.refuse("公民、法人或者其他组织的决策事项建议应当书面提出（上传文件或填写表单）；口头建议只作为意见反馈登记。",
		"A proposal from a citizen or organisation must be in writing (upload or form); an oral one is logged as feedback only.")
}

// Dispositions of a proposal (R-INI-05).
const (
	DispositionInitiated    = "initiated"     // 启动（采纳）
	DispositionNotInitiated = "not_initiated" // 不启动（不采纳）
	DispositionMerged       = "merged"        // 合并处理
)

// RecordedProposal is a proposal recorded for a case's initiation, with
// its disposition once the organ has decided.
type RecordedProposal struct {
	ID          string `json:"id"`
	Source      string `json:"source"`
	Summary     string `json:"summary"`
	Proposer    string `json:"proposer,omitempty"`
	Disposition string `json:"disposition,omitempty"`
	Reason      string `json:"reason,omitempty"`
	MergedInto  string `json:"merged_into,omitempty"` // the matter or proposal it was merged with
	Replied     bool   `json:"replied,omitempty"`     // the proposer was answered (recommended)
}

// ProposalsDisposed is R-INI-05: every proposal recorded for the matter is
// disposed of — initiated, not initiated or merged — with its reasons,
// before the organ's initiation decision is recorded (the spec [D]: Art. 10
// has each proposal studied and the organ decide; the record says how each
// ended). A merge names what it was merged with. Each undisposed proposal
// is listed.
func ProposalsDisposed(ps []RecordedProposal) []Violation {
	var vs []Violation
	for i, p := range ps {
		n := fmt.Sprintf("第%d项建议（%s）", i+1, p.Summary)
		en := fmt.Sprintf("proposal %d (%s)", i+1, p.ID)
		switch {
		case !has([]string{DispositionInitiated, DispositionNotInitiated, DispositionMerged}, p.Disposition):
			vs = append(vs, *RINI05.refuse(n+"尚未作出处理（启动、不启动或合并）。", "Dispose of "+en+": initiated, not initiated or merged."))
		case blank(p.Reason):
			vs = append(vs, *RINI05.refuse(n+"的处理须说明理由。", "Give the reasons for the disposition of "+en+"."))
		case p.Disposition == DispositionMerged && blank(p.MergedInto):
			vs = append(vs, *RINI05.refuse(n+"合并处理的，须写明与何事项合并。", "Say what "+en+" was merged with."))
		}
	}
	return vs
}
