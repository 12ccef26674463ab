package rules

import (
	"fmt"
	"strings"
	"time"
)

// R-PP and R-HR: public participation — comment period, hearings, opinions
// and their adoption (spec §4.4, Arts. 14–18).

const art15 = "公开征求意见的期限一般不少于30日；因情况紧急等原因需要缩短期限的，公开征求意见时应当予以说明。"

var (
	RPP01 = Rule{ID: "R-PP-01", Kind: Duty, Also: Validation, Status: "N✔",
		Citation: decree713 + "第十四条第一款", Func: "ParticipationHeld",
		ZH: "决策承办单位应当采取便于社会公众参与的方式充分听取意见，依法不予公开的决策事项除外：每个事项至少一项公众参与活动；设为“不适用”须为依法不予公开的事项并记录法律依据。",
		EN: "Every matter has at least one participation activity unless it is not to be disclosed by law; \"not applicable\" needs that classification and its legal basis (Art. 14(1))."}
	RPP02 = Rule{ID: "R-PP-02", Kind: Validation, Status: "N✔+H✔",
		Citation: decree713 + "第十四条第三款；" + henan210, Func: "SpecificGroupsConsulted",
		ZH: "决策事项涉及特定群体利益的，决策承办单位应当与相关人民团体、社会组织以及群众代表进行沟通协商；河南还应当充分听取有代表性的企业和相关行业协会、商会的意见。",
		EN: "Where specific groups' interests are involved, consult people's organisations, social organisations or mass representatives; in Henan also representative enterprises, industry associations and chambers of commerce (Art. 14(3))."}
	RPP03 = Rule{ID: "R-PP-03", Kind: Validation, Status: "N✔",
		Citation: decree713 + "第十五条第一款", Func: "CommentNoticeComplete",
		ZH: "通过政府网站、政务新媒体以及报刊、广播、电视等便于社会公众知晓的途径，公布决策草案及其说明等材料，明确提出意见的方式和期限。",
		EN: "A comment notice publishes the draft and its explanation, the ways to comment and the period, through the government website or new media at least (Art. 15(1))."}
	RPP04 = Rule{ID: "R-PP-04", Kind: Timer, Also: Gate, Status: "N✔",
		Citation: decree713 + "第十五条第一款", Func: "CommentPeriodLongEnough",
		ZH: art15,
		EN: "The comment period is generally at least 30 days; a shorter period needs its reason stated when comments are invited (Art. 15)."}
	RPP05 = Rule{ID: "R-PP-05", Kind: Validation, Status: "N✔+D", Policy: true,
		Citation: decree713 + "第十五条第一款", Func: "ShorteningReasonInNotice, CommentNoticeAmendable",
		ZH: "缩短期限的理由须在“公开征求意见时”予以说明：理由须载入公告正文且不晚于公布时记录；公布后补充的理由无效，公布后缩短期限须重新发布附理由的公告。",
		EN: "The reason for a shortened period must be in the published notice, recorded no later than publication; reasons added afterwards are rejected, and cutting the period after publication needs a new, reasoned notice (Art. 15)."}
	RPP06 = Rule{ID: "R-PP-06", Kind: Validation, Status: "D", Policy: true,
		Citation: civilCode + "第二百零三条（类推适用）" + policyNote, Func: "CommentEndsOnWorkingDay",
		ZH: "征求意见截止日为非工作日的，予以提示，并可顺延至下一个工作日。",
		EN: "A comment period ending on a non-working day is flagged, with an optional extension to the next working day."}
	RPP07 = Rule{ID: "R-PP-07", Kind: Gate, Status: "D", Policy: true,
		Citation: decree713 + "第十五条" + policyNote, Func: "CommentsClosable",
		ZH: "征求意见期限届满前，不得将意见征集标记为结束。",
		EN: "Comment collection cannot be closed before the end date has passed."}
	RPP08 = Rule{ID: "R-PP-08", Kind: Validation, Status: "O✔",
		Citation: businessEnv + "第六十二条", Func: "MarketDocumentConsulted, MarketCommentPeriod",
		ZH: "制定与市场主体生产经营活动密切相关的行政法规、规章、行政规范性文件，应当按照国务院的规定，充分听取市场主体、行业协会商会的意见；向社会公开征求意见的期限一般不少于30日。",
		EN: "A rule or normative document closely related to market entities' business hears market entities and business associations, with a comment period generally of at least 30 days (优化营商环境条例 Art. 62)."}
	RHR01 = Rule{ID: "R-HR-01", Kind: Validation, Status: "N✔",
		Citation: decree713 + "第十六条第一款", Func: "HearingDecisionComplete",
		ZH: "决策事项直接涉及公民、法人、其他组织切身利益或者存在较大分歧的，可以召开听证会；法律、法规、规章另有规定的，依照其规定：须记录召开依据（涉及法定要求的写明条文）和组织单位。",
		EN: "The hearing decision records its trigger (vital interests, major disagreement, or a law requiring it, with citation) and the organiser (Art. 16(1))."}
	RHR02 = Rule{ID: "R-HR-02", Kind: Gate, Status: "N✔+U+D", Policy: true,
		Citation: decree713 + "第十六条第二款（提前期限为组织政策，默认15日）", Func: "HearingConfirmable",
		ZH: "应当提前公布决策草案及其说明等材料，明确听证时间、地点等信息：公布后方可确认召开。",
		EN: "The draft, its explanation, and the time and place are published in advance (organ lead time, default 15 days) before the hearing is confirmed (Art. 16(2))."}
	RHR03 = Rule{ID: "R-HR-03", Kind: Gate, Status: "N✔",
		Citation: decree713 + "第十六条第三款", Func: "HearingSelectionFair",
		ZH: "需要遴选听证参加人的，应当提前公布听证参加人遴选办法，公平公开组织遴选，保证相关各方都有代表参加听证会。",
		EN: "If participants are selected, the method is published before selection, selection is open and fair, and every side is represented (Art. 16(3))."}
	RHR04 = Rule{ID: "R-HR-04", Kind: Gate, Status: "N✔+D", Policy: true,
		Citation: decree713 + "第十六条第三款（提前期限为组织政策，默认5日）", Func: "ParticipantListPublished",
		ZH: "听证参加人名单应当提前向社会公布。",
		EN: "The participant list is published in advance of the hearing (organ lead time, default 5 days) (Art. 16(3))."}
	RHR05 = Rule{ID: "R-HR-05", Kind: Timer, Also: Gate, Status: "N✔+D", Policy: true,
		Citation: decree713 + "第十六条第三款", Func: "HearingMaterialsDelivered",
		ZH: "听证会材料应当于召开听证会7日前送达听证参加人：每一参加人的送达日期不得晚于听证日前第7日，否则须改期。",
		EN: "Hearing materials reach every participant 7 days before the hearing (delivery ≤ hearing date − 7); otherwise the hearing is rescheduled (Art. 16(3))."}
	RHR06 = Rule{ID: "R-HR-06", Kind: Validation, Status: "N✔",
		Citation: decree713 + "第十七条", Func: "HearingRecordComplete",
		ZH: "听证会应当按照下列程序公开举行：（一）决策承办单位介绍决策草案、依据和有关情况；（二）听证参加人陈述意见，进行询问、质证和辩论；（三）听证参加人确认听证会记录并签字。",
		EN: "The hearing is held publicly in three segments: presentation of the draft, participants' statements and debate, confirmation and signing of the record (Art. 17)."}
	RHR07 = Rule{ID: "R-HR-07", Kind: Gate, Status: "N✔+D", Policy: true,
		Citation: decree713 + "第十七条第三项", Func: "HearingClosable",
		ZH: "听证参加人确认听证会记录并签字：每一参加人签字（拒签的记录理由）后，听证方可结束。",
		EN: "The hearing closes only when every participant has confirmed and signed the record, or their refusal is recorded with a reason (Art. 17(3))."}
	RPP10 = Rule{ID: "R-PP-10", Kind: Validation, Status: "N✔+D", Policy: true,
		Citation: decree713 + "第十八条", Func: "OpinionsDisposed",
		ZH: "决策承办单位应当对社会各方面提出的意见进行归纳整理、研究论证，充分采纳合理意见：每条（或每类）意见须有处理结果，未采纳的须说明理由。",
		EN: "Every opinion, or cluster, gets a disposition (adopted / partly / not adopted / outside scope), with a reason for each non-adoption (Art. 18)."}
	RPP11 = Rule{ID: "R-PP-11", Kind: Gate, Status: "N✔",
		Citation: decree713 + "第二十九条第二项", Func: "PublicAdoptionReported",
		ZH: "履行公众参与程序的，同时报送社会公众提出的主要意见的研究采纳情况：提交讨论前须有公众意见研究采纳报告。",
		EN: "If public participation was held, the report on how the main opinions were studied and adopted exists before the discussion package (Art. 29(2))."}
)

