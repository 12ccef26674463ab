package rules_test

import (
	"testing"

	"github.com/juece/juece/workflows/rules"
)

func TestRPC01_ReportRecordedBeforeIssuance(t *testing.T) {
	issue := date("2026-07-01")
	tests := []struct {
		name string
		r    rules.PartyReport
		want string
	}{
		{"dated report before issue", rules.PartyReport{Ref: "宜政请〔2026〕12号", On: date("2026-06-20")}, ""},
		{"with the committee's response", rules.PartyReport{Ref: "宜政请〔2026〕12号", On: date("2026-06-20"), Response: "同意"}, ""},
		{"no record", rules.PartyReport{}, "G-PUB-PC"},
		{"reference without date", rules.PartyReport{Ref: "宜政请〔2026〕12号"}, "G-PUB-PC"},
		{"reported after the issue date", rules.PartyReport{Ref: "宜政请〔2026〕12号", On: date("2026-07-02")}, "G-PUB-PC"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { expect(t, rules.PartyReportRecorded(tt.r, issue), tt.want) })
	}
}

func TestGPUBNPC_TrackCompleted(t *testing.T) {
	expect(t, rules.NPCTrackCompleted(rules.NPCTrack{}), "")
	expect(t, rules.NPCTrackCompleted(rules.NPCTrack{DecidedByNPC: true}), "G-PUB-NPC")
	expect(t, rules.NPCTrackCompleted(rules.NPCTrack{DecidedByNPC: true, RecordRef: "宜人常决〔2026〕2号"}), "")
}

func TestRPC02_ReportToStandingCommittee(t *testing.T) {
	expect(t, rules.NPCTrackCompleted(rules.NPCTrack{ReportBeforeIssuance: true}), "G-PUB-NPC")
	expect(t, rules.NPCTrackCompleted(rules.NPCTrack{ReportBeforeIssuance: true, RecordRef: "报告备案回执"}), "")
}
