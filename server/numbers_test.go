package server_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/juece/juece/activities"
	"github.com/juece/juece/db/dossier"
	"github.com/juece/juece/worker"
)

// beijingYear is the year case numbers count in now.
func beijingYear() int {
	return time.Now().In(time.FixedZone("CST", 8*3600)).Year()
}

// TestCaseNumbersTwoAPIServers starts cases concurrently through two API
// servers and two workers on one database: the numbers are 1..n of the
// county's sequence, each once, whichever server or worker a start lands on
// (the counter row in PostgreSQL, not a process, hands them out).
func TestCaseNumbersTwoAPIServers(t *testing.T) {
	s := newStack(t)
	servers := []string{s.url, s.second()}
	// A second worker on the queue, as a second `juece serve` runs one:
	// the open steps (which take the numbers) run on either.
	w := worker.New(s.temporal, s.queue, &activities.Activities{Store: s.store})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	const n = 12
	numbers := make([]string, n)
	ids := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var created map[string]string
			if code := s.at(servers[i%2], "department_officer", "POST", "/api/v1/cases", map[string]string{"title": fmt.Sprintf("并发启动事项%d", i)}, &created); code != 201 {
				t.Errorf("start %d on server %c: %d %v", i, 'A'+i%2, code, created)
				return
			}
			numbers[i], ids[i] = created["number"], created["id"]
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	got := append([]string(nil), numbers...)
	sort.Strings(got)
	var want []string
	for i := 1; i <= n; i++ {
		want = append(want, fmt.Sprintf("宜阳决〔%d〕%d号", beijingYear(), i))
	}
	sort.Strings(want)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("numbers of %d starts through two servers:\n%v\nwant each of\n%v", n, got, want)
	}
	// The case JSON carries the number the start answered.
	var v struct {
		Number string `json:"number"`
	}
	s.do("auditor", "GET", "/api/v1/cases/"+ids[3], nil, &v)
	if v.Number != numbers[3] {
		t.Fatalf("GET case number %q, the start answered %q", v.Number, numbers[3])
	}
}

// TestCaseNumberSearch finds a case by its number in the case list's search
// and the inbox's 决策事项编号 filter (typed with [] too); the UUID still
// works, and a term that is neither is refused.
func TestCaseNumberSearch(t *testing.T) {
	s := newStack(t)
	a := s.startCase("宜阳县城区道路改造方案")
	b := s.startCase("宜阳县农村饮水安全方案")
	var cb struct {
		Number string `json:"number"`
	}
	s.do("auditor", "GET", "/api/v1/cases/"+b, nil, &cb)
	if cb.Number != fmt.Sprintf("宜阳决〔%d〕2号", beijingYear()) {
		t.Fatalf("second case numbered %q", cb.Number)
	}
	typed := fmt.Sprintf("宜阳决[%d]2号", beijingYear())
	type list struct {
		Cases []struct {
			ID     string `json:"id"`
			Number string `json:"number"`
		} `json:"cases"`
	}
	for _, term := range []string{cb.Number, typed, "〔" + fmt.Sprint(beijingYear()) + "〕2号", b} {
		var l list
		if code := s.do("department_officer", "GET", "/api/v1/cases?title="+url.QueryEscape(term), nil, &l); code != 200 {
			t.Fatalf("list ?title=%s: %d", term, code)
		}
		if len(l.Cases) != 1 || l.Cases[0].ID != b || l.Cases[0].Number != cb.Number {
			t.Fatalf("list ?title=%s found %+v, want only %s (%s)", term, l.Cases, b, cb.Number)
		}
	}
	type inbox struct {
		Tasks []struct {
			CaseID string `json:"case_id"`
		} `json:"tasks"`
	}
	for _, term := range []string{cb.Number, typed, b} {
		var in inbox
		if code := s.do("department_officer", "GET", "/api/v1/inbox?view=unclaimed&case_id="+url.QueryEscape(term), nil, &in); code != 200 {
			t.Fatalf("inbox ?case_id=%s: %d", term, code)
		}
		if len(in.Tasks) != 1 || in.Tasks[0].CaseID != b {
			t.Fatalf("inbox ?case_id=%s: %+v, want the initiation task of %s only", term, in.Tasks, b)
		}
	}
	var in inbox
	if code := s.do("department_officer", "GET", "/api/v1/inbox?view=unclaimed", nil, &in); code != 200 || len(in.Tasks) != 2 {
		t.Fatalf("unfiltered inbox: %d %+v, want the tasks of %s and %s", code, in.Tasks, a, b)
	}
	if code := s.do("department_officer", "GET", "/api/v1/inbox?view=unclaimed&case_id="+url.QueryEscape("宜阳决〔1999〕7号"), nil, &in); code != 200 || len(in.Tasks) != 0 {
		t.Fatalf("inbox for a number no case has: %d %+v, want 200 and none", code, in.Tasks)
	}
	var p problem
	if code := s.do("department_officer", "GET", "/api/v1/inbox?case_id=abc", nil, &p); code != 400 {
		t.Fatalf("inbox ?case_id=abc: %d, want 400", code)
	}
	// The audit search takes the number too (an auditor's trace of a case).
	type events struct {
		Events []struct {
			CaseID string `json:"case_id"`
		} `json:"events"`
	}
	for _, term := range []string{cb.Number, typed, b} {
		var ev events
		if code := s.do("auditor", "GET", "/api/v1/audit/events?case_id="+url.QueryEscape(term), nil, &ev); code != 200 || len(ev.Events) == 0 {
			t.Fatalf("audit ?case_id=%s: %d, %d events", term, code, len(ev.Events))
		}
		for _, e := range ev.Events {
			if e.CaseID != b {
				t.Fatalf("audit ?case_id=%s lists an event of %s", term, e.CaseID)
			}
		}
	}
	var none events
	if code := s.do("auditor", "GET", "/api/v1/audit/events?case_id="+url.QueryEscape("宜阳决〔1999〕7号"), nil, &none); code != 200 || len(none.Events) != 0 {
		t.Fatalf("audit for a number no case has: %d, %d events, want 200 and none", code, len(none.Events))
	}
	if code := s.do("auditor", "GET", "/api/v1/audit/events?case_id=abc", nil, &p); code != 400 {
		t.Fatalf("audit ?case_id=abc: %d, want 400", code)
	}
}