// Participation is a matter's public-participation track.
type Participation struct {
	Activities         int    `json:"activities"`
	Classification     string `json:"classification"`
	NotApplicableBasis string `json:"not_applicable_basis,omitempty"`
}

// ParticipationHeld is R-PP-01. Art. 14(1) makes hearing the public the rule
// for every matter ("依法不予公开的决策事项除外"); Henan practice: "以参与为原
// 则、不参与为例外". The only way out is a non-disclosable classification
// with its legal basis (R-SEC-01 adds the approving officer).
func ParticipationHeld(pp Participation) *Violation {
	if pp.Activities > 0 {
		return nil
	}
	if !NonDisclosable(pp.Classification) {
		return RPP01.refuse("每个决策事项须至少开展一项公众参与活动；只有依法不予公开的事项（国家秘密、法律法规禁止公开、危及安全）可以不适用。",
			"Every matter needs at least one participation activity; only a matter not to be disclosed by law may skip it.")
	}
	if blank(pp.NotApplicableBasis) {
		return RPP01.refuse("设为“不适用”须记录不予公开的法律依据。", "Setting participation to not applicable needs the legal basis for non-disclosure.")
	}
	return nil
}

// Bodies consulted on a specific group's interests (Art. 14(3); Henan 210).
const (
	ConsultPeoplesOrg        = "peoples_organisation" // 人民团体
	ConsultSocialOrg         = "social_organisation"  // 社会组织
	ConsultMassReps          = "mass_representatives" // 群众代表
	ConsultEnterprise        = "enterprise"           // 有代表性的企业 (Henan)
	ConsultIndustryAssoc     = "industry_association" // 行业协会 (Henan)
	ConsultChamberOfCommerce = "chamber_of_commerce"  // 商会 (Henan)
)

