package server_test

import "testing"

// TestInstitutionRegister: a credit code is validated (GB 32100-2015) as a
// field error; the same code under another spelling of the name is the
// registered institution, not a second one.
func TestInstitutionRegister(t *testing.T) {
	s := newStack(t)
	type inst struct {
		ID         string `json:"id"`
		Name       string `json:"name"`
		CreditCode string `json:"credit_code"`
		Created    bool   `json:"created"`
	}
	var a inst
	if code := s.do("department_officer", "POST", "/api/v1/institutions", map[string]any{
		"credit_code": "91350100m000100y43", "name": "洛阳X研究院", "kind": "research_institute"}, &a); code != 201 || !a.Created || a.CreditCode != "91350100M000100Y43" {
		t.Fatalf("register: %d %+v", code, a)
	}
	var b inst
	if code := s.do("meeting_secretary", "POST", "/api/v1/institutions", map[string]any{
		"credit_code": "91350100M000100Y43", "name": "洛阳市X研究院", "kind": "research_institute"}, &b); code != 200 || b.Created || b.ID != a.ID || b.Name != "洛阳X研究院" {
		t.Fatalf("same code, other name: %d %+v, want the first record", code, b)
	}
	var p problem
	if code := s.do("department_officer", "POST", "/api/v1/institutions", map[string]any{
		"credit_code": "91350100M000100Y44", "name": "某机构", "kind": "consultancy"}, &p); code != 400 || len(p.Fields) != 1 || p.Fields[0].Field != "credit_code" {
		t.Fatalf("bad check character: %d %+v, want 400 with field credit_code", code, p)
	}
	if code := s.do("department_officer", "POST", "/api/v1/institutions", map[string]any{
		"register_issuer": "香港公司注册处", "register_id": "1234567", "name": "某境外机构", "kind": "consultancy"}, &a); code != 201 {
		t.Fatalf("register ID: %d", code)
	}
	if code := s.do("auditor", "POST", "/api/v1/institutions", map[string]any{
		"credit_code": "91110000802100433B", "name": "某公司", "kind": "enterprise"}, &p); code != 403 {
		t.Fatalf("auditor registers: %d, want 403", code)
	}
	var list struct {
		Institutions []inst `json:"institutions"`
	}
	if code := s.do("auditor", "GET", "/api/v1/institutions?q=X研究", nil, &list); code != 200 || len(list.Institutions) != 1 || list.Institutions[0].ID != b.ID {
		t.Fatalf("search: %d %+v", code, list)
	}
	if code := s.do("auditor", "GET", "/api/v1/institutions?q=91350100m000100y43", nil, &list); code != 200 || len(list.Institutions) != 1 {
		t.Fatalf("search by code: %d %+v", code, list)
	}
}
