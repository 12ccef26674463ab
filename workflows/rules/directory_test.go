package rules_test

import (
	"testing"

	"github.com/juece/juece/workflows/rules"
)

// TS-20: the 2026 directory cannot be published without Party consent.
func TestRDIR01_TS20_DirectoryNeedsPartyConsent(t *testing.T) {
	p := rules.DefaultPolicy()
	lax := p
	lax.DirectoryAdjustmentNeedsConsent = false
	tests := []struct {
		name string
		d    rules.DirectoryPublication
		p    rules.Policy
		want string
	}{
		{"no consent record (TS-20)", rules.DirectoryPublication{PublishOn: date("2026-03-10")}, p, "R-DIR-01"},
		{"reference without date", rules.DirectoryPublication{ConsentRef: "宜委〔2026〕3号", PublishOn: date("2026-03-10")}, p, "R-DIR-01"},
		{"consent before publication", rules.DirectoryPublication{ConsentRef: "宜委〔2026〕3号", ConsentOn: date("2026-03-05"), PublishOn: date("2026-03-10")}, p, ""},
		{"consent on the day", rules.DirectoryPublication{ConsentRef: "宜委〔2026〕3号", ConsentOn: date("2026-03-10"), PublishOn: date("2026-03-10")}, p, ""},
		{"consent after publication", rules.DirectoryPublication{ConsentRef: "宜委〔2026〕3号", ConsentOn: date("2026-03-11"), PublishOn: date("2026-03-10")}, p, "R-DIR-01"},
		{"adjustment without consent, policy requires it", rules.DirectoryPublication{Adjustment: true, PublishOn: date("2026-07-01")}, p, "R-DIR-01"},
		{"adjustment without consent, policy does not", rules.DirectoryPublication{Adjustment: true, PublishOn: date("2026-07-01")}, lax, ""},
		{"directory itself always needs consent", rules.DirectoryPublication{PublishOn: date("2026-03-10")}, lax, "R-DIR-01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { expect(t, rules.DirectoryPublishable(tt.d, tt.p), tt.want) })
	}
}

func TestRDIR02_DirectoryEntryComplete(t *testing.T) {
	henan, national := rules.DefaultPolicy(), rules.DefaultPolicy()
	national.Henan = false
	full := rules.DirectoryEntry{Title: "城区污水处理厂扩建", Category: 6, LeadUnit: "县住建局",
		PlannedStart: date("2026-04-01"), PlannedEnd: date("2026-11-30"), ExpectedTracks: []string{rules.TrackPP, rules.TrackEXP, rules.TrackRISK}}
	noTracks := full
	noTracks.ExpectedTracks = nil
	excused := noTracks
	excused.NoTracksReason = "涉及国家秘密，依法不予公开"
	badTrack := full
	badTrack.ExpectedTracks = []string{"hearing"}
	backwards := full
	backwards.PlannedEnd = date("2026-01-01")
	tests := []struct {
		name string
		e    rules.DirectoryEntry
		p    rules.Policy
		n    int
	}{
		{"complete, Henan category 6", full, henan, 0},
		{"Henan category 6 is out of the national five", full, national, 1},
		{"empty entry", rules.DirectoryEntry{}, henan, 5},
		{"no tracks and no reason", noTracks, henan, 1},
		{"no tracks with a reason", excused, henan, 0},
		{"unknown track", badTrack, henan, 1},
		{"plan ends before it starts", backwards, henan, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { expectN(t, rules.DirectoryEntryComplete(tt.e, tt.p), "R-DIR-02", tt.n) })
	}
}

// TS-20: a directory matter closed as "not a major decision" needs a
// directory adjustment record.
func TestRDIR03_ClosingListedMatterNeedsAdjustment(t *testing.T) {
	expect(t, rules.DirectoryMatterClosable(rules.DirectoryClosure{InDirectory: true}), "R-DIR-03")
	expect(t, rules.DirectoryMatterClosable(rules.DirectoryClosure{InDirectory: true, AdjustmentRef: "宜政办〔2026〕21号"}), "")
	expect(t, rules.DirectoryMatterClosable(rules.DirectoryClosure{InDirectory: false}), "")
}

func TestRDIR04_UnlistedMatterTask(t *testing.T) {
	tests := []struct {
		name string
		s    rules.ScopeCheck
		want int
	}{
		{"meets Art. 3, not listed", rules.ScopeCheck{MeetsArt3: true}, 1},
		{"meets Art. 3, listed", rules.ScopeCheck{MeetsArt3: true, Listed: true}, 0},
		{"meets Art. 3, adjustment made", rules.ScopeCheck{MeetsArt3: true, AdjustmentRef: "调整-1"}, 0},
		{"not a major decision", rules.ScopeCheck{}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := rules.DirectoryAdditionTasks(tt.s)
			if len(got) != tt.want {
				t.Fatalf("tasks = %+v, want %d", got, tt.want)
			}
			for _, task := range got {
				if task.Rule != "R-DIR-04" || task.Role != rules.RoleGO || task.Type != rules.TaskDirectoryAdjustment {
					t.Fatalf("task = %+v", task)
				}
			}
		})
	}
}