// SpecificGroups records a matter's specific-group interests and whom the
// undertaking unit consulted about them.
type SpecificGroups struct {
	Affected bool `json:"affected"` // 决策事项涉及特定群体利益
	// BusinessRelevant marks a matter where enterprises and business
	// associations are among the groups concerned (Henan: "相关").
	BusinessRelevant bool     `json:"business_relevant"`
	Consulted        []string `json:"consulted"`
}

// SpecificGroupsConsulted is R-PP-02. Art. 14(3): "应当与相关人民团体、社会
// 组织以及群众代表进行沟通协商"; a Henan organ must, where they are concerned,
// also hear "有代表性的企业和相关行业协会、商会".
func SpecificGroupsConsulted(g SpecificGroups, p Policy) *Violation {
	if !g.Affected {
		return nil
	}
	anyOf := func(kinds ...string) bool {
		for _, k := range kinds {
			if has(g.Consulted, k) {
				return true
			}
		}
		return false
	}
	if !anyOf(ConsultPeoplesOrg, ConsultSocialOrg, ConsultMassReps) {
		return RPP02.refuse("涉及特定群体利益，须至少有一次与人民团体、社会组织或群众代表的沟通协商记录。",
			"Specific groups are affected: record at least one consultation with people's organisations, social organisations or mass representatives.")
	}
	if p.Henan && g.BusinessRelevant && !anyOf(ConsultEnterprise, ConsultIndustryAssoc, ConsultChamberOfCommerce) {
		return RPP02.refuse("河南：涉及企业的，还须听取有代表性的企业和相关行业协会、商会的意见。",
			"Henan: where businesses are concerned, also hear representative enterprises, industry associations and chambers of commerce.")
	}
	return nil
}

// Channels of publication (Arts. 15 and 32).
const (
	ChannelWebsite   = "website"   // 政府网站
	ChannelNewMedia  = "new_media" // 政务新媒体
	ChannelNewspaper = "newspaper" // 报刊
	ChannelRadio     = "radio"     // 广播
	ChannelTV        = "tv"        // 电视
)

// CommentNotice is a public comment notice (spec §7 CommentNotice).
type CommentNotice struct {
	// PublishedAt is the instant of publication, or the intended one before
	// the notice goes out; its Beijing date starts the period.
	PublishedAt       time.Time `json:"published_at"`
	EndsOn            time.Time `json:"ends_on"`
	DraftRef          string    `json:"draft_ref"`
	ExplanationRef    string    `json:"explanation_ref"`
	SubmissionMethods []string  `json:"submission_methods"`
	Channels          []string  `json:"channels"`
	// Text is the notice as published.
	Text             string    `json:"text"`
	ShorteningReason string    `json:"shortening_reason,omitempty"`
	ReasonRecordedAt time.Time `json:"reason_recorded_at,omitzero"`
}

