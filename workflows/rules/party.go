package rules

import "time"

// G-PUB-PC, G-PUB-NPC and R-PC: the report to the Party committee and the
// people's congress track (spec §4.10, Arts. 8, 31).

var (
	GPUBPC = Rule{ID: "G-PUB-PC", Kind: Gate, Status: "N✔", Citation: decree713 + "第三十一条",
		Func: "PartyCommitteeReported, PartyReportRecorded",
		ZH:   "重大行政决策出台前应当按照规定向同级党委请示报告：公布前须记录请示报告（日期、文号）。",
		EN:   "Before issuance the decision must be reported to the same-level Party committee; publication needs the report record (date, reference) (Art. 31)."}
	GPUBNPC = Rule{ID: "G-PUB-NPC", Kind: Gate, Status: "N✔",
		Citation: decree713 + "第八条", Func: "NPCTrackCompleted",
		ZH: "属于本级人民代表大会及其常务委员会讨论决定的重大事项范围或者应当在出台前向本级人大常委会报告的，按照有关规定办理：办结前不得公布。",
		EN: "If the people's congress track applies, it is completed before publication (Art. 8)."}
	RPC01 = Rule{ID: "R-PC-01", Kind: Gate, Gate: "G-PUB-PC", Status: "N✔",
		Citation: decree713 + "第三十一条", Func: "PartyReportRecorded",
		ZH: "向同级党委请示报告的记录（日期、文号，有答复的附答复）存在前，不得公布。",
		EN: "PUBLISHED is blocked until the Party-committee request/report record (date, reference, response if any) exists (Art. 31)."}
	RPC02 = Rule{ID: "R-PC-02", Kind: Gate, Gate: "G-PUB-NPC", Status: "N✔",
		Citation: decree713 + "第八条", Func: "NPCTrackCompleted",
		ZH: "适用人大程序的，人大或其常委会的决定或者报告记录办结后，方可公布。",
		EN: "If the NPC flag is set, the NPC decision or report record is completed before publication (Art. 8)."}
)

// PartyReport is the request/report to the same-level Party committee.
type PartyReport struct {
	Ref      string    `json:"ref"`
	On       time.Time `json:"on,omitzero"`
	Response string    `json:"response,omitempty"`
}

// PartyCommitteeReported is G-PUB-PC (Art. 31, R-PC-01).
func PartyCommitteeReported(f Facts) *Violation {
	if f.PartyReportRef != "" {
		return nil
	}
	v := GPUBPC.violation()
	return &v
}

// PartyReportRecorded is G-PUB-PC in the detail R-PC-01 gives it. Art. 31:
// "出台前应当按照规定向同级党委请示报告" — the record carries its date and
// reference, and the date is not after the intended issue date. Whether the
// report precedes the government meeting is left to the organ (O-6).
func PartyReportRecorded(r PartyReport, issueOn time.Time) *Violation {
	if blank(r.Ref) || r.On.IsZero() || (!issueOn.IsZero() && civil(r.On).After(civil(issueOn))) {
		v := GPUBPC.violation()
		return &v
	}
	return nil
}

// NPCTrack is the people's congress track of Art. 8.
type NPCTrack struct {
	DecidedByNPC         bool   `json:"decided_by_npc"`         // 属于人大及其常委会讨论决定的范围
	ReportBeforeIssuance bool   `json:"report_before_issuance"` // 应当在出台前向人大常委会报告
	RecordRef            string `json:"record_ref,omitempty"`
}

// Applies reports whether Art. 8 brings the matter to the people's congress.
func (n NPCTrack) Applies() bool { return n.DecidedByNPC || n.ReportBeforeIssuance }

// NPCTrackCompleted is G-PUB-NPC (and R-PC-02): where Art. 8 applies, the
// congress's decision or the report to its standing committee is on record
// before the government publishes.
func NPCTrackCompleted(n NPCTrack) *Violation {
	if !n.Applies() || !blank(n.RecordRef) {
		return nil
	}
	v := GPUBNPC.violation()
	return &v
}
