package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"github.com/swaggest/jsonschema-go"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/accounts"
	"github.com/juece/juece/server"
	"github.com/juece/juece/workflows"
)

// badValue is one kind of input the edge must refuse, as a JSON string's
// content (escapes as a client would send them) and as the bytes a form
// field, query or path parameter or multipart field carries.
type badValue struct {
	name  string
	json  string // between the quotes of a JSON string, sent as is
	bytes string
}

var badValues = func() []badValue {
	long := strings.Repeat("长", (1<<20)/3+1) // 1 MB of text
	return []badValue{
		{"NUL", `a\u0000b`, "a\x00b"},
		{"invalid UTF-8", "a\xff\xfeb", "a\xff\xfeb"},
		// A form or a URL cannot carry a lone surrogate but as its CESU-8
		// bytes, which are invalid UTF-8.
		{"lone surrogate", `a\ud800b`, "a\xed\xa0\x80b"},
		{"1 MB", long, long},
		{"control characters", `a\u0007\u001b\u007f\u0085b`, "a\x07\x1b\x7f\u0085b"},
	}
}()

// answerWithin is how long an answer may take before the probe counts the
// server as hung: a guard against a request that never ends, not a
// performance figure (the machine running the tests may be busy).
// probeTargets opens a case and takes it to its legality review (the legal
// opinion and the review open) and creates the county's 2026 directory:
// the case, review task and directory the generated probes fill the
// routes' parameters with.
func (s *stack) probeTargets(title string) (caseID, review, directory string) {
	s.t.Helper()
	caseID = s.startCase(title)
	s.walk(caseID, "legal_opinion")
	var dir struct {
		ID string `json:"id"`
	}
	if code := s.do("meeting_secretary", "POST", "/api/v1/directories", map[string]any{"organ_id": "yiyang", "year": 2026}, &dir); code != 201 {
		s.t.Fatalf("create directory: %d", code)
	}
	return caseID, s.taskOf(caseID, "legality_review"), dir.ID
}

const answerWithin = 10 * time.Second

// slowest is the longest answer a probe got.
var slowest time.Duration

