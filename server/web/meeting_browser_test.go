package web_test

import (
	"strings"
	"testing"

	"github.com/juece/juece/internal/lawfulpath"
	"github.com/juece/juece/workflows"
)

// TestMeetingPageInBrowser: the meeting secretary drives a live session on
// the workbench at 1366 px — opens it, records the attendance, the head's
// opening statement, two members and the head's concluding one, the
// decision — and closing is refused while the head has not spoken last
// (R-CD-04); then it closes, sealed. On a 390 px phone the page is no
// wider than the window. Screenshots.
func TestMeetingPageInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("drives a real browser against the real stack")
	}
	st := newStack(t)
	var created struct {
		ID string `json:"id"`
	}
	if code := st.api(t, workflows.RoleDepartmentOfficer, "POST", "/api/v1/cases", map[string]any{"title": "宜阳县城区集中供暖价格调整（会中记录）"}, &created); code != 201 {
		t.Fatalf("start a case: %d", code)
	}
	openTask := func(typ string) string {
		var v struct {
			OpenTasks []struct{ ID, Type string } `json:"open_tasks"`
		}
		st.api(t, workflows.RoleAuditor, "GET", "/api/v1/cases/"+created.ID, nil, &v)
		for _, o := range v.OpenTasks {
			if o.Type == typ {
				return o.ID
			}
		}
		t.Fatalf("no open %s task", typ)
		return ""
	}
	for _, step := range lawfulpath.Steps() {
		if step.Task == workflows.TaskCollectiveDiscussion {
			break
		}
		if code := st.api(t, step.Role, "POST", "/api/v1/tasks/"+openTask(step.Task)+"/complete", map[string]any{"form": step.Form}, nil); code != 200 {
			t.Fatalf("%s: %d", step.Task, code)
		}
	}
	task := openTask(workflows.TaskCollectiveDiscussion)
	page := "/tasks/" + task + "/meeting"

	b := newBrowser(t, st)
	b.loginShot = ""
	sec := b.login(workflows.RoleMeetingSecretary)
	sec.viewport(1366, 900)
	sec.navigate("/tasks/" + task)
	sec.clickNavigate("#meeting-link")
	sec.shot("meeting-01-not-opened-1366")
	sec.setValue("#m-type", "executive")
	sec.sendKeys("#m-agenda", "城区集中供暖价格调整方案")
	sec.clickNavigate("#open button[type=submit]")
	sec.waitText("#session-h", "会议进行中")
	sec.sendKeys("#a-members", "7")
	sec.sendKeys("#a-present", "李副县长\n王副县长\n赵副县长\n孙副县长")
	sec.clickNavigate("#attend button[type=submit]")
	say := func(member, position, text string, head bool) {
		t.Helper()
		sec.sendKeys("#s-member", member)
		sec.setValue("#s-position", position)
		if head {
			sec.click(`#statement input[name=is_head]`)
		}
		sec.sendKeys("#s-text", text)
		sec.clickNavigate("#statement button[type=submit]")
	}
	say("陈静", "support", "请大家充分发表意见", true)
	say("李副县长", "support", "同意", false)
	say("王副县长", "oppose", "补偿标准偏低，建议分步实施", false)
	sec.setValue("#d-decision", "approved")
	sec.clickNavigate("#decision button[type=submit]")
	sec.clickNavigate("#close button[type=submit]")
	if got := sec.text("#meeting-problem"); !strings.Contains(got, "R-CD-04") {
		t.Errorf("closing with the head first only shows %q, want R-CD-04", got)
	}
	if n := sec.count(`#statements [data-concluding]`); n != 0 {
		t.Errorf("%d concluding statements before the head spoke last", n)
	}
	sec.shot("meeting-02-head-first-refused-1366")
	sec.noOverflow(page)
	sec.viewport(390, 844)
	sec.noOverflow(page)
	sec.shot("meeting-03-in-session-390")
	sec.viewport(1366, 900)
	sec.navigate(page)
	say("陈静", "support", "同意，按程序通过", true)
	sec.clickNavigate("#close button[type=submit]")
	sec.waitText("#session-h", "纪要已封存")
	if n := sec.count(`#statements [data-concluding]`); n != 1 {
		t.Errorf("%d concluding statements after the head spoke last, want 1", n)
	}
	sec.shot("meeting-04-sealed-1366")
	sec.viewport(390, 844)
	sec.noOverflow(page)
	sec.shot("meeting-05-sealed-390")

	// The meeting task completes from the sealed minutes; the case page
	// says how the meeting was recorded.
	sec.viewport(1366, 900)
	sec.navigate("/tasks/" + task)
	if n := sec.count(`[name="f.statements[0].member"]`); n != 0 {
		t.Errorf("the meeting task still asks for typed statements")
	}
	sec.clickNavigate("#submit-task")
	sec.navigate("/cases/" + created.ID)
	sec.waitText("main", "会中实时记录")
	sec.shot("meeting-06-case-1366")
}
