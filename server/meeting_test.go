package server_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/temporalproto"

	"github.com/juece/juece/workflows"
)

// meetingStep posts one step of the meeting of task as the meeting secretary.
func (s *stack) meetingStep(task string, step map[string]any, out any) int {
	s.t.Helper()
	return s.do("meeting_secretary", "POST", "/api/v1/tasks/"+task+"/meeting/steps", step, out)
}

// mustStep posts steps that must be accepted.
func (s *stack) mustStep(task string, steps ...map[string]any) {
	s.t.Helper()
	for _, st := range steps {
		var out map[string]any
		if code := s.meetingStep(task, st, &out); code != 200 {
			s.t.Fatalf("meeting step %v: %d %v", st, code, out)
		}
	}
}

func say(member, position, text string) map[string]any {
	return map[string]any{"step": "statement", "member": member, "position": position, "text": text}
}

func headSays(text string) map[string]any {
	return map[string]any{"step": "statement", "member": "陈静", "is_head": true, "position": "support", "text": text}
}

// openMeeting walks a case to its meeting and opens the session with five
// of seven members present.
func (s *stack) openMeeting(title string) (caseID, task string) {
	s.t.Helper()
	caseID = s.startCase(title)
	s.walk(caseID, "collective_discussion")
	task = s.taskOf(caseID, "collective_discussion")
	s.mustStep(task,
		map[string]any{"step": "open", "meeting_type": "executive", "agenda": "城区集中供暖价格调整方案"},
		map[string]any{"step": "attend", "members": 7, "present": []string{"李副县长", "王副县长", "赵副县长", "孙副县长", "周副县长"}})
	return caseID, task
}

type meetingView struct {
	Live       bool   `json:"live"`
	Concluding int    `json:"concluding"`
	Record     string `json:"record"`
	Session    struct {
		Mode       string `json:"mode"`
		Statements []struct {
			Seq    int    `json:"seq"`
			Member string `json:"member"`
			IsHead bool   `json:"is_head"`
			At     string `json:"at"`
		} `json:"statements"`
		Reason   string `json:"reason"`
		ClosedAt string `json:"closed_at"`
	} `json:"session"`
}

func (s *stack) meeting(task string) meetingView {
	s.t.Helper()
	var v meetingView
	if code := s.do("auditor", "GET", "/api/v1/tasks/"+task+"/meeting", nil, &v); code != 200 {
		s.t.Fatalf("GET meeting: %d", code)
	}
	return v
}

// R-CD-05 (Art. 30(2)): the meeting follows the majority and closes; a
// divergence reason the secretary records afterwards is refused as post hoc.
func TestRCD05_ReasonAfterCloseRefused(t *testing.T) {
	s := newStack(t)
	_, task := s.openMeeting("会后补记理由")
	s.mustStep(task, say("李副县长", "support", "同意"), say("王副县长", "oppose", "补偿标准偏低"), say("赵副县长", "support", "同意"),
		headSays("同意，按多数意见通过"), map[string]any{"step": "decision", "decision": "approved"}, map[string]any{"step": "close"})
	var p refusalBody
	if code := s.meetingStep(task, map[string]any{"step": "reason", "reason": "会后补充说明"}, &p); code != 422 || p.Rule != "R-CD-05" {
		t.Fatalf("reason after close: %d %q %q, want 422 R-CD-05", code, p.Rule, p.Detail)
	}
	if code := s.meetingStep(task, say("孙副县长", "support", "补充发言"), &p); code != 409 {
		t.Errorf("a statement after close: %d, want 409 (the minutes are sealed)", code)
	}
	if v := s.meeting(task); v.Session.Reason != "" || len(v.Session.Statements) != 4 {
		t.Errorf("sealed minutes changed: %+v", v.Session)
	}
}

