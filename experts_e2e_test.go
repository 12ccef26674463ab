package main

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/juece/juece/internal/lawfulpath"
)

// expertPanel runs a case's expert panel over HTTP as the people involved
// do (issue 11 item 4): the general office enters three experts in the
// government's pool, the unit draws them, each expert declares and signs an
// opinion through their own personal links, the unit disposes of each
// opinion and generates the adoption report. The expert_review task can
// then complete from the record.
func (e *e2e) expertPanel(caseID string) {
	e.t.Helper()
	for i := 0; i < 3; i++ {
		in := map[string]any{"government": "yiyang", "name": fmt.Sprintf("论证专家%s%d", caseID[:4], i), "fields": []string{lawfulpath.ExpertPanelField}}
		if i == 2 {
			in["differing_view"] = true
		}
		if code := e.call("meeting_secretary", "POST", "/api/v1/experts", in, nil); code != 201 {
			e.t.Fatalf("add expert: %d", code)
		}
	}
	var draw struct {
		Picked []string `json:"picked"`
	}
	if code := e.call("department_officer", "POST", "/api/v1/cases/"+caseID+"/expert-panel/draws",
		map[string]any{"field": lawfulpath.ExpertPanelField, "size": 3}, &draw); code != 201 {
		e.t.Fatalf("draw: %d", code)
	}
	for _, id := range draw.Picked {
		var ex struct {
			Name string `json:"name"`
		}
		e.call("department_officer", "GET", "/api/v1/experts/"+id, nil, &ex)
		var links struct {
			Declaration struct{ Path string } `json:"declaration"`
			Opinion     struct{ Path string } `json:"opinion"`
		}
		if code := e.call("department_officer", "POST", "/api/v1/cases/"+caseID+"/expert-panel/links", map[string]any{"expert_id": id}, &links); code != 201 {
			e.t.Fatalf("links: %d", code)
		}
		e.linkPost(links.Declaration.Path, url.Values{"direct_interest": {"no"}, "commitment": {"yes"}, "signed_name": {ex.Name}})
		e.linkPost(links.Opinion.Path, url.Values{"necessity": {"确有必要"}, "feasibility": {"技术可行"}, "scientific": {"依据充分"},
			"independent": {"yes"}, "signed_name": {ex.Name}})
		if code := e.call("department_officer", "POST", "/api/v1/cases/"+caseID+"/expert-panel/opinions/"+id+"/disposition",
			map[string]any{"disposition": "adopted"}, nil); code != 200 {
			e.t.Fatalf("dispose: %d", code)
		}
	}
	if code := e.call("department_officer", "POST", "/api/v1/cases/"+caseID+"/expert-panel/report", nil, nil); code != 201 {
		e.t.Fatalf("report: %d", code)
	}
}

// linkPost submits a personal link's form as its holder.
func (e *e2e) linkPost(path string, f url.Values) {
	e.t.Helper()
	resp, err := http.Post(e.api+path, "application/x-www-form-urlencoded", strings.NewReader(f.Encode()))
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		e.t.Fatalf("POST %s: %d %.300s", path, resp.StatusCode, b)
	}
}
