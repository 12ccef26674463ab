package rules_test

import (
	"strings"
	"testing"
	"time"

	"github.com/juece/juece/workflows/rules"
)

var shanghai = time.FixedZone("Asia/Shanghai", 8*60*60)

// date is a civil date "YYYY-MM-DD".
func date(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

// at is an instant "YYYY-MM-DD hh:mm" in Beijing time.
func at(s string) time.Time {
	d, err := time.ParseInLocation("2006-01-02 15:04", s, shanghai)
	if err != nil {
		panic(err)
	}
	return d
}

// expect asserts that got is nil when id is "" (accepted), and otherwise a
// blocking violation of rule id carrying the catalogue's citation and both
// messages.
func expect(t *testing.T, got *rules.Violation, id string) {
	t.Helper()
	if id == "" {
		if got != nil {
			t.Fatalf("accepted step refused: %+v", *got)
		}
		return
	}
	if got == nil {
		t.Fatalf("refused step accepted; want %s", id)
	}
	if got.Warning {
		t.Fatalf("got a warning, want a refusal by %s: %+v", id, *got)
	}
	checkViolation(t, *got, id)
}

// expectWarning asserts a warning (never a block) of rule id.
func expectWarning(t *testing.T, got *rules.Violation, id string) {
	t.Helper()
	if got == nil {
		t.Fatalf("no warning; want one from %s", id)
	}
	if !got.Warning {
		t.Fatalf("got a refusal, want a warning from %s: %+v", id, *got)
	}
	checkViolation(t, *got, id)
}

// expectN asserts exactly n blocking violations, all of rule id.
func expectN(t *testing.T, got []rules.Violation, id string, n int) {
	t.Helper()
	if len(got) != n {
		t.Fatalf("got %d violations, want %d of %s: %+v", len(got), n, id, got)
	}
	for _, v := range got {
		if v.Warning {
			t.Fatalf("got a warning, want refusals by %s: %+v", id, v)
		}
		checkViolation(t, v, id)
	}
}

func checkViolation(t *testing.T, v rules.Violation, id string) {
	t.Helper()
	r, ok := rules.Lookup(id)
	if !ok {
		t.Fatalf("%s is not in the catalogue", id)
	}
	if v.Rule != id || v.Citation != r.Citation {
		t.Fatalf("violation %s %q, want %s %q", v.Rule, v.Citation, id, r.Citation)
	}
	if strings.TrimSpace(v.Message) == "" || strings.TrimSpace(v.EN) == "" {
		t.Fatalf("%s: violation without ZH or EN message: %+v", id, v)
	}
}

// messages joins the Chinese messages, for asserting what a list names.
func messages(vs []rules.Violation) string {
	var b strings.Builder
	for _, v := range vs {
		b.WriteString(v.Message)
		b.WriteByte('\n')
	}
	return b.String()
}
