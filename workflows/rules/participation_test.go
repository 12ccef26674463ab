package rules_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/juece/juece/workflows/rules"
)

func TestRPP01_EveryMatterHearsThePublic(t *testing.T) {
	tests := []struct {
		name string
		pp   rules.Participation
		want string
	}{
		{"one activity", rules.Participation{Activities: 1, Classification: rules.ClassPublic}, ""},
		{"none, public matter", rules.Participation{Classification: rules.ClassPublic}, "R-PP-01"},
		{"none, trade secret is redacted not skipped", rules.Participation{Classification: rules.ClassTradeSecret, NotApplicableBasis: "商业秘密"}, "R-PP-01"},
		{"none, state secret without basis", rules.Participation{Classification: rules.ClassStateSecret}, "R-PP-01"},
		{"none, state secret with basis (TS-17)", rules.Participation{Classification: rules.ClassStateSecret, NotApplicableBasis: "《保守国家秘密法》第九条"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { expect(t, rules.ParticipationHeld(tt.pp), tt.want) })
	}
}

func TestRPP02_SpecificGroupsConsulted(t *testing.T) {
	henan, national := rules.DefaultPolicy(), rules.DefaultPolicy()
	national.Henan = false
	tests := []struct {
		name string
		g    rules.SpecificGroups
		p    rules.Policy
		want string
	}{
		{"not affected", rules.SpecificGroups{}, henan, ""},
		{"affected, none consulted", rules.SpecificGroups{Affected: true}, henan, "R-PP-02"},
		{"affected, mass representatives", rules.SpecificGroups{Affected: true, Consulted: []string{rules.ConsultMassReps}}, henan, ""},
		{"business relevant in Henan, no enterprise heard", rules.SpecificGroups{Affected: true, BusinessRelevant: true, Consulted: []string{rules.ConsultSocialOrg}}, henan, "R-PP-02"},
		{"business relevant in Henan, chamber heard", rules.SpecificGroups{Affected: true, BusinessRelevant: true, Consulted: []string{rules.ConsultSocialOrg, rules.ConsultChamberOfCommerce}}, henan, ""},
		{"business relevant outside Henan", rules.SpecificGroups{Affected: true, BusinessRelevant: true, Consulted: []string{rules.ConsultSocialOrg}}, national, ""},
		{"enterprises alone do not replace Art. 14(3) bodies", rules.SpecificGroups{Affected: true, BusinessRelevant: true, Consulted: []string{rules.ConsultEnterprise}}, henan, "R-PP-02"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { expect(t, rules.SpecificGroupsConsulted(tt.g, tt.p), tt.want) })
	}
}

// notice is a complete 30-day comment notice published 2026-03-02.
func notice() rules.CommentNotice {
	return rules.CommentNotice{PublishedAt: at("2026-03-02 09:00"), EndsOn: date("2026-04-01"),
		DraftRef: "draft-v3", ExplanationRef: "expl-v3", SubmissionMethods: []string{"email", "letter"},
		Channels: []string{rules.ChannelWebsite, rules.ChannelNewspaper},
		Text:     "现将《城区污水处理厂扩建方案（征求意见稿）》公开征求意见，截止2026年4月1日。"}
}

func TestRPP03_CommentNoticeComplete(t *testing.T) {
	expectN(t, rules.CommentNoticeComplete(notice()), "R-PP-03", 0)
	paperOnly := notice()
	paperOnly.Channels = []string{rules.ChannelNewspaper, rules.ChannelTV}
	expectN(t, rules.CommentNoticeComplete(paperOnly), "R-PP-03", 1)
	newMedia := notice()
	newMedia.Channels = []string{rules.ChannelNewMedia}
	expectN(t, rules.CommentNoticeComplete(newMedia), "R-PP-03", 0)
	expectN(t, rules.CommentNoticeComplete(rules.CommentNotice{}), "R-PP-03", 5)
}

// TS-06: a 20-day period without a reason is refused, citing Art. 15, with
// 2026-04-01 offered as the earliest compliant end date.
func TestRPP04_ShortPeriodWithoutReason(t *testing.T) {
	p := rules.DefaultPolicy()
	short := notice()
	short.EndsOn = date("2026-03-22")
	got := rules.CommentPeriodLongEnough(short, p)
	expect(t, got, "R-PP-04")
	if got.Suggest != "2026-04-01" {
		t.Errorf("suggestion = %q, want 2026-04-01", got.Suggest)
	}
	if !strings.Contains(got.Message, "一般不少于30日；因情况紧急等原因需要缩短期限的，公开征求意见时应当予以说明") || !strings.Contains(got.Message, "20日") {
		t.Errorf("message does not quote Art. 15 and the period: %q", got.Message)
	}

	tests := []struct {
		name   string
		endsOn string
		reason string
		p      rules.Policy
		want   string
	}{
		{"exactly 30 days", "2026-04-01", "", p, ""},
		{"29 days", "2026-03-31", "", p, "R-PP-04"},
		{"15 days with a reason (TS-07)", "2026-03-17", "因防汛工程须在汛期前开工，情况紧急", p, ""},
		{"blank reason counts as none", "2026-03-17", "  ", p, "R-PP-04"},
		{"stricter organ policy: 30 days is short of 45", "2026-04-01", "", rules.Policy{CommentPeriodDays: 45}, "R-PP-04"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := notice()
			n.EndsOn, n.ShorteningReason = date(tt.endsOn), tt.reason
			expect(t, rules.CommentPeriodLongEnough(n, tt.p), tt.want)
		})
	}
}

