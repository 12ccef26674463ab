package rules_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/juece/juece/workflows/rules"
)

// check asserts that got is nil when the step is accepted, and otherwise the
// violation of want with its citation and messages.
func check(t *testing.T, got *rules.Violation, accepted bool, want rules.Rule) {
	t.Helper()
	if accepted {
		if got != nil {
			t.Fatalf("accepted step refused: %+v", *got)
		}
		return
	}
	if got == nil {
		t.Fatalf("refused step accepted; want %s", want.ID)
	}
	wantV := rules.Violation{Rule: want.ID, Citation: want.Citation, Message: want.ZH, EN: want.EN}
	if *got != wantV {
		t.Fatalf("violation = %+v, want %+v", *got, wantV)
	}
}

func TestGCDLR_LegalityReviewPassed(t *testing.T) {
	tests := []struct {
		name     string
		facts    rules.Facts
		accepted bool
	}{
		{"no opinion yet", rules.Facts{Initiated: true, LegalOpinions: 1}, false},
		{"pass", rules.Facts{LegalityOutcome: rules.LRPass}, true},
		{"pass with changes not applied", rules.Facts{LegalityOutcome: rules.LRPassChanges}, false},
		{"pass with changes applied", rules.Facts{LegalityOutcome: rules.LRPassChanges, ChangesApplied: true}, true},
		{"fail", rules.Facts{LegalityOutcome: rules.LRFail}, false},
		{"fail even if changes applied", rules.Facts{LegalityOutcome: rules.LRFail, ChangesApplied: true}, false},
		{"exploratory with risk disclosed", rules.Facts{LegalityOutcome: rules.LRExploratory, ExploratoryRisk: "无上位法明确规定，存在被撤销风险"}, true},
		{"exploratory without disclosure", rules.Facts{LegalityOutcome: rules.LRExploratory}, false},
		{"comment solicitation is no review", rules.Facts{LegalityOutcome: "solicited_opinions"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			check(t, rules.LegalityReviewPassed(tt.facts), tt.accepted, rules.GCDLR)
		})
	}
}

func TestGLRLA_LegalAdviserConsulted(t *testing.T) {
	tests := []struct {
		name     string
		opinions int
		accepted bool
	}{
		{"no legal opinion", 0, false},
		{"one legal opinion", 1, true},
		{"two legal opinions", 2, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			check(t, rules.LegalAdviserConsulted(rules.Facts{Initiated: true, LegalOpinions: tt.opinions}), tt.accepted, rules.GLRLA)
		})
	}
}

func TestGCDMEET_MeetingTypeAllowed(t *testing.T) {
	tests := []struct {
		meetingType string
		accepted    bool
	}{
		{"executive", true},
		{"plenary", true},
		{"circulation", false},
		{"topic", false},
		{"countersign", false},
		{"Executive", false},
		{"", false},
	}
	for _, tt := range tests {
		name := tt.meetingType
		if name == "" {
			name = "empty"
		}
		t.Run(name, func(t *testing.T) {
			check(t, rules.MeetingTypeAllowed(tt.meetingType), tt.accepted, rules.GCDMEET)
		})
	}
}

