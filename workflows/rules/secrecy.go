package rules

import "time"

// R-SEC: confidentiality — state secrets, trade secrets, personal privacy
// (spec §5.2; Decree 713 Arts. 14, 19, 32; OGI Arts. 14–16, 37).

var (
	RSEC01 = Rule{ID: "R-SEC-01", Kind: Validation, Status: "N✔+O✔",
		Citation: decree713 + "第十四条、第三十二条；" + ogi + "第十四条", Func: "WithholdingJustified",
		ZH: "依法不予公开的决策事项（国家秘密、法律法规禁止公开、危及安全）可以不开展公众参与、不予公布，均须记录法律依据和批准人。",
		EN: "A non-disclosable matter (state secret, prohibited by law, security risk) may skip participation and withhold publication, each with legal ground and approving officer (Arts. 14, 32; OGI Art. 14)."}
	RSEC02 = Rule{ID: "R-SEC-02", Kind: Gate, Status: "N✔",
		Citation: decree713 + "第二十五条、第三十条、第三十一条、第三十三条", Func: "StepWaivable",
		ZH: "依法不予公开不免除合法性审查、集体讨论决定、向党委请示报告和归档。",
		EN: "Non-disclosability never removes legality review, collective discussion, Party reporting or archiving (Arts. 25, 30, 31, 33)."}
	RSEC03 = Rule{ID: "R-SEC-03", Kind: Validation, Status: "O✔",
		Citation: ogi + "第十五条", Func: "RedactionLiftable",
		ZH: "涉及商业秘密、个人隐私等公开会对第三方合法权益造成损害的政府信息，行政机关不得公开；但是，第三方同意公开或者行政机关认为不公开会对公共利益造成重大影响的，予以公开：解除删节须有第三方同意或记录的公共利益理由。",
		EN: "Trade secrets and privacy in a public matter are redacted; lifting a redaction needs the third party's consent or a recorded public-interest override (OGI Art. 15)."}
	RSEC04 = Rule{ID: "R-SEC-04", Kind: Validation, Status: "N✔",
		Citation: decree713 + "第十九条第二款", Func: "ExpertMaterialsReleasable",
		ZH: "专家、专业机构对所知悉的国家秘密、商业秘密、个人隐私依法履行保密义务：向专家提供材料前，须签署保密承诺。",
		EN: "An expert signs a confidentiality undertaking before materials are released to them (Art. 19(2))."}
	RSEC05 = Rule{ID: "R-SEC-05", Kind: Arch, Status: "U+D", Policy: true,
		Citation: "《中华人民共和国保守国家秘密法》（涉密信息系统条款）" + pendingCheck, Func: "SecretContentStorable",
		ZH: "国家秘密内容不得存储于非涉密系统：涉密事项在本系统只保存非涉密元数据和流程状态，文件留存于经审查批准的涉密信息系统。",
		EN: "State-secret content is never stored in a non-classified system: for STATE_SECRET matters Juece keeps only non-secret metadata and workflow states."}
)

// Classifications (spec §5.2) [D].
const (
	ClassPublic          = "PUBLIC"
	ClassStateSecret     = "STATE_SECRET"
	ClassProhibitedByLaw = "PROHIBITED_BY_LAW"
	ClassSecurityRisk    = "SECURITY_RISK"
	ClassTradeSecret     = "TRADE_SECRET"
	ClassPersonalPrivacy = "PERSONAL_PRIVACY"
	ClassProcessInfo     = "PROCESS_INFO"
	ClassPartial         = "PARTIAL"
)

// NonDisclosable reports the classifications OGI Art. 14 withholds
// altogether ("依法不予公开"), as opposed to those disclosed with redaction.
func NonDisclosable(class string) bool {
	return class == ClassStateSecret || class == ClassProhibitedByLaw || class == ClassSecurityRisk
}

// Steps a request may ask to withhold or waive.
const (
	StepParticipation  = "participation"
	StepPublication    = "publication"
	StepLegalityReview = "legality_review"
	StepDiscussion     = "collective_discussion"
	StepPartyReport    = "party_report"
	StepArchiving      = "archiving"
)

// Withholding is a request to set participation to N/A or publication to
// WITHHELD on secrecy grounds.
type Withholding struct {
	Classification string `json:"classification"`
	Step           string `json:"step"`
	LegalGround    string `json:"legal_ground"`
	ApprovedBy     string `json:"approved_by"`
}