// Days is the length of the period in calendar days, the publication day
// not counted (R-CAL-05).
func (n CommentNotice) Days() int { return daysFrom(today(n.PublishedAt), n.EndsOn) }

// Shortened reports a period below the minimum; legality review sees the
// flag "shortened period (reason stated)" (TS-07).
func (n CommentNotice) Shortened(p Policy) bool { return n.Days() < p.CommentPeriodDays }

// CommentNoticeComplete is R-PP-03: Art. 15(1) lists what the notice
// publishes — the draft and explanation, how to comment, and the period —
// through channels the public knows, of which the spec requires a
// government one (website or new media).
func CommentNoticeComplete(n CommentNotice) []Violation {
	c := items{r: RPP03}
	c.need(!blank(n.DraftRef), "公告缺少：决策草案。", "The notice lacks the draft.")
	c.need(!blank(n.ExplanationRef), "公告缺少：决策草案的说明。", "The notice lacks the explanation.")
	c.need(len(n.SubmissionMethods) > 0, "公告缺少：提出意见的方式。", "The notice lacks the ways to submit comments.")
	c.need(!n.PublishedAt.IsZero() && !n.EndsOn.IsZero(), "公告缺少：征求意见的起止日期。", "The notice lacks its start and end dates.")
	c.need(has(n.Channels, ChannelWebsite) || has(n.Channels, ChannelNewMedia),
		"须至少通过政府网站或政务新媒体之一公布。", "Publish through the government website or government new media at least.")
	return c.vs
}

// CommentPeriodLongEnough is R-PP-04. Art. 15: "公开征求意见的期限一般不少于
// 30日" — "generally", so a shorter period is allowed only with a reason
// (whose place in the notice R-PP-05 checks). The earliest compliant end
// date is offered as the suggestion (TS-06: published 2026-03-02, earliest
// end 2026-04-01).
func CommentPeriodLongEnough(n CommentNotice, p Policy) *Violation {
	if !n.Shortened(p) || !blank(n.ShorteningReason) {
		return nil
	}
	earliest := addDays(today(n.PublishedAt), p.CommentPeriodDays)
	v := RPP04.refuse(
		fmt.Sprintf("%s本公告期限为%d日，且未说明缩短理由；符合要求的最早截止日期为%s。", minPeriodZH(p), n.Days(), day(earliest)),
		fmt.Sprintf("The comment period is %d days with no reason for shortening it; the earliest compliant end date is %s (Art. 15: generally at least %d days).", n.Days(), day(earliest), p.CommentPeriodDays))
	v.Suggest = day(earliest)
	return v
}

func minPeriodZH(p Policy) string {
	if p.CommentPeriodDays == 30 {
		return art15
	}
	return fmt.Sprintf("本机关规定公开征求意见的期限一般不少于%d日（条例：不少于30日）；缩短期限的，公开征求意见时应当予以说明。", p.CommentPeriodDays)
}

// ShorteningReasonInNotice is R-PP-05 at publication. Art. 15 requires the
// reason "公开征求意见时应当予以说明": it must be in the notice text the public
// reads, recorded no later than publication.
func ShorteningReasonInNotice(n CommentNotice, p Policy) *Violation {
	if !n.Shortened(p) {
		return nil
	}
	switch {
	case blank(n.ShorteningReason):
		return RPP05.refuse("期限缩短，须在公告中说明理由。", "The period is shortened: the notice must state why.")
	case !strings.Contains(n.Text, strings.TrimSpace(n.ShorteningReason)):
		return RPP05.refuse("缩短期限的理由须载入公布的公告正文。", "The reason for shortening must be part of the published notice text.")
	case n.ReasonRecordedAt.IsZero() || n.ReasonRecordedAt.After(n.PublishedAt):
		return RPP05.refuse("缩短期限的理由须在公布时或公布前记录；公布后补充的理由无效。",
			"The reason must be recorded no later than publication; a reason added afterwards does not count.")
	}
	return nil
}