// TestDocumentNumbersOnCompletion: the legality review's opinion and the
// meeting's minutes get their 文号 from the review body's and the general
// office's sequences when their tasks are completed, on the case JSON.
func TestDocumentNumbersOnCompletion(t *testing.T) {
	s := newStack(t)
	id := s.startCase("宜阳县城区集中供暖价格调整方案")
	s.walk(id, "party_report")
	var v struct {
		DocumentNumbers []struct {
			TaskID string `json:"task_id"`
			Kind   string `json:"kind"`
			OrgID  string `json:"org_id"`
			Number string `json:"number"`
		} `json:"document_numbers"`
	}
	s.do("auditor", "GET", "/api/v1/cases/"+id, nil, &v)
	y := beijingYear()
	if len(v.DocumentNumbers) != 2 ||
		v.DocumentNumbers[0].Kind != "legality_opinion" || v.DocumentNumbers[0].OrgID != "yiyang-justice" || v.DocumentNumbers[0].Number != fmt.Sprintf("宜司法审〔%d〕1号", y) ||
		v.DocumentNumbers[1].Kind != "minutes" || v.DocumentNumbers[1].OrgID != "yiyang-office" || v.DocumentNumbers[1].Number != fmt.Sprintf("宜政纪〔%d〕1号", y) {
		t.Fatalf("document numbers %+v, want 宜司法审〔%d〕1号 (yiyang-justice) and 宜政纪〔%d〕1号 (yiyang-office)", v.DocumentNumbers, y, y)
	}
	// The dossier's catalogue carries the case number and the 文号, and
	// still verifies.
	code, _, zipBytes := s.raw("auditor", "/api/v1/cases/"+id+"/dossier")
	if code != 200 {
		t.Fatalf("dossier: %d", code)
	}
	if rep := dossier.Verify(bytes.NewReader(zipBytes), int64(len(zipBytes))); !rep.OK {
		t.Fatalf("dossier verify: %+v", rep)
	}
	var cat dossier.Catalogue
	zr, _ := zip.NewReader(bytes.NewReader(zipBytes), int64(len(zipBytes)))
	for _, f := range zr.File {
		if f.Name == dossier.CatalogueJSON {
			rc, _ := f.Open()
			_ = json.NewDecoder(rc).Decode(&cat)
			rc.Close()
		}
	}
	if cat.Case.Number != fmt.Sprintf("宜阳决〔%d〕1号", y) || len(cat.DocumentNumbers) != 2 ||
		cat.DocumentNumbers[0].Number != v.DocumentNumbers[0].Number || cat.DocumentNumbers[0].Step != "legality_review" ||
		cat.DocumentNumbers[1].Number != v.DocumentNumbers[1].Number {
		t.Fatalf("catalogue: case %+v, document numbers %+v", cat.Case, cat.DocumentNumbers)
	}
	if n := zipCount(t, zipBytes, v.DocumentNumbers[1].Number); n < 2 { // catalogue.json and catalogue.html
		t.Fatalf("the minutes' number appears %d times in the dossier, want it in both catalogues", n)
	}
}

// TestOpenAPIDocumentsNumbers: the case's number, the start's answer and the
// document numbers are in the OpenAPI description.
func TestOpenAPIDocumentsNumbers(t *testing.T) {
	s := newStack(t)
	code, _, raw := s.raw("", "/api/openapi.json")
	if code != 200 {
		t.Fatalf("openapi.json: %d", code)
	}
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]json.RawMessage `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for _, sc := range doc.Components.Schemas {
		for p := range sc.Properties {
			found[p] = true
		}
	}
	for _, want := range []string{"number", "document_numbers"} {
		if !found[want] {
			t.Errorf("no schema of openapi.json has %q", want)
		}
	}
	if !strings.Contains(string(raw), "决策事项的 UUID 或编号") {
		t.Errorf("the inbox's case_id parameter does not say it takes a number")
	}
}

// TestNotificationsNameTheCase: a notification names its case by number
// and title (GET /notifications).
func TestNotificationsNameTheCase(t *testing.T) {
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
			CaseNumber string `json:"case_number"`
			CaseTitle  string `json:"case_title"`
		} `json:"notifications"`
	}
	for end := time.Now().Add(15 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		s.do("zhouqiang", "GET", "/api/v1/notifications", nil, &list)
		if len(list.Notifications) > 0 || time.Now().After(end) {
			break
		}
	}
	want := fmt.Sprintf("宜阳决〔%d〕1号", beijingYear())
	if len(list.Notifications) != 1 || list.Notifications[0].CaseNumber != want || list.Notifications[0].CaseTitle != "宜阳县城市绿化提升方案" {
		t.Fatalf("the delegate's notifications %+v, want one naming %s 宜阳县城市绿化提升方案", list.Notifications, want)
	}
}