// WithholdingJustified is R-SEC-01. Arts. 14 and 32 except "依法不予公开"
// matters from participation and publication; OGI Art. 14 says which. Only
// those classifications qualify, each time with its ground and an approving
// officer (TS-17).
func WithholdingJustified(w Withholding) []Violation {
	c := items{r: RSEC01}
	c.need(w.Step == StepParticipation || w.Step == StepPublication,
		"只有公众参与和公布可以因依法不予公开而不适用。", "Only participation and publication can be withheld for non-disclosure.")
	c.need(NonDisclosable(w.Classification),
		"只有国家秘密、法律法规禁止公开或危及安全的事项可以不予公开；商业秘密、个人隐私应当删节后公开。",
		"Only state secrets, information prohibited by law or security risks are withheld; trade secrets and privacy are redacted instead.")
	c.need(!blank(w.LegalGround), "须记录不予公开的法律依据。", "Record the legal ground for non-disclosure.")
	c.need(!blank(w.ApprovedBy), "须记录批准人。", "Record the approving officer.")
	return c.vs
}

// StepWaivable is R-SEC-02. Secrecy narrows who may see a decision, not how
// it is made: legality review (Art. 25), collective discussion (Art. 30),
// the Party report (Art. 31) and archiving (Art. 33) are never waived,
// whatever the classification (TS-17). Participation and publication are for
// WithholdingJustified to decide.
func StepWaivable(step string) *Violation {
	if !has([]string{StepLegalityReview, StepDiscussion, StepPartyReport, StepArchiving}, step) {
		return nil
	}
	return RSEC02.refuse("依法不予公开不免除合法性审查、集体讨论决定、向党委请示报告和归档。",
		"Non-disclosure never removes legality review, collective discussion, Party reporting or archiving.")
}

// RedactionLift is a request to publish a redacted trade secret or private
// information.
type RedactionLift struct {
	Classification       string `json:"classification"`
	ThirdPartyConsentRef string `json:"third_party_consent_ref,omitempty"`
	PublicInterestReason string `json:"public_interest_reason,omitempty"`
}

// RedactionLiftable is R-SEC-03: OGI Art. 15 allows disclosure of a trade
// secret or privacy only with the third party's consent or where
// non-disclosure "会对公共利益造成重大影响", which must be recorded.
func RedactionLiftable(l RedactionLift) *Violation {
	if l.Classification != ClassTradeSecret && l.Classification != ClassPersonalPrivacy {
		return nil
	}
	if !blank(l.ThirdPartyConsentRef) || !blank(l.PublicInterestReason) {
		return nil
	}
	return RSEC03.refuse("解除对商业秘密、个人隐私的删节，须有第三方同意或记录的公共利益理由。",
		"Lifting the redaction needs the third party's consent or a recorded public-interest reason.")
}

// ExpertMaterialsReleasable is R-SEC-04. Art. 19(2) binds experts to keep
// secrets "所知悉的" — so the undertaking comes before they learn anything.
func ExpertMaterialsReleasable(undertakingSignedAt, releaseAt time.Time) *Violation {
	if !undertakingSignedAt.IsZero() && !undertakingSignedAt.After(releaseAt) {
		return nil
	}
	return RSEC04.refuse("向专家提供材料前，须签署保密承诺。", "The expert must sign the confidentiality undertaking before materials are released.")
}

// Kinds of content Juece may be asked to store.
const (
	ContentMetadata = "metadata"
	ContentState    = "state"
	ContentDocument = "document"
)

// SecretContentStorable is R-SEC-05 [U/D]: a state-secret matter's documents
// belong in an accredited classified system (保守国家秘密法; article to be
// verified); Juece keeps only its non-secret metadata and workflow states.
func SecretContentStorable(class, content string) *Violation {
	if class != ClassStateSecret || content == ContentMetadata || content == ContentState {
		return nil
	}
	return RSEC05.refuse("国家秘密事项的文件不得存入本系统，只能在涉密信息系统中处理；本系统仅保存非涉密元数据和流程状态。",
		"Documents of a state-secret matter cannot be stored in Juece; keep them in the classified system. Juece stores only non-secret metadata and states.")
}
