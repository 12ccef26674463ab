package workflows

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"go.temporal.io/sdk/workflow"

	"github.com/juece/juece/activities"
	"github.com/juece/juece/workflows/rules"
)

// Proposals and their dispositions (R-INI-05), and the evaluation summary
// (R-EVA-05) — issue 14 item 4. Cases started with the version marker
// "proposal-dispositions-evaluation-summary" record each decision-matter
// proposal received for the initiation as its own step (record_proposal,
// checked by R-INI-01 and R-INI-02, its own audit event); the initiation
// decision then disposes of every recorded proposal — initiated, not
// initiated or merged — with reasons, and cannot be recorded while one is
// left undisposed. Where the profile's policy publishes evaluation
// summaries (rules.Policy.PublishEvaluationSummary), the post-evaluation
// needs the summary, and its completion publishes it on the portal
// (/public/evaluation/…, read from the step's event). Older cases keep the
// initiation and evaluation forms as they were.

const proposalDispositionsChange = "proposal-dispositions-evaluation-summary"

// MaxProposals bounds the proposals of one case (each is an event of its
// history).
const MaxProposals = 100

// ProposalInput is a proposal as it was received (Art. 10).
type ProposalInput struct {
	Source   string `json:"source" title:"建议来源" enum:"leader,department,lower_government,npc_deputy,cppcc_member,citizen,organisation"`
	Summary  string `json:"summary" title:"建议内容摘要" maxLength:"500"`
	Proposer string `json:"proposer,omitempty" title:"建议人" maxLength:"200"`
	// The four elements of a department's or lower government's proposal
	// (R-INI-01, Art. 10(2)).
	Problem  string `json:"problem,omitempty" title:"拟解决的主要问题" maxLength:"2000"`
	Reasons  string `json:"reasons,omitempty" title:"建议理由和依据" maxLength:"2000"`
	Solution string `json:"solution,omitempty" title:"解决问题的初步方案" maxLength:"2000"`
	Merits   string `json:"merits,omitempty" title:"必要性、可行性" maxLength:"2000"`
	// DocumentSHA256 is the written proposal filed in the case: a citizen's
	// or organisation's proposal is written (R-INI-02, Art. 10(3)).
	DocumentSHA256 string `json:"document_sha256,omitempty" title:"书面建议（本事项已上传的文件）"`
}

// ProposalRequest is the argument of the record_proposal Update.
type ProposalRequest struct {
	Proposal   ProposalInput    `json:"proposal"`
	Actor      activities.Actor `json:"actor"`
	RequestID  string           `json:"request_id,omitempty"`
	ClientAddr string           `json:"client_addr,omitempty"`
}

func (w *caseWF) validateRecordProposal(ctx workflow.Context, req ProposalRequest) error {
	if err := matrixAllows(UpdateRecordProposal, req.Actor); err != nil {
		return err
	}
	_, err := w.checkProposal(req)
	return err
}

// checkProposal refuses a proposal the record cannot take: before the
// marker, after the initiation decision, by someone who does not hold the
// initiation task, incomplete (R-INI-01) or oral (R-INI-02).
func (w *caseWF) checkProposal(req ProposalRequest) (*Task, error) {
	if !w.proposalsOn {
		return nil, refuse(ErrConflict, "此事项启动前未登记决策事项建议 / this case does not record proposals")
	}
	var t *Task
	for _, x := range w.tasks {
		if x.Type == TaskInitiation && x.active() {
			t = x
		}
	}
	if t == nil {
		return nil, refuse(ErrConflict, "决策机关已作出启动决定，不再登记建议 / the initiation decision is recorded: proposals are no longer taken")
	}
	if _, err := w.authorize(t, req.Actor); err != nil {
		return nil, err
	}
	if len(w.facts.Proposals) >= MaxProposals {
		return nil, refuse(ErrConflict, fmt.Sprintf("本事项已登记%d项建议 / the case holds %d proposals", MaxProposals, MaxProposals))
	}
	p := req.Proposal
	var ferrs []FieldError
	for _, f := range []struct {
		name, v string
		max     int
		req     bool
	}{{"summary", p.Summary, 500, true}, {"proposer", p.Proposer, 200, false}, {"problem", p.Problem, 2000, false},
		{"reasons", p.Reasons, 2000, false}, {"solution", p.Solution, 2000, false}, {"merits", p.Merits, 2000, false}} {
		switch {
		case f.req && strings.TrimSpace(f.v) == "":
			ferrs = append(ferrs, FieldError{Field: f.name, Message: "必填", EN: "required"})
		case utf8.RuneCountInString(f.v) > f.max:
			ferrs = append(ferrs, FieldError{Field: f.name, Message: fmt.Sprintf("不超过%d字", f.max), EN: fmt.Sprintf("at most %d characters", f.max)})
		}
	}
	if d := p.DocumentSHA256; d != "" && (len(d) != 64 || strings.Trim(d, "0123456789abcdef") != "") {
		ferrs = append(ferrs, FieldError{Field: "document_sha256", Message: "须为已上传到本事项的文件（SHA-256）", EN: "must be the SHA-256 of a document filed in this case"})
	}
	if len(ferrs) > 0 {
		return nil, refuse(ErrInvalid, "建议登记不完整 / the proposal is incomplete", RefusalDetail{Fields: ferrs})
	}
	rp := p.rules()
	vs := rules.ProposalRegistrable(rp)
	if v := rules.ProposalWritten(rp); v != nil {
		vs = append(vs, *v)
	}
	if len(vs) > 0 {
		return nil, refuse(ErrRule, vs[0].Message, RefusalDetail{Violations: vs})
	}
	return t, nil
}