// CommentNoticeAmendable is R-PP-05 after publication. The reason belongs
// to the notice as published, so it cannot be added or changed later (TS-07),
// and the period cannot be cut without a new notice. Extending the period is
// always allowed. A new notice (later publication) is checked on its own.
func CommentNoticeAmendable(published, amended CommentNotice, p Policy) *Violation {
	if amended.PublishedAt.After(published.PublishedAt) {
		return ShorteningReasonInNotice(amended, p)
	}
	if strings.TrimSpace(amended.ShorteningReason) != strings.TrimSpace(published.ShorteningReason) {
		v := RPP05.refuse("公告公布后不得补充或修改缩短期限的理由；请重新发布附理由的公告，或将期限延长至不少于"+itoa(p.CommentPeriodDays)+"日。",
			"The reason cannot be added or changed after publication: publish a new, reasoned notice or extend the period to at least "+itoa(p.CommentPeriodDays)+" days.")
		v.Suggest = day(addDays(today(published.PublishedAt), p.CommentPeriodDays))
		return v
	}
	if civil(amended.EndsOn).Before(civil(published.EndsOn)) {
		return RPP05.refuse("公布后缩短征求意见期限，须重新发布附理由的公告。", "Cutting the period after publication needs a new, reasoned notice.")
	}
	return nil
}

// PeriodEnd is what the working-day clock says about a period's end date
// (db/calendar.PeriodEnd, R-CAL-06).
type PeriodEnd struct {
	EndsOnRestDay  bool      `json:"ends_on_rest_day"`
	NextWorkingDay time.Time `json:"next_working_day,omitzero"`
}

// CommentEndsOnWorkingDay is R-PP-06 (R-CAL-06, O-3). The legal minimum is
// met even if the last day is a holiday, so by default this only warns and
// offers the next working day (TS-08: 2026-10-07 → 2026-10-08). An organ that
// chose automatic extension gets a refusal until the end date is moved.
func CommentEndsOnWorkingDay(end PeriodEnd, p Policy) *Violation {
	if !end.EndsOnRestDay {
		return nil
	}
	zh := "征求意见截止日为非工作日，可顺延至" + day(end.NextWorkingDay) + "。"
	en := "The comment period ends on a non-working day; it can be extended to " + day(end.NextWorkingDay) + "."
	var v *Violation
	if p.ExtendPeriodsToWorkingDay {
		v = RPP06.refuse("本机关规定截止日为非工作日的顺延：截止日须改为"+day(end.NextWorkingDay)+"。",
			"Organ policy extends periods ending on a rest day: move the end date to "+day(end.NextWorkingDay)+".")
	} else {
		v = RPP06.warn(zh, en)
	}
	v.Suggest = day(end.NextWorkingDay)
	return v
}

// CommentsClosable is R-PP-07 [D]: the public has the whole last day (a day
// ends at 24:00 Beijing time, R-CAL-07), so collection closes only after it.
func CommentsClosable(n CommentNotice, now time.Time) *Violation {
	if today(now).After(civil(n.EndsOn)) {
		return nil
	}
	v := RPP07.refuse("征求意见期限至"+day(n.EndsOn)+"届满，届满前不得结束意见征集。",
		"The comment period runs to the end of "+day(n.EndsOn)+"; it cannot be closed before then.")
	v.Suggest = day(addDays(n.EndsOn, 1))
	return v
}

// MarketDocument records whether 优化营商环境条例 Art. 62 applies and whom
// the unit heard under it.
type MarketDocument struct {
	Applies                 bool `json:"applies"`
	MarketEntitiesConsulted int  `json:"market_entities_consulted"`
	AssociationsConsulted   int  `json:"associations_consulted"`
}

// MarketDocumentConsulted is R-PP-08. 优化营商环境条例 Art. 62 adds, for
// rules and normative documents closely tied to business, hearing market
// entities and business associations, and its own "一般不少于30日" period —
// like Art. 15, a shorter one needs a stated reason.
func MarketDocumentConsulted(m MarketDocument, n CommentNotice, p Policy) []Violation {
	if !m.Applies {
		return nil
	}
	c := items{r: RPP08}
	c.need(m.MarketEntitiesConsulted > 0, "须听取市场主体的意见。", "Hear market entities.")
	c.need(m.AssociationsConsulted > 0, "须听取行业协会商会的意见。", "Hear industry associations and chambers of commerce.")
	if v := MarketCommentPeriod(m, n, p); v != nil {
		c.vs = append(c.vs, *v)
	}
	return c.vs
}

// MarketCommentPeriod is R-PP-08's period alone, judged when the comment
// notice is published (the consultations are judged when the period closes).
func MarketCommentPeriod(m MarketDocument, n CommentNotice, p Policy) *Violation {
	if !m.Applies || !n.Shortened(p) || !blank(n.ShorteningReason) {
		return nil
	}
	return RPP08.refuse(fmt.Sprintf("与市场主体生产经营活动密切相关的规章、行政规范性文件，向社会公开征求意见的期限一般不少于%d日；本公告%d日且未说明理由。", p.CommentPeriodDays, n.Days()),
		fmt.Sprintf("A market-related rule or normative document is open for comment generally at least %d days; this notice gives %d with no reason.", p.CommentPeriodDays, n.Days()))
}

