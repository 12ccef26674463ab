package db

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/juece/juece/workflows/rules"
)

// The dossier completeness gate (R-ARC-03, Art. 33 "及时完整归档"): before a
// case closes to the archive, everything its path required must be in the
// record. The record is the case's audit chain, so the check reads only the
// chain (and the types of the case's tasks): an artefact is "archived" when an
// event fixes it — with the event's hash as checksum, its time and its actor
// (R-ARC-01) — either as a completed step whose form is that artefact, or as a
// filed document (document.attached). It therefore works with whatever task
// types the workflow records: an unknown task type contributes nothing.
//
// Which artefacts a completed step records (rules.Art* names). The keys are
// the workflow's task types (workflows.Task*; db cannot import workflows, a
// server test keeps the two lists in step).
var TaskArtefacts = map[string][]string{
	"initiation":              {rules.ArtInitiation},
	"drafting":                {rules.ArtDraftVersions, rules.ArtLegalBasis, rules.ArtDeterminations, rules.ArtCoordination},
	"public_comment":          {rules.ArtCommentNotice},
	"public_comment_report":   {rules.ArtOpinionsLog, rules.ArtPublicAdoption},
	"hearing":                 {rules.ArtHearingNotice, rules.ArtParticipantList, rules.ArtDeliveryProofs, rules.ArtHearingRecord, rules.ArtOpinionsLog},
	"expert_review":           {rules.ArtExpertSelection, rules.ArtConflictDeclarations, rules.ArtExpertOpinions, rules.ArtExpertAdoption},
	"risk_assessment":         {rules.ArtRiskReport, rules.ArtRiskDeptOpinions},
	"fair_competition_review": {rules.ArtFCR},
	"legality_submission":     {rules.ArtLegalitySubmission},
	"legal_opinion":           {rules.ArtLegalOpinions},
	"legality_review":         {rules.ArtLegalityOpinion},
	// The meeting can only be recorded once the package gate (R-CD-01) let
	// the package before it, so its record stands for the package too.
	"collective_discussion": {rules.ArtMinutes, rules.ArtMeetingPackage},
	"party_report":          {rules.ArtPartyReport},
	"publication":           {rules.ArtPublication},
	"execution_report":      {rules.ArtExecutionReports},
	"post_evaluation":       {rules.ArtPostEvaluation},
}

// trackTasks are task types whose presence in a case (open, done or
// returned; not cancelled) shows a track applied, so its artefacts are
// required even when the task was never completed.
var trackTasks = map[string]string{
	"public_comment":          "comment_period",
	"public_comment_report":   "other_participation", // §4.4.4: the report on opinions heard in any form
	"hearing":                 "hearing",
	"expert_review":           "expert",
	"risk_assessment":         "risk",
	"fair_competition_review": "fcr",
	"execution_report":        "executed",
	"post_evaluation":         "evaluated",
}

// trackNames maps the names a track determination may use (spec §7
// TrackDetermination: PP, EXP, RISK, FCR, COST_BENEFIT, ALTERNATIVES) to
// DossierScope fields by their JSON names.
var trackNames = map[string]string{
	"pp": "other_participation", "public_participation": "other_participation",
	"exp": "expert", "expert": "expert", "expert_review": "expert",
	"risk": "risk", "risk_assessment": "risk",
	"fcr": "fcr", "fair_competition_review": "fcr",
	"cost_benefit": "cost_benefit", "alternatives": "alternatives",
	"hearing": "hearing", "symposium": "symposium", "comment_period": "comment_period",
}

// RecordedArtefact is an artefact the chain fixes, and the event that does.
type RecordedArtefact struct {
	rules.Artefact
	Seq    int64  `json:"seq" description:"记录该材料的审计事件序号"`
	Source string `json:"source" enum:"step,document,case" description:"step：办理环节表单；document：归档文件；case：立案事件"`
	SHA256 string `json:"sha256,omitempty" description:"文件的 SHA-256（source=document）"`
}