// R-CD-05: the head decides against the majority (three of four members
// who stated a position oppose). Closing without the reason is refused;
// the reason recorded while the session is open is accepted, the session
// closes and the meeting task completes from its minutes.
func TestRCD05_ReasonDuringSessionAccepted(t *testing.T) {
	s := newStack(t)
	id, task := s.openMeeting("会上说明理由")
	s.mustStep(task, say("李副县长", "oppose", "财政压力大"), say("王副县长", "oppose", "补偿标准偏低"), say("赵副县长", "support_with_changes", "分步实施"),
		say("孙副县长", "support", "同意"), headSays("决定通过"), map[string]any{"step": "decision", "decision": "approved"})
	var p refusalBody
	if code := s.meetingStep(task, map[string]any{"step": "close"}, &p); code != 422 || p.Rule != "R-CD-05" {
		t.Fatalf("close without the reason: %d %q, want 422 R-CD-05", code, p.Rule)
	}
	s.mustStep(task, map[string]any{"step": "reason", "reason": "供暖季临近，保障民生须先行实施，补偿标准随后评估调整"}, map[string]any{"step": "close"})
	var out map[string]any
	if code := s.complete("meeting_secretary", task, map[string]any{"statements": []map[string]any{{"member": "李副县长", "position": "support"}}}, &out); code != 400 && code != 422 {
		t.Errorf("typed statements on a meeting with a session: %d, want a field error", code)
	}
	if code := s.complete("meeting_secretary", task, map[string]any{"minutes_ref": "宜政常〔2026〕9号"}, &out); code != 200 {
		t.Fatalf("complete from the session: %d %v", code, out)
	}
	var v struct {
		State string `json:"state"`
		Facts struct {
			Decision      string `json:"decision"`
			MeetingRecord string `json:"meeting_record"`
		} `json:"facts"`
	}
	s.do("auditor", "GET", "/api/v1/cases/"+id, nil, &v)
	if v.State != "pre_issuance" || v.Facts.Decision != "approved" || v.Facts.MeetingRecord != "live" {
		t.Errorf("after the meeting: %+v", v)
	}
}

// R-CD-04 (Art. 30(2)): the head speaks first and again after every
// member; the last statement concludes and the session closes.
func TestRCD04_HeadFirstAndLastConcludes(t *testing.T) {
	s := newStack(t)
	_, task := s.openMeeting("首长先后两次发言")
	s.mustStep(task, headSays("请大家充分发表意见"), say("李副县长", "support", "同意"), say("赵副县长", "support", "同意"),
		headSays("同意，通过"), map[string]any{"step": "decision", "decision": "approved"}, map[string]any{"step": "close"})
	v := s.meeting(task)
	if v.Concluding != 3 || v.Session.ClosedAt == "" {
		t.Errorf("concluding statement %d, closed %q: want 3 and closed", v.Concluding, v.Session.ClosedAt)
	}
	for i := 1; i < len(v.Session.Statements); i++ {
		if v.Session.Statements[i].At < v.Session.Statements[i-1].At || v.Session.Statements[i].Seq != i+1 {
			t.Errorf("statements not in the order made: %+v", v.Session.Statements)
		}
	}
}

// R-CD-04: the head speaks first only. The statement is kept but does not
// conclude, and the session cannot close until the head speaks last.
func TestRCD04_HeadFirstOnlyRefused(t *testing.T) {
	s := newStack(t)
	_, task := s.openMeeting("首长先发言")
	s.mustStep(task, headSays("我先谈意见：同意"), say("李副县长", "support", "同意"), say("赵副县长", "support", "同意"),
		map[string]any{"step": "decision", "decision": "approved"})
	var p refusalBody
	if code := s.meetingStep(task, map[string]any{"step": "close"}, &p); code != 422 || p.Rule != "R-CD-04" {
		t.Fatalf("close with the head first only: %d %q, want 422 R-CD-04", code, p.Rule)
	}
	v := s.meeting(task)
	if v.Concluding != -1 || len(v.Session.Statements) != 3 || !v.Session.Statements[0].IsHead {
		t.Errorf("the head's first statement: concluding %d, statements %+v", v.Concluding, v.Session.Statements)
	}
	if code := s.complete("meeting_secretary", task, map[string]any{}, &p); code != 422 {
		t.Errorf("completing while the session is open: %d, want 422", code)
	}
}

// R-CD-07: a meeting held on paper is recorded after the fact, marked as
// such, naming the signed minutes filed in the case; sealed minutes take
// addenda only.
func TestRCD07_PaperMeetingSignedMinutes(t *testing.T) {
	s := newStack(t)
	id := s.startCase("纸质会议补录")
	s.walk(id, "collective_discussion")
	task := s.taskOf(id, "collective_discussion")
	minutes := []byte("宜阳县人民政府常务会议纪要（签署件）")
	sum := sha256.Sum256(minutes)
	sha := hex.EncodeToString(sum[:])
	paper := map[string]any{"step": "paper", "meeting_type": "executive", "held_on": day(-2), "members": 7,
		"present": []string{"李副县长", "王副县长", "赵副县长", "孙副县长"}, "decision": "approved", "minutes_sha256": sha,
		"statements": []map[string]any{{"member": "李副县长", "position": "support", "text": "同意"}, {"member": "陈静", "is_head": true, "position": "support", "text": "通过"}}}
	var p refusalBody
	if code := s.meetingStep(task, paper, &p); code != 422 || len(p.Fields) == 0 || p.Fields[0].Field != "minutes_sha256" {
		t.Errorf("paper minutes not filed in the case: %d %+v, want 422 on minutes_sha256", code, p.Fields)
	}
	var doc map[string]any
	if code := s.uploadDocument("meeting_secretary", id, map[string]string{"kind": "minutes", "task_id": task}, "minutes.pdf", minutes, &doc); code != 201 {
		t.Fatalf("upload: %d %v", code, doc)
	}
	s.mustStep(task, paper)
	if code := s.meetingStep(task, map[string]any{"step": "open", "meeting_type": "executive"}, &p); code != 409 {
		t.Errorf("opening a session after the paper record: %d, want 409", code)
	}
	s.mustStep(task, map[string]any{"step": "annotate", "text": "更正：第二项议题名称笔误"})
	if v := s.meeting(task); v.Session.Mode != "paper" || v.Record == "" {
		t.Errorf("paper meeting: %+v", v)
	}
	var out map[string]any
	if code := s.complete("meeting_secretary", task, map[string]any{}, &out); code != 200 {
		t.Fatalf("complete: %d %v", code, out)
	}
	s.recordHistory(id, "case_paper_meeting_v1.json")
}

