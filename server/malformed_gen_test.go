package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/juece/juece/server"
	"github.com/juece/juece/server/ratelimit"
)

// malformedBody is one way a body can be broken.
type malformedBody struct {
	name, contentType string
	body              []byte
}

// malformedJSON are the broken bodies of a route that takes JSON.
func malformedJSON() []malformedBody {
	const ct = "application/json"
	return []malformedBody{
		{"an empty body", ct, nil},
		{"truncated JSON", ct, []byte(`{"title":"宜阳`)},
		{"a lone brace", ct, []byte(`{`)},
		{"two objects", ct, []byte(`{}{}`)},
		{"an array", ct, []byte(`[{"a":1}]`)},
		{"a number", ct, []byte(`12345`)},
		{"a string", ct, []byte(`"text"`)},
		{"null", ct, []byte(`null`)},
		{"a raw NUL byte", ct, []byte("{\"title\":\"a\x00b\"}")},
		{"raw invalid UTF-8", ct, []byte("{\"title\":\"a\xff\xfeb\"}")},
		{"invalid UTF-8 outside strings", ct, []byte("{\xff:1}")},
		{"a UTF-16 body", ct, []byte("\xff\xfe{\x00}\x00")},
		{"a 5 MB body", ct, append(append([]byte(`{"title":"`), bytes.Repeat([]byte("长"), (5<<20)/3)...), `"}`...)},
		{"deep nesting", ct, []byte(strings.Repeat("[", 100000) + strings.Repeat("]", 100000))},
		{"a huge number", ct, []byte(`{"year":1e999999,"n":123456789012345678901234567890}`)},
		{"form encoding under a JSON content type", ct, []byte("a=1&b=2")},
		{"JSON as XML", "application/xml", []byte(`{}`)},
		{"JSON as text", "text/plain", []byte(`{}`)},
		{"no content type", "", []byte(`{}`)},
		{"a broken content type", "application/json; charset=\"", []byte(`{}`)},
		{"multipart without a boundary", "multipart/form-data", []byte("--x\r\n\r\n")},
		// A CSV row with a bare quote (FuzzParseYearCSV: the holiday CSV
		// loader panicked on it).
		{"a broken CSV", "text/csv", []byte("date,kind,year,document_number,published_on,notice\n0010\"000")},
	}
}

// malformedForm are the broken bodies of a route that takes a form post
// or an upload.
func malformedForm() []malformedBody {
	const ct = "application/x-www-form-urlencoded"
	return []malformedBody{
		{"an empty form", ct, nil},
		{"bad percent-encoding", ct, []byte("f.title=%zz&x=%")},
		{"a raw NUL byte", ct, []byte("f.title=a\x00b")},
		{"raw invalid UTF-8", ct, []byte("f.title=a\xff\xfe")},
		{"a semicolon separator", ct, []byte("a=1;b=2")},
		{"a 5 MB form", ct, append([]byte("f.title="), bytes.Repeat([]byte("x"), 5<<20)...)},
		{"JSON as a form", ct, []byte(`{"title":"x"}`)},
		{"multipart without a boundary", "multipart/form-data", []byte("--x\r\n\r\n")},
		{"multipart cut short", "multipart/form-data; boundary=B", []byte("--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\n%PDF")},
		{"multipart with a bad part header", "multipart/form-data; boundary=B", []byte("--B\r\nContent-Disposition: form-data; name=\"\xff\x00\"\r\n\r\nx\r\n--B--\r\n")},
		{"an unknown content type", "application/x-unknown", []byte("x")},
		{"a broken content type", "application/x-www-form-urlencoded; charset=\"", []byte("a=1")},
	}
}