// TS-07: the reason for a 15-day period is part of the published text.
func TestRPP05_ReasonInPublishedNotice(t *testing.T) {
	p := rules.DefaultPolicy()
	const reason = "因防汛工程须在汛期前开工，情况紧急，征求意见期限缩短为15日"
	shortened := func() rules.CommentNotice {
		n := notice()
		n.EndsOn = date("2026-03-17")
		n.ShorteningReason = reason
		n.Text += reason + "。"
		n.ReasonRecordedAt = at("2026-03-01 17:00")
		return n
	}
	ok := shortened()
	expect(t, rules.ShorteningReasonInNotice(ok, p), "")
	if !ok.Shortened(p) {
		t.Error("a 15-day notice is not flagged as shortened for legality review")
	}
	notInText := shortened()
	notInText.Text = notice().Text
	expect(t, rules.ShorteningReasonInNotice(notInText, p), "R-PP-05")
	late := shortened()
	late.ReasonRecordedAt = at("2026-03-02 09:30")
	expect(t, rules.ShorteningReasonInNotice(late, p), "R-PP-05")
	none := shortened()
	none.ShorteningReason = ""
	expect(t, rules.ShorteningReasonInNotice(none, p), "R-PP-05")
	expect(t, rules.ShorteningReasonInNotice(notice(), p), "") // 30 days needs no reason
}

// TS-07: a notice published with 20 days and no reason cannot get a reason
// afterwards; a new reasoned notice, or extending to 30 days, is the way.
func TestRPP05_ReasonCannotBeAddedAfterPublication(t *testing.T) {
	p := rules.DefaultPolicy()
	published := notice()
	published.EndsOn = date("2026-03-22")

	addReason := published
	addReason.ShorteningReason = "情况紧急"
	addReason.ReasonRecordedAt = at("2026-03-05 10:00")
	got := rules.CommentNoticeAmendable(published, addReason, p)
	expect(t, got, "R-PP-05")
	if got.Suggest != "2026-04-01" {
		t.Errorf("suggestion = %q, want the 30-day end 2026-04-01", got.Suggest)
	}

	extended := published
	extended.EndsOn = date("2026-04-01")
	expect(t, rules.CommentNoticeAmendable(published, extended, p), "")

	cut := notice()
	cutShorter := cut
	cutShorter.EndsOn = date("2026-03-25")
	expect(t, rules.CommentNoticeAmendable(cut, cutShorter, p), "R-PP-05")

	renewed := published
	renewed.PublishedAt = at("2026-03-06 09:00")
	renewed.EndsOn = date("2026-03-21")
	renewed.ShorteningReason = "情况紧急"
	renewed.Text += "因情况紧急，期限缩短为15日。"
	renewed.ReasonRecordedAt = at("2026-03-06 08:00")
	expect(t, rules.CommentNoticeAmendable(published, renewed, p), "")
	renewedNoText := renewed
	renewedNoText.Text = notice().Text
	expect(t, rules.CommentNoticeAmendable(published, renewedNoText, p), "R-PP-05")
}