// TestLiveMeetingAndReceiptCaseToClosed runs a case with both new steps to
// its close: the materials returned as incomplete and resubmitted, the
// receipt confirmed, the meeting held as a live session, then publication,
// execution and the archive. With JUECE_RECORD_HISTORY=dir its workflow
// history is written there (workflows/testdata/case_live_meeting_v1.json,
// which the replay test replays).
func TestLiveMeetingAndReceiptCaseToClosed(t *testing.T) {
	s := newStack(t)
	id := s.startCase("城区集中供暖价格调整（会中记录）")
	s.walk(id, "legality_receipt")
	var out map[string]any
	if code := s.complete("legality_review_officer", s.taskOf(id, "legality_receipt"), map[string]any{"outcome": "incomplete", "missing": []string{"法律依据清单"}}, &out); code != 200 {
		t.Fatalf("incomplete: %d %v", code, out)
	}
	s.walkFrom(id, "legality_submission", "collective_discussion")
	task := s.taskOf(id, "collective_discussion")
	s.mustStep(task,
		map[string]any{"step": "open", "meeting_type": "executive", "agenda": "城区集中供暖价格调整方案"},
		map[string]any{"step": "attend", "members": 7, "present": []string{"李副县长", "王副县长", "赵副县长", "孙副县长", "周副县长"}},
		headSays("请大家发表意见"), say("李副县长", "oppose", "财政压力大"), say("王副县长", "oppose", "补偿标准偏低"), say("赵副县长", "support", "同意"),
		headSays("决定通过"), map[string]any{"step": "decision", "decision": "approved"},
		map[string]any{"step": "reason", "reason": "供暖季临近，保障民生须先行实施"}, map[string]any{"step": "close"},
		map[string]any{"step": "annotate", "text": "更正：议题名称"})
	if code := s.complete("meeting_secretary", task, map[string]any{"minutes_ref": "宜政常〔2026〕9号"}, &out); code != 200 {
		t.Fatalf("meeting: %d %v", code, out)
	}
	// The printed minutes are the sealed session's: each statement in
	// order, the head's reason, the addendum.
	code, _, b := s.fetch("auditor", "/api/v1/cases/"+id+"/print/minutes")
	if code != 200 {
		t.Fatalf("print the minutes: %d %s", code, b)
	}
	flat := strings.Join(strings.Fields(pdfText(t, "live-minutes.pdf", b)), "")
	for _, w := range []string{"宜阳县人民政府常务会议纪要", "议题：城区集中供暖价格调整方案", "李副县长", "财政压力大", "补偿标准偏低",
		"供暖季临近，保障民生须先行实施", "更正：议题名称", "实到5人"} {
		if !strings.Contains(flat, w) {
			t.Errorf("the printed minutes lack %q:\n%s", w, flat)
		}
	}
	s.walkFrom(id, "party_report", "")
	var v caseView
	s.do("auditor", "GET", "/api/v1/cases/"+id, nil, &v)
	if v.State != "closed" {
		t.Fatalf("state %s, want closed", v.State)
	}
	s.recordHistory(id, "case_live_meeting_v1.json")
}

// recordHistory writes the workflow history of a case, as it stands, to
// JUECE_RECORD_HISTORY/name when that variable is set (workflows/testdata
// holds the recorded ones the replay test replays).
func (s *stack) recordHistory(caseID, name string) {
	s.t.Helper()
	dir := os.Getenv("JUECE_RECORD_HISTORY")
	if dir == "" {
		return
	}
	hist := &historypb.History{}
	it := s.temporal.GetWorkflowHistory(context.Background(), workflows.CaseWorkflowID(caseID), "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			s.t.Fatal(err)
		}
		hist.Events = append(hist.Events, ev)
	}
	raw, err := temporalproto.CustomJSONMarshalOptions{Indent: "  "}.Marshal(hist)
	if err != nil {
		s.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), raw, 0o644); err != nil {
		s.t.Fatal(err)
	}
}
