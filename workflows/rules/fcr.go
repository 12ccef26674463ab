package rules

// R-FCR: fair competition review 公平竞争审查 (spec §4.7, Art. 29(1)).

var RFCR01 = Rule{ID: "R-FCR-01", Kind: Validation, Status: "N✔",
	Citation: decree713 + "第二十九条第一项", Func: "FCRDetermined",
	ZH: "决策草案涉及市场主体经济活动的，应当包含公平竞争审查的有关情况：须记录是否涉及及理由；涉及的，须有公平竞争审查结论。",
	EN: "Record whether the draft involves market entities' economic activity, with a reason; if yes, a fair competition review conclusion is required (Art. 29(1))."}

// FCRDetermined is R-FCR-01. Art. 29(1) makes the fair competition review
// part of the package whenever the draft "涉及市场主体经济活动"; the spec asks
// for the answer on record, and for the conclusion if it is yes.
func FCRDetermined(d Determination, conclusionRef string) *Violation {
	switch {
	case !d.recorded(false):
		return RFCR01.refuse("须记录决策草案是否涉及市场主体经济活动，以及理由。",
			"Record whether the draft involves market entities' economic activity, and why.")
	case d.Applies && blank(conclusionRef):
		return RFCR01.refuse("决策草案涉及市场主体经济活动，须有公平竞争审查结论。",
			"The draft involves market entities' economic activity: the fair competition review conclusion is required.")
	}
	return nil
}