// TS-08: published 2026-09-07, the 30-day end 2026-10-07 falls in the
// National Day break: a warning offering 2026-10-08, not a refusal.
func TestRPP06_TS08_EndOnHolidayWarns(t *testing.T) {
	p := rules.DefaultPolicy()
	holiday := rules.PeriodEnd{EndsOnRestDay: true, NextWorkingDay: date("2026-10-08")}
	got := rules.CommentEndsOnWorkingDay(holiday, p)
	expectWarning(t, got, "R-PP-06")
	if got.Suggest != "2026-10-08" {
		t.Errorf("suggestion = %q, want 2026-10-08", got.Suggest)
	}
	p.ExtendPeriodsToWorkingDay = true
	got = rules.CommentEndsOnWorkingDay(holiday, p)
	expect(t, got, "R-PP-06")
	if got.Suggest != "2026-10-08" {
		t.Errorf("suggestion = %q, want 2026-10-08", got.Suggest)
	}
	expect(t, rules.CommentEndsOnWorkingDay(rules.PeriodEnd{NextWorkingDay: date("2026-02-04")}, p), "")
}

func TestRPP07_NoClosingBeforeTheEnd(t *testing.T) {
	n := notice() // ends 2026-04-01
	tests := []struct {
		name string
		now  string
		want string
	}{
		{"during the period", "2026-03-20 10:00", "R-PP-07"},
		{"on the last day, late evening", "2026-04-01 23:59", "R-PP-07"},
		{"just after midnight Beijing time", "2026-04-02 00:01", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { expect(t, rules.CommentsClosable(n, at(tt.now)), tt.want) })
	}
	// 2026-04-01 16:30 UTC is already 2 April in Beijing (R-CAL-07).
	expect(t, rules.CommentsClosable(n, at("2026-04-02 00:30").UTC()), "")
}

func TestRPP08_MarketDocument(t *testing.T) {
	p := rules.DefaultPolicy()
	heard := rules.MarketDocument{Applies: true, MarketEntitiesConsulted: 12, AssociationsConsulted: 2}
	expectN(t, rules.MarketDocumentConsulted(heard, notice(), p), "R-PP-08", 0)
	expectN(t, rules.MarketDocumentConsulted(rules.MarketDocument{Applies: true}, notice(), p), "R-PP-08", 2)
	short := notice()
	short.EndsOn = date("2026-03-22")
	expectN(t, rules.MarketDocumentConsulted(heard, short, p), "R-PP-08", 1)
	short.ShorteningReason = "执行上级限时要求"
	expectN(t, rules.MarketDocumentConsulted(heard, short, p), "R-PP-08", 0)
	expectN(t, rules.MarketDocumentConsulted(rules.MarketDocument{}, short, p), "R-PP-08", 0)
	// At publication only the period is judged.
	short.ShorteningReason = ""
	if v := rules.MarketCommentPeriod(rules.MarketDocument{Applies: true}, short, p); v == nil || v.Rule != "R-PP-08" {
		t.Fatalf("a shortened market-document period without reason: %+v, want R-PP-08", v)
	}
	if v := rules.MarketCommentPeriod(rules.MarketDocument{Applies: true}, notice(), p); v != nil {
		t.Fatalf("a 30-day period: %+v", v)
	}
	m := rules.MarketHeard(true, []string{rules.ConsultEnterprise, rules.ConsultChamberOfCommerce, rules.ConsultMassReps, rules.ConsultIndustryAssoc})
	if m.MarketEntitiesConsulted != 1 || m.AssociationsConsulted != 2 || !m.Applies {
		t.Fatalf("MarketHeard = %+v", m)
	}
}

