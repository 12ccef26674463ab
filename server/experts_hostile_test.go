package server_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestREXP02_REXP03_REXP05_ExpertFormsAndLinksBadInput sends bad input to
// every expert form and link: malformed and oversized bodies, unknown and
// foreign IDs, expired, revoked and reused links, a link of another case.
// Each answer is a 4xx with a Chinese message; nothing is recorded (the
// case's chain, the panel and the pool stay as they were); nothing answers
// 5xx.
func TestREXP02_REXP03_REXP05_ExpertFormsAndLinksBadInput(t *testing.T) {
	s := newStack(t)
	ctx := context.Background()
	inst := s.registerInstitution("洛阳市环境科学研究所", "HN-KJ-0100")
	var experts []poolExpert
	for i, n := range []string{"甲专家", "乙专家", "丙专家", "丁专家"} {
		in := map[string]any{"government": "yiyang", "name": n, "fields": []string{expertField}}
		if i == 0 {
			in["institution"], in["employer_id"], in["fields"] = true, inst, []string{"环境评价"}
		}
		var e poolExpert
		if code := s.do("meeting_secretary", "POST", "/api/v1/experts", in, &e); code != 201 {
			t.Fatalf("add expert: %d", code)
		}
		experts = append(experts, e)
	}
	id := s.startCase("宜阳县污水处理厂提标改造方案")
	s.complete("department_officer", s.taskOf(id, "initiation"), initiationForm, nil)
	s.complete("department_officer", s.taskOf(id, "drafting"), expertDrafting(), nil)
	other := s.startCase("宜阳县另一事项")

	var draw struct {
		Picked []string `json:"picked"`
	}
	if code := s.do("department_officer", "POST", "/api/v1/cases/"+id+"/expert-panel/draws", map[string]any{"field": expertField, "size": 3}, &draw); code != 201 {
		t.Fatalf("draw: %d", code)
	}
	var l1, l2, l3 expertLinks
	for _, x := range []struct {
		e string
		l *expertLinks
	}{{draw.Picked[0], &l1}, {draw.Picked[1], &l2}, {draw.Picked[2], &l3}} {
		if code := s.do("department_officer", "POST", "/api/v1/cases/"+id+"/expert-panel/links", map[string]any{"expert_id": x.e}, x.l); code != 201 {
			t.Fatalf("links: %d", code)
		}
	}
	name := map[string]string{}
	for _, e := range experts {
		name[e.ID] = e.Name
	}
	// The institution, named and declared: its opinion link takes a seal scan.
	if code := s.do("department_officer", "POST", "/api/v1/cases/"+id+"/expert-panel/members", map[string]any{"expert_id": experts[0].ID, "rationale": "环境评价专业机构"}, nil); code != 201 {
		t.Fatalf("name: %d", code)
	}
	var lInst expertLinks
	if code := s.do("department_officer", "POST", "/api/v1/cases/"+id+"/expert-panel/links", map[string]any{"expert_id": experts[0].ID}, &lInst); code != 201 {
		t.Fatalf("links: %d", code)
	}
	if code, _ := s.link(lInst.Declaration.Path, url.Values{"direct_interest": {"no"}, "commitment": {"yes"}, "signed_name": {name[experts[0].ID]}}, nil); code != 200 {
		t.Fatalf("institution declares: %d", code)
	}
	// l2's declaration is used; l3's links expire and are revoked.
	if code, _ := s.link(l2.Declaration.Path, url.Values{"direct_interest": {"no"}, "commitment": {"yes"}, "signed_name": {name[draw.Picked[1]]}}, nil); code != 200 {
		t.Fatalf("declare: %d", code)
	}
	tokenOf := func(path string) string { return strings.TrimPrefix(path, "/p/") }
	if _, err := s.store.DB.ExecContext(ctx, `UPDATE personal_links SET issued_at = now() - interval '2 days', expires_at = now() - interval '1 minute' WHERE token_hash = encode(sha256($1::bytea), 'hex')`,
		tokenOf(l3.Declaration.Path)); err != nil {
		t.Fatal(err)
	}
	var revoke struct {
		Links []struct {
			ID      string `json:"id"`
			Purpose string `json:"purpose"`
			Holder  string `json:"holder_id"`
		} `json:"links"`
	}
	s.do("department_officer", "GET", "/api/v1/cases/"+id+"/expert-panel", nil, &revoke)
	var revokedID string
	for _, l := range revoke.Links {
		if l.Holder == draw.Picked[2] && l.Purpose == "expert.submit_opinion" {
			revokedID = l.ID
		}
	}
	if code := s.do("department_officer", "POST", "/api/v1/cases/"+id+"/links/"+revokedID+"/revoke", map[string]any{"reason": "发错了人"}, nil); code != 200 {
		t.Fatalf("revoke: %d", code)
	}
	// Open every link once: the first opening is recorded (link.opened).
	for _, p := range []string{l1.Declaration.Path, l1.Opinion.Path, l2.Opinion.Path, lInst.Opinion.Path} {
		s.link(p, nil, nil)
	}

	type snapshot struct{ events, panel, pool int }
	snap := func() snapshot {
		evs, err := s.store.Timeline(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		var pv panelView
		s.do("department_officer", "GET", "/api/v1/cases/"+id+"/expert-panel", nil, &pv)
		var pool struct {
			Experts []poolExpert `json:"experts"`
		}
		s.do("meeting_secretary", "GET", "/api/v1/experts?government=yiyang", nil, &pool)
		n := 0
		for _, m := range pv.Members {
			n += len(m.State)
		}
		return snapshot{len(evs), n, len(pool.Experts)}
	}
	before := snap()
	otherBefore, _ := s.store.Timeline(ctx, other)

	check := func(what string, code int, body string) {
		t.Helper()
		if code < 400 || code >= 500 {
			t.Errorf("%s: status %d, want 4xx", what, code)
		}
		if !han.MatchString(body) {
			t.Errorf("%s: no Chinese message in %.200q", what, body)
		}
	}
	api := func(role, method, path, body string) (int, string) {
		req, _ := http.NewRequest(method, s.url+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+s.tokens[role])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	long := func(n int) string { return strings.Repeat("长", n) }
	e0 := experts[1].ID
	for _, c := range []struct{ what, role, method, path, body string }{
		{"pool: malformed", "meeting_secretary", "POST", "/api/v1/experts", `{`},
		{"pool: unknown field", "meeting_secretary", "POST", "/api/v1/experts", `{"government":"yiyang","name":"x","fields":["a"],"rank":1}`},
		{"pool: name too long", "meeting_secretary", "POST", "/api/v1/experts", `{"government":"yiyang","name":"` + long(101) + `","fields":["a"]}`},
		{"pool: no field", "meeting_secretary", "POST", "/api/v1/experts", `{"government":"yiyang","name":"某专家","fields":[]}`},
		{"pool: field too long", "meeting_secretary", "POST", "/api/v1/experts", `{"government":"yiyang","name":"某专家","fields":["` + long(51) + `"]}`},
		{"pool: eleven fields", "meeting_secretary", "POST", "/api/v1/experts", `{"government":"yiyang","name":"某专家","fields":["1","2","3","4","5","6","7","8","9","10","11"]}`},
		{"pool: control character", "meeting_secretary", "POST", "/api/v1/experts", `{"government":"yiyang","name":"某\u0007专家","fields":["a"]}`},
		{"pool: employer not a uuid", "meeting_secretary", "POST", "/api/v1/experts", `{"government":"yiyang","name":"某专家","fields":["a"],"employer_id":"x"}`},
		{"pool: employer unknown", "meeting_secretary", "POST", "/api/v1/experts", `{"government":"yiyang","name":"某专家","fields":["a"],"employer_id":"00000000-0000-0000-0000-000000000000"}`},
		{"pool: institution without register", "meeting_secretary", "POST", "/api/v1/experts", `{"government":"yiyang","name":"某研究院","institution":true,"fields":["a"]}`},
		{"pool: government malformed", "meeting_secretary", "POST", "/api/v1/experts", `{"government":"' OR 1=1 --","name":"某专家","fields":["a"]}`},
		{"pool: government unknown", "meeting_secretary", "POST", "/api/v1/experts", `{"government":"nowhere","name":"某专家","fields":["a"]}`},
		{"pool: the unit keeps it", "department_officer", "POST", "/api/v1/experts", `{"government":"yiyang","name":"某专家","fields":["a"]}`},
		{"pool: list malformed government", "meeting_secretary", "GET", "/api/v1/experts?government=%00", ""},
		{"pool: list long field", "meeting_secretary", "GET", "/api/v1/experts?government=yiyang&field=" + url.QueryEscape(long(51)), ""},
		{"expert: not a uuid", "meeting_secretary", "GET", "/api/v1/experts/x", ""},
		{"flags: bad credit", "meeting_secretary", "POST", "/api/v1/experts/" + e0 + "/flags", `{"credit":"bad","exit_flag":"","reason":"x","on":"2026-12-01"}`},
		{"flags: bad exit flag", "meeting_secretary", "POST", "/api/v1/experts/" + e0 + "/flags", `{"credit":"good","exit_flag":"gone","reason":"x","on":"2026-12-01"}`},
		{"flags: no reason", "meeting_secretary", "POST", "/api/v1/experts/" + e0 + "/flags", `{"credit":"good","exit_flag":"suspended","reason":"","on":"2026-12-01"}`},
		{"flags: reason too long", "meeting_secretary", "POST", "/api/v1/experts/" + e0 + "/flags", `{"credit":"good","exit_flag":"suspended","reason":"` + long(1001) + `","on":"2026-12-01"}`},
		{"flags: bad date", "meeting_secretary", "POST", "/api/v1/experts/" + e0 + "/flags", `{"credit":"good","exit_flag":"suspended","reason":"x","on":"2026-02-30"}`},
		{"flags: unknown expert", "meeting_secretary", "POST", "/api/v1/experts/00000000-0000-0000-0000-000000000000/flags", `{"credit":"good","exit_flag":"","reason":"x","on":"2026-12-01"}`},
		{"draw: malformed", "department_officer", "POST", "/api/v1/cases/" + id + "/expert-panel/draws", `{"field":`},
		{"draw: size 0", "department_officer", "POST", "/api/v1/cases/" + id + "/expert-panel/draws", `{"field":"` + expertField + `","size":0}`},
		{"draw: size huge", "department_officer", "POST", "/api/v1/cases/" + id + "/expert-panel/draws", `{"field":"` + expertField + `","size":100000}`},
		{"draw: more than the pool", "department_officer", "POST", "/api/v1/cases/" + id + "/expert-panel/draws", `{"field":"` + expertField + `","size":2}`},
		{"draw: no field", "department_officer", "POST", "/api/v1/cases/" + id + "/expert-panel/draws", `{"field":"","size":1}`},
		{"draw: field too long", "department_officer", "POST", "/api/v1/cases/" + id + "/expert-panel/draws", `{"field":"` + long(51) + `","size":1}`},
		{"draw: not the unit", "meeting_secretary", "POST", "/api/v1/cases/" + id + "/expert-panel/draws", `{"field":"` + expertField + `","size":1}`},
		{"draw: case without expert review", "department_officer", "POST", "/api/v1/cases/" + other + "/expert-panel/draws", `{"field":"` + expertField + `","size":1}`},
		{"name: not a uuid", "department_officer", "POST", "/api/v1/cases/" + id + "/expert-panel/members", `{"expert_id":"x","rationale":"理由"}`},
		{"name: unknown expert", "department_officer", "POST", "/api/v1/cases/" + id + "/expert-panel/members", `{"expert_id":"00000000-0000-0000-0000-000000000000","rationale":"理由"}`},
		{"name: rationale too long", "department_officer", "POST", "/api/v1/cases/" + id + "/expert-panel/members", `{"expert_id":"` + draw.Picked[0] + `","rationale":"` + long(1001) + `"}`},
		{"name: already on the panel", "department_officer", "POST", "/api/v1/cases/" + id + "/expert-panel/members", `{"expert_id":"` + draw.Picked[0] + `","rationale":"理由"}`},
		{"links: not on the panel (another case's)", "department_officer", "POST", "/api/v1/cases/" + other + "/expert-panel/links", `{"expert_id":"` + draw.Picked[0] + `"}`},
		{"links: days out of range", "department_officer", "POST", "/api/v1/cases/" + id + "/expert-panel/links", `{"expert_id":"` + draw.Picked[0] + `","days":91}`},
		{"dispose: not a uuid", "department_officer", "POST", "/api/v1/cases/" + id + "/expert-panel/opinions/x/disposition", `{"disposition":"adopted"}`},
		{"dispose: no opinion", "department_officer", "POST", "/api/v1/cases/" + id + "/expert-panel/opinions/" + draw.Picked[0] + "/disposition", `{"disposition":"adopted"}`},
		{"dispose: another case's expert", "department_officer", "POST", "/api/v1/cases/" + other + "/expert-panel/opinions/" + draw.Picked[0] + "/disposition", `{"disposition":"adopted"}`},
		{"dispose: bad value", "department_officer", "POST", "/api/v1/cases/" + id + "/expert-panel/opinions/" + draw.Picked[0] + "/disposition", `{"disposition":"maybe"}`},
		{"dispose: reason too long", "department_officer", "POST", "/api/v1/cases/" + id + "/expert-panel/opinions/" + draw.Picked[0] + "/disposition", `{"disposition":"not_adopted","reason":"` + long(1001) + `"}`},
		{"report: another case", "department_officer", "POST", "/api/v1/cases/" + other + "/expert-panel/report", ``},
		{"unit opinion: malformed", "department_officer", "POST", "/api/v1/cases/" + id + "/expert-panel/opinions", `{"expert_id":1}`},
		{"unit opinion: oversized", "department_officer", "POST", "/api/v1/cases/" + id + "/expert-panel/opinions", `{"expert_id":"` + draw.Picked[0] + `","necessity":"` + long(3_000_000) + `"}`},
		{"panel: case not a uuid", "department_officer", "GET", "/api/v1/cases/x/expert-panel", ""},
	} {
		code, body := api(c.role, c.method, c.path, c.body)
		check(c.what, code, body)
	}

	// Links.
	post := func(path, ct string, body []byte) (int, string) {
		resp, err := http.Post(s.url+path, ct, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	form := "application/x-www-form-urlencoded"
	multi := func(fields map[string]string, file []byte) (string, []byte) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for k, v := range fields {
			_ = mw.WriteField(k, v)
		}
		if file != nil {
			fw, _ := mw.CreateFormFile("seal", "seal.png")
			_, _ = fw.Write(file)
		}
		_ = mw.Close()
		return mw.FormDataContentType(), buf.Bytes()
	}
	goodDecl := url.Values{"direct_interest": {"no"}, "commitment": {"yes"}, "signed_name": {name[draw.Picked[0]]}}
	for _, c := range []struct {
		what, path, ct string
		body           []byte
	}{
		{"link: unknown token", "/p/" + strings.Repeat("A", 43), form, []byte(goodDecl.Encode())},
		{"link: malformed token", "/p/%27%20OR%201=1", form, []byte(goodDecl.Encode())},
		{"link: expired", l3.Declaration.Path, form, []byte(goodDecl.Encode())},
		{"link: revoked", l3.Opinion.Path, form, []byte(goodDecl.Encode())},
		{"link: reused", l2.Declaration.Path, form, []byte(goodDecl.Encode())},
		{"link: oversized", l1.Declaration.Path, form, []byte("interests=" + strings.Repeat("x", 70_000))},
		{"link: malformed body", l1.Declaration.Path, form, []byte("%zz=%zz&&=")},
		{"link: bad radio value", l1.Declaration.Path, form, []byte(url.Values{"direct_interest": {"perhaps"}, "commitment": {"yes"}, "signed_name": {"x"}}.Encode())},
		{"link: interests too long", l1.Declaration.Path, form, []byte(url.Values{"direct_interest": {"yes"}, "interests": {long(1001)}, "commitment": {"yes"}, "signed_name": {name[draw.Picked[0]]}}.Encode())},
		{"link: direct interest without account", l1.Declaration.Path, form, []byte(url.Values{"direct_interest": {"yes"}, "commitment": {"yes"}, "signed_name": {name[draw.Picked[0]]}}.Encode())},
		{"link: another's signature", l1.Declaration.Path, form, []byte(url.Values{"direct_interest": {"no"}, "commitment": {"yes"}, "signed_name": {"张伟"}}.Encode())},
		{"link: no commitment", l1.Declaration.Path, form, []byte(url.Values{"direct_interest": {"no"}, "signed_name": {name[draw.Picked[0]]}}.Encode())},
		{"link: multipart where no upload", l1.Declaration.Path, "multipart/form-data; boundary=x", []byte("--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb\r\n--x--\r\n")},
		{"link: opinion before declaration", l1.Opinion.Path, form, []byte(opinionForm(name[draw.Picked[0]]).Encode())},
		{"link: opinion aspect too long", l2.Opinion.Path, form, []byte(func() url.Values { f := opinionForm(name[draw.Picked[1]]); f.Set("necessity", long(5001)); return f }().Encode())},
		{"link: opinion signed by another", l2.Opinion.Path, form, []byte(opinionForm("张伟").Encode())},
		{"link: opinion without scientific aspect (R-EXP-02)", l2.Opinion.Path, form, []byte(func() url.Values { f := opinionForm(name[draw.Picked[1]]); f.Del("scientific"); return f }().Encode())},
		{"link: multipart garbage", l2.Opinion.Path, "multipart/form-data; boundary=x", []byte("garbage")},
	} {
		code, body := post(c.path, c.ct, c.body)
		check(c.what, code, body)
	}
	// An oversized and a non-image seal scan (the opinion link takes uploads).
	f := map[string]string{}
	for k, v := range opinionForm(name[experts[0].ID]) {
		f[k] = v[0]
	}
	ct, body := multi(f, bytes.Repeat([]byte("x"), 3<<20))
	code, page := post(lInst.Opinion.Path, ct, body)
	check("link: seal scan too large", code, page)
	ct, body = multi(f, []byte("not an image, just text"))
	code, page = post(lInst.Opinion.Path, ct, body)
	check("link: seal scan not an image", code, page)
	code, page = post(lInst.Opinion.Path, form, []byte(opinionForm(name[experts[0].ID]).Encode()))
	if !strings.Contains(page, "R-EXP-05") {
		t.Errorf("institution's opinion without a seal: %d, no R-EXP-05", code)
	}

	after := snap()
	if after != before {
		t.Errorf("bad input changed the record: before %+v, after %+v", before, after)
	}
	if otherAfter, _ := s.store.Timeline(ctx, other); len(otherAfter) != len(otherBefore) {
		t.Errorf("bad input changed the other case's record: %d → %d events", len(otherBefore), len(otherAfter))
	}
}