// MarketHeard counts, among the kinds of consultations held, those with
// market entities (representative enterprises) and with business
// associations (industry associations, chambers of commerce) for R-PP-08.
func MarketHeard(applies bool, kinds []string) MarketDocument {
	m := MarketDocument{Applies: applies}
	for _, k := range kinds {
		switch k {
		case ConsultEnterprise:
			m.MarketEntitiesConsulted++
		case ConsultIndustryAssoc, ConsultChamberOfCommerce:
			m.AssociationsConsulted++
		}
	}
	return m
}

// Hearing triggers of Art. 16(1).
const (
	HearingVitalInterests    = "vital_interests"    // 直接涉及切身利益
	HearingMajorDisagreement = "major_disagreement" // 存在较大分歧
	HearingMandatedByLaw     = "mandated_by_law"    // 法律、法规、规章另有规定
)

// Items a hearing notice publishes (Art. 16(2)) and segments of the hearing
// record (Art. 17).
const (
	HearingItemDraft       = "draft"
	HearingItemExplanation = "explanation"
	HearingItemTime        = "time"
	HearingItemPlace       = "place"

	SegmentPresentation = "presentation" // (一) 介绍决策草案、依据和有关情况
	SegmentDebate       = "debate"       // (二) 陈述意见、询问、质证和辩论
	SegmentConfirmation = "confirmation" // (三) 确认听证会记录并签字
)

// Hearing is a hearing and its preparation (spec §7 Hearing).
type Hearing struct {
	Trigger           string    `json:"trigger"`
	TriggerCitation   string    `json:"trigger_citation,omitempty"`
	Organiser         string    `json:"organiser"`
	On                time.Time `json:"on"`
	NoticePublishedOn time.Time `json:"notice_published_on,omitzero"`
	NoticeItems       []string  `json:"notice_items,omitempty"`
	SelectionRequired bool      `json:"selection_required"`
	// SelectionMethodPublishedAt and SelectionStartedAt are instants: the
	// method must be out before selection starts.
	SelectionMethodPublishedAt time.Time            `json:"selection_method_published_at,omitzero"`
	SelectionStartedAt         time.Time            `json:"selection_started_at,omitzero"`
	SelectionRecord            string               `json:"selection_record,omitempty"`
	Sides                      []string             `json:"sides,omitempty"` // stakeholder sides identified
	Participants               []HearingParticipant `json:"participants"`
	ListPublishedOn            time.Time            `json:"list_published_on,omitzero"`
	Record                     HearingRecord        `json:"record"`
}

// HearingParticipant is one hearing participant 听证参加人.
type HearingParticipant struct {
	Name          string    `json:"name"`
	Side          string    `json:"side,omitempty"`
	DeliveredOn   time.Time `json:"delivered_on,omitzero"` // proof of delivery of materials
	Signed        bool      `json:"signed"`
	RefusalReason string    `json:"refusal_reason,omitempty"`
}

// HearingRecord is the hearing record 听证会记录.
type HearingRecord struct {
	Segments     []string `json:"segments"`
	PublicAccess string   `json:"public_access"` // how the public could attend or follow
	Confirmed    bool     `json:"confirmed"`
}

// HearingDecisionComplete is R-HR-01: Art. 16(1) makes a hearing a MAY on
// two triggers and a MUST where another law, regulation or rule requires
// one; the record says which, and who organises it.
func HearingDecisionComplete(h Hearing) []Violation {
	c := items{r: RHR01}
	c.need(has([]string{HearingVitalInterests, HearingMajorDisagreement, HearingMandatedByLaw}, h.Trigger),
		"须记录召开听证的依据：直接涉及切身利益、存在较大分歧或法定要求。",
		"Record the trigger: vital interests, major disagreement, or required by law.")
	c.need(h.Trigger != HearingMandatedByLaw || !blank(h.TriggerCitation),
		"依法定要求召开听证的，须写明法律、法规或规章条文。", "A hearing required by law needs the citation.")
	c.need(!blank(h.Organiser), "须记录组织听证的单位。", "Record the organiser.")
	return c.vs
}

