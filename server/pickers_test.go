package server_test

import (
	"net/http"
	"testing"
)

// TestSignerAndDayAreTheServers: the legal opinion's author and date are the
// signed-in adviser's name and the server's day whatever the client sends:
// another author or another day is a field error (422 invalid_form) and the
// task stays open; sent without them, the opinion is completed and records
// them.
func TestSignerAndDayAreTheServers(t *testing.T) {
	s := newStack(t)
	id := s.startCase("宜阳县城区停车收费调整（签署人）")
	s.walk(id, "legal_opinion")
	task := s.taskOf(id, "legal_opinion")
	for field, form := range map[string]map[string]any{
		"author": {"opinion": "合法", "author": "李娜", "author_role": "legal_adviser", "signed": true},
		"date":   {"opinion": "合法", "author": "王芳", "date": day(-3), "author_role": "legal_adviser", "signed": true},
	} {
		var p problem
		if code := s.complete("legal_advisor", task, form, &p); code != http.StatusUnprocessableEntity || p.Code != "invalid_form" ||
			len(p.Fields) != 1 || p.Fields[0].Field != field {
			t.Errorf("%s: %d %+v, want 422 invalid_form on %s", field, code, p, field)
		}
	}
	var out map[string]any
	if code := s.complete("legal_advisor", task, map[string]any{"opinion": "合法", "author_role": "legal_adviser", "signed": true}, &out); code != 200 {
		t.Fatalf("the opinion without author and date: %d %v", code, out)
	}
	var v struct {
		Form struct {
			Author string `json:"author"`
			Date   string `json:"date"`
		} `json:"form"`
	}
	if code := s.do("legal_advisor", "GET", "/api/v1/tasks/"+task, nil, &v); code != 200 || v.Form.Author != "王芳" || v.Form.Date != day(0) {
		t.Errorf("the completed opinion records %d %+v, want 王芳 and %s", code, v.Form, day(0))
	}
}