// TestBadInputEverywhere is issue #15's generated acceptance test. It walks
// every API route (from the OpenAPI document, which TestOpenAPIDocumentsEveryRoute
// keeps in step with routes.go) and every form of the workbench (found by
// crawling its pages, checked against the workbench's POST routes), and
// sends each bad value into each text: path and query parameters, every
// string of a JSON body (from the request schemas; a completion's form from
// every task type's form schema), every multipart field and the file name,
// every form field, and every page's path and query parameters. Each answer
// comes within answerWithin (10 s, a hang guard) and is a 4xx; after each
// route the case's workflow still takes the next valid step. Then the
// crosscheck of the touched case finds no missing, duplicate or extra event,
// and no workflow of the task queue lacks its case row.
//
// Besides its main case the test seeds the cases in which the forms of the
// hearing and the expert panel show (seedTracks), and crawls the citizens'
// portal and the personal links those cases issued as nobody; a probe of
// such a case's form is followed by that case's next valid step, and each
// of those cases takes the next step of its procedure after the probes and
// passes the crosscheck too.
func TestBadInputEverywhere(t *testing.T) {
	h := newHearingStack(t)
	s := h.stack
	caseID, review, directory := s.probeTargets("宜阳县城区道路停车收费调整")
	// A notification (for the workbench's read form): 李娜 claims the
	// review and delegates it to 周强.
	zhou := s.userID("zhouqiang")
	if code := s.act("lina", review, map[string]any{"action": "claim"}, nil); code != 200 {
		t.Fatalf("claim: %d", code)
	}
	if code := s.act("lina", review, map[string]any{"action": "delegate", "target_user_id": zhou}, nil); code != 200 {
		t.Fatalf("delegate: %d", code)
	}
	sd := seedTracks(t, h)
	steps := 0
	// nextStep is the next valid step of the case the probed address
	// belongs to (where: a seeded track's, else the main case): a comment
	// on its task, answered within the same limit.
	nextStep := func(after, where string) {
		t.Helper()
		steps++
		role, task, which := "lina", review, "the case"
		if tr := sd.trackOf(where); tr != nil {
			role, task, which = tr.role, tr.task, tr.String()
		}
		a := s.send(role, "POST", "/api/v1/tasks/"+task+"/actions", "application/json",
			strings.NewReader(fmt.Sprintf(`{"action":"comment","text":"第%d条意见"}`, steps)), answerWithin)
		if a.err != nil || a.status != 200 {
			t.Fatalf("the next valid step of %s after %s: %v", which, after, a)
		}
	}
	ids := map[string]string{"case": caseID, "task": review, "directory": directory}
	for k, v := range sd.ids {
		ids[k] = v
	}
	n := s.probeAPI(t, ids, nextStep)
	m := s.probeWorkbench(t, ids, sd, nextStep)
	t.Logf("%d API probes and %d workbench probes, the slowest answered in %v; %d valid steps of the cases in between", n, m, slowest.Round(time.Millisecond), steps)

	// The next step of the procedure itself still goes through.
	var out map[string]any
	if code := s.complete("wangfang", s.taskOf(caseID, "legal_opinion"), pathStepOf("legal_opinion").form, &out); code != 200 {
		t.Fatalf("legal opinion after the probes: %d %v", code, out)
	}
	cases := []string{caseID}
	for _, tr := range sd.tracks {
		tr.after(t)
		cases = append(cases, tr.caseID)
	}
	// The probes registered no one: the portal's registrations are the
	// seeding's only.
	var regs int
	if err := s.store.DB.Get(&regs, "SELECT count(*) FROM hearing_registrations"); err != nil {
		t.Fatal(err)
	}
	if regs != sd.registered {
		t.Errorf("%d hearing registrations after the probes, want the %d of the seeding", regs, sd.registered)
	}
	// Nor did they comment or hide one: the seeding's comments only.
	var comments, hidden int
	if err := s.store.DB.Get(&comments, "SELECT count(*) FROM public_comments"); err != nil {
		t.Fatal(err)
	}
	if err := s.store.DB.Get(&hidden, "SELECT count(*) FROM public_comment_hidden"); err != nil {
		t.Fatal(err)
	}
	if comments != sd.comments || hidden != 0 {
		t.Errorf("%d public comments (%d hidden) after the probes, want the %d of the seeding, none hidden", comments, hidden, sd.comments)
	}
	for _, id := range cases {
		rep, err := server.CrossCheck(context.Background(), s.store, s.temporal, id)
		if err != nil {
			t.Fatal(err)
		}
		if !rep.OK || len(rep.Missing)+len(rep.Duplicates)+len(rep.Extra) > 0 {
			t.Errorf("crosscheck of case %s: missing %v, duplicates %v, extra %v", id, rep.Missing, rep.Duplicates, rep.Extra)
		}
		t.Logf("crosscheck of case %s: %d missing, %d duplicate, %d extra events", id, len(rep.Missing), len(rep.Duplicates), len(rep.Extra))
	}
	wfs := s.workflowIDs(false)
	var without []string
	for _, wid := range wfs {
		var k int
		if err := s.store.DB.Get(&k, "SELECT count(*) FROM cases WHERE workflow_id = $1", wid); err != nil {
			t.Fatal(err)
		}
		if k == 0 {
			without = append(without, wid)
		}
	}
	if len(without) > 0 {
		t.Errorf("workflows without a case row: %v", without)
	}
	t.Logf("%d case workflows on the task queue, %d without a case row", len(wfs), len(without))
}

// routeList is the server's routes, from the real echo instance.
func routeList(t *testing.T) []*echo.Route {
	t.Helper()
	e, ok := server.New(nil, nil, slog.New(slog.NewTextHandler(io.Discard, nil)), server.Config{}).Handler().(*echo.Echo)
	if !ok {
		t.Fatal("the server's handler is no longer the echo instance")
	}
	return e.Routes()
}

// openAPIDoc is the part of openapi.json the probes are generated from.
type openAPIDoc struct {
	Paths      map[string]map[string]openAPIOp `json:"paths"`
	Components struct {
		Schemas map[string]*schema `json:"schemas"`
	} `json:"components"`
}

type openAPIOp struct {
	Parameters []struct {
		In   string `json:"in"`
		Name string `json:"name"`
	} `json:"parameters"`
	RequestBody struct {
		Content map[string]struct {
			Schema *schema `json:"schema"`
		} `json:"content"`
	} `json:"requestBody"`
}

// schema is a JSON Schema, as much of it as finds the strings of a body.
type schema struct {
	Ref        string             `json:"$ref"`
	Type       any                `json:"type"` // "string" or ["null","string"]
	Properties map[string]*schema `json:"properties"`
	Items      *schema            `json:"items"`
	AllOf      []*schema          `json:"allOf"`
	AnyOf      []*schema          `json:"anyOf"`
	OneOf      []*schema          `json:"oneOf"`
}

