package db

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

// tricky are strings that exercise every branch of JSON string encoding.
var tricky = []string{"", "plain", "宜阳县<&>", "\"quote\" \\back\\", "\b\f\n\r\t\x00\x1f\x7f", "\u2028\u2029", "bad\xffutf8\xc3",
	"emoji 😀", "</script>", "\u00e9\u0301", "a\x00b"}

// appendCanonical must give Canonical's bytes for every event whose data is
// stored canonically; VerifyChain relies on it to skip the slow path.
func TestAppendCanonicalIsCanonical(t *testing.T) {
	datas := []string{``, `{}`, `null`, `[]`, `{"b":1,"a":[1.50,-0,1e3,"x"]}`, `{"form":{"opinion":"合法 <ok> & \u2028"},"n":12345678901234567890}`,
		`"s"`, `{"z":{"y":{"x":[true,false,null]}}}`}
	at := time.Date(2026, 3, 2, 10, 0, 0, 123456789, time.FixedZone("CST", 8*3600))
	n := 0
	for _, s := range tricky {
		for _, d := range datas {
			e := AuditEvent{CaseID: "c-" + s, Seq: int64(n), EventKey: s, At: at, Action: "a" + s, ActorID: s, ActorName: s + "名",
				ActorRole: s, ActorOrg: s, OnBehalfOf: s, TaskID: s, RequestID: s, ClientAddr: s}
			if d != "" {
				c, err := canonicalJSON(json.RawMessage(d))
				if err != nil {
					t.Fatal(err)
				}
				e.Data = c
			}
			want, err := e.Canonical()
			if err != nil {
				t.Fatal(err)
			}
			if got := e.appendCanonical(nil); !bytes.Equal(got, want) {
				t.Fatalf("appendCanonical(%q, %q)\n got %s\nwant %s", s, d, got, want)
			}
			n++
		}
	}
}

func FuzzAppendCanonical(f *testing.F) {
	for i, s := range tricky {
		f.Add(s, s+"x", int64(i), []byte(`{"k":"`+s+`"}`))
	}
	f.Add("task.completed.initiation", "张伟", int64(-1), []byte(`{"form":{"a":[1,2.5e-3]}}`))
	f.Fuzz(func(t *testing.T, a, b string, seq int64, data []byte) {
		if !json.Valid(data) {
			return
		}
		c, err := canonicalJSON(data)
		if err != nil {
			return
		}
		e := AuditEvent{CaseID: a, Seq: seq, EventKey: b, At: time.Unix(seq%1e10, seq%1e9), Action: a, ActorID: b, ActorName: a,
			ActorRole: b, ActorOrg: a, OnBehalfOf: b, TaskID: a, RequestID: b, ClientAddr: a, Data: c}
		want, err := e.Canonical()
		if err != nil {
			return
		}
		if got := e.appendCanonical(nil); !bytes.Equal(got, want) {
			t.Fatalf("appendCanonical\n got %s\nwant %s", got, want)
		}
	})
}
