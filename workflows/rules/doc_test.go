package rules_test

import (
	"bytes"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/juece/juece/workflows/rules"
)

// docPath is the generated rule catalogue, relative to this package.
const docPath = "../../docs/rules.md"

var updateDoc = flag.Bool("update", false, "rewrite "+docPath+" from the catalogue")

// TestGenerateRulesDoc builds docs/rules.md from the catalogue and the tests
// named after each rule, anywhere in the repository. With -update (or
// UPDATE_RULES_DOC=1) it writes the file; otherwise it fails when the
// committed file differs, so the document cannot go stale. It also fails if
// a rule has no test — every kind but NOTE (a remark, not a behaviour): a
// lawyer reading the document must be able to find, for every check, timer,
// duty, record and publication, the test that proves it.
func TestGenerateRulesDoc(t *testing.T) {
	byKey := scanTests(t)
	tests := ruleTests(byKey)
	scenarios := scenarioTests(t, byKey)
	doc := renderDoc(tests, scenarios)

	for _, r := range rules.Catalogue {
		if needsTest(r.Kind, r.Also) && len(tests[r.ID]) == 0 {
			t.Errorf("%s is a %s rule without a test named Test%s_…", r.ID, r.Kind, key(r.ID))
		}
	}
	// Every given/when/then scenario of spec §9 is an automated test.
	for _, sc := range scenarios {
		if len(sc.tests) == 0 {
			t.Errorf("scenario %s has no test named Test…%s_…", sc.id, key(sc.id))
		}
	}

	if *updateDoc || os.Getenv("UPDATE_RULES_DOC") == "1" {
		if err := os.MkdirAll(filepath.Dir(docPath), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(docPath, doc, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	have, err := os.ReadFile(docPath)
	if err != nil || !bytes.Equal(have, doc) {
		t.Fatalf("%s is missing or stale (%v): regenerate it with\n\tUPDATE_RULES_DOC=1 go test ./workflows/rules -run TestGenerateRulesDoc", docPath, err)
	}
}

// needsTest says whether a rule of kind (and also) must have a test: every
// kind but a NOTE. GATE, VALIDATION, TIMER and DUTY rules always do.
func needsTest(kind, also rules.Kind) bool {
	return kind != rules.Note || (also != "" && also != rules.Note)
}

// TestRulesDocCoversSpec reads docs/rules.md as a reader would, against the
// spec itself rather than the catalogue: every rule ID of procedure.md has
// its section; every GATE, VALIDATION, TIMER or DUTY rule (and every other
// rule but a NOTE) names at least one test; and each test it names is a
// function of the file it names.
func TestRulesDocCoversSpec(t *testing.T) {
	doc, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	sections := map[string][]testRef{}
	var cur string
	refRe := regexp.MustCompile("^  - `(Test[A-Za-z0-9_]+)` in (\\S+)")
	for _, line := range strings.Split(string(doc), "\n") {
		if id, ok := strings.CutPrefix(line, "## "); ok {
			cur = id
			sections[cur] = nil
			continue
		}
		if strings.HasPrefix(line, "# ") {
			cur = "" // the scenarios' part
		}
		if m := refRe.FindStringSubmatch(line); m != nil && cur != "" {
			sections[cur] = append(sections[cur], testRef{Name: m[1], Path: m[2]})
		}
	}
	files := map[string]string{}
	for _, row := range readSpec(t) {
		refs, ok := sections[row.ID]
		switch {
		case !ok:
			t.Errorf("docs/rules.md has no section for %s", row.ID)
			continue
		case len(refs) == 0 && needsTest(row.Kind, row.Also):
			t.Errorf("docs/rules.md names no test for %s, a %s rule", row.ID, row.Kind)
		}
		for _, ref := range refs {
			src, seen := files[ref.Path]
			if !seen {
				b, err := os.ReadFile(filepath.Join("..", "..", filepath.FromSlash(ref.Path)))
				if err != nil {
					t.Errorf("%s: test file %s: %v", row.ID, ref.Path, err)
				}
				src = string(b)
				files[ref.Path] = src
			}
			if !strings.Contains(src, "\nfunc "+ref.Name+"(t *testing.T)") {
				t.Errorf("%s: docs/rules.md names %s in %s, which has no such test", row.ID, ref.Name, ref.Path)
			}
		}
	}
}

// key is a rule ID as test names spell it: R-PP-04 → RPP04.
func key(id string) string { return strings.ReplaceAll(id, "-", "") }

// testRef is one test that exercises a rule.
type testRef struct {
	Path, Name string
	Via        string // the related rule it is named after, if not this one
}

var testFuncRe = regexp.MustCompile(`(?m)^func (Test[A-Za-z0-9_]+)\(`)

// scanTests finds the test functions of the repository by the rule and
// scenario keys in their names: TestRPP04_… or, for a test of several rules
// or scenarios, …_RPP04_TS06_… before its description.
func scanTests(t *testing.T) map[string][]testRef {
	t.Helper()
	byKey := map[string][]testRef{}
	root := filepath.Join("..", "..")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path != root && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "vendor" || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		for _, m := range testFuncRe.FindAllStringSubmatch(string(src), -1) {
			segs := strings.Split(strings.TrimPrefix(m[1], "Test"), "_")
			for _, s := range segs[:len(segs)-1] {
				byKey[s] = append(byKey[s], testRef{Path: filepath.ToSlash(rel), Name: m[1]})
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("scan tests: %v", err)
	}
	return byKey
}

// ruleTests gives each rule its tests. A rule that is the detail of a master
// gate shares the gate's tests and the gate its details', since one function
// implements both.
func ruleTests(byKey map[string][]testRef) map[string][]testRef {
	out := map[string][]testRef{}
	for _, r := range rules.Catalogue {
		refs := slices.Clone(byKey[key(r.ID)])
		for _, other := range rules.Catalogue {
			related := (r.Gate != "" && other.ID == r.Gate) || (other.Gate == r.ID)
			if !related {
				continue
			}
			for _, ref := range byKey[key(other.ID)] {
				ref.Via = other.ID
				refs = append(refs, ref)
			}
		}
		slices.SortFunc(refs, func(a, b testRef) int {
			if c := strings.Compare(a.Via, b.Via); c != 0 {
				return c
			}
			if c := strings.Compare(a.Path, b.Path); c != 0 {
				return c
			}
			return strings.Compare(a.Name, b.Name)
		})
		out[r.ID] = slices.CompactFunc(refs, func(a, b testRef) bool { return a == b })
	}
	return out
}

// scenario is one given/when/then scenario of spec §9 and its tests.
type scenario struct {
	id, title string
	tests     []testRef
}

var scenarioRe = regexp.MustCompile(`(?m)^\*\*(TS-\d\d): (.+?)\*\*`)

// scenarioTests lists the scenarios of spec §9 with the tests named after them.
func scenarioTests(t *testing.T, byKey map[string][]testRef) []scenario {
	t.Helper()
	spec, err := os.ReadFile(filepath.Join("..", "..", "docs", "spec", "procedure.md"))
	if err != nil {
		t.Fatalf("read spec: %v", err)
	}
	var out []scenario
	for _, m := range scenarioRe.FindAllStringSubmatch(string(spec), -1) {
		refs := slices.Clone(byKey[key(m[1])])
		slices.SortFunc(refs, func(a, b testRef) int { return strings.Compare(a.Path+a.Name, b.Path+b.Name) })
		out = append(out, scenario{id: m[1], title: m[2], tests: refs})
	}
	if len(out) == 0 {
		t.Fatal("no scenarios found in spec §9")
	}
	return out
}

func renderDoc(tests map[string][]testRef, scenarios []scenario) []byte {
	var b bytes.Buffer
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	counts := map[rules.Kind]int{}
	policy, tested := 0, 0
	for _, r := range rules.Catalogue {
		counts[r.Kind]++
		if r.Policy {
			policy++
		}
		if len(tests[r.ID]) > 0 {
			tested++
		}
	}
	p("# Juece rule catalogue 规则目录\n\n")
	p("<!-- Generated by TestGenerateRulesDoc (workflows/rules/doc_test.go) from rules.Catalogue. Do not edit:\n")
	p("     UPDATE_RULES_DOC=1 go test ./workflows/rules -run TestGenerateRulesDoc -->\n\n")
	p("Every rule of the procedure specification (`docs/spec/procedure.md`, a copy of `shared/spec/procedure.md`), in spec order, with its kind, ")
	p("verification status (§0.1), citation, the function that enforces it and the tests that prove it. ")
	p("Rules marked **policy** rest wholly or partly on a design decision [D] or an unverified source [U]: ")
	p("organisational policy, configurable through `rules.Policy`, not law.\n\n")
	p("%d rules:", len(rules.Catalogue))
	for _, k := range rules.Kinds {
		if counts[k] > 0 {
			p(" %d %s,", counts[k], k)
		}
	}
	b.Truncate(b.Len() - 1)
	p(". %d are policy; %d have tests.\n", policy, tested)
	for _, r := range rules.Catalogue {
		kind := string(r.Kind)
		if r.Also != "" {
			kind += " / " + string(r.Also)
		}
		if r.Gate != "" {
			kind += " (" + r.Gate + ")"
		}
		p("\n## %s\n\n", r.ID)
		p("- Kind: %s · Status: %s", kind, r.Status)
		if r.Policy {
			p(" · **policy** (组织政策)")
		}
		p("\n- Citation: %s\n", r.Citation)
		p("- 规则: %s\n", r.ZH)
		p("- Rule: %s\n", r.EN)
		switch {
		case r.Func != "" && r.ImplementedIn != "":
			p("- Implemented by: `%s` (workflows/rules); %s\n", strings.Join(splitFuncs(r.Func), "`, `"), r.ImplementedIn)
		case r.Func != "":
			p("- Implemented by: `%s` (workflows/rules)\n", strings.Join(splitFuncs(r.Func), "`, `"))
		case r.ImplementedIn != "":
			p("- Implemented in: %s\n", r.ImplementedIn)
		default:
			p("- Implemented by: none here (%s is not a check)\n", r.Kind)
		}
		refs := tests[r.ID]
		if len(refs) == 0 {
			p("- Tests: none\n")
			continue
		}
		p("- Tests:\n")
		for _, ref := range refs {
			via := ""
			if ref.Via != "" {
				via = " (via " + ref.Via + ")"
			}
			p("  - `%s` in %s%s\n", ref.Name, ref.Path, via)
		}
	}
	p("\n# Scenarios of spec §9\n\n")
	p("Each given/when/then scenario and the tests that run it. Tests in `server/` and at the repository root run over HTTP ")
	p("against the real stack (PostgreSQL, Temporal dev server, worker); `workflows/` tests run the Case workflow in the SDK's ")
	p("test environment; `workflows/rules` and `db/calendar` tests call the rule or the clock directly.\n")
	for _, sc := range scenarios {
		p("\n## %s: %s\n\n", sc.id, sc.title)
		for _, ref := range sc.tests {
			p("- `%s` in %s\n", ref.Name, ref.Path)
		}
	}
	return b.Bytes()
}