func (p ProposalInput) rules() rules.Proposal {
	return rules.Proposal{Source: p.Source, Problem: p.Problem, Reasons: p.Reasons, Solution: p.Solution, Merits: p.Merits,
		Written: p.DocumentSHA256 != ""}
}

// recordProposal adds a proposal to the case and records it.
func (w *caseWF) recordProposal(ctx workflow.Context, req ProposalRequest) (StepOutcome, error) {
	unlock, err := w.lock(ctx)
	if err != nil {
		return StepOutcome{}, err
	}
	defer unlock()
	t, err := w.checkProposal(req)
	if err != nil {
		return StepOutcome{}, err
	}
	saved := w.save()
	actor, _ := w.authorize(t, req.Actor)
	p := req.Proposal
	rp := rules.RecordedProposal{ID: fmt.Sprintf("P%d", len(w.facts.Proposals)+1), Source: p.Source,
		Summary: strings.TrimSpace(p.Summary), Proposer: strings.TrimSpace(p.Proposer)}
	w.facts.Proposals = append(w.facts.Proposals, rp)
	raw, _ := json.Marshal(map[string]any{"proposal_id": rp.ID, "proposal": p, "task_id": t.ID})
	st := activities.StepInput{
		EventKey:   workflow.GetCurrentUpdateInfo(ctx).ID,
		At:         workflow.Now(ctx),
		Action:     "proposal.recorded",
		Actor:      actor,
		RequestID:  req.RequestID,
		ClientAddr: req.ClientAddr,
		TaskID:     t.ID,
		Data:       raw,
	}
	return w.commit(ctx, st, saved, t.ID)
}

// dispositionFields are the field errors of an initiation's dispositions:
// each names a recorded proposal, once.
func (w *caseWF) dispositionFields(form any) []FieldError {
	x, ok := form.(*InitiationForm)
	if !ok {
		return nil
	}
	var errs []FieldError
	seen := map[string]bool{}
	for i, d := range x.Dispositions {
		field := fmt.Sprintf("dispositions[%d].proposal_id", i)
		id := strings.TrimSpace(d.ProposalID)
		known := false
		for _, p := range w.facts.Proposals {
			known = known || p.ID == id
		}
		switch {
		case !known:
			errs = append(errs, FieldError{Field: field, Message: "本事项没有登记该建议", EN: "no such proposal recorded for this case"})
		case seen[id]:
			errs = append(errs, FieldError{Field: field, Message: "同一建议只能处理一次", EN: "a proposal is disposed of once"})
		}
		seen[id] = true
	}
	return errs
}

// proposalViolations are R-INI-05 on the initiation and R-EVA-05 on the
// post-evaluation.
func (w *caseWF) proposalViolations(form any, p rules.Policy) []rules.Violation {
	switch x := form.(type) {
	case *InitiationForm:
		return rules.ProposalsDisposed(disposed(w.facts.Proposals, x.Dispositions))
	case *PostEvaluationForm:
		if v := rules.EvaluationSummaryGiven(rules.EvaluationSummary{Summary: x.Summary, Recommendation: x.Recommendation}, p); v != nil {
			return []rules.Violation{*v}
		}
	}
	return nil
}

// disposed is the recorded proposals with the dispositions ds applied.
func disposed(ps []rules.RecordedProposal, ds []ProposalDisposition) []rules.RecordedProposal {
	out := append([]rules.RecordedProposal(nil), ps...)
	for _, d := range ds {
		for i := range out {
			if out[i].ID == strings.TrimSpace(d.ProposalID) {
				out[i].Disposition, out[i].Reason = d.Disposition, strings.TrimSpace(d.Reason)
				out[i].MergedInto, out[i].Replied = strings.TrimSpace(d.MergedInto), d.Replied
			}
		}
	}
	return out
}

// EvaluationSummaryData is the published evaluation summary as the
// post-evaluation's event carries it (key "evaluation_summary") and the
// portal shows it.
type EvaluationSummaryData struct {
	Summary        string `json:"summary"`
	Recommendation string `json:"recommendation"`
	Evaluator      string `json:"evaluator"`
	PublishedOn    string `json:"published_on"`
}

// publishSummary puts the evaluation summary in the step's event when the
// policy publishes it (R-EVA-05): the event is the publication.
func (w *caseWF) publishSummary(now time.Time, f *PostEvaluationForm) {
	if !w.policy().PublishEvaluationSummary || strings.TrimSpace(f.Summary) == "" {
		return
	}
	if w.facts.Withheld || rules.NonDisclosable(w.facts.Classification) {
		return // a decision kept from publication keeps its evaluation too (spec §5.2)
	}
	evaluator := f.Evaluator.Name
	if inst := registeredInstitution(w.stepReq, f.EvaluatorInstitutionID); inst != nil {
		evaluator = inst.Name
	}
	w.stepData["evaluation_summary"] = EvaluationSummaryData{Summary: strings.TrimSpace(f.Summary), Recommendation: f.Recommendation,
		Evaluator: strings.TrimSpace(evaluator), PublishedOn: now.In(beijing).Format(time.DateOnly)}
}
