package server_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// track is a case seeded for TestBadInputEverywhere beyond its main case,
// so that the forms of a capability appear on the pages the probes crawl:
// its case and the task whose next valid step (a comment) shows the
// workflow still answers, the addresses that belong to it (task IDs, the
// paths of its personal links) and the step of its procedure that must
// still go through after the probes.
type track struct {
	name         string
	caseID, task string
	role         string // who takes the next valid step on task
	marks        []string
	after        func(t *testing.T) // the procedure's next step after the probes
}

// seeded is what seedTracks made: the tracks, the pages to crawl as the
// signed-in roles and as nobody (the portal, the personal links), and the
// IDs the generated probes use for path parameters.
type seeded struct {
	tracks     []track
	pages      []string
	anonymous  []string
	ids        map[string]string
	registered int // hearing registrations made by the seeding
	comments   int // public comments made by the seeding
}

// seedTracks drives the hearing and expert processes as their own
// end-to-end tests do (hearing_test.go, experts_test.go), to the states in
// which every form of theirs shows:
//   - hearing B: noticed, its registration open — the portal's
//     registration form and the workbench's method form;
//   - hearing A: drawn, its list not yet published — the publish-list,
//     delivery-proof and link forms of the workbench, and a participant's
//     delivery link (its address captured from the API's one answer);
//   - an expert panel of a named institution and two drawn experts, links
//     issued to all, the institution declared (its opinion link, with the
//     seal upload, is open), one expert declared and opined (the opinion
//     awaits its disposition), one expert not yet declared (the
//     declaration link is open); the report not yet made;
//   - the pool those experts come from (the flags form).
func seedTracks(t *testing.T, h *hearingStack) seeded {
	t.Helper()
	out := seeded{ids: map[string]string{}}

	// Hearing B first, while the server's clock is today: its registration
	// stays open after hearing A's draw moves the clock a day on.
	caseB, taskB := h.hearingCase("宜阳县城区供水价格调整（听证，报名中）")
	draftB := h.file(caseB, "draft", "供水价格调整草案")
	h.step(taskB, map[string]any{"step": "decide", "trigger": "vital_interests", "organiser": "宜阳县发展和改革委员会"}, 200)
	h.step(taskB, map[string]any{"step": "notice", "hearing_date": day(30), "start_time": "09:30", "place": "宜阳县政务服务中心二楼会议室",
		"draft_sha256": draftB, "explanation": "调整城区供水价格，听取居民、企业意见。", "registration_closes": day(10), "sides": sides}, 200)

	caseA, taskA := h.hearingCase("宜阳县城区集中供暖价格调整（听证，已遴选）")
	vA := h.prepare(caseA, taskA, 20, 4, 3, "lot", false)
	out.registered = 4
	if len(vA.Hearing.Participants) == 0 {
		t.Fatalf("hearing A drew no participants: %+v", vA.Hearing)
	}
	delivery := h.link(taskA, vA.Hearing.Participants[0].ID, "delivery")

	out.tracks = append(out.tracks,
		track{name: "hearing B", caseID: caseB, task: taskB, role: "department_officer", marks: []string{caseB, taskB},
			after: func(t *testing.T) {
				h.step(taskB, map[string]any{"step": "method", "method": "all", "seats": 5, "method_text": "报名人员全部参加。"}, 200)
			}},
		track{name: "hearing A", caseID: caseA, task: taskA, role: "department_officer", marks: []string{caseA, taskA, delivery},
			after: func(t *testing.T) { h.step(taskA, map[string]any{"step": "publish_list"}, 200) }})
	out.pages = append(out.pages, "/tasks/"+taskA+"/hearing", "/tasks/"+taskB+"/hearing")
	out.anonymous = append(out.anonymous, "/public/", "/public/hearing/"+taskB, "/public/hearing/"+taskA, delivery)
	out.ids["hearing_task"] = taskA
	out.ids["token"] = strings.TrimPrefix(delivery, "/p/")

	// The expert panel (experts_test.go's pool and case).
	pool := h.buildPool()
	caseE := h.startCase("宜阳县城区污水处理厂提标改造方案")
	if code := h.complete("department_officer", h.taskOf(caseE, "initiation"), initiationForm, nil); code != 200 {
		t.Fatalf("initiation: %d", code)
	}
	var res map[string]any
	if code := h.complete("department_officer", h.taskOf(caseE, "drafting"), expertDrafting(), &res); code != 200 {
		t.Fatalf("drafting: %d %v", code, res)
	}
	h.walkFrom(caseE, "public_comment", "legality_submission")
	institution := pool[0]
	if code := h.do("department_officer", "POST", "/api/v1/cases/"+caseE+"/expert-panel/members",
		map[string]any{"expert_id": institution.ID, "rationale": "持不同意见的专业机构"}, &res); code != 201 {
		t.Fatalf("name institution: %d %v", code, res)
	}
	var draw struct {
		Picked []string `json:"picked"`
	}
	if code := h.do("department_officer", "POST", "/api/v1/cases/"+caseE+"/expert-panel/draws", map[string]any{"field": expertField, "size": 2}, &draw); code != 201 || len(draw.Picked) != 2 {
		t.Fatalf("draw: %d %v", code, draw)
	}
	name := map[string]string{}
	for _, e := range pool {
		name[e.ID] = e.Name
	}
	links := map[string]expertLinks{}
	for _, m := range []string{institution.ID, draw.Picked[0], draw.Picked[1]} {
		var l expertLinks
		if code := h.do("department_officer", "POST", "/api/v1/cases/"+caseE+"/expert-panel/links", map[string]any{"expert_id": m}, &l); code != 201 {
			t.Fatalf("links of %s: %d", name[m], code)
		}
		links[m] = l
	}
	for _, m := range []string{institution.ID, draw.Picked[0]} {
		if code, page := h.stack.link(links[m].Declaration.Path, url.Values{"direct_interest": {"no"}, "commitment": {"yes"}, "signed_name": {name[m]}}, nil); code != 200 {
			t.Fatalf("declaration of %s: %d %.300s", name[m], code, page)
		}
	}
	opined := draw.Picked[0]
	if code, page := h.stack.link(links[opined].Opinion.Path, opinionForm(name[opined]), nil); code != 200 || !strings.Contains(page, "已署名提交") {
		t.Fatalf("opinion of %s: %d %.300s", name[opined], code, page)
	}
	review := h.taskOf(caseE, "expert_review")
	out.tracks = append(out.tracks, track{name: "expert panel", caseID: caseE, task: review, role: "department_officer",
		marks: []string{caseE, review, links[institution.ID].Opinion.Path, links[draw.Picked[1]].Declaration.Path},
		after: func(t *testing.T) {
			var p problem
			if code := h.do("department_officer", "POST", "/api/v1/cases/"+caseE+"/expert-panel/opinions/"+opined+"/disposition",
				map[string]any{"disposition": "adopted"}, &p); code != 200 {
				t.Fatalf("disposition after the probes: %d %+v", code, p)
			}
		}})
	out.pages = append(out.pages, "/experts", "/cases/"+caseE+"/expert-panel")
	out.anonymous = append(out.anonymous, links[institution.ID].Opinion.Path, links[draw.Picked[1]].Declaration.Path)
	out.ids["expert_case"] = caseE
	out.ids["expert"] = institution.ID
	out.ids["opined_expert"] = opined

	// Public comments: a notice whose period runs (the portal's comment
	// form and receipt lookup), two comments (the ledger's cluster, hide and
	// report forms).
	caseC := h.startCase("宜阳县城区道路照明管理办法")
	h.walkFrom(caseC, "", "public_comment")
	if code := h.complete("department_officer", h.taskOf(caseC, "public_comment"), map[string]any{"publish_date": day(-5), "end_date": day(30),
		"draft_ref": "宜阳县城区道路照明管理办法（征求意见稿）", "explanation_ref": "起草说明", "submission_methods": []string{"网站留言"},
		"channels": []string{"website"}, "text": "公开征求意见，期限35日。"}, &res); code != 200 {
		t.Fatalf("comment notice: %d %v", code, res)
	}
	var first struct {
		ID string `json:"id"`
	}
	for i, text := range []string{"建议延长路灯开启时间。", "建议更换节能灯具。"} {
		if code := h.do("", "POST", "/api/v1/cases/"+caseC+"/comments", h.challenged(caseC, map[string]any{"text": text}), &first,
			"X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i+1)); code != 201 {
			t.Fatalf("comment %d: %d", i, code)
		}
	}
	out.comments = 2
	reportTask := h.taskOf(caseC, "public_comment_report")
	out.tracks = append(out.tracks, track{name: "public comments", caseID: caseC, task: reportTask, role: "department_officer",
		marks: []string{caseC, reportTask},
		after: func(t *testing.T) {
			var p problem
			if code := h.do("department_officer", "POST", "/api/v1/cases/"+caseC+"/comments/"+first.ID+"/disposition",
				map[string]any{"disposition": "adopted"}, &p); code != 200 {
				t.Fatalf("disposition after the probes: %d %+v", code, p)
			}
		}})
	out.pages = append(out.pages, "/cases/"+caseC+"/comments")
	out.anonymous = append(out.anonymous, "/public/comment/"+caseC)
	out.ids["comment_case"] = caseC
	out.ids["comment_id"] = first.ID
	return out
}

// trackOf is the seeded track an address belongs to ("" if none: the main
// case's).
func (sd seeded) trackOf(where string) *track {
	for i := range sd.tracks {
		for _, m := range sd.tracks[i].marks {
			if m != "" && strings.Contains(where, m) {
				return &sd.tracks[i]
			}
		}
	}
	return nil
}

func (tr track) String() string { return fmt.Sprintf("%s (case %s)", tr.name, tr.caseID) }
