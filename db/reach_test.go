package db_test

import (
	"context"
	"testing"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/dbtest"
)

// The reach is computed by the database (migration 00020): an auditor
// reaches their government's subtree (a department's government is its
// nearest non-department ancestor), a configured root replaces it,
// reach_all and admins reach everything, other roles nothing.
func TestReachOfUsers(t *testing.T) {
	s := dbtest.Store(t)
	ctx := context.Background()
	p := func(s string) *string { return &s }
	for _, o := range []db.Organisation{
		{ID: "henan", Name: "河南省人民政府", Level: "province"},
		{ID: "luoyang", Name: "洛阳市人民政府", ParentID: p("henan"), Level: "city"},
		{ID: "luoyang-audit", Name: "洛阳市审计局", ParentID: p("luoyang"), Level: "department"},
		{ID: "yiyang", Name: "宜阳县人民政府", ParentID: p("luoyang"), Level: "county"},
		{ID: "yiyang-audit", Name: "宜阳县审计局", ParentID: p("yiyang"), Level: "department"},
		{ID: "yiyang-nrb", Name: "宜阳县自然资源局", ParentID: p("yiyang"), Level: "department"},
		{ID: "luoning", Name: "洛宁县人民政府", ParentID: p("luoyang"), Level: "county"},
		{ID: "zhengzhou", Name: "郑州市人民政府", ParentID: p("henan"), Level: "city"},
	} {
		if err := s.UpsertOrganisation(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	reach := func(handle, role, org string) string {
		t.Helper()
		_, tok, err := s.CreateUser(ctx, handle, handle, role, org)
		if err != nil {
			t.Fatal(err)
		}
		u, err := s.UserByToken(ctx, tok)
		if err != nil {
			t.Fatal(err)
		}
		return u.Reach
	}
	county := reach("county-auditor", "auditor", "yiyang-audit")
	city := reach("city-auditor", "auditor", "luoyang-audit")
	if county != "yiyang" || city != "luoyang" {
		t.Fatalf("reaches %q %q, want yiyang and luoyang", county, city)
	}
	if r := reach("officer", "department_officer", "yiyang-nrb"); r != "" {
		t.Errorf("an officer's reach is %q", r)
	}
	if r := reach("admin", "admin", "yiyang"); r != db.ReachAll {
		t.Errorf("an admin's reach is %q", r)
	}
	if err := s.SetUserReach(ctx, "county-auditor", p("luoning"), false); err != nil {
		t.Fatal(err)
	}
	if err := s.SetUserReach(ctx, "city-auditor", nil, true); err != nil {
		t.Fatal(err)
	}
	var got []string
	if err := s.DB.SelectContext(ctx, &got, `SELECT user_reach(id) FROM users WHERE handle IN ('county-auditor', 'city-auditor') ORDER BY handle`); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != db.ReachAll || got[1] != "luoning" {
		t.Errorf("configured reaches %v, want [* luoning]", got)
	}
	for _, c := range []struct {
		reach, org string
		in         bool
	}{
		{"yiyang", "yiyang", true}, {"yiyang", "yiyang-nrb", true}, {"yiyang", "luoyang", false}, {"yiyang", "luoning", false},
		{"luoyang", "yiyang-nrb", true}, {"luoyang", "luoning", true}, {"luoyang", "zhengzhou", false}, {"luoyang", "henan", false},
		{"henan", "zhengzhou", true}, {db.ReachAll, "zhengzhou", true}, {"", "yiyang", false},
	} {
		if in, err := s.InReach(ctx, c.reach, c.org); err != nil || in != c.in {
			t.Errorf("InReach(%q, %q) = %v %v, want %v", c.reach, c.org, in, err, c.in)
		}
	}
	if g, err := s.GovernmentOf(ctx, "yiyang-nrb"); err != nil || g != "yiyang" {
		t.Errorf("government of yiyang-nrb: %q %v", g, err)
	}
}
