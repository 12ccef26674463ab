package rules_test

import (
	"bufio"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/juece/juece/workflows/rules"
)

// specPath is the copy of the legal specification kept in the repository, so
// a fresh clone checks the catalogue on its own. A missing spec fails the
// tests: the catalogue must never be checked against nothing.
const specPath = "../../docs/spec/procedure.md"

// sharedSpecPath is the specification as published beside the repository
// (../shared); when present, the copy must be identical.
const sharedSpecPath = "../../../shared/spec/procedure.md"

func TestSpecCopyIsCurrent(t *testing.T) {
	shared, err := os.ReadFile(sharedSpecPath)
	if os.IsNotExist(err) {
		t.Skipf("%s is not beside this checkout; the copy in docs/spec is used", sharedSpecPath)
	}
	if err != nil {
		t.Fatal(err)
	}
	copied, err := os.ReadFile(specPath)
	if err != nil {
		t.Fatal(err)
	}
	if string(shared) != string(copied) {
		t.Fatalf("docs/spec/procedure.md differs from %s: copy the new spec and update the catalogue", sharedSpecPath)
	}
}

// specRow is one rule row of a catalogue table in the spec.
type specRow struct {
	ID      string
	Kind    rules.Kind
	Also    rules.Kind
	Gate    string
	Tags    []string // verification tags anywhere in the row
	SrcTags []string // tags of the Source column (the whole row if it has none)
}

var (
	rowRe     = regexp.MustCompile(`^\| ([GR]-[A-Z0-9-]+) \|`)
	bracketRe = regexp.MustCompile(`\[([^\]]*)\]`)
	tokenRe   = regexp.MustCompile(`[\s,;:/()*—\-]+`)
	kindGate  = regexp.MustCompile(`^(.*?)\s*\((G-[A-Z0-9-]+)\)$`)
)

// tagOrder is the order Rule.Status lists tags in.
var tagOrder = []string{"N✔", "H✔", "O✔", "L✔", "U", "D"}

func tagsOf(s string) []string {
	var out []string
	for _, b := range bracketRe.FindAllStringSubmatch(s, -1) {
		for _, tok := range tokenRe.Split(b[1], -1) {
			if slices.Contains(tagOrder, tok) && !slices.Contains(out, tok) {
				out = append(out, tok)
			}
		}
	}
	return out
}

