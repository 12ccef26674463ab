package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/juece/juece/db/dossier"
	"github.com/juece/juece/workflows/participation"
)

// expertField is the field the panel is drawn from.
const expertField = "水环境工程"

type poolExpert struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Institution bool   `json:"institution"`
	ExitFlag    string `json:"exit_flag"`
}

type expertLinks struct {
	Declaration struct {
		Path string `json:"path"`
	} `json:"declaration"`
	Opinion struct {
		Path string `json:"path"`
	} `json:"opinion"`
}

type panelView struct {
	Members []struct {
		ExpertID string `json:"expert_id"`
		Name     string `json:"name"`
		State    string `json:"state"`
		Opinion  *struct {
			BodySHA256 string `json:"body_sha256"`
			SealSHA256 string `json:"seal_sha256"`
		} `json:"opinion"`
	} `json:"members"`
	Draws []struct {
		Seed       string   `json:"seed"`
		Candidates []string `json:"candidates"`
		Size       int      `json:"size"`
		Picked     []string `json:"picked"`
	} `json:"draws"`
	Report *struct {
		SHA256 string `json:"sha256"`
	} `json:"report"`
}

// registerInstitution enters an institution in the register (db/registry).
func (s *stack) registerInstitution(name, regID string) string {
	s.t.Helper()
	var inst struct {
		ID string `json:"id"`
	}
	code := s.do("meeting_secretary", "POST", "/api/v1/institutions", map[string]any{"name": name, "kind": "research_institute",
		"register_issuer": "河南省科学技术厅", "register_id": regID}, &inst)
	if code != 201 && code != 200 {
		s.t.Fatalf("register institution %s: %d", name, code)
	}
	return inst.ID
}

// buildPool enters 30 experts in 宜阳县's pool: ten of expertField (one of
// them a professional institution), twenty of other fields.
func (s *stack) buildPool() []poolExpert {
	s.t.Helper()
	employer := s.registerInstitution("河南省水利科学研究院", "HN-KJ-0001")
	institute := s.registerInstitution("洛阳市环境科学研究所", "HN-KJ-0002")
	var pool []poolExpert
	for i := 0; i < 30; i++ {
		in := map[string]any{"government": "yiyang", "name": fmt.Sprintf("专家%02d", i), "fields": []string{"城市规划"},
			"employer_id": employer, "contact": "0379-6000" + fmt.Sprint(1000+i)}
		switch {
		case i == 0:
			in["name"], in["institution"], in["employer_id"], in["fields"], in["differing_view"] = "洛阳市环境科学研究所", true, institute, []string{expertField}, true
		case i < 10:
			in["fields"] = []string{expertField, "给排水"}
		}
		var e poolExpert
		if code := s.do("meeting_secretary", "POST", "/api/v1/experts", in, &e); code != 201 {
			s.t.Fatalf("add expert %d: %d", i, code)
		}
		pool = append(pool, e)
	}
	return pool
}

// link acts through a personal link as its holder: a form post, multipart
// when a file is given. It returns the status and the page.
func (s *stack) link(path string, form url.Values, file []byte) (int, string) {
	s.t.Helper()
	var body io.Reader
	ct := "application/x-www-form-urlencoded"
	if form == nil {
		resp, err := http.Get(s.url + path)
		if err != nil {
			s.t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if file != nil {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for k, vs := range form {
			for _, v := range vs {
				_ = mw.WriteField(k, v)
			}
		}
		fw, _ := mw.CreateFormFile("seal", "seal.png")
		_, _ = fw.Write(file)
		_ = mw.Close()
		body, ct = &buf, mw.FormDataContentType()
	} else {
		body = strings.NewReader(form.Encode())
	}
	resp, err := http.Post(s.url+path, ct, body)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

var pngSeal = append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0}, 64)...)

func opinionForm(name string) url.Values {
	return url.Values{"necessity": {"城区污水处理能力不足，确有必要。"}, "feasibility": {"技术路线成熟，资金可行。"},
		"scientific": {"工艺比选依据充分。"}, "conclusion": {"同意，建议分期实施。"}, "independent": {"yes"}, "signed_name": {name}}
}