func (sc *schema) is(typ string) bool {
	switch v := sc.Type.(type) {
	case string:
		return v == typ
	case []any:
		for _, x := range v {
			if x == typ {
				return true
			}
		}
	}
	return false
}

// textPaths lists the field paths of every string a body of schema sc may
// hold ("form.statements[0].text"), resolving references in comps. A value
// of any type counts as a string; a completion's form (untyped in the
// API's schema) expands into every task type's form schema.
func textPaths(sc *schema, comps map[string]*schema, prefix string, depth int) []string {
	if sc == nil || depth > 12 {
		return nil
	}
	if sc.Ref != "" {
		return textPaths(comps[strings.TrimPrefix(sc.Ref, "#/components/schemas/")], comps, prefix, depth+1)
	}
	var out []string
	for _, sub := range slices.Concat(sc.AllOf, sc.AnyOf, sc.OneOf) {
		out = append(out, textPaths(sub, comps, prefix, depth+1)...)
	}
	join := func(k string) string {
		if prefix == "" {
			return k
		}
		return prefix + "." + k
	}
	keys := make([]string, 0, len(sc.Properties))
	for k := range sc.Properties {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		p := sc.Properties[k]
		if k == "form" && p.Type == nil && p.Ref == "" && len(p.Properties) == 0 {
			out = append(out, join(k))
			for _, f := range formSchemas() {
				out = append(out, textPaths(f, comps, join(k), depth+1)...)
			}
			continue
		}
		out = append(out, textPaths(p, comps, join(k), depth+1)...)
	}
	if sc.Items != nil {
		out = append(out, textPaths(sc.Items, comps, prefix+"[0]", depth+1)...)
	}
	if sc.is("string") || sc.Type == nil && len(sc.Properties) == 0 && sc.Items == nil && len(out) == 0 && prefix != "" {
		out = append(out, prefix)
	}
	return dedupeStrings(out)
}

// formSchemas reflects every task type's completion form, as openapi.go does.
func formSchemas() []*schema {
	var out []*schema
	r := jsonschema.Reflector{}
	for _, typ := range workflows.TaskTypes {
		sch, err := r.Reflect(workflows.FormFor(typ), jsonschema.InlineRefs)
		if err != nil {
			panic(err)
		}
		b, _ := json.Marshal(sch)
		var sc schema
		if err := json.Unmarshal(b, &sc); err != nil {
			panic(err)
		}
		out = append(out, &sc)
	}
	return out
}