func TestGCDMIN_MinutesComplete(t *testing.T) {
	member := func(name, position string) rules.Statement {
		return rules.Statement{Member: name, Position: position, Text: name + "的发言"}
	}
	head := rules.Statement{Member: "县长", Position: rules.Support, Text: "同意", IsHead: true}
	tests := []struct {
		name       string
		statements []rules.Statement
		decision   string
		reason     string
		dissent    []string
		accepted   bool
	}{
		{
			name:       "unanimous support, head last",
			statements: []rules.Statement{member("甲", rules.Support), member("乙", rules.Support), head},
			decision:   "approved",
			accepted:   true,
		},
		{
			name:       "no statements",
			statements: nil,
			decision:   "approved",
			accepted:   false,
		},
		{
			name:       "head not last",
			statements: []rules.Statement{member("甲", rules.Support), head, member("乙", rules.Support)},
			decision:   "approved",
			accepted:   false,
		},
		{
			name:       "no head at all",
			statements: []rules.Statement{member("甲", rules.Support), member("乙", rules.Support)},
			decision:   "approved",
			accepted:   false,
		},
		{
			name:       "approved against majority without divergence reason",
			statements: []rules.Statement{member("甲", rules.Oppose), member("乙", rules.Oppose), member("丙", rules.Support), head},
			decision:   "approved",
			dissent:    []string{"甲", "乙"},
			accepted:   false,
		},
		{
			name:       "approved against majority with divergence reason",
			statements: []rules.Statement{member("甲", rules.Oppose), member("乙", rules.Oppose), member("丙", rules.Support), head},
			decision:   "approved",
			reason:     "省定任务时限紧迫，已在会上说明理由",
			dissent:    []string{"甲", "乙"},
			accepted:   true,
		},
		{
			name:       "not approved against supporting majority without reason",
			statements: []rules.Statement{member("甲", rules.Support), member("乙", rules.Support), member("丙", rules.Oppose), head},
			decision:   "not_approved",
			dissent:    []string{"丙"},
			accepted:   false,
		},
		{
			name:       "not approved against supporting majority with reason",
			statements: []rules.Statement{member("甲", rules.Support), member("乙", rules.Support), member("丙", rules.Oppose), head},
			decision:   "not_approved",
			reason:     "资金来源尚未落实",
			dissent:    []string{"丙"},
			accepted:   true,
		},
		{
			name:       "support with changes counts against an approval",
			statements: []rules.Statement{member("甲", rules.SupportWithChanges), member("乙", rules.SupportWithChanges), member("丙", rules.Support), head},
			decision:   "approved",
			dissent:    []string{"甲", "乙"},
			accepted:   false,
		},
		{
			name:       "tie needs no reason",
			statements: []rules.Statement{member("甲", rules.Support), member("乙", rules.Oppose), head},
			decision:   "approved",
			dissent:    []string{"乙"},
			accepted:   true,
		},
		{
			name:       "no clear position is not counted",
			statements: []rules.Statement{member("甲", rules.Support), member("乙", rules.NoClearPosition), member("丙", rules.NoClearPosition), head},
			decision:   "approved",
			accepted:   true,
		},
		{
			name:       "oppose member missing from dissent (TS-15)",
			statements: []rules.Statement{member("甲", rules.Support), member("乙", rules.Support), member("副县长L", rules.Oppose), head},
			decision:   "approved",
			accepted:   false,
		},
		{
			name:       "oppose member listed in dissent",
			statements: []rules.Statement{member("甲", rules.Support), member("乙", rules.Support), member("副县长L", rules.Oppose), head},
			decision:   "approved",
			dissent:    []string{"副县长L"},
			accepted:   true,
		},
		{
			name:       "support with changes member missing from dissent",
			statements: []rules.Statement{member("甲", rules.Support), member("乙", rules.Support), member("丙", rules.SupportWithChanges), head},
			decision:   "approved",
			dissent:    []string{"甲"},
			accepted:   false,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			check(t, rules.MinutesComplete(tt.statements, tt.decision, tt.reason, tt.dissent), tt.accepted, rules.GCDMIN)
		})
	}
}

func TestGPUBPC_PartyCommitteeReported(t *testing.T) {
	tests := []struct {
		name     string
		ref      string
		accepted bool
	}{
		{"report recorded", "宜委请〔2026〕12号", true},
		{"no report", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			check(t, rules.PartyCommitteeReported(rules.Facts{Decision: "approved", PartyReportRef: tt.ref}), tt.accepted, rules.GPUBPC)
		})
	}
}

func TestRPUB02_PublicationChannelGiven(t *testing.T) {
	tests := []struct {
		name                        string
		gazette, website, newspaper string
		accepted                    bool
	}{
		{"gazette", "2026年第6期", "", "", true},
		{"website", "", "https://www.yiyang.gov.cn/zwgk/1", "", true},
		{"newspaper", "", "", "洛阳日报 2026-12-01", true},
		{"all channels", "2026年第6期", "https://www.yiyang.gov.cn/zwgk/1", "洛阳日报", true},
		{"no channel", "", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			check(t, rules.PublicationChannelGiven(tt.gazette, tt.website, tt.newspaper), tt.accepted, rules.RPUB02)
		})
	}
}

func TestCatalogue_EveryRuleCitedAndUnique(t *testing.T) {
	if len(rules.Catalogue) == 0 {
		t.Fatal("empty catalogue")
	}
	seen := map[string]bool{}
	for i, r := range rules.Catalogue {
		if r.ID == "" {
			t.Errorf("rule %d has no ID", i)
		}
		if seen[r.ID] {
			t.Errorf("rule ID %s is not unique", r.ID)
		}
		seen[r.ID] = true
		if !strings.Contains(r.Citation, "《") {
			t.Errorf("%s: citation %q names no instrument", r.ID, r.Citation)
		}
		if strings.TrimSpace(r.ZH) == "" || strings.TrimSpace(r.EN) == "" {
			t.Errorf("%s: missing ZH or EN message", r.ID)
		}
		if !slices.Contains(rules.Kinds, r.Kind) || (r.Also != "" && !slices.Contains(rules.Kinds, r.Also)) {
			t.Errorf("%s: unknown kind %q / %q", r.ID, r.Kind, r.Also)
		}
	}
	for _, id := range []string{"G-INI", "G-LR-LA", "G-CD-LR", "G-CD-MEET", "G-CD-MIN", "G-PUB-PC", "R-PUB-02"} {
		if !seen[id] {
			t.Errorf("catalogue lacks %s", id)
		}
	}
}