// expertDrafting is the drafting form of a case whose expert review applies.
func expertDrafting() map[string]any {
	f := map[string]any{}
	for k, v := range draftingForm {
		f[k] = v
	}
	f["expert"] = map[string]any{"applies": true, "reason": "污水处理工艺专业性强", "officer": "张伟"}
	return f
}

// TestREXP01_REXP02_REXP03_REXP04_REXP05_REXP06_REXP07_REXP08_ExpertPanelEndToEnd
// runs an expert panel over HTTP: a pool of 30; a draw of 5 in one field in
// which an expert with an exit flag is never a candidate (R-EXP-06); a named
// institution with its rationale (R-EXP-04); each expert declares through
// their own link before the materials open (R-EXP-03), one declares a
// direct interest and is recused, and a replacement is drawn; an opinion
// sent by the unit is refused (R-EXP-05); the experts sign their opinions
// covering the three aspects (R-EXP-02), the institution with a seal scan;
// the adoption report is refused until every opinion is disposed and then
// gates the expert_review task and so the discussion package (R-EXP-08,
// G-CD-PKG); the draw re-runs from its recorded seed; the dossier verifies.
func TestREXP01_REXP02_REXP03_REXP04_REXP05_REXP06_REXP07_REXP08_ExpertPanelEndToEnd(t *testing.T) {
	s := newStack(t)
	pool := s.buildPool()
	flagged := pool[5]
	var out map[string]any
	if code := s.do("meeting_secretary", "POST", "/api/v1/experts/"+flagged.ID+"/flags", map[string]any{"credit": "criticised",
		"exit_flag": "disqualified", "reason": "论证中隐瞒利害关系，依第四十一条取消资格", "on": day(-10)}, &out); code != 200 {
		t.Fatalf("flag: %d %v", code, out)
	}
	// The unit cannot keep the pool.
	if code := s.do("department_officer", "POST", "/api/v1/experts/"+flagged.ID+"/flags", map[string]any{"credit": "good",
		"exit_flag": "", "reason": "x", "on": day(0)}, &out); code != 403 {
		t.Errorf("unit flags an expert: %d", code)
	}

	id := s.startCase("宜阳县城区污水处理厂提标改造方案")
	s.complete("department_officer", s.taskOf(id, "initiation"), initiationForm, nil)
	// R-EXP-01: the determination names its responsible officer.
	noOfficer := expertDrafting()
	noOfficer["expert"] = map[string]any{"applies": true, "reason": "污水处理工艺专业性强"}
	var p problem
	if code := s.complete("department_officer", s.taskOf(id, "drafting"), noOfficer, &p); code != 422 || p.Rule != "R-EXP-01" {
		t.Errorf("determination without officer: %d %+v", code, p)
	}
	if code := s.complete("department_officer", s.taskOf(id, "drafting"), expertDrafting(), &out); code != 200 {
		t.Fatalf("drafting: %d %v", code, out)
	}
	s.walkFrom(id, "public_comment", "legality_submission")

	// R-EXP-04: a named expert needs the rationale; R-EXP-06: a flagged
	// expert cannot be named.
	if code := s.do("department_officer", "POST", "/api/v1/cases/"+id+"/expert-panel/members",
		map[string]any{"expert_id": pool[0].ID, "rationale": ""}, &p); code != 422 || p.Rule != "R-EXP-04" {
		t.Errorf("named without rationale: %d %+v", code, p)
	}
	if code := s.do("department_officer", "POST", "/api/v1/cases/"+id+"/expert-panel/members",
		map[string]any{"expert_id": flagged.ID, "rationale": "熟悉本地水文"}, &p); code != 422 || p.Rule != "R-EXP-06" {
		t.Errorf("flagged expert named: %d %+v", code, p)
	}
	if code := s.do("department_officer", "POST", "/api/v1/cases/"+id+"/expert-panel/members",
		map[string]any{"expert_id": pool[0].ID, "rationale": "持不同意见的专业机构，曾论证过同类项目的替代工艺"}, &out); code != 201 {
		t.Fatalf("name institution: %d %v", code, out)
	}

	// The draw: 5 of the field's 8 eligible candidates not yet on the panel.
	var draw struct {
		Seed       string   `json:"seed"`
		Candidates []string `json:"candidates"`
		Picked     []string `json:"picked"`
	}
	if code := s.do("department_officer", "POST", "/api/v1/cases/"+id+"/expert-panel/draws", map[string]any{"field": expertField, "size": 5}, &draw); code != 201 {
		t.Fatalf("draw: %d", code)
	}
	if len(draw.Candidates) != 8 || len(draw.Picked) != 5 || slices.Contains(draw.Candidates, flagged.ID) || slices.Contains(draw.Candidates, pool[0].ID) {
		t.Fatalf("draw: %d candidates, picked %v (flagged %s among candidates: %v)", len(draw.Candidates), draw.Picked, flagged.ID, slices.Contains(draw.Candidates, flagged.ID))
	}
	if got := participation.DrawN(draw.Seed, draw.Candidates, 5); !slices.Equal(got, draw.Picked) {
		t.Errorf("re-run of the draw from its seed: %v, recorded %v", got, draw.Picked)
	}
	members := append([]string{pool[0].ID}, draw.Picked...)
	name := map[string]string{}
	for _, e := range pool {
		name[e.ID] = e.Name
	}

	links := map[string]expertLinks{}
	issue := func(expert string) {
		var l expertLinks
		if code := s.do("department_officer", "POST", "/api/v1/cases/"+id+"/expert-panel/links", map[string]any{"expert_id": expert}, &l); code != 201 {
			t.Fatalf("links of %s: %d", expert, code)
		}
		links[expert] = l
	}
	for _, m := range members {
		issue(m)
	}
	// R-EXP-03: the materials stay closed until the expert declares.
	if code, page := s.link(links[members[1]].Opinion.Path, nil, nil); code != 403 || !strings.Contains(page, "请先通过利益冲突声明链接签署声明") {
		t.Errorf("opinion link before the declaration: %d", code)
	}
	// Another person's signature on the declaration is refused.
	if code, page := s.link(links[members[1]].Declaration.Path, url.Values{"direct_interest": {"no"}, "commitment": {"yes"}, "signed_name": {"张伟"}}, nil); code != 422 || !strings.Contains(page, "签名须与专家库登记的名称") {
		t.Errorf("declaration signed by another: %d", code)
	}
	recused := members[2]
	for _, m := range members {
		f := url.Values{"direct_interest": {"no"}, "commitment": {"yes"}, "signed_name": {name[m]}}
		if m == recused {
			f.Set("direct_interest", "yes")
			f.Set("interests", "本人所在单位为本项目可行性研究报告编制单位")
		}
		if code, page := s.link(links[m].Declaration.Path, f, nil); code != 200 || !strings.Contains(page, "记录") && !strings.Contains(page, "回避") {
			t.Fatalf("declaration of %s: %d %s", name[m], code, page)
		}
	}
	// The link acts once.
	if code, page := s.link(links[members[1]].Declaration.Path, url.Values{"direct_interest": {"no"}, "commitment": {"yes"}, "signed_name": {name[members[1]]}}, nil); code != 410 || !strings.Contains(page, "已使用") {
		t.Errorf("declaration link reused: %d", code)
	}
	// The recused expert cannot give an opinion; a replacement is drawn.
	if code, _ := s.link(links[recused].Opinion.Path, nil, nil); code != 403 {
		t.Errorf("recused expert's opinion page: %d", code)
	}
	var again struct {
		Candidates []string `json:"candidates"`
		Picked     []string `json:"picked"`
	}
	if code := s.do("department_officer", "POST", "/api/v1/cases/"+id+"/expert-panel/draws", map[string]any{"field": expertField, "size": 1}, &again); code != 201 || len(again.Picked) != 1 {
		t.Fatalf("replacement draw: %d %v", code, again)
	}
	if len(again.Candidates) != 3 || slices.Contains(again.Candidates, recused) || slices.Contains(again.Candidates, flagged.ID) {
		t.Errorf("replacement candidates %v", again.Candidates)
	}
	repl := again.Picked[0]
	issue(repl)
	if code, _ := s.link(links[repl].Declaration.Path, url.Values{"direct_interest": {"no"}, "commitment": {"yes"}, "signed_name": {name[repl]}}, nil); code != 200 {
		t.Fatalf("replacement declares: %d", code)
	}
	heard := append(slices.DeleteFunc(slices.Clone(members), func(m string) bool { return m == recused }), repl)

	// R-EXP-05: the unit cannot submit an opinion for an expert.
	if code := s.do("department_officer", "POST", "/api/v1/cases/"+id+"/expert-panel/opinions", map[string]any{"expert_id": heard[1],
		"necessity": "必要", "feasibility": "可行", "scientific": "科学", "signed_name": name[heard[1]]}, &p); code != 422 || p.Rule != "R-EXP-05" {
		t.Errorf("unit's opinion for an expert: %d %+v", code, p)
	}
	// Nor complete the task with experts and opinions typed in its form.
	if code := s.complete("department_officer", s.taskOf(id, "expert_review"), map[string]any{"method": "written",
		"opinions": []map[string]any{{"authors": []string{name[heard[1]]}, "signed_by": []string{name[heard[1]]}}}}, &p); code != 422 || p.Rule != "R-EXP-05" {
		t.Errorf("expert_review with typed opinions: %d %+v", code, p)
	}
	// The report waits for the opinions.
	if code := s.do("department_officer", "POST", "/api/v1/cases/"+id+"/expert-panel/report", nil, &p); code != 422 || p.Rule != "R-EXP-07" {
		t.Errorf("report without opinions: %d %+v", code, p)
	}

	// R-EXP-02: the three aspects; R-EXP-05: the institution's seal.
	partial := opinionForm(name[heard[1]])
	partial.Set("scientific", "")
	if code, page := s.link(links[heard[1]].Opinion.Path, partial, nil); code != 422 || !strings.Contains(page, "R-EXP-02") {
		t.Errorf("opinion without the scientific aspect: %d", code)
	}
	if code, page := s.link(links[pool[0].ID].Opinion.Path, opinionForm(name[pool[0].ID]), nil); code != 422 || !strings.Contains(page, "R-EXP-05") {
		t.Errorf("institution's opinion without seal: %d %s", code, page)
	}
	for _, m := range heard {
		var file []byte
		if m == pool[0].ID {
			file = pngSeal
		}
		if code, page := s.link(links[m].Opinion.Path, opinionForm(name[m]), file); code != 200 || !strings.Contains(page, "已署名提交") {
			t.Fatalf("opinion of %s: %d %s", name[m], code, page)
		}
	}

	// Dispositions: a non-adoption needs its reason; the report waits for all.
	disp := func(m, d, reason string) int {
		return s.do("department_officer", "POST", "/api/v1/cases/"+id+"/expert-panel/opinions/"+m+"/disposition",
			map[string]any{"disposition": d, "reason": reason}, &p)
	}
	if code := disp(heard[0], "not_adopted", ""); code != 422 {
		t.Errorf("not adopted without reason: %d", code)
	}
	if code := s.do("department_officer", "POST", "/api/v1/cases/"+id+"/expert-panel/report", nil, &p); code != 422 || p.Rule != "R-EXP-08" {
		t.Errorf("report with undisposed opinions: %d %+v", code, p)
	}
	for i, m := range heard {
		d, reason := "adopted", ""
		if i == 0 {
			d, reason = "partly_adopted", "替代工艺投资过高，仅采纳分期建设建议"
		}
		if code := disp(m, d, reason); code != 200 {
			t.Fatalf("dispose %s: %d %+v", name[m], code, p)
		}
	}
	// R-EXP-08: without the report the task cannot close (nor the package).
	if code := s.complete("department_officer", s.taskOf(id, "expert_review"), map[string]any{"method": "written"}, &p); code != 422 || p.Rule != "R-EXP-08" {
		t.Errorf("expert_review before the report: %d %+v", code, p)
	}
	if code := s.complete("department_officer", s.taskOf(id, "legality_submission"), pathStepOf("legality_submission").form, &p); code != 422 || p.Rule != "G-LR-IN" {
		t.Errorf("legality submission while expert review runs: %d %+v", code, p)
	}
	var rep struct {
		SHA256   string            `json:"sha256"`
		Text     string            `json:"text"`
		Warnings []json.RawMessage `json:"warnings"`
	}
	if code := s.do("department_officer", "POST", "/api/v1/cases/"+id+"/expert-panel/report", nil, &rep); code != 201 {
		t.Fatalf("report: %d", code)
	}
	if !strings.Contains(rep.Text, "部分采纳") || !strings.Contains(rep.Text, draw.Seed) || len(rep.Warnings) != 0 {
		t.Errorf("report text/warnings: %d warnings\n%s", len(rep.Warnings), rep.Text)
	}
	if code := s.complete("department_officer", s.taskOf(id, "expert_review"), map[string]any{"method": "written"}, &out); code != 200 {
		t.Fatalf("expert_review: %d %v", code, out)
	}
	var cv struct {
		Facts struct {
			ExpertAdoptionRef string `json:"expert_adoption_ref"`
		} `json:"facts"`
	}
	s.do("auditor", "GET", "/api/v1/cases/"+id, nil, &cv)
	if cv.Facts.ExpertAdoptionRef != "expert-adoption-report/"+rep.SHA256 {
		t.Errorf("package item: %q", cv.Facts.ExpertAdoptionRef)
	}
	// The package passes the meeting with the report in it (G-CD-PKG).
	s.walkFrom(id, "legality_submission", "party_report")

	// The record: the experts are the actors of their own events.
	var tl timeline
	s.do("auditor", "GET", "/api/v1/cases/"+id+"/timeline", nil, &tl)
	actions := map[string]int{}
	for _, e := range tl.Events {
		actions[e.Action]++
		if (e.Action == "expert.declare" || e.Action == "expert.opinion") && (e.Actor.Role != "expert" || !strings.HasPrefix(e.Actor.ID, "link:expert:")) {
			t.Errorf("%s recorded for %+v", e.Action, e.Actor)
		}
	}
	if actions["expert.declare"] != 7 || actions["expert.opinion"] != 6 || actions["expert.draw"] != 2 || actions["expert.report"] != 1 {
		t.Errorf("panel events: %v", actions)
	}
	var pv panelView
	s.do("department_officer", "GET", "/api/v1/cases/"+id+"/expert-panel", nil, &pv)
	states := map[string]int{}
	for _, m := range pv.Members {
		states[m.State]++
	}
	if states["opined"] != 6 || states["recused"] != 1 || len(pv.Draws) != 2 || pv.Report == nil {
		t.Errorf("panel: %v, %d draws", states, len(pv.Draws))
	}
	for _, d := range pv.Draws {
		if got := participation.DrawN(d.Seed, d.Candidates, d.Size); !slices.Equal(got, d.Picked) {
			t.Errorf("recorded draw does not re-run: %v vs %v", got, d.Picked)
		}
	}
	// What the experts put on record cannot be rewritten behind the
	// workflow (triggers of migration 00062).
	for _, q := range []string{`UPDATE expert_opinions SET necessity = '改写' WHERE case_id = $1`,
		`UPDATE expert_opinions SET disposition = 'not_adopted' WHERE case_id = $1`,
		`UPDATE panel_members SET direct_interest = false WHERE case_id = $1 AND state = 'recused'`,
		`DELETE FROM expert_draws WHERE case_id = $1`} {
		if _, err := s.store.DB.Exec(q, id); err == nil || !strings.Contains(err.Error(), "refused") {
			t.Errorf("%s: %v, want refused", q, err)
		}
	}
	var v struct {
		OK bool `json:"ok"`
	}
	if s.do("auditor", "GET", "/api/v1/cases/"+id+"/verify", nil, &v); !v.OK {
		t.Errorf("chain does not verify")
	}
	// The dossier carries the opinions, the seal scan and the report, and
	// verifies offline.
	zipped := s.get("auditor", "/api/v1/cases/"+id+"/dossier")
	r := dossier.Verify(bytes.NewReader(zipped), int64(len(zipped)))
	if !r.OK {
		t.Errorf("dossier: %+v", r.Problems)
	}
	for _, sha := range []string{rep.SHA256, pv.Members[0].Opinion.SealSHA256, pv.Members[0].Opinion.BodySHA256} {
		if !bytes.Contains(zipped, []byte(sha)) {
			t.Errorf("dossier lacks %s", sha)
		}
	}
}

// get fetches raw bytes as a role.
func (s *stack) get(role, path string) []byte {
	s.t.Helper()
	req, _ := http.NewRequest("GET", s.url+path, nil)
	req.Header.Set("Authorization", "Bearer "+s.tokens[role])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		s.t.Fatalf("GET %s: %d", path, resp.StatusCode)
	}
	return b
}
