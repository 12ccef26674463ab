package main

import (
	"context"
	"io"
	"testing"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/dbtest"
)

// `juece users add` configures an auditor's reach: their government by
// default, --reach another root, --reach-all everything; only auditors.
func TestUsersAddReach(t *testing.T) {
	url := dbtest.URL(t)
	cfg := Config{DatabaseURL: url}
	ctx := context.Background()
	s, err := openStore(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.SeedDemo(ctx, nil); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"add", "--name", "审计甲", "--role", "auditor", "--org", "yiyang-audit", "--handle", "sj1"},
		{"add", "--name", "审计乙", "--role", "auditor", "--org", "yiyang-audit", "--handle", "sj2", "--reach", "luoyang"},
		{"add", "--name", "审计丙", "--role", "auditor", "--org", "yiyang-audit", "--handle", "sj3", "--reach-all"},
	} {
		if err := runUsers(ctx, cfg, args, io.Discard); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
	}
	for _, bad := range [][]string{
		{"add", "--name", "甲", "--role", "department_officer", "--org", "yiyang-nrb", "--reach", "luoyang"},
		{"add", "--name", "乙", "--role", "auditor", "--org", "yiyang-audit", "--reach", "nowhere"},
		{"add", "--name", "丙", "--role", "auditor", "--org", "yiyang-audit", "--reach", "luoyang", "--reach-all"},
	} {
		if err := runUsers(ctx, cfg, bad, io.Discard); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
	var got []string
	if err := s.DB.SelectContext(ctx, &got, `SELECT user_reach(id) FROM users WHERE handle IN ('sj1', 'sj2', 'sj3') ORDER BY handle`); err != nil {
		t.Fatal(err)
	}
	if want := []string{"yiyang", "luoyang", db.ReachAll}; len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("reaches %v, want %v", got, want)
	}
}