// HearingConfirmable is R-HR-02. Art. 16(2): "应当提前公布决策草案及其说明等
// 材料，明确听证时间、地点等信息". The Decree sets no number; the lead time is
// organ policy (default 15 days) [D/U].
func HearingConfirmable(h Hearing, p Policy) *Violation {
	var missing []string
	for _, it := range []struct{ item, zh string }{
		{HearingItemDraft, "决策草案"}, {HearingItemExplanation, "说明"}, {HearingItemTime, "听证时间"}, {HearingItemPlace, "地点"},
	} {
		if !has(h.NoticeItems, it.item) {
			missing = append(missing, it.zh)
		}
	}
	if h.NoticePublishedOn.IsZero() {
		return RHR02.refuse("听证公告尚未公布：须提前公布决策草案及其说明，明确听证时间、地点。",
			"The hearing notice is not published: publish the draft, its explanation, and the time and place first.")
	}
	if len(missing) > 0 {
		return RHR02.refuse("听证公告缺少："+listZH(missing)+"。", "The hearing notice lacks the draft, explanation, time or place.")
	}
	if daysFrom(h.NoticePublishedOn, h.On) < p.HearingNoticeLeadDays {
		earliest := addDays(h.NoticePublishedOn, p.HearingNoticeLeadDays)
		v := RHR02.refuse(fmt.Sprintf("听证公告须在听证日%d日前公布（本机关规定）；按公告日期，最早可于%s召开。", p.HearingNoticeLeadDays, day(earliest)),
			fmt.Sprintf("Organ policy: the notice is published %d days before the hearing; the earliest hearing date is %s.", p.HearingNoticeLeadDays, day(earliest)))
		v.Suggest = day(earliest)
		return v
	}
	return nil
}

// HearingSelectionFair is R-HR-03. Art. 16(3): the selection method is
// published in advance, selection is fair and open, and "保证相关各方都有代表
// 参加听证会" — so each identified side without a participant is listed.
func HearingSelectionFair(h Hearing) []Violation {
	if !h.SelectionRequired {
		return nil
	}
	c := items{r: RHR03}
	c.need(!h.SelectionMethodPublishedAt.IsZero() && !h.SelectionStartedAt.IsZero() && h.SelectionMethodPublishedAt.Before(h.SelectionStartedAt),
		"遴选办法须在遴选开始前公布。", "The selection method must be published before selection starts.")
	c.need(!blank(h.SelectionRecord), "须有公平公开遴选的记录。", "Record how the open and fair selection was run.")
	var uncovered []string
	for _, side := range h.Sides {
		covered := false
		for _, pt := range h.Participants {
			covered = covered || pt.Side == side
		}
		if !covered {
			uncovered = append(uncovered, side)
		}
	}
	c.need(len(h.Sides) > 0, "须列明相关各方。", "Identify the sides concerned.")
	c.need(len(uncovered) == 0, "以下相关方没有代表参加："+listZH(uncovered)+"。", "No participant represents: "+listEN(uncovered)+".")
	return c.vs
}

// ParticipantListPublished is R-HR-04. Art. 16(3): "听证参加人名单应当提前向
// 社会公布"; how far ahead is organ policy (default 5 days) [D].
func ParticipantListPublished(h Hearing, p Policy) *Violation {
	if !h.ListPublishedOn.IsZero() && daysFrom(h.ListPublishedOn, h.On) >= p.ParticipantListLeadDays {
		return nil
	}
	return RHR04.refuse(fmt.Sprintf("听证参加人名单须在听证日%d日前向社会公布。", p.ParticipantListLeadDays),
		fmt.Sprintf("Publish the participant list at least %d days before the hearing.", p.ParticipantListLeadDays))
}

// HearingMaterialsDelivered is R-HR-05. Art. 16(3): "听证会材料应当于召开听
// 证会7日前送达听证参加人". Read conservatively (O-1): every participant's
// delivery date is at most the hearing date minus 7. If not, the hearing
// moves; the earliest lawful date is suggested.
func HearingMaterialsDelivered(h Hearing, p Policy) *Violation {
	if len(h.Participants) == 0 {
		return RHR05.refuse("没有听证参加人的送达记录。", "No participant has a proof of delivery.")
	}
	var late []string
	var latest time.Time
	undelivered := 0
	for _, pt := range h.Participants {
		if pt.DeliveredOn.IsZero() {
			late = append(late, pt.Name)
			undelivered++
			continue
		}
		if daysFrom(pt.DeliveredOn, h.On) < p.HearingDeliveryDays {
			late = append(late, pt.Name)
		}
		if pt.DeliveredOn.After(latest) {
			latest = pt.DeliveredOn
		}
	}
	if len(late) == 0 {
		return nil
	}
	v := RHR05.refuse(fmt.Sprintf("听证会材料应当于召开听证会%d日前送达听证参加人；未按期送达：%s。听证会须改期。", p.HearingDeliveryDays, listZH(late)),
		fmt.Sprintf("Materials must reach participants %d days before the hearing; not delivered in time to: %s. Reschedule the hearing.", p.HearingDeliveryDays, listEN(late)))
	if undelivered == 0 {
		v.Suggest = day(addDays(latest, p.HearingDeliveryDays))
	}
	return v
}

