package rules

// R-EMG: emergencies 情况紧急 (spec §5.1). Decree 713 gives urgency exactly
// three effects: emergency-response decisions leave its scope (Art. 3(2));
// the comment period may be shortened with the reason stated (Art. 15); the
// head may suspend execution first (Art. 37). Nothing else gives way.

var (
	REMG01 = Rule{ID: "R-EMG-01", Kind: Gate, Status: "N✔",
		Citation: decree713 + "第二十五条、第三十条、第三十一条", Func: "UrgencyBypass",
		ZH: "情况紧急不能免除合法性审查送审、合法性审查、常务会议或全体会议讨论、会议记录和向党委请示报告。",
		EN: "An urgent flag on an in-scope matter does not bypass G-LR-IN, G-CD-LR, G-CD-MEET, G-CD-MIN or G-PUB-PC (Arts. 25, 30, 31)."}
	REMG02 = Rule{ID: "R-EMG-02", Kind: Validation, Status: "N✔+D", Policy: true,
		Citation: decree713 + "第十五条、第二十六条", Func: "CommentPeriodLongEnough, ShorteningReasonInNotice, ReviewTimeSufficient",
		ZH: "因情况紧急缩短征求意见期限的，适用第十五条（公告中说明理由）；缩短合法性审查时间的，须说明理由并经审查部门同意。",
		EN: "Urgency shortens the comment period only through R-PP-04/05 (reason in the notice) and legality review only through the R-LR-03 exception with the review body's acceptance (Arts. 15, 26)."}
	REMG03 = Rule{ID: "R-EMG-03", Kind: Validation, Status: "N✔+D", Policy: true,
		Citation: decree713 + "第三条第二款", Func: "EmergencyReclassification",
		ZH: "将本条例范围内的事项改认定为突发事件应急处置决策的，须说明理由、援引应急处置的法律依据，并经合法性审查部门批准，防止规避程序。",
		EN: "Reclassifying an in-scope matter as an emergency-response decision needs a reason, the emergency-response legal basis and the legality review body's approval, to prevent scope-escape (Art. 3(2))."}
)

// UrgencyProtected are the gates urgency never bypasses (R-EMG-01).
var UrgencyProtected = []string{"G-LR-IN", "G-CD-LR", "G-CD-MEET", "G-CD-MIN", "G-PUB-PC"}

// UrgencyBypass is R-EMG-01. Given the violations that block a step, it adds
// for an urgent matter one refusal per protected gate among them, so the user
// sees that urgency is no way round it (TS-17: an urgent matter sent straight
// to the meeting without legality review). For a matter not flagged urgent
// the gates speak for themselves and it returns nil.
func UrgencyBypass(urgent bool, blockers []Violation) []Violation {
	if !urgent {
		return nil
	}
	var vs []Violation
	for _, b := range blockers {
		if has(UrgencyProtected, b.Rule) {
			vs = append(vs, *REMG01.refuse("情况紧急不能免除"+b.Rule+"："+b.Message,
				"Urgency does not bypass "+b.Rule+": "+b.EN))
		}
	}
	return vs
}

// EmergencyReclassification is R-EMG-03 [D]. Leaving the Decree as an
// "突发事件应急处置决策" (Art. 3(2)) removes every safeguard at once, so the
// spec asks more than for the other exclusions (R-DIR-05): the
// emergency-response basis, and the review body's approval.
func EmergencyReclassification(x Exclusion) []Violation {
	if x.Ground != ExclusionEmergency {
		return nil
	}
	c := items{r: REMG03}
	c.need(!blank(x.Reason), "改认定为突发事件应急处置决策，须说明理由。", "State why this is an emergency-response decision.")
	c.need(!blank(x.Citation), "须援引应急处置的法律依据（如突发事件应对法的相关条文）。", "Cite the emergency-response legal basis.")
	c.need(!blank(x.ApprovedBy) && x.ApproverRole == RoleLRD, "须经合法性审查部门批准。", "The legality review body must approve.")
	return c.vs
}