// TS-20: marking T as a government legislative decision requires a reason
// and an approver.
func TestRDIR05_ExclusionNeedsReasonAndApprover(t *testing.T) {
	tests := []struct {
		name string
		x    rules.Exclusion
		n    int
	}{
		{"legislation with reason and approver", rules.Exclusion{Ground: rules.ExclusionLegislation, Reason: "拟以政府规章形式出台，转入立法程序", ApprovedBy: "副县长甲"}, 0},
		{"legislation without reason or approver (TS-20)", rules.Exclusion{Ground: rules.ExclusionLegislation}, 2},
		{"no approver", rules.Exclusion{Ground: rules.ExclusionMacroControl, Reason: "财政贴息政策"}, 1},
		{"not an Art. 3(2) ground", rules.Exclusion{Ground: "too_urgent", Reason: "时间紧", ApprovedBy: "县长"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { expectN(t, rules.ExclusionJustified(tt.x), "R-DIR-05", tt.n) })
	}
}

func TestRDIR06_OnlyLawOrAdministrativeRegulationOverrides(t *testing.T) {
	pricing := rules.SpecialProcedure{Citation: "《中华人民共和国价格法》第二十三条", Level: rules.LevelLaw, ReplacedSteps: []string{"hearing"}}
	local := pricing
	local.Level = "local_rule"
	confirmed := pricing
	confirmed.ConfirmedByLRD = true
	tests := []struct {
		name          string
		s             rules.SpecialProcedure
		opinionIssued bool
		n             int
	}{
		{"law, before the opinion", pricing, false, 0},
		{"law, opinion issued without confirmation", pricing, true, 1},
		{"law, confirmed in the opinion", confirmed, true, 0},
		{"local rule cannot override", local, false, 1},
		{"nothing recorded", rules.SpecialProcedure{}, false, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { expectN(t, rules.SpecialProcedureValid(tt.s, tt.opinionIssued), "R-DIR-06", tt.n) })
	}
}

func TestRDIR07_NPCTask(t *testing.T) {
	if got := rules.NPCTasks(rules.NPCTrack{ReportBeforeIssuance: true}); len(got) != 1 || got[0].Rule != "R-DIR-07" || got[0].Role != rules.RoleDO {
		t.Fatalf("report to the standing committee: tasks = %+v", got)
	}
	if got := rules.NPCTasks(rules.NPCTrack{DecidedByNPC: true, RecordRef: "宜人常〔2026〕5号"}); got != nil {
		t.Fatalf("record exists: tasks = %+v", got)
	}
	if got := rules.NPCTasks(rules.NPCTrack{}); got != nil {
		t.Fatalf("no NPC track: tasks = %+v", got)
	}
}