// wrongTypes are JSON bodies giving each top-level field of the request
// schema a value of the wrong type.
func wrongTypes(sc *schema, comps map[string]*schema) []malformedBody {
	if sc != nil && sc.Ref != "" {
		sc = comps[strings.TrimPrefix(sc.Ref, "#/components/schemas/")]
	}
	if sc == nil {
		return nil
	}
	keys := make([]string, 0, len(sc.Properties))
	for k := range sc.Properties {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []malformedBody
	for _, k := range keys {
		p := sc.Properties[k]
		if p.Ref != "" {
			p = comps[strings.TrimPrefix(p.Ref, "#/components/schemas/")]
		}
		var wrong []string
		switch {
		case p == nil:
			continue
		case p.is("string"):
			wrong = []string{`12345`, `{"x":"y"}`, `["a"]`}
		case p.is("array"):
			wrong = []string{`"a"`, `{"x":1}`, `[[[[1]]]]`}
		case p.is("integer") || p.is("number"):
			wrong = []string{`"12"`, `1.5e400`, `-99999999999999999999`}
		case p.is("boolean"):
			wrong = []string{`"true"`, `1`}
		default:
			wrong = []string{`"x"`, `[1]`, `12345`}
		}
		for _, w := range wrong {
			b, _ := json.Marshal(k)
			out = append(out, malformedBody{fmt.Sprintf("%s as %s", k, w), "application/json", []byte("{" + string(b) + ":" + w + "}")})
		}
	}
	return out
}

// noBody are the routes whose post carries nothing but the session's CSRF
// token: the button is the request, so no body of theirs is malformed.
var noBody = map[string]bool{
	"POST /logout":                    true,
	"POST /account/totp":              true, // begins an enrolment: a new secret to confirm
	"POST /cases/:id/comments/report": true, // makes the adoption report of the ledger as it stands
	// The API's report of the expert panel is made from the panel's record:
	// it reads no body (a refusal under R-EXP-07 is recorded as one).
	"POST /api/v1/cases/:id/expert-panel/report": true,
	"POST /cases/:id/expert-panel/report":        true,
}

// refusedByRedirect are the workbench's routes that refuse a post without
// its fields by sending the browser back to a page, by that page.
var refusedByRedirect = map[string]string{
	"POST /account/totp/confirm": "/account", // no enrolment begun: back to the account page
}

// tableCounts counts the rows of every table but those a refused request
// writes by design: the access log (every refusal is logged), the rate
// limits' counters, the login's failure counts, challenges and lockouts,
// the workbench's sessions, the security log (a copy of the access log's
// refusals) and the three administrators' requests (each recorded before
// its handler, 三员分立).
func (s *stack) tableCounts(t *testing.T) map[string]int {
	t.Helper()
	var tables []string
	if err := s.store.DB.Select(&tables, `SELECT tablename FROM pg_tables WHERE schemaname = current_schema()
		AND tablename NOT IN ('access_events', 'rate_counters', 'login_failures', 'login_challenges', 'login_lockouts', 'sessions', 'goose_db_version',
			'security_events', 'admin_actions', 'oidc_logins')
		ORDER BY tablename`); err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, tb := range tables {
		var n int
		if err := s.store.DB.Get(&n, `SELECT count(*) FROM "`+tb+`"`); err != nil {
			t.Fatal(err)
		}
		out[tb] = n
	}
	return out
}

// csrfOf is a session's CSRF token, from a workbench page's form.
func (s *stack) csrfOf(t *testing.T, session string) string {
	t.Helper()
	req, _ := http.NewRequest("GET", s.url+"/inbox", nil)
	req.AddCookie(&http.Cookie{Name: "juece_session", Value: session})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	m := regexp.MustCompile(`name="_csrf" value="([0-9a-f]+)"`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("no CSRF token on the inbox page (%d)", resp.StatusCode)
	}
	return string(m[1])
}

// rateLimitsOff turns every limit against abuse off, for a test whose
// probes must each reach the check it tests (the limits have their own
// test, TestRateLimitsHoldAcrossTwoServers).
func rateLimitsOff() ratelimit.Config {
	off := ratelimit.Limit{N: -1}
	return ratelimit.Config{LoginPerAccount: off, LoginPerAddress: off, TokenPerUser: off, TokenFailuresPerAddress: off,
		RegistrationPerAddress: off, FormPerAddress: off, PersonalLinkPerToken: off, ChallengePerAddress: off, ReceiptPerAddress: off}
}

// TestMalformedBodiesEverywhere (issue 12, item 7) walks every route of the
// server that takes a body (echo's own route table: a new route is probed
// without a change here) and sends it malformed bodies: empty, truncated or
// trailing JSON, JSON of the wrong shape and each schema field of the
// wrong type, raw NUL bytes and invalid UTF-8, 5 MB, deep nesting, the
// wrong or a broken content type, broken multipart — TestBadInputEverywhere
// sends bad texts inside well-formed bodies. The API is probed with a
// token of a role that may call the route; the workbench with a session
// and its CSRF token (in the query, so the body is what is refused); the
// portal and the personal links as nobody. No answer is a 5xx or takes
// longer than answerWithin (a hang guard), and the probes change nothing:
// every table's rows but the logs' and counters' are as before, and the
// crosscheck of every case finds no missing, duplicate or extra event.
func TestMalformedBodiesEverywhere(t *testing.T) {
	h := newHearingStack(t)
	s := h.stack
	caseID, review, directory := s.probeTargets("宜阳县城区道路停车收费调整（畸形请求）")
	sd := seedTracks(t, h)
	// An administrator, for the routes only they may call (the calendar's
	// load, the audit checkpoint): the demo has none.
	s.tokens["admin"] = seedCalendarAndAdmin(t, s.store)
	ids := map[string]string{"case": caseID, "task": review, "directory": directory}
	for k, v := range sd.ids {
		ids[k] = v
	}
	// The limits against abuse have their own test: here every probe is
	// to reach its decoder.
	h.serveWith(server.Config{RateLimits: rateLimitsOff()})

	var doc openAPIDoc
	if a := s.send("", "GET", "/api/openapi.json", "", nil, 10*time.Second); a.err != nil || json.Unmarshal([]byte(a.body), &doc) != nil {
		t.Fatalf("openapi.json: %v", a)
	}
	before := s.tableCounts(t)
	var lastEvent int64
	if err := s.store.DB.Get(&lastEvent, "SELECT coalesce(max(id), 0) FROM audit_events"); err != nil {
		t.Fatal(err)
	}
	probeStart := time.Now()
	param := regexp.MustCompile(`:([a-z_0-9]+)`)
	roles := []string{"department_officer", "lina", "meeting_secretary", "admin", "auditor"}
	probes, routes, slow := 0, 0, time.Duration(0)
	statuses := map[int]int{}
	csrf := map[string]string{} // session → its CSRF token
	for _, r := range routeList(t) {
		if r.Method != http.MethodPost && r.Method != http.MethodPut && r.Method != http.MethodPatch && r.Method != http.MethodDelete {
			continue
		}
		if noBody[r.Method+" "+r.Path] || strings.HasSuffix(r.Path, "/*") {
			continue
		}
		target := param.ReplaceAllStringFunc(r.Path, func(m string) string { return url.PathEscape(pathValue(r.Path, m[1:], ids)) })
		api := strings.HasPrefix(r.Path, "/api/")
		portal := strings.HasPrefix(r.Path, "/public/") || strings.HasPrefix(r.Path, "/p/") || strings.HasPrefix(r.Path, "/login")
		var bodies []malformedBody
		role := ""
		switch {
		case api:
			oa := param.ReplaceAllString(r.Path, "{$1}")
			op, ok := doc.Paths[oa][strings.ToLower(r.Method)]
			if !ok {
				t.Errorf("%s %s is not in openapi.json", r.Method, r.Path)
				continue
			}
			if len(op.RequestBody.Content) == 0 {
				continue // no body: nothing to malform
			}
			bodies = malformedJSON()
			if c, ok := op.RequestBody.Content["application/json"]; ok {
				bodies = append(bodies, wrongTypes(c.Schema, doc.Components.Schemas)...)
			} else {
				bodies = append(bodies, malformedForm()...)
			}
			// The first role the route does not turn away as such.
			role = roles[0]
			for _, ro := range roles {
				a := s.send(ro, r.Method, target, "application/json", strings.NewReader(`{`), answerWithin+time.Second)
				if a.status != 401 && a.status != 403 {
					role = ro
					break
				}
			}
		case portal:
			bodies = append(malformedForm(), malformedJSON()...)
		default: // the workbench
			bodies = append(malformedForm(), malformedJSON()...)
			role = "department_officer"
		}
		routes++
		for _, b := range bodies {
			what := fmt.Sprintf("%s %s with %s", r.Method, r.Path, b.name)
			var a answer
			if api || role == "" {
				a = s.sendRaw(role, r.Method, target, b)
			} else {
				sess := s.session(role)
				if csrf[sess] == "" {
					csrf[sess] = s.csrfOf(t, sess)
				}
				a = s.sendRaw("session:"+sess+":"+csrf[sess], r.Method, target, b)
			}
			probes++
			statuses[a.status]++
			slow = max(slow, a.elapsed)
			switch {
			case a.err != nil:
				t.Errorf("%s: %v", what, a)
			case a.status >= 500:
				t.Errorf("%s: %v", what, a)
			case a.elapsed > answerWithin:
				t.Errorf("%s: answered after %v", what, a.elapsed)
			case a.status == http.StatusSeeOther && refusedByRedirect[r.Method+" "+r.Path] != "" && a.location == refusedByRedirect[r.Method+" "+r.Path]:
				// refused by sending the browser back to the form's page
			case a.status < 400 || a.status > 499:
				t.Errorf("%s: %v, want a 4xx (a route whose post takes no body belongs in noBody)", what, a)
			}
		}
	}
	if routes < 60 {
		t.Fatalf("only %d routes with a body probed: the test no longer sees the routes", routes)
	}
	after := s.tableCounts(t)
	for tb, n := range after {
		if before[tb] != n {
			t.Errorf("table %s: %d rows before the probes, %d after", tb, before[tb], n)
		}
	}
	var newEvents []struct {
		Action string `db:"action"`
		TaskID string `db:"task_id"`
		Data   string `db:"data"`
		N      int    `db:"n"`
	}
	if err := s.store.DB.Select(&newEvents, `SELECT action, task_id, left(data::text, 300) AS data, count(*) AS n FROM audit_events WHERE id > $1
		GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`, lastEvent); err != nil {
		t.Fatal(err)
	}
	for _, e := range newEvents {
		t.Errorf("audit events written during the probes: %d × %s (task %s): %s", e.N, e.Action, e.TaskID, e.Data)
	}
	var newDocs []string
	if err := s.store.DB.Select(&newDocs, `SELECT media_type || ' ' || size || ' ' || left(convert_from(content, 'UTF8'), 200) FROM documents WHERE created_at >= $1`, probeStart); err != nil {
		t.Fatal(err)
	}
	for _, d := range newDocs {
		t.Errorf("document stored during the probes: %s", d)
	}
	cases := []string{caseID}
	for _, tr := range sd.tracks {
		cases = append(cases, tr.caseID)
	}
	for _, id := range cases {
		rep, err := server.CrossCheck(context.Background(), s.store, s.temporal, id)
		if err != nil {
			t.Fatal(err)
		}
		if !rep.OK || len(rep.Missing)+len(rep.Duplicates)+len(rep.Extra) > 0 {
			t.Errorf("crosscheck of case %s: missing %v, duplicates %v, extra %v", id, rep.Missing, rep.Duplicates, rep.Extra)
		}
	}
	t.Logf("%d malformed-body probes of %d routes (statuses %v), the slowest answered in %v; %d tables unchanged; %d cases crosschecked",
		probes, routes, statuses, slow.Round(time.Millisecond), len(after), len(cases))
}

// sendRaw sends one malformed body: as a role's API token, as a workbench
// session ("session:ID:CSRF", the token in the query) or as nobody.
func (s *stack) sendRaw(role, method, target string, b malformedBody) answer {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), answerWithin+time.Second)
	defer cancel()
	var session string
	if rest, ok := strings.CutPrefix(role, "session:"); ok {
		id, csrf, _ := strings.Cut(rest, ":")
		session, role = id, ""
		target += "?_csrf=" + csrf
	}
	req, err := http.NewRequestWithContext(ctx, method, s.url+target, bytes.NewReader(b.body))
	if err != nil {
		return answer{err: err}
	}
	if b.contentType != "" {
		req.Header.Set("Content-Type", b.contentType)
	}
	req.Header.Set("Origin", s.url)
	switch {
	case session != "":
		req.AddCookie(&http.Cookie{Name: "juece_session", Value: session})
	case role != "":
		req.Header.Set("Authorization", "Bearer "+s.tokens[role])
	default:
		anonymous++
		req.Header.Set("X-Forwarded-For", fmt.Sprintf("10.%d.%d.%d", 100+anonymous>>16&0xff, anonymous>>8&0xff, anonymous&0xff))
	}
	start := time.Now()
	resp, err := noRedirects.Do(req)
	if err != nil {
		return answer{err: err, elapsed: time.Since(start)}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, body: string(raw), elapsed: time.Since(start), err: err, location: resp.Header.Get("Location")}
}

// noRedirects answers a redirect (a workbench form's success) as it is.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