// hearing is a well-prepared hearing on 2026-05-20.
func hearing() rules.Hearing {
	return rules.Hearing{
		Trigger: rules.HearingVitalInterests, Organiser: "县发改委", On: date("2026-05-20"),
		NoticePublishedOn: date("2026-04-30"),
		NoticeItems:       []string{rules.HearingItemDraft, rules.HearingItemExplanation, rules.HearingItemTime, rules.HearingItemPlace},
		SelectionRequired: true, SelectionMethodPublishedAt: at("2026-04-30 09:00"), SelectionStartedAt: at("2026-05-04 09:00"),
		SelectionRecord: "公开报名、随机抽取", Sides: []string{"经营者", "消费者"},
		Participants: []rules.HearingParticipant{
			{Name: "甲", Side: "经营者", DeliveredOn: date("2026-05-12"), Signed: true},
			{Name: "乙", Side: "消费者", DeliveredOn: date("2026-05-13"), Signed: true},
		},
		ListPublishedOn: date("2026-05-10"),
		Record:          rules.HearingRecord{Segments: []string{rules.SegmentPresentation, rules.SegmentDebate, rules.SegmentConfirmation}, PublicAccess: "公开旁听", Confirmed: true},
	}
}

func TestRHR01_HearingDecision(t *testing.T) {
	expectN(t, rules.HearingDecisionComplete(hearing()), "R-HR-01", 0)
	byLaw := hearing()
	byLaw.Trigger = rules.HearingMandatedByLaw
	expectN(t, rules.HearingDecisionComplete(byLaw), "R-HR-01", 1)
	byLaw.TriggerCitation = "《政府制定价格听证办法》第三条"
	expectN(t, rules.HearingDecisionComplete(byLaw), "R-HR-01", 0)
	expectN(t, rules.HearingDecisionComplete(rules.Hearing{}), "R-HR-01", 2)
}

func TestRHR02_NoticeBeforeConfirmation(t *testing.T) {
	p := rules.DefaultPolicy()
	expect(t, rules.HearingConfirmable(hearing(), p), "") // 20 days ahead
	late := hearing()
	late.NoticePublishedOn = date("2026-05-10")
	got := rules.HearingConfirmable(late, p)
	expect(t, got, "R-HR-02")
	if got.Suggest != "2026-05-25" {
		t.Errorf("suggestion = %q, want 2026-05-25", got.Suggest)
	}
	exact := hearing()
	exact.NoticePublishedOn = date("2026-05-05")
	expect(t, rules.HearingConfirmable(exact, p), "")
	noPlace := hearing()
	noPlace.NoticeItems = noPlace.NoticeItems[:3]
	expect(t, rules.HearingConfirmable(noPlace, p), "R-HR-02")
	short := p
	short.HearingNoticeLeadDays = 10
	expect(t, rules.HearingConfirmable(late, short), "")
}

func TestRHR03_SelectionFairAndEverySideRepresented(t *testing.T) {
	expectN(t, rules.HearingSelectionFair(hearing()), "R-HR-03", 0)
	methodLate := hearing()
	methodLate.SelectionMethodPublishedAt = at("2026-05-04 10:00")
	expectN(t, rules.HearingSelectionFair(methodLate), "R-HR-03", 1)
	oneSided := hearing()
	oneSided.Sides = append(oneSided.Sides, "专家学者", "政府部门")
	got := rules.HearingSelectionFair(oneSided)
	expectN(t, got, "R-HR-03", 1)
	if !strings.Contains(got[0].Message, "专家学者、政府部门") {
		t.Errorf("message does not list the missing sides: %q", got[0].Message)
	}
	noSelection := hearing()
	noSelection.SelectionRequired = false
	noSelection.SelectionRecord = ""
	expectN(t, rules.HearingSelectionFair(noSelection), "R-HR-03", 0)
}

func TestRHR04_ParticipantListInAdvance(t *testing.T) {
	p := rules.DefaultPolicy()
	expect(t, rules.ParticipantListPublished(hearing(), p), "") // 10 days
	late := hearing()
	late.ListPublishedOn = date("2026-05-16")
	expect(t, rules.ParticipantListPublished(late, p), "R-HR-04")
	late.ListPublishedOn = date("2026-05-15")
	expect(t, rules.ParticipantListPublished(late, p), "")
	expect(t, rules.ParticipantListPublished(rules.Hearing{On: date("2026-05-20")}, p), "R-HR-04")
}

