package participation

import (
	"strings"
	"testing"
)

// FuzzSplitClauses: any draft a unit uploads splits without panicking, the
// same way every time (a crash and a second split store the same rows),
// into clauses numbered 1, 2, … whose bodies come from the draft.
func FuzzSplitClauses(f *testing.F) {
	for _, s := range []string{"", "第一章　总则\n第一条　为了规范。\n第二条 本办法适用于。\n第二款", "一、目标\n二、措施", "\ufeff第1条\r\n甲\r乙", "第十条第十条\n\n\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		d := SplitClauses(text)
		again := SplitClauses(text)
		if len(d.Clauses) != len(again.Clauses) || d.Preamble != again.Preamble {
			t.Fatalf("split twice differently: %d / %d clauses", len(d.Clauses), len(again.Clauses))
		}
		for i, c := range d.Clauses {
			if c.No != i+1 {
				t.Fatalf("clause %d numbered %d", i+1, c.No)
			}
			if c.Label == "" {
				t.Fatalf("clause %d has no label", c.No)
			}
			if c.Body != again.Clauses[i].Body || c.Label != again.Clauses[i].Label || c.Heading != again.Clauses[i].Heading {
				t.Fatalf("clause %d differs between splits", c.No)
			}
			for _, line := range strings.Split(c.Body, "\n") {
				if line != "" && !strings.Contains(text, strings.TrimSpace(line)) {
					t.Fatalf("clause %d holds %q, which is not in the draft", c.No, line)
				}
			}
		}
	})
}

// FuzzReceiptNumber: whatever a citizen types, a receipt number that parses
// is 16 base32 characters and formats back to what parses the same.
func FuzzReceiptNumber(f *testing.F) {
	for _, s := range []string{"ABCD-EFGH-JKLM-NPQR", " abcd efgh jklm npqr ", "", "ABCD", "ÀBCD-EFGH-JKLM-NPQR", "ABCD\u3000EFGH-JKLM-NPQR"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, typed string) {
		n, ok := ReceiptNumber(typed)
		if !ok {
			return
		}
		if len(n) != 16 || strings.Trim(n, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") != "" {
			t.Fatalf("%q parsed as %q", typed, n)
		}
		if back, ok := ReceiptNumber(FormatReceipt(n)); !ok || back != n {
			t.Fatalf("%q formats as %q, which parses as %q %v", n, FormatReceipt(n), back, ok)
		}
	})
}
