package server_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/juece/juece/db"
)

func (s *stack) userID(handle string) string {
	s.t.Helper()
	var me struct {
		ID string `json:"id"`
	}
	if code := s.do(handle, "GET", "/api/v1/me", nil, &me); code != 200 {
		s.t.Fatalf("me %s: %d", handle, code)
	}
	return me.ID
}

func (s *stack) act(who, taskID string, body map[string]any, out any) int {
	s.t.Helper()
	return s.do(who, "POST", "/api/v1/tasks/"+taskID+"/actions", body, out)
}

type event struct {
	Seq        int64          `json:"seq"`
	Action     string         `json:"action"`
	OnBehalfOf string         `json:"on_behalf_of"`
	Data       map[string]any `json:"data"`
	Actor      struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"actor"`
}

func (s *stack) events(caseID string) []event {
	s.t.Helper()
	var tl struct {
		Events []event `json:"events"`
	}
	s.do("auditor", "GET", "/api/v1/cases/"+caseID+"/timeline", nil, &tl)
	return tl.Events
}

// TestClaimDelegateCoSign: 李娜 claims the review, 周强 (same desk) may not
// complete it; she delegates to him and he completes it on her behalf. The
// adviser's opinion waits for its co-reviewer's signature (加签).
func TestClaimDelegateCoSign(t *testing.T) {
	s := newStack(t)
	id := s.startCase("宜阳县城区道路停车收费调整")
	s.walk(id, "legal_opinion")
	review, opinion := s.taskOf(id, "legality_review"), s.taskOf(id, "legal_opinion")
	lina, zhou := s.userID("lina"), s.userID("zhouqiang")

	var p problem
	if code := s.act("lina", review, map[string]any{"action": "claim"}, nil); code != 200 {
		t.Fatalf("claim: %d", code)
	}
	if code := s.act("zhouqiang", review, map[string]any{"action": "claim"}, &p); code != 409 {
		t.Fatalf("second claim: %d %+v, want 409", code, p)
	}
	// Co-review on the legal opinion: the adviser adds 周强; completion waits for his signature.
	if code := s.act("wangfang", opinion, map[string]any{"action": "add_co_reviewer", "target_user_id": zhou}, nil); code != 200 {
		t.Fatalf("add co-reviewer: %d", code)
	}
	opinionForm := pathStepOf("legal_opinion").form
	if code := s.complete("wangfang", opinion, opinionForm, &p); code != 409 || p.Code != "co_review_pending" {
		t.Fatalf("complete before co-sign: %d %+v", code, p)
	}
	if code := s.act("zhouqiang", opinion, map[string]any{"action": "cosign", "text": "同意法律意见"}, nil); code != 200 {
		t.Fatalf("cosign: %d", code)
	}
	if code := s.complete("wangfang", opinion, opinionForm, nil); code != 200 {
		t.Fatalf("complete after co-sign: %d", code)
	}
	// Claimed by 李娜: 周强 cannot complete it ...
	pass := pathStepOf("legality_review").form
	if code := s.complete("zhouqiang", review, pass, &p); code != 403 {
		t.Fatalf("colleague completing a claimed task: %d %+v", code, p)
	}
	// ... until she delegates it to him.
	if code := s.act("zhouqiang", review, map[string]any{"action": "delegate", "target_user_id": lina}, &p); code != 403 {
		t.Fatalf("non-owner delegating: %d", code)
	}
	if code := s.act("lina", review, map[string]any{"action": "delegate", "target_user_id": s.userID("wangfang")}, &p); code != 422 {
		t.Fatalf("delegating to another role: %d %+v", code, p)
	}
	if code := s.act("lina", review, map[string]any{"action": "delegate", "target_user_id": zhou}, nil); code != 200 {
		t.Fatalf("delegate: %d", code)
	}
	// The task names who is responsible and who acts for them.
	var tv struct {
		Assignee *struct{ ID, Name, Role, Org string } `json:"assignee"`
		Delegate *struct{ ID, Name, Role, Org string } `json:"delegate"`
	}
	s.do("zhouqiang", "GET", "/api/v1/tasks/"+review, nil, &tv)
	if tv.Assignee == nil || tv.Assignee.ID != lina || tv.Assignee.Name != "李娜" || tv.Delegate == nil || tv.Delegate.Name != "周强" ||
		tv.Delegate.Role != "legality_review_officer" || tv.Delegate.Org != "yiyang-justice" {
		t.Fatalf("the delegated task names assignee %+v and delegate %+v, want 李娜 and 周强", tv.Assignee, tv.Delegate)
	}
	var mine db.InboxPage
	s.do("zhouqiang", "GET", "/api/v1/inbox?view=mine", nil, &mine)
	if len(mine.Tasks) != 1 || mine.Tasks[0].ID != review {
		t.Fatalf("delegate's inbox = %+v", mine.Tasks)
	}
	if code := s.act("zhouqiang", review, map[string]any{"action": "comment", "text": "材料齐全，拟通过。"}, nil); code != 200 {
		t.Fatalf("comment: %d", code)
	}
	if code := s.complete("zhouqiang", review, pass, nil); code != 200 {
		t.Fatalf("delegate completing: %d", code)
	}
	evs := s.events(id)
	last := evs[len(evs)-1]
	if last.Action != "task.completed.legality_review" || last.Actor.ID != zhou || last.OnBehalfOf != lina {
		t.Fatalf("completion event = %+v, want 周强 on behalf of 李娜", last)
	}
	var actions []string
	for _, e := range evs {
		actions = append(actions, e.Action)
	}
	want := []string{"case.opened"}
	for _, st := range pathSteps("", "legal_opinion") {
		want = append(want, "task.completed."+st.task)
	}
	want = append(want, "task.claim", "task.add_co_reviewer", "task.cosign",
		"task.completed.legal_opinion", "task.delegate", "task.comment", "task.completed.legality_review")
	if !slices.Equal(actions, want) {
		t.Fatalf("actions %v\nwant    %v", actions, want)
	}
	var cs struct {
		Comments []db.TaskComment `json:"comments"`
	}
	s.do("lina", "GET", "/api/v1/tasks/"+review+"/comments", nil, &cs)
	if len(cs.Comments) != 1 || cs.Comments[0].UserName != "周强" {
		t.Fatalf("comments = %+v", cs.Comments)
	}
}

// TestReturnForSupplement: the review body returns the submission with a
// reason (R-LR-02); the case goes back to the unit's drafting, which
// resubmits the draft.
func TestReturnForSupplement(t *testing.T) {
	s := newStack(t)
	id := s.startCase("宜阳县农村人居环境整治方案")
	s.walk(id, "legal_opinion")
	review := s.taskOf(id, "legality_review")
	var p problem
	if code := s.act("lina", review, map[string]any{"action": "return"}, &p); code != 422 || p.Code != "invalid_form" {
		t.Fatalf("return without reason: %d %+v", code, p)
	}
	if code := s.act("wangfang", s.taskOf(id, "legal_opinion"), map[string]any{"action": "return", "reason": "x"}, &p); code != 422 {
		t.Fatalf("returning a step that cannot be returned: %d %+v", code, p)
	}
	if code := s.act("lina", review, map[string]any{"action": "return", "reason": "缺少法律依据清单，请补充。"}, nil); code != 200 {
		t.Fatalf("return: %d", code)
	}
	var v caseView
	s.do("department_officer", "GET", "/api/v1/cases/"+id, nil, &v)
	if v.State != "drafting" || len(v.OpenTasks) != 1 || v.OpenTasks[0].Type != "drafting" {
		t.Fatalf("after return: %+v", v)
	}
	task, _ := s.store.GetTask(context.Background(), review)
	if task.State != "returned" || task.ReturnReason == "" {
		t.Fatalf("returned task row = %+v", task)
	}
	if code := s.complete("department_officer", s.taskOf(id, "drafting"), draftingForm, nil); code != 200 {
		t.Fatalf("resubmission: %d", code)
	}
}

// TestInboxVisibility: for every seeded user the inbox views show exactly the
// tasks the rules say, computed here independently from the task rows.
func TestInboxVisibility(t *testing.T) {
	s := newStack(t)
	a := s.startCase("宜阳县供水价格调整")
	b := s.startCase("宜阳县公交线网优化")
	s.walk(a, "legal_opinion")
	s.act("lina", s.taskOf(a, "legality_review"), map[string]any{"action": "claim"}, nil)
	_ = b
	ctx := context.Background()
	all, err := s.store.ListTasks(ctx, db.TaskFilter{})
	if err != nil {
		t.Fatal(err)
	}
	handles := []string{"zhangwei", "lina", "wangfang", "liuyang", "chenjing", "zhaomin", "zhouqiang", "wugang", "zhengli", "suntao"}
	for _, h := range handles {
		u := s.users[h]
		uid := s.userID(h)
		auditor := u.Role == "auditor"
		var wantMine, wantPool, wantAll []string
		for _, tk := range all {
			active := tk.State == "open" || tk.State == "claimed"
			mine := active && ((tk.AssigneeID != nil && *tk.AssigneeID == uid) || (tk.DelegateID != nil && *tk.DelegateID == uid))
			pool := tk.State == "open" && tk.AssigneeID == nil && (auditor || (tk.OrgID == u.Org && tk.Role == u.Role))
			if mine {
				wantMine = append(wantMine, tk.ID)
			}
			if pool {
				wantPool = append(wantPool, tk.ID)
			}
			if auditor || tk.OrgID == u.Org || mine {
				wantAll = append(wantAll, tk.ID)
			}
		}
		for view, want := range map[string][]string{"mine": wantMine, "unclaimed": wantPool, "all": wantAll} {
			var page db.InboxPage
			if code := s.do(h, "GET", "/api/v1/inbox?view="+view+"&limit=200", nil, &page); code != 200 {
				t.Fatalf("%s %s: %d", h, view, code)
			}
			var got []string
			for _, tk := range page.Tasks {
				got = append(got, tk.ID)
			}
			sort.Strings(got)
			sort.Strings(want)
			if !slices.Equal(got, want) {
				t.Errorf("%s (%s@%s) view %s: got %d tasks, want %d\n got %v\nwant %v", h, u.Role, u.Org, view, len(got), len(want), got, want)
			}
		}
		var counts struct {
			Counts map[string]int `json:"counts"`
		}
		s.do(h, "GET", "/api/v1/inbox/counts", nil, &counts)
		if counts.Counts["mine"] != len(wantMine) || counts.Counts["unclaimed"] != len(wantPool) || counts.Counts["all"] != len(wantAll) {
			t.Errorf("%s counts = %v, want mine %d unclaimed %d all %d", h, counts.Counts, len(wantMine), len(wantPool), len(wantAll))
		}
	}
	// Another organisation's task is not even readable directly.
	var p problem
	if code := s.do("wangfang", "GET", "/api/v1/tasks/"+s.taskOf(b, "initiation"), nil, &p); code != 404 {
		t.Fatalf("legal adviser reading the unit's task: %d", code)
	}
}

// TestInboxPagingIsStable pages through the auditor's view two at a time.
func TestInboxPagingIsStable(t *testing.T) {
	s := newStack(t)
	for i := 0; i < 3; i++ {
		id := s.startCase(fmt.Sprintf("分页测试事项%d", i))
		s.complete("department_officer", s.taskOf(id, "initiation"), initiationForm, nil)
	}
	var seen []string
	cursor := ""
	for pages := 0; pages < 20; pages++ {
		var page db.InboxPage
		url := "/api/v1/inbox?view=all&limit=2"
		if cursor != "" {
			url += "&cursor=" + cursor
		}
		if code := s.do("auditor", "GET", url, nil, &page); code != 200 {
			t.Fatalf("page: %d", code)
		}
		for _, tk := range page.Tasks {
			seen = append(seen, tk.ID)
		}
		if page.Next == "" {
			break
		}
		cursor = page.Next
	}
	all, _ := s.store.ListTasks(context.Background(), db.TaskFilter{})
	sort.Strings(seen)
	if len(seen) != len(all) || len(slices.Compact(slices.Clone(seen))) != len(seen) {
		t.Fatalf("paged %d tasks (with duplicates?), have %d", len(seen), len(all))
	}
	for _, bad := range []string{"view=nope", "cursor=zzz", "limit=0", "limit=500", "due_from=yesterday", "case_id=1", "x=1"} {
		var p problem
		if code := s.do("auditor", "GET", "/api/v1/inbox?"+bad, nil, &p); code != http.StatusBadRequest || p.Code != "invalid_request" {
			t.Errorf("%s: %d %+v, want 400", bad, code, p)
		}
	}
}

// TestDelegationNotifiesTheDelegate: the delegate finds an in-app
// notification (sent by a retried activity, so it may take a moment) and can
// mark it read; nobody else can.
func TestDelegationNotifiesTheDelegate(t *testing.T) {
	s := newStack(t)
	id := s.startCase("宜阳县城市绿化提升方案")
	s.walk(id, "legal_opinion")
	review := s.taskOf(id, "legality_review")
	s.act("lina", review, map[string]any{"action": "claim"}, nil)
	if code := s.act("lina", review, map[string]any{"action": "delegate", "target_user_id": s.userID("zhouqiang")}, nil); code != 200 {
		t.Fatalf("delegate: %d", code)
	}
	var list struct {
		Notifications []struct {
			ID     int64  `json:"id"`
			Kind   string `json:"kind"`
			TaskID string `json:"task_id"`
		} `json:"notifications"`
		Unread int `json:"unread"`
	}
	for end := time.Now().Add(15 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		s.do("zhouqiang", "GET", "/api/v1/notifications", nil, &list)
		if list.Unread == 1 || time.Now().After(end) {
			break
		}
	}
	if list.Unread != 1 || len(list.Notifications) != 1 || list.Notifications[0].Kind != "task.delegate" || list.Notifications[0].TaskID != review {
		t.Fatalf("delegate's notifications = %+v", list)
	}
	nid := fmt.Sprint(list.Notifications[0].ID)
	if code := s.do("lina", "POST", "/api/v1/notifications/"+nid+"/read", nil, nil); code != 404 {
		t.Fatalf("someone else marking it read: %d", code)
	}
	if code := s.do("zhouqiang", "POST", "/api/v1/notifications/"+nid+"/read", nil, nil); code != 204 {
		t.Fatalf("mark read: %d", code)
	}
	s.do("zhouqiang", "GET", "/api/v1/notifications", nil, &list)
	if list.Unread != 0 {
		t.Fatalf("unread after reading = %d", list.Unread)
	}
}
