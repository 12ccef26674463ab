package db_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/juece/juece/db"
)

// render writes a diff as "+path=new", "-path=old", "~path=old→new" lines in
// the diff's own order, for readable expectations.
func render(d db.FormDiff) string {
	var out []string
	for _, c := range d.Added {
		out = append(out, fmt.Sprintf("+%s=%s", c.Path, c.New))
	}
	for _, c := range d.Removed {
		out = append(out, fmt.Sprintf("-%s=%s", c.Path, c.Old))
	}
	for _, c := range d.Changed {
		out = append(out, fmt.Sprintf("~%s=%s→%s", c.Path, c.Old, c.New))
	}
	return strings.Join(out, " ")
}

func TestDiffJSON(t *testing.T) {
	for _, c := range []struct {
		name, old, new, want string
	}{
		{"same form, other key order", `{"a":1,"b":{"c":"x"}}`, `{"b":{"c":"x"},"a":1}`, ``},
		{"scalar changed", `{"outcome":"fail","opinion":"不合法"}`, `{"outcome":"pass","opinion":"不合法"}`, `~outcome="fail"→"pass"`},
		{"field added and removed", `{"gazette":"2026年第12期"}`, `{"website":"https://www.yiyang.gov.cn/a?b=1&c=<d>"}`,
			`+website="https://www.yiyang.gov.cn/a?b=1&c=<d>" -gazette="2026年第12期"`},
		{"array element field changed", `{"statements":[{"member":"李","position":"support"},{"member":"王","position":"support"}]}`,
			`{"statements":[{"member":"李","position":"support"},{"member":"王","position":"oppose"}]}`,
			`~statements[1].position="support"→"oppose"`},
		{"array grew", `{"dissent":["王"]}`, `{"dissent":["王","赵"]}`, `+dissent[1]="赵"`},
		{"array emptied", `{"dissent":["王"]}`, `{"dissent":[]}`, `+dissent=[] -dissent[0]="王"`},
		{"null and false are values", `{"is_head":false,"x":null}`, `{"is_head":true}`, `-x=null ~is_head=false→true`},
		{"numbers as written", `{"n":1}`, `{"n":1.0}`, `~n=1→1.0`},
		{"object became scalar", `{"a":{"b":1}}`, `{"a":"b"}`, `+a="b" -a.b=1`},
		{"odd keys are quoted", `{"a.b":1,"":2,"会议":3}`, `{"a.b":2,"":2,"会议":4}`, `~["a.b"]=1→2 ~会议=3→4`},
		{"empty key", `{"":1}`, `{"":2}`, `~[""]=1→2`},
		{"first submission", ``, `{"opinion":"合法"}`, `+opinion="合法"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			d, err := db.DiffJSON(json.RawMessage(c.old), json.RawMessage(c.new))
			if err != nil {
				t.Fatal(err)
			}
			if got := render(d); got != c.want {
				t.Fatalf("diff:\n got %s\nwant %s", got, c.want)
			}
			if d.Empty() != (c.want == "") {
				t.Fatalf("Empty() = %v for %q", d.Empty(), render(d))
			}
		})
	}
	if _, err := db.DiffJSON(json.RawMessage(`{"a":`), json.RawMessage(`{}`)); err == nil {
		t.Fatal("malformed previous form: no error")
	}
}