// MissingArtefact is a required artefact the record lacks, with the rule
// that requires it.
type MissingArtefact struct {
	Artefact string `json:"artefact"`
	rules.Violation
}

// Completeness is the R-ARC-03 check of one case's dossier.
type Completeness struct {
	CaseID   string             `json:"case_id"`
	State    string             `json:"state"`
	Complete bool               `json:"complete"`
	Scope    rules.DossierScope `json:"scope" description:"按记录推定已适用的程序"`
	Required []string           `json:"required"`
	Recorded []RecordedArtefact `json:"recorded"`
	Missing  []MissingArtefact  `json:"missing"`
}

// DossierCompleteness is R-ARC-03 for a case: the violations of
// rules.DossierComplete against what the case's record holds, nil when the
// dossier is complete. The workflow's archive step calls it through an
// activity before the case may close to the archive. ErrNotFound for an
// unknown case.
func (s *Store) DossierCompleteness(ctx context.Context, caseID string) ([]rules.Violation, error) {
	c, err := s.DossierCheck(ctx, caseID)
	if err != nil {
		return nil, err
	}
	var vs []rules.Violation
	for _, m := range c.Missing {
		vs = append(vs, m.Violation)
	}
	return vs, nil
}

// DossierCheck is DossierCompleteness with its workings: the scope inferred
// from the record, the required and recorded artefacts, and each missing one.
// It reads the case's events and tasks at one moment.
func (s *Store) DossierCheck(ctx context.Context, caseID string) (Completeness, error) {
	tx, err := s.DB.BeginTxx(ctx, &txReadOnlySnapshot)
	if err != nil {
		return Completeness{}, fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	var state string
	if err := tx.GetContext(ctx, &state, `SELECT state FROM cases WHERE id = $1`, caseID); err != nil {
		return Completeness{}, fmt.Errorf("case %s: %w", caseID, mapErr(err))
	}
	var evs []AuditEvent
	if err := tx.SelectContext(ctx, &evs, `SELECT * FROM audit_events WHERE case_id = $1 ORDER BY seq`, caseID); err != nil {
		return Completeness{}, fmt.Errorf("events of %s: %w", caseID, err)
	}
	var tasks []CaseTask
	if err := tx.SelectContext(ctx, &tasks, `SELECT id, type, state FROM tasks WHERE case_id = $1`, caseID); err != nil {
		return Completeness{}, fmt.Errorf("tasks of %s: %w", caseID, err)
	}
	c := CheckDossier(evs, tasks)
	c.CaseID, c.State = caseID, state
	return c, nil
}

// CaseTask is the part of a task the completeness check needs.
type CaseTask struct {
	ID    string `db:"id"`
	Type  string `db:"type"`
	State string `db:"state"`
}

// CheckDossier is the check itself, on a case's events in chain order and
// its tasks: no database, so it can be tested on its own.
//
// The scope (which tracks applied) is the union of what the matter declared
// and what the record shows happened:
//   - initiated: an initiation step was completed; published: a publication
//     step was completed; suspended: the case was ever in state suspended;
//   - a track task present in the case (trackTasks), whatever its outcome;
//   - the matter flags in case.opened's data.matter (public_concern → public
//     participation, highly_technical → expert review, stability_risk → risk
//     assessment, market_related → fair-competition review, npc_track → NPC);
//   - any completed form's boolean field named as a DossierScope field, and a
//     form's "determinations" / "track_determinations" list of {track,
//     applies} (spec §7 TrackDetermination).
//
// Recorded artefacts are: the case.opened event (the proposal); each
// completed step's TaskArtefacts; a form's non-empty field named as an
// artefact kind, or the kind with "_ref" (a publication form's
// party_report_ref records the Party-committee report); the step that moved
// the case into suspended (the suspension decision); and each filed
// document by rules.FiledArtefact: what its kind is at the step it was
// filed for (the type of its task, else the case's state when filed), if
// its filer's role could file it there, else nothing.
func CheckDossier(evs []AuditEvent, tasks []CaseTask) Completeness {
	typeOf := make(map[string]string, len(tasks))
	flags := map[string]bool{}
	for _, t := range tasks {
		typeOf[t.ID] = t.Type
		if f, ok := trackTasks[t.Type]; ok && t.State != "cancelled" {
			flags[f] = true
		}
	}
	var recorded []RecordedArtefact
	// The checksum of a step's artefact is its event's hash (the form is
	// what was hashed); of a document, the SHA-256 of its bytes.
	record := func(e AuditEvent, kind, source, sha string) {
		for _, r := range recorded {
			if r.Kind == kind && r.Seq == e.Seq {
				return
			}
		}
		sum := e.Hash
		if sha != "" {
			sum = sha
		}
		recorded = append(recorded, RecordedArtefact{Artefact: rules.Artefact{Kind: kind, Checksum: "sha256:" + sum,
			ArchivedAt: e.At, Uploader: uploader(e)}, Seq: e.Seq, Source: source, SHA256: sha})
	}
	artefactKinds := allArtefactKinds()
	for _, e := range evs {
		var d struct {
			State  string          `json:"state"`
			Form   json.RawMessage `json:"form"`
			Matter json.RawMessage `json:"matter"`
		}
		_ = json.Unmarshal(e.Data, &d) // other shapes simply record nothing
		switch {
		case e.Action == "case.opened":
			record(e, rules.ArtProposal, "case", "")
			matterFlags(d.Matter, flags)
		case e.Action == ActionDocumentAttached:
			var doc DocumentAttached
			if json.Unmarshal(e.Data, &doc) == nil {
				step := doc.Stage
				if typ := typeOf[e.TaskID]; typ != "" {
					step = typ
				}
				// Only a document its filer could file at that step counts
				// (rules.Filings, the table the upload is authorised by).
				if kind := rules.FiledArtefact(doc.Kind, step, e.ActorRole); kind != "" {
					record(e, kind, "document", doc.SHA256)
				}
			}
		case strings.HasPrefix(e.Action, "task.completed."):
			typ := strings.TrimPrefix(e.Action, "task.completed.")
			switch typ {
			case "initiation":
				// A declined initiation closes the matter as not initiated
				// (spec §3 NOT_INITIATED): only the proposal is due.
				var ini struct {
					Decision string `json:"decision"`
				}
				_ = json.Unmarshal(d.Form, &ini)
				flags["initiated"] = ini.Decision != "decline"
			case "publication":
				flags["published"] = true
			}
			for _, kind := range TaskArtefacts[typ] {
				record(e, kind, "step", "")
			}
			for _, kind := range formArtefacts(d.Form, artefactKinds) {
				record(e, kind, "step", "")
			}
			formFlags(d.Form, flags)
		}
		if d.State == "suspended" {
			flags["suspended"] = true
			record(e, rules.ArtSuspension, "step", "")
		}
	}
	scope := scopeOf(flags)
	c := Completeness{Complete: true, Scope: scope, Required: rules.RequiredArtefacts(scope), Recorded: recorded, Missing: []MissingArtefact{}}
	if c.Recorded == nil {
		c.Recorded = []RecordedArtefact{}
	}
	arts := make([]rules.Artefact, len(recorded))
	for i, r := range recorded {
		arts[i] = r.Artefact
	}
	// DossierComplete names one violation per missing kind, in the order of
	// RequiredArtefacts; pair them with the kinds.
	vs := rules.DossierComplete(scope, arts)
	var missing []string
	for _, k := range c.Required {
		if !slices.ContainsFunc(arts, func(a rules.Artefact) bool { return a.Kind == k }) {
			missing = append(missing, k)
		}
	}
	for i, v := range vs {
		m := MissingArtefact{Violation: v}
		if i < len(missing) {
			m.Artefact = missing[i]
		}
		c.Missing = append(c.Missing, m)
	}
	c.Complete = len(vs) == 0
	return c
}

func uploader(e AuditEvent) string {
	who := e.ActorName
	if e.ActorRole != "" || e.ActorOrg != "" {
		who += " (" + e.ActorRole + ", " + e.ActorOrg + ")"
	}
	return who
}

// matterFlags reads the matter a case was opened with (workflows.Matter).
func matterFlags(raw json.RawMessage, flags map[string]bool) {
	var m struct {
		Confidentiality string `json:"confidentiality"`
		PublicConcern   bool   `json:"public_concern"`
		HighlyTechnical bool   `json:"highly_technical"`
		MarketRelated   bool   `json:"market_related"`
		StabilityRisk   bool   `json:"stability_risk"`
		NPCTrack        bool   `json:"npc_track"`
	}
	if json.Unmarshal(raw, &m) != nil {
		return
	}
	set := func(cond bool, f string) {
		if cond {
			flags[f] = true
		}
	}
	// Art. 6/14: public-concern matters hear the public, in whichever form;
	// the opinions log and adoption report are required whatever the form.
	// A matter not to be disclosed by law may skip participation (R-SEC-01).
	nonDisclosable := m.Confidentiality == "state_secret" || m.Confidentiality == "prohibited_by_law" || m.Confidentiality == "security_risk"
	set(m.PublicConcern && !nonDisclosable, "other_participation")
	set(m.HighlyTechnical, "expert")
	set(m.StabilityRisk, "risk")
	set(m.MarketRelated, "fcr")
	set(m.NPCTrack, "npc")
}

// formFlags reads scope flags a completed form declares.
func formFlags(raw json.RawMessage, flags map[string]bool) {
	var form map[string]json.RawMessage
	if json.Unmarshal(raw, &form) != nil {
		return
	}
	fields := scopeFields()
	for k, v := range form {
		if _, ok := fields[k]; ok && bytes.Equal(bytes.TrimSpace(v), []byte("true")) {
			flags[k] = true
		}
	}
	for _, key := range []string{"determinations", "track_determinations"} {
		var ds []struct {
			Track   string `json:"track"`
			Applies bool   `json:"applies"`
		}
		if json.Unmarshal(form[key], &ds) != nil {
			continue
		}
		for _, d := range ds {
			if f, ok := trackNames[strings.ToLower(d.Track)]; ok && d.Applies {
				flags[f] = true
			}
		}
	}
}

// formArtefacts lists the artefact kinds a form names as its own non-empty
// fields (kind, or kind_ref).
func formArtefacts(raw json.RawMessage, kinds []string) []string {
	var form map[string]json.RawMessage
	if json.Unmarshal(raw, &form) != nil {
		return nil
	}
	var out []string
	for _, k := range kinds {
		for _, key := range []string{k, k + "_ref"} {
			if v, ok := form[key]; ok && !emptyJSON(v) {
				out = append(out, k)
				break
			}
		}
	}
	return out
}

func emptyJSON(v json.RawMessage) bool {
	switch string(bytes.TrimSpace(v)) {
	case "", "null", `""`, "[]", "{}", "false", "0":
		return true
	}
	return false
}

// allArtefactKinds is every kind RequiredArtefacts can ask for.
func allArtefactKinds() []string {
	all := rules.DossierScope{}
	v := reflect.ValueOf(&all).Elem()
	for i := range v.NumField() {
		v.Field(i).SetBool(true)
	}
	return rules.RequiredArtefacts(all)
}

// scopeFields maps DossierScope's JSON names to field indexes.
func scopeFields() map[string]int {
	t := reflect.TypeOf(rules.DossierScope{})
	out := make(map[string]int, t.NumField())
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		out[name] = i
	}
	return out
}

func scopeOf(flags map[string]bool) rules.DossierScope {
	var s rules.DossierScope
	v := reflect.ValueOf(&s).Elem()
	for name, i := range scopeFields() {
		v.Field(i).SetBool(flags[name])
	}
	return s
}