// O-1: delivery date ≤ hearing date − 7, for every participant.
func TestRHR05_MaterialsSevenDaysBefore(t *testing.T) {
	p := rules.DefaultPolicy()
	expect(t, rules.HearingMaterialsDelivered(hearing(), p), "") // 05-12 and 05-13 for 05-20
	late := hearing()
	late.Participants[1].DeliveredOn = date("2026-05-14")
	got := rules.HearingMaterialsDelivered(late, p)
	expect(t, got, "R-HR-05")
	if got.Suggest != "2026-05-21" || !strings.Contains(got.Message, "乙") {
		t.Errorf("got %+v, want participant 乙 named and 2026-05-21 offered", *got)
	}
	missing := hearing()
	missing.Participants[0].DeliveredOn = time.Time{}
	got = rules.HearingMaterialsDelivered(missing, p)
	expect(t, got, "R-HR-05")
	if got.Suggest != "" {
		t.Errorf("suggestion %q offered while a participant has no delivery at all", got.Suggest)
	}
	expect(t, rules.HearingMaterialsDelivered(rules.Hearing{On: date("2026-05-20")}, p), "R-HR-05")
}

func TestRHR06_ThreeSegmentsHeldPublicly(t *testing.T) {
	expectN(t, rules.HearingRecordComplete(hearing().Record), "R-HR-06", 0)
	expectN(t, rules.HearingRecordComplete(rules.HearingRecord{Segments: []string{rules.SegmentPresentation}}), "R-HR-06", 3)
}

func TestRHR07_EveryParticipantSigns(t *testing.T) {
	expect(t, rules.HearingClosable(hearing()), "")
	unsigned := hearing()
	unsigned.Participants[1].Signed = false
	expect(t, rules.HearingClosable(unsigned), "R-HR-07")
	unsigned.Participants[1].RefusalReason = "认为记录未完整反映其质证意见"
	expect(t, rules.HearingClosable(unsigned), "")
	unconfirmed := hearing()
	unconfirmed.Record.Confirmed = false
	expect(t, rules.HearingClosable(unconfirmed), "R-HR-07")
}

// TS-13: 143 opinions, each disposed of on its own or through its cluster.
func TestRPP10_EveryOpinionDisposed(t *testing.T) {
	clusters := []rules.OpinionCluster{{ID: "c1", Disposition: rules.Adopted}, {ID: "c2", Disposition: rules.NotAdopted, Reason: "超出本级事权"}, {ID: "c3", Disposition: rules.NotAdopted}}
	var ops []rules.Opinion
	for i := range 140 {
		ops = append(ops, rules.Opinion{ID: "op" + strconv.Itoa(i+1), Cluster: []string{"c1", "c2"}[i%2]})
	}
	ops = append(ops, rules.Opinion{ID: "op141", Disposition: rules.PartlyAdopted, Reason: "采纳标准部分"}, rules.Opinion{ID: "op142", Disposition: rules.OutsideScope}, rules.Opinion{ID: "op143", Disposition: rules.Adopted})
	expect(t, rules.OpinionsDisposed(ops, clusters), "")

	bad := append(append([]rules.Opinion{}, ops...),
		rules.Opinion{ID: "x1"},                                      // no disposition
		rules.Opinion{ID: "x2", Disposition: rules.NotAdopted},       // no reason
		rules.Opinion{ID: "x3", Cluster: "c3"},                       // cluster without reason
		rules.Opinion{ID: "x4", Disposition: "ignored", Reason: "?"}) // not a disposition
	got := rules.OpinionsDisposed(bad, clusters)
	expect(t, got, "R-PP-10")
	if !strings.Contains(got.Message, "4条") || !strings.Contains(got.Message, "x1、x2、x3、x4") {
		t.Errorf("message does not count and list the open opinions: %q", got.Message)
	}
}

func TestRPP11_AdoptionReportBeforePackage(t *testing.T) {
	expect(t, rules.PublicAdoptionReported(2, ""), "R-PP-11")
	expect(t, rules.PublicAdoptionReported(2, "adoption-report-v1"), "")
	expect(t, rules.PublicAdoptionReported(0, ""), "")
}