// readSpec parses the rule rows of the spec, in order of first appearance.
func readSpec(t *testing.T) []specRow {
	t.Helper()
	f, err := os.Open(specPath)
	if err != nil {
		t.Fatalf("the spec must be readable at %s: %v", specPath, err)
	}
	defer f.Close()
	var rows []specRow
	seen := map[string]bool{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		m := rowRe.FindStringSubmatch(line)
		if m == nil || seen[m[1]] {
			continue
		}
		seen[m[1]] = true
		cols := strings.Split(strings.Trim(strings.TrimSpace(line), "|"), "|")
		for i := range cols {
			cols[i] = strings.TrimSpace(cols[i])
		}
		r := specRow{ID: m[1], Tags: tagsOf(line)}
		if strings.HasPrefix(r.ID, "G-") {
			r.Kind = rules.Gate // §3.1: the master gate list has no kind column
		} else {
			kind := cols[1]
			if g := kindGate.FindStringSubmatch(kind); g != nil {
				kind, r.Gate = g[1], g[2]
			}
			kind = strings.TrimSuffix(kind, " (SLA)")
			parts := strings.Split(kind, " / ")
			r.Kind = rules.Kind(parts[0])
			if len(parts) > 1 {
				r.Also = rules.Kind(parts[1])
			}
		}
		r.SrcTags = r.Tags
		if len(cols) > 3 && len(tagsOf(cols[3])) > 0 {
			r.SrcTags = tagsOf(cols[3])
		}
		rows = append(rows, r)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(rows) < 100 {
		t.Fatalf("found only %d rule rows in %s: the table format changed?", len(rows), specPath)
	}
	return rows
}

func TestCatalogueCoversSpec(t *testing.T) {
	spec := readSpec(t)
	var specIDs, catIDs []string
	for _, r := range spec {
		specIDs = append(specIDs, r.ID)
	}
	for _, r := range rules.Catalogue {
		if slices.Contains(catIDs, r.ID) {
			t.Errorf("%s is in the catalogue twice", r.ID)
		}
		catIDs = append(catIDs, r.ID)
	}
	for _, id := range specIDs {
		if !slices.Contains(catIDs, id) {
			t.Errorf("spec rule %s is missing from the catalogue", id)
		}
	}
	for _, id := range catIDs {
		if !slices.Contains(specIDs, id) {
			t.Errorf("catalogue rule %s is not in the spec", id)
		}
	}
	if !t.Failed() && !slices.Equal(specIDs, catIDs) {
		t.Errorf("catalogue order differs from spec order:\n spec %v\n cat  %v", specIDs, catIDs)
	}
}

// TestCatalogueMatchesSpecRows checks each entry against its row: kinds and
// master gate as the spec writes them, the verification tags, and Policy
// consistent with them (a rule is labelled policy only if its row carries
// [D] or [U], and always if its source does).
func TestCatalogueMatchesSpecRows(t *testing.T) {
	for _, row := range readSpec(t) {
		r, ok := rules.Lookup(row.ID)
		if !ok {
			continue // TestCatalogueCoversSpec reports it
		}
		if r.Kind != row.Kind || r.Also != row.Also || r.Gate != row.Gate {
			t.Errorf("%s: kind %q/%q gate %q, spec says %q/%q gate %q", r.ID, r.Kind, r.Also, r.Gate, row.Kind, row.Also, row.Gate)
		}
		status := strings.Split(r.Status, "+")
		if len(row.Tags) > 0 {
			var want []string
			for _, tag := range tagOrder {
				if slices.Contains(row.Tags, tag) {
					want = append(want, tag)
				}
			}
			if r.Status != strings.Join(want, "+") {
				t.Errorf("%s: status %q, spec row has %q", r.ID, r.Status, strings.Join(want, "+"))
			}
		} else if r.Status == "" {
			t.Errorf("%s: untagged row needs a status from its section", r.ID)
		}
		for _, s := range status {
			if !slices.Contains(tagOrder, s) {
				t.Errorf("%s: unknown status tag %q", r.ID, s)
			}
		}
		policyTagged := slices.Contains(status, "D") || slices.Contains(status, "U")
		if r.Policy && !policyTagged {
			t.Errorf("%s: labelled policy but its row has no [D] or [U]", r.ID)
		}
		if (slices.Contains(row.SrcTags, "D") || slices.Contains(row.SrcTags, "U")) && !r.Policy {
			t.Errorf("%s: its source is [D]/[U] but it is not labelled policy", r.ID)
		}
		if r.Gate != "" {
			if g, ok := rules.Lookup(r.Gate); !ok || g.Kind != rules.Gate {
				t.Errorf("%s: gate %s is not a catalogue gate", r.ID, r.Gate)
			}
		}
	}
}

// TestCatalogueFunctionsExist keeps Rule.Func honest: every function a rule
// names is an exported function of this package, and every rule of a
// checking kind names one or where it lives.
func TestCatalogueFunctionsExist(t *testing.T) {
	funcs := packageFuncs(t)
	for _, r := range rules.Catalogue {
		for _, name := range splitFuncs(r.Func) {
			if !funcs[name] {
				t.Errorf("%s names %s, which this package does not define", r.ID, name)
			}
		}
		checking := r.Is(rules.Gate) || r.Is(rules.Validation) || r.Is(rules.Timer) || r.Is(rules.Duty)
		if checking && r.Func == "" && r.ImplementedIn == "" {
			t.Errorf("%s is a %s rule with no implementation named", r.ID, r.Kind)
		}
	}
}

func splitFuncs(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// packageFuncs lists the exported functions of the package's non-test files.
func packageFuncs(t *testing.T) map[string]bool {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Name.IsExported() {
				out[fd.Name.Name] = true
			}
		}
	}
	return out
}

func TestLookup(t *testing.T) {
	if r, ok := rules.Lookup("R-PP-04"); !ok || r.ID != "R-PP-04" || r != rules.RPP04 {
		t.Fatalf("Lookup(R-PP-04) = %+v, %v", r, ok)
	}
	if _, ok := rules.Lookup("R-PP-09"); ok {
		t.Fatal("Lookup found R-PP-09, which the spec does not define")
	}
}