// HearingRecordComplete is R-HR-06: Art. 17 fixes the hearing's three
// segments and that it is held "公开".
func HearingRecordComplete(r HearingRecord) []Violation {
	c := items{r: RHR06}
	c.need(has(r.Segments, SegmentPresentation), "听证记录缺少：决策承办单位介绍决策草案、依据和有关情况。", "The record lacks the presentation of the draft.")
	c.need(has(r.Segments, SegmentDebate), "听证记录缺少：听证参加人陈述意见，进行询问、质证和辩论。", "The record lacks the participants' statements and debate.")
	c.need(has(r.Segments, SegmentConfirmation), "听证记录缺少：听证参加人确认听证会记录并签字。", "The record lacks the confirmation and signing.")
	c.need(!blank(r.PublicAccess), "须记录听证会公开举行的方式（公众旁听或直播等）。", "Record how the hearing was public (open attendance or broadcast).")
	return c.vs
}

// HearingClosable is R-HR-07. Art. 17(3): participants "确认听证会记录并签
// 字". No one can be made to sign, so a refusal recorded with its reason
// stands in for the signature [D].
func HearingClosable(h Hearing) *Violation {
	if !h.Record.Confirmed {
		return RHR07.refuse("听证会记录尚未经听证参加人确认。", "The participants have not confirmed the record.")
	}
	var unsigned []string
	for _, pt := range h.Participants {
		if !pt.Signed && blank(pt.RefusalReason) {
			unsigned = append(unsigned, pt.Name)
		}
	}
	if len(unsigned) > 0 {
		return RHR07.refuse("以下听证参加人未签字，也未记录拒签理由："+listZH(unsigned)+"。",
			"These participants neither signed nor have a recorded refusal: "+listEN(unsigned)+".")
	}
	return nil
}

// Opinion dispositions (spec §4.4.4).
const (
	Adopted       = "adopted"
	PartlyAdopted = "partly_adopted"
	NotAdopted    = "not_adopted"
	OutsideScope  = "outside_scope"
)

// Opinion is one opinion received; it is disposed of on its own or through
// its cluster.
type Opinion struct {
	ID          string `json:"id"`
	Cluster     string `json:"cluster,omitempty"`
	Disposition string `json:"disposition,omitempty"`
	Reason      string `json:"reason,omitempty"`
}

// OpinionCluster is a group of like opinions disposed of together.
type OpinionCluster struct {
	ID          string `json:"id"`
	Disposition string `json:"disposition"`
	Reason      string `json:"reason,omitempty"`
}

// OpinionsDisposed is R-PP-10. Art. 18: opinions are summarised and studied
// and "充分采纳合理意见"; the spec makes that auditable — every opinion has a
// disposition, and every non-adoption (in whole or part) a reason.
func OpinionsDisposed(ops []Opinion, clusters []OpinionCluster) *Violation {
	var open []string
	for _, o := range ops {
		disp, reason := o.Disposition, o.Reason
		if disp == "" && o.Cluster != "" {
			for _, c := range clusters {
				if c.ID == o.Cluster {
					disp, reason = c.Disposition, c.Reason
				}
			}
		}
		ok := has([]string{Adopted, PartlyAdopted, NotAdopted, OutsideScope}, disp)
		if (disp == NotAdopted || disp == PartlyAdopted) && blank(reason) {
			ok = false
		}
		if !ok {
			open = append(open, o.ID)
		}
	}
	if len(open) == 0 {
		return nil
	}
	return RPP10.refuse(fmt.Sprintf("%d条意见尚无处理结果或未采纳理由：%s。", len(open), listZH(open)),
		fmt.Sprintf("%d opinions lack a disposition or a reason for non-adoption: %s.", len(open), listEN(open)))
}

// PublicAdoptionReported is R-PP-11 (Art. 29(2)): once the public was heard,
// the package carries how its main opinions were studied and adopted.
func PublicAdoptionReported(activities int, reportRef string) *Violation {
	if activities == 0 || !blank(reportRef) {
		return nil
	}
	return RPP11.refuse("已开展公众参与，提交讨论前须有社会公众主要意见的研究采纳情况报告。",
		"Public participation was held: the report on the adoption of the main public opinions is required before discussion.")
}
