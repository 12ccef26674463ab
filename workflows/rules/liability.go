package rules

import (
	"sort"
	"time"
)

// R-LIA: liability and accountability data 法律责任 (spec §4.16, Arts. 9,
// 38–41). Most are records the audit log keeps; two are computations.

var (
	RLIA01 = Rule{ID: "R-LIA-01", Kind: Record, Status: "N✔+D", Policy: true,
		Citation:      decree713 + "第三十八条",
		ImplementedIn: "every audit event names its actor, role, organisation and on-behalf-of; documents their uploader; the meeting's statements their member",
		ZH:            "每一材料（作者、批准人、签署人）和每一会议立场均记录到人；因实行终身责任追究，责任相关记录不设保存期限。",
		EN:            "Every artefact and meeting position is attributed to a person; liability-relevant records never expire, as accountability is lifelong (Art. 38)."}
	RLIA02 = Rule{ID: "R-LIA-02", Kind: Record, Status: "N✔",
		Citation:      decree713 + "第三十八条第三款",
		ImplementedIn: "workflows (the minutes' statements with positions and the dissent list are the meeting step's audit event; G-CD-MIN refuses minutes that omit a dissenter)",
		ZH:            "决策机关集体讨论决策草案时，有关人员对严重失误的决策表示不同意见的，按照规定减免责任：不同意见记录与本人关联保存。",
		EN:            "Dissent records stay linked to the individual, for reduction or exemption of liability (Art. 38(3))."}
	RLIA03 = Rule{ID: "R-LIA-03", Kind: Record, Status: "N✔+D", Policy: true,
		Citation: decree713 + "第三十八条第二款", Func: "StaleStages",
		ZH: "依法应当及时作出决策而久拖不决的，倒查责任：记录每次超期及停留超过本机关规定期限的阶段。",
		EN: "Every timer breach and every stage open longer than the organ's threshold is logged, for the \"久拖不决\" assessment (Art. 38(2))."}
	RLIA04 = Rule{ID: "R-LIA-04", Kind: Record, Status: "D", Policy: true,
		Citation:      decree713 + "第三十八条至第四十条" + policyNote,
		ImplementedIn: "server (a refused step is a step.refused audit event with actor, rule and citation; GET /api/v1/audit/refusals)",
		ZH:            "程序违规事件（如越过关口、逾期公布）连同行为人记入日志。",
		EN:            "Procedure-breach events (overridden gates, late publication) are logged with the actor, for Arts. 38–40."}
	RLIA05 = Rule{ID: "R-LIA-05", Kind: Duty, Status: "N✔+D", Policy: true,
		Citation: decree713 + "第九条", Func: "AssessmentExport",
		ZH: "重大行政决策情况应当作为考核评价决策机关及其领导人员的重要内容：按机关和年度导出决策数量、程序合规率和违规情况。",
		EN: "Per organ and year, export the number of decisions, the procedure-compliance rate and the breaches (Art. 9)."}
)

// OpenStage is a stage a matter is in.
type OpenStage struct {
	Case    string    `json:"case"`
	Stage   string    `json:"stage"`
	Entered time.Time `json:"entered"`
}

// StaleStages is R-LIA-03: Art. 38(2) pursues "久拖不决" lifelong, so the
// stages open longer than Policy.StaleStageDays are returned for logging
// before anyone has to reconstruct them.
func StaleStages(stages []OpenStage, now time.Time, p Policy) []OpenStage {
	var out []OpenStage
	for _, s := range stages {
		if daysFrom(s.Entered, today(now)) > p.StaleStageDays {
			out = append(out, s)
		}
	}
	return out
}

// CaseCompliance is one decided case's procedure record.
type CaseCompliance struct {
	Organ    string `json:"organ"`
	Year     int    `json:"year"`
	Breaches int    `json:"breaches"`
}

// Assessment is one organ's year for Art. 9 assessment.
type Assessment struct {
	Organ     string `json:"organ"`
	Year      int    `json:"year"`
	Decisions int    `json:"decisions"`
	Compliant int    `json:"compliant"` // decisions without a breach
	Breaches  int    `json:"breaches"`
}

// AssessmentExport is R-LIA-05: Art. 9 makes decision-making "考核评价决策机
// 关及其领导人员的重要内容"; the export gives the figures per organ and year,
// sorted so it is the same on every run.
func AssessmentExport(cases []CaseCompliance) []Assessment {
	var out []Assessment
	type organYear struct {
		organ string
		year  int
	}
	index := map[organYear]int{}
	for _, c := range cases {
		k := organYear{c.Organ, c.Year}
		i, ok := index[k]
		if !ok {
			i = len(out)
			index[k] = i
			out = append(out, Assessment{Organ: c.Organ, Year: c.Year})
		}
		out[i].Decisions++
		out[i].Breaches += c.Breaches
		if c.Breaches == 0 {
			out[i].Compliant++
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Organ != out[j].Organ {
			return out[i].Organ < out[j].Organ
		}
		return out[i].Year < out[j].Year
	})
	return out
}
