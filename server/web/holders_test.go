package web

import (
	"encoding/json"
	"testing"

	"github.com/juece/juece/db"
)

// TestHoldersOf: 当前在谁手里 lists each organisation of an open task once,
// in order, with the people holding its tasks (the assignee, a delegate, a
// co-reviewer yet to sign, not one who signed) and whether a task of it
// waits unclaimed.
func TestHoldersOf(t *testing.T) {
	s := func(v string) *string { return &v }
	rows := []taskRow{
		{Task: db.Task{AssigneeID: s("u-lina"), DelegateID: s("u-zhou"),
			CoReviewers: json.RawMessage(`[{"user_id":"u-wang","name":"王芳","signed":false},{"user_id":"u-wu","name":"吴刚","signed":true}]`)}, OrgName: "宜阳县司法局"},
		{Task: db.Task{}, OrgName: "宜阳县人民政府办公室"},
		{Task: db.Task{AssigneeID: s("u-lina")}, OrgName: "宜阳县司法局"},
		{Task: db.Task{}, OrgName: "宜阳县司法局"},
	}
	names := map[string]string{"u-lina": "李娜", "u-zhou": "周强"}
	got := holdersOf(rows, names)
	want := []holder{{Org: "宜阳县司法局", People: "李娜、周强、王芳", Pool: true}, {Org: "宜阳县人民政府办公室", Pool: true}}
	if len(got) != len(want) {
		t.Fatalf("holders %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("holder %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if h := holdersOf(nil, names); len(h) != 0 {
		t.Errorf("a case without open tasks is held by %+v", h)
	}
}