func dedupeStrings(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// bodyWith is a JSON body holding only the string at path, whose content
// (between its quotes) is raw, sent byte for byte.
func bodyWith(path, raw string) []byte {
	const mark = "\x01bad\x01"
	var root any = mark
	// Build from the leaf up: "a.b[0].c" → {"a":{"b":[{"c":mark}]}}.
	steps := regexp.MustCompile(`[^.\[]+|\[0\]`).FindAllString(path, -1)
	for i := len(steps) - 1; i >= 0; i-- {
		if steps[i] == "[0]" {
			root = []any{root}
		} else {
			root = map[string]any{steps[i]: root}
		}
	}
	b, _ := json.Marshal(root)
	q, _ := json.Marshal(mark)
	return bytes.Replace(b, q, []byte(`"`+raw+`"`), 1)
}

// pathValue is a valid value of a path parameter, by route and name.
func pathValue(route, name string, ids map[string]string) string {
	route = "/api/v1" + strings.TrimPrefix(route, "/api/v1") // the workbench's pages: the same names
	switch {
	case (name == "id" && strings.HasPrefix(route, "/api/v1/cases/:id/comments") || name == "case" && strings.Contains(route, "/public/comment/")) && ids["comment_case"] != "":
		return ids["comment_case"]
	case name == "comment_id" && ids["comment_id"] != "":
		return ids["comment_id"]
	case name == "id" && strings.HasPrefix(route, "/api/v1/cases/:id/expert-panel") && ids["expert_case"] != "":
		return ids["expert_case"]
	case name == "expert_id" && ids["opined_expert"] != "":
		return ids["opined_expert"]
	case name == "id" && strings.HasPrefix(route, "/api/v1/experts/") && ids["expert"] != "":
		return ids["expert"]
	case (name == "id" && strings.HasPrefix(route, "/api/v1/tasks/:id/hearing") || name == "task" && strings.Contains(route, "/hearing/")) && ids["hearing_task"] != "":
		return ids["hearing_task"]
	case name == "id" && strings.HasPrefix(route, "/api/v1/cases/"), name == "case_id":
		return ids["case"]
	case name == "id" && strings.HasPrefix(route, "/api/v1/tasks/"):
		return ids["task"]
	case name == "id" && strings.HasPrefix(route, "/api/v1/directories/"):
		return ids["directory"]
	case name == "year":
		return "2026"
	case name == "token" && ids["token"] != "":
		return ids["token"]
	case name == "sha256":
		return strings.Repeat("0", 64)
	case name == "id" && strings.HasPrefix(route, "/api/v1/notifications/"):
		return "1"
	}
	return uuid.NewString()
}

// check is one probe's verdict: an answer within the limit, a 4xx; a 400
// names the field (API) or is a page (workbench).
func (s *stack) check(t *testing.T, what, field string, page bool, a answer) {
	t.Helper()
	slowest = max(slowest, a.elapsed)
	switch {
	case a.err != nil:
		t.Errorf("%s: %v", what, a)
		return
	case a.elapsed > answerWithin:
		t.Errorf("%s: answered after %v", what, a.elapsed)
	case a.status < 400 || a.status > 499:
		t.Errorf("%s: %v, want a 4xx", what, a)
		return
	}
	if a.status != 400 || field == "" {
		return
	}
	if page {
		if !strings.Contains(a.body, "<html") {
			t.Errorf("%s: 400 is not a page: %.200s", what, a.body)
		}
		return
	}
	if fs := fieldsOf(t, a.body); !slices.Contains(fs, field) {
		t.Errorf("%s: fields %v, want %q", what, fs, field)
	}
}

// probeAPI sends every bad value into every text of every API route.
func (s *stack) probeAPI(t *testing.T, ids map[string]string, nextStep func(after, where string)) int {
	t.Helper()
	var doc openAPIDoc
	a := s.send("", "GET", "/api/openapi.json", "", nil, 10*time.Second)
	if a.err != nil || json.Unmarshal([]byte(a.body), &doc) != nil {
		t.Fatalf("openapi.json: %v", a)
	}
	param := regexp.MustCompile(`\{([a-z_0-9]+)\}`)
	n, routes := 0, 0
	for _, r := range routeList(t) {
		if !strings.HasPrefix(r.Path, "/api/v1/") || (r.Method != "GET" && r.Method != "POST") {
			continue
		}
		oaPath := regexp.MustCompile(`:([a-z_0-9]+)`).ReplaceAllString(r.Path, "{$1}")
		op, ok := doc.Paths[oaPath][strings.ToLower(r.Method)]
		if !ok {
			t.Errorf("%s %s is not in openapi.json: no probes can be generated for it", r.Method, r.Path)
			continue
		}
		routes++
		valid := func(skip string) string {
			return param.ReplaceAllStringFunc(oaPath, func(m string) string {
				name := m[1 : len(m)-1]
				if name == skip {
					return m
				}
				return url.PathEscape(pathValue(r.Path, name, ids))
			})
		}
		// Every route is screened, whatever its parameters: an unknown
		// query parameter with a bad value is refused too.
		queries := []string{"q"}
		var paths []string
		for _, p := range op.Parameters {
			switch p.In {
			case "query":
				queries = append(queries, p.Name)
			case "path":
				paths = append(paths, p.Name)
			}
		}
		for _, v := range badValues {
			for _, name := range paths {
				target := strings.Replace(valid(name), "{"+name+"}", url.PathEscape(v.bytes), 1)
				s.check(t, fmt.Sprintf("%s %s with %s in path %s", r.Method, r.Path, v.name, name), name, false,
					s.send("department_officer", r.Method, target, "application/json", nil, answerWithin+time.Second))
				n++
			}
			for _, name := range queries {
				target := valid("") + "?" + url.QueryEscape(name) + "=" + url.QueryEscape(v.bytes)
				s.check(t, fmt.Sprintf("%s %s with %s in query %s", r.Method, r.Path, v.name, name), name, false,
					s.send("department_officer", r.Method, target, "", nil, answerWithin+time.Second))
				n++
			}
		}
		for ct, c := range op.RequestBody.Content {
			switch ct {
			case "application/json":
				fields := textPaths(c.Schema, doc.Components.Schemas, "", 0)
				if len(fields) == 0 {
					fields = []string{"x"} // an object without strings still takes none
				}
				for _, f := range fields {
					for _, v := range badValues {
						s.check(t, fmt.Sprintf("%s %s with %s in %s", r.Method, r.Path, v.name, f), f, false,
							s.send("department_officer", r.Method, valid(""), ct, bytes.NewReader(bodyWith(f, v.json)), answerWithin+time.Second))
						n++
					}
				}
			case "multipart/form-data":
				n += s.probeMultipart(t, r.Method+" "+r.Path, valid(""), c.Schema, doc.Components.Schemas, "department_officer", nil, []string{"file"}, false)
			default: // a CSV file: the body is the text
				for _, v := range badValues {
					s.check(t, fmt.Sprintf("%s %s with %s as a %s body", r.Method, r.Path, v.name, ct), "", false,
						s.send("department_officer", r.Method, valid(""), ct, strings.NewReader("2026-01-01,"+v.bytes+"\n"), answerWithin+time.Second))
					n++
				}
			}
		}
		nextStep(r.Method+" "+r.Path, valid(""))
	}
	if routes < 50 {
		t.Fatalf("only %d API routes probed: the test no longer sees the routes", routes)
	}
	return n
}

// probeMultipart sends an upload with each bad value in each field (a file
// part, named in files: its file name) of the form's schema, or of the
// given field names.
func (s *stack) probeMultipart(t *testing.T, what, target string, sc *schema, comps map[string]*schema, role string, extra map[string]string, files []string, page bool) int {
	t.Helper()
	if sc != nil && sc.Ref != "" {
		sc = comps[strings.TrimPrefix(sc.Ref, "#/components/schemas/")]
	}
	var fields []string
	if sc != nil {
		for k := range sc.Properties {
			fields = append(fields, k)
		}
	}
	for k := range extra {
		if !slices.Contains(fields, k) {
			fields = append(fields, k)
		}
	}
	sort.Strings(fields)
	for _, f := range files {
		if !slices.Contains(fields, f) {
			fields = append(fields, f)
		}
	}
	sort.Strings(fields)
	if len(files) == 0 {
		t.Errorf("%s: the upload form has no file field", what)
	}
	n := 0
	for _, bad := range fields {
		for _, v := range badValues {
			var b bytes.Buffer
			mw := multipart.NewWriter(&b)
			for _, f := range fields {
				if slices.Contains(files, f) {
					name := "意见.txt"
					if bad == f {
						name = v.bytes
					}
					h := textproto.MIMEHeader{}
					h.Set("Content-Disposition", `form-data; name="`+f+`"; filename="`+name+`"`)
					h.Set("Content-Type", "text/plain")
					w, _ := mw.CreatePart(h)
					_, _ = w.Write([]byte("征求意见稿正文"))
					continue
				}
				val := extra[f]
				if f == "kind" && val == "" {
					val = "attachment"
				}
				if f == bad {
					val = v.bytes
				}
				_ = mw.WriteField(f, val)
			}
			_ = mw.Close()
			field := bad
			if slices.Contains(files, bad) {
				// A control character makes the part's header malformed:
				// the multipart reader refuses the body before any field.
				field = ""
			}
			if page {
				field = "page"
			}
			s.check(t, fmt.Sprintf("%s with %s in %s", what, v.name, bad), field, page,
				s.sendAs(role, page, "POST", target, mw.FormDataContentType(), &b))
			n++
		}
	}
	return n
}

// sendAs sends as a role through the API (bearer token) or the workbench
// (session cookie, same origin).
func (s *stack) sendAs(role string, page bool, method, target, ct string, body io.Reader) answer {
	s.t.Helper()
	if !page {
		return s.send(role, method, target, ct, body, answerWithin+time.Second)
	}
	ctx, cancel := context.WithTimeout(context.Background(), answerWithin+time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, s.url+target, body)
	if err != nil {
		return answer{err: err}
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	req.Header.Set("Origin", s.url)
	if stage, ok := strings.CutPrefix(role, "login:"); ok {
		// A browser in the middle of a login (loginSteps): its step's
		// cookies, from an address of its own like nobody's.
		for _, ck := range s.loginStep(stage) {
			req.AddCookie(ck)
		}
		anonymous++
		req.Header.Set("X-Forwarded-For", fmt.Sprintf("10.%d.%d.%d", 100+anonymous>>16&0xff, anonymous>>8&0xff, anonymous&0xff))
	} else if role != "" {
		req.AddCookie(&http.Cookie{Name: "juece_session", Value: s.session(role)})
	} else {
		// Each request of nobody comes from an address of its own (through
		// the trusted proxy), as many citizens' would: the portal's
		// per-address limits (their own tests) do not answer for the
		// screen of the texts.
		anonymous++
		req.Header.Set("X-Forwarded-For", fmt.Sprintf("10.%d.%d.%d", 100+anonymous>>16&0xff, anonymous>>8&0xff, anonymous&0xff))
	}
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return answer{err: err, elapsed: time.Since(start)}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, body: string(raw), elapsed: time.Since(start), err: err}
}

// sessions are the workbench sessions of the probes, by role.
var sessions = map[string]string{}

// anonymous counts the requests sent as nobody (their client addresses).
var anonymous int

// session signs a role in through the login form, as a browser does, and
// returns the session cookie's value.
func (s *stack) session(role string) string {
	s.t.Helper()
	key := s.url + " " + role
	if v, ok := sessions[key]; ok {
		return v
	}
	u := s.users[role]
	// Each role signs in from an address of its own: the probes of the
	// account page's password form (wrong current passwords) lock out
	// the address the probes come from, as they should.
	rec := s.formLogin(u.Handle, u.Password, u.TOTPSecret, fmt.Sprintf("10.250.0.%d", len(sessions)+1))
	for _, ck := range rec.cookies {
		if ck.Name == "juece_session" && ck.Value != "" {
			sessions[key] = ck.Value
			return ck.Value
		}
	}
	s.t.Fatalf("sign in as %s: %d, no session cookie", role, rec.status)
	return ""
}

// loginAnswer is the last answer of a form login.
type loginAnswer struct {
	status   int
	location string
	cookies  []*http.Cookie // every cookie the steps set, last value wins
}

// formLogin posts the login's steps as a browser does, from addr (through
// the trusted proxy): the password, then a TOTP code of secret when the
// server asks for one.
func (s *stack) formLogin(handle, password, secret, addr string) loginAnswer {
	s.t.Helper()
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.Get(s.url + "/login")
	if err != nil {
		s.t.Fatal(err)
	}
	resp.Body.Close()
	jar := map[string]*http.Cookie{}
	keep := func(cks []*http.Cookie) {
		for _, ck := range cks {
			jar[ck.Name] = ck
		}
	}
	keep(resp.Cookies())
	csrf := jar["juece_login"].Value
	post := func(path string, form url.Values) *http.Response {
		form.Set("_csrf", csrf)
		req, _ := http.NewRequest("POST", s.url+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", s.url)
		req.Header.Set("X-Forwarded-For", addr)
		for _, ck := range jar {
			if ck.Value != "" && ck.Name != "juece_session" {
				req.AddCookie(&http.Cookie{Name: ck.Name, Value: ck.Value})
			}
		}
		resp, err := noRedirect.Do(req)
		if err != nil {
			s.t.Fatal(err)
		}
		resp.Body.Close()
		keep(resp.Cookies())
		return resp
	}
	resp = post("/login", url.Values{"handle": {handle}, "password": {password}})
	if loc := resp.Header.Get("Location"); secret != "" && strings.HasPrefix(loc, "/login/totp") {
		resp = post("/login/totp", url.Values{"code": {totpNow(s.t, secret)}})
	}
	out := loginAnswer{status: resp.StatusCode, location: resp.Header.Get("Location")}
	for _, ck := range jar {
		out.cookies = append(out.cookies, ck)
	}
	return out
}

// webForm is a form found on a workbench page.
type webForm struct {
	page, method, action, enctype string
	fields                        map[string]string // name → value as rendered
	files                         []string          // the names of its file inputs
}

var (
	formRe  = regexp.MustCompile(`(?s)<form\b([^>]*)>(.*?)</form>`)
	fieldRe = regexp.MustCompile(`<(input|textarea|select|button)\b([^>]*)>`)
	attrRe  = regexp.MustCompile(`([a-zA-Z_:-]+)="([^"]*)"`)
	linkRe  = regexp.MustCompile(`href="(/[^"]*)"`)
)

func attrs(s string) map[string]string {
	m := map[string]string{}
	for _, a := range attrRe.FindAllStringSubmatch(s, -1) {
		m[strings.ToLower(a[1])] = html.UnescapeString(a[2])
	}
	return m
}

// crawl reads the workbench's pages as a role, from the given pages and the
// links on them, and returns the forms it found.
func (s *stack) crawl(t *testing.T, role string, start []string, limit int) []webForm {
	t.Helper()
	seen := map[string]bool{}
	queue := append([]string(nil), start...)
	var forms []webForm
	for len(queue) > 0 && len(seen) < limit {
		p := queue[0]
		queue = queue[1:]
		if seen[p] {
			continue
		}
		seen[p] = true
		a := s.sendAs(role, true, "GET", p, "", nil)
		if a.err != nil || a.status != 200 {
			continue
		}
		for _, m := range formRe.FindAllStringSubmatch(a.body, -1) {
			fa := attrs(m[1])
			f := webForm{page: p, method: strings.ToUpper(fa["method"]), action: fa["action"], enctype: fa["enctype"], fields: map[string]string{}}
			if f.method == "" {
				f.method = "GET"
			}
			if f.action == "" {
				f.action, _, _ = strings.Cut(p, "?")
			}
			for _, fm := range fieldRe.FindAllStringSubmatch(m[2], -1) {
				if at := attrs(fm[2]); at["name"] != "" {
					if fm[1] == "input" && strings.EqualFold(at["type"], "file") {
						f.files = append(f.files, at["name"])
						continue
					}
					f.fields[at["name"]] = at["value"]
				}
			}
			forms = append(forms, f)
		}
		for _, l := range linkRe.FindAllStringSubmatch(a.body, -1) {
			u := html.UnescapeString(l[1])
			if strings.HasPrefix(u, "/static/") || strings.HasPrefix(u, "/public/static/") || strings.HasPrefix(u, "/api/") || strings.HasPrefix(u, "/documents/") ||
				strings.Contains(u, "/dossier") || strings.Contains(u, "/print/") || strings.Contains(u, "lang=") || strings.Contains(u, "cursor=") {
				continue
			}
			queue = append(queue, u)
		}
	}
	return forms
}

// routeOf is the route pattern of a workbench address ("/tasks/:id/actions").
func routeOf(routes []*echo.Route, method, path string) string {
	path, _, _ = strings.Cut(path, "?")
	segs := strings.Split(path, "/")
	for _, r := range routes {
		if r.Method != method || strings.HasPrefix(r.Path, "/api/") || strings.HasSuffix(r.Path, "*") {
			continue
		}
		rs := strings.Split(r.Path, "/")
		if len(rs) != len(segs) {
			continue
		}
		ok := true
		for i := range rs {
			if !strings.HasPrefix(rs[i], ":") && rs[i] != segs[i] {
				ok = false
				break
			}
		}
		if ok {
			return r.Path
		}
	}
	return ""
}

// probeWorkbench finds the workbench's forms by reading its pages as the
// people of the demo county, and sends each bad value into each field of
// each form (hidden ones included). Every POST route of the workbench must
// have had a form probed: a route added later is covered or fails here.
func (s *stack) probeWorkbench(t *testing.T, ids map[string]string, sd seeded, nextStep func(after, where string)) int {
	t.Helper()
	routes := routeList(t)
	start := []string{"/inbox", "/cases", "/cases/new", "/cases/" + ids["case"], "/tasks/" + ids["task"], "/directories",
		"/directories/" + ids["directory"], "/calendar", "/audit", "/audit/refusals", "/audit/verify", "/notifications", "/supervision", "/reports/annual",
		"/admin/users", "/audit/admin-actions", "/security"}
	// The system administrator is set up at the command line (juece users
	// add), not among the demo users: its account forms are probed too.
	if _, ok := s.users["admin"]; !ok {
		if _, _, err := s.store.CreateUser(context.Background(), "xitong", "石统", "admin", "yiyang"); err != nil {
			t.Fatal(err)
		}
		sys := []db.DemoUser{{Handle: "xitong", Name: "石统", Role: "admin", Org: "yiyang"}}
		acc := accounts.New(s.store.DB)
		acc.Config = testAccounts
		if err := acc.DemoCredentials(context.Background(), sys, nil); err != nil {
			t.Fatal(err)
		}
		s.users["admin"], s.users["xitong"] = sys[0], sys[0]
	}
	probed := map[string]bool{} // route pattern + field set, once each
	covered := map[string]bool{}
	n := 0
	// Nobody first: the portal's and the personal links' forms are probed
	// as the citizens and the holders send them, without a session (the
	// workbench links to the portal, so a signed-in crawl finds them too).
	for _, role := range []string{"", "login:totp", "login:change", "login:enrol", "department_officer", "lina", "zhouqiang", "wangfang", "meeting_secretary", "auditor", "executive_head", "suntao", "admin", "security_admin", "audit_admin"} {
		var forms []webForm
		if stage, ok := strings.CutPrefix(role, "login:"); ok {
			// A login at one of its later steps (loginSteps).
			forms = s.crawl(t, role, []string{loginStepPage[stage]}, 1)
		} else if role == "" {
			// Nobody: the login form, the citizens' portal and the
			// personal links the seeded cases issued.
			forms = append(s.crawl(t, "", []string{"/login"}, 1), s.crawl(t, "", sd.anonymous, 40)...)
		} else {
			// The main case's pages, then the seeded cases' (a crawl of
			// its own, so that theirs take none of the main crawl's pages).
			forms = append(s.crawl(t, role, start, 40), s.crawl(t, role, sd.pages, 20)...)
		}
		for _, f := range forms {
			route := routeOf(routes, f.method, f.action)
			if route == "" {
				t.Errorf("form on %s posts to %s %s, which no workbench route serves", f.page, f.method, f.action)
				continue
			}
			names := make([]string, 0, len(f.fields)+len(f.files))
			for k := range f.fields {
				names = append(names, k)
			}
			names = append(names, f.files...)
			sort.Strings(names)
			key := f.method + " " + route + " " + strings.Join(names, ",")
			covered[f.method+" "+route] = true
			if probed[key] {
				continue
			}
			probed[key] = true
			t.Logf("form %s (on %s, as %q)", key, f.page, role)
			what := fmt.Sprintf("workbench %s %s (form on %s, as %s)", f.method, route, f.page, role)
			if f.enctype == "multipart/form-data" {
				n += s.probeMultipart(t, what, f.action, nil, nil, role, f.fields, f.files, true)
				nextStep(what, f.page+" "+f.action)
				continue
			}
			for _, bad := range names {
				for _, v := range badValues {
					vals := url.Values{}
					for k, d := range f.fields {
						vals.Set(k, d)
					}
					vals.Set(bad, v.bytes)
					var a answer
					if f.method == "GET" {
						a = s.sendAs(role, true, "GET", f.action+"?"+vals.Encode(), "", nil)
					} else {
						a = s.sendAs(role, true, "POST", f.action, "application/x-www-form-urlencoded", strings.NewReader(vals.Encode()))
					}
					s.check(t, fmt.Sprintf("%s with %s in %s", what, v.name, bad), "page", true, a)
					n++
				}
			}
			nextStep(what, f.page+" "+f.action)
		}
	}
	// Every page's parameters too, forms or not (htmx fragments, downloads):
	// a bad path parameter or query parameter is a page, 4xx.
	param := regexp.MustCompile(`:([a-z_0-9]+)`)
	for _, r := range routes {
		if r.Method != "GET" || strings.HasPrefix(r.Path, "/api/") || strings.Contains(r.Path, "*") {
			continue
		}
		valid := func(skip string) string {
			return param.ReplaceAllStringFunc(r.Path, func(m string) string {
				if m[1:] == skip {
					return m
				}
				return url.PathEscape(pathValue(r.Path, m[1:], ids))
			})
		}
		// The probes of the process (health, metrics) answer problem+json.
		page := !slices.Contains([]string{"/healthz", "/readyz", "/metrics"}, r.Path)
		field := "page"
		if !page {
			field = "q"
		}
		for _, v := range badValues {
			what := fmt.Sprintf("GET %s with %s", r.Path, v.name)
			s.check(t, what+" in query q", field, page, s.sendAs("department_officer", true, "GET", valid("")+"?q="+url.QueryEscape(v.bytes), "", nil))
			n++
			for _, m := range param.FindAllStringSubmatch(r.Path, -1) {
				target := strings.Replace(valid(m[1]), ":"+m[1], url.PathEscape(v.bytes), 1)
				s.check(t, what+" in path "+m[1], m[1], page, s.sendAs("department_officer", true, "GET", target, "", nil))
				n++
			}
		}
	}
	nextStep("the workbench's pages", "")
	for _, r := range routes {
		if r.Method == "POST" && !strings.HasPrefix(r.Path, "/api/") && !covered["POST "+r.Path] {
			t.Errorf("no form of the workbench's pages posts to %s: the probes cannot reach it (give the test the data that shows the form)", r.Path)
		}
	}
	t.Logf("%d workbench forms probed (distinct route and field set), %d requests sent as nobody", len(probed), anonymous)
	if len(probed) < 10 {
		t.Fatalf("only %d workbench forms found: the crawl no longer sees the pages", len(probed))
	}
	return n
}
