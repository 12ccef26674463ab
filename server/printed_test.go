package server_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/dossier"
	"github.com/juece/juece/server/web/chromium"
)

// pdfText extracts a PDF's text with pdftotext (poppler-utils, which
// `juece setup` installs): a missing tool fails the test, it never skips.
func pdfText(t *testing.T, name string, b []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Fatalf("pdftotext not found (apt-get install poppler-utils; juece setup installs it): %v", err)
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "in.pdf")
	if err := os.WriteFile(in, b, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", in, "-").Output()
	if err != nil {
		t.Fatalf("%s: pdftotext: %v", name, err)
	}
	if dir := os.Getenv("JUECE_PRINT_OUT"); dir != "" {
		_ = os.WriteFile(filepath.Join(dir, name), b, 0o644)
	}
	return string(out)
}

// fetch fetches a path as a role and returns the status, headers and body.
func (s *stack) fetch(role, path string) (int, http.Header, []byte) {
	s.t.Helper()
	req, _ := http.NewRequest("GET", s.url+path, nil)
	req.Header.Set("Authorization", "Bearer "+s.tokens[role])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

// TestPrintedDocuments: each printable document of a case taken through the
// legality review and the meeting prints to a PDF holding the case number,
// the chain head, the verify link and its own Chinese text; no minutes
// before the meeting; the dossier holds the PDFs, listed in the manifest
// and the catalogue with their SHA-256; the offline verifier (what `juece
// verify FILE.zip` runs) passes on it and names the PDF a changed byte is in.
func TestPrintedDocuments(t *testing.T) {
	if _, err := chromium.Path(""); err != nil {
		t.Fatalf("the printed documents need a headless Chromium (juece setup installs it): %v", err)
	}
	s := newStack(t)
	id := s.startCase("宜阳县城区集中供暖价格调整方案")
	s.walk(id, "public_comment_report")
	// Comments received in the period, disposed of, and the adoption
	// report made from the ledger (filed as a PDF document).
	notice, err := s.store.LatestCommentNotice(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var cs []db.PublicComment
	for i, topic := range []string{"收费标准", "收费标准", "供暖时间"} {
		cs = append(cs, db.PublicComment{CaseID: id, NoticeSeq: notice.Seq, Body: fmt.Sprintf("意见%d：建议分档计价", i), Topic: topic})
	}
	if err := s.store.AddComments(context.Background(), cs); err != nil {
		t.Fatal(err)
	}
	for topic, disp := range map[string]map[string]any{
		"收费标准": {"disposition": "not_adopted", "reason": "标准已按成本监审确定"},
		"供暖时间": {"disposition": "adopted", "reason": "延长供暖期至三月二十日"}} {
		disp["topic"] = topic
		if code := s.do("department_officer", "POST", "/api/v1/cases/"+id+"/comments/dispositions", disp, nil); code != 200 {
			t.Fatalf("dispose %s: %d", topic, code)
		}
	}
	if code := s.do("department_officer", "POST", "/api/v1/cases/"+id+"/comments/report", nil, nil); code != 201 {
		t.Fatalf("make the adoption report: %d", code)
	}
	s.walkFrom(id, "public_comment_report", "collective_discussion")

	// Before the meeting: the opinion prints, the minutes do not.
	var p problem
	if code := s.do("auditor", "GET", "/api/v1/cases/"+id+"/print/minutes", nil, &p); code != 409 || p.Code != "not_reached" {
		t.Fatalf("minutes before the meeting: %d %+v, want 409 not_reached", code, p)
	}
	if code := s.do("auditor", "GET", "/api/v1/cases/"+id+"/print/nonsense", nil, &p); code != 404 {
		t.Fatalf("unknown document: %d, want 404", code)
	}
	s.walkFrom(id, "collective_discussion", "")

	var list struct {
		Number    string `json:"number"`
		ChainHead string `json:"chain_head"`
		Documents []struct {
			Key  string `json:"key"`
			Href string `json:"href"`
		} `json:"documents"`
	}
	if code := s.do("auditor", "GET", "/api/v1/cases/"+id+"/print", nil, &list); code != 200 {
		t.Fatalf("print list: %d", code)
	}
	if len(list.Documents) != 5 || list.Number == "" || len(list.ChainHead) != 64 {
		t.Fatalf("print list = %+v, want five documents, the number and the head", list)
	}
	// What each document must say besides the stamp.
	want := map[string][]string{
		"legality-opinion": {"合法性审查意见书", "权限、程序、内容均合法", "审查人：李娜", "法律顾问", "宜阳县司法局"},
		"minutes":          {"常务会议纪要", "2026年12月1日", "补偿标准偏低", "王副县长", "陈静（行政首长）"},
		"approval":         {"重大行政决策审批单", "环节", "办理人", "合法性审查意见", "集体讨论会议记录", "李娜", "宜阳县司法局", "立卷归档"},
		"adoption-report":  {"公众意见研究采纳情况报告", "已逐条研究处理3条", "不予采纳2条", "延长供暖期至三月二十日", "标准已按成本监审确定"},
		"catalogue":        {"卷内目录", "卷内材料", "过程记录", "公众意见研究采纳情况报告.pdf", "宜司法审〔2026〕"},
	}
	texts := map[string]string{}
	for _, d := range list.Documents {
		code, h, b := s.fetch("auditor", d.Href)
		if code != 200 || h.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(string(b), "%PDF-") {
			t.Fatalf("%s: %d %s %.200s", d.Key, code, h.Get("Content-Type"), b)
		}
		if cd := h.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") {
			t.Errorf("%s: Content-Disposition %q, want an attachment", d.Key, cd)
		}
		if h.Get("X-Juece-Chain-Head") != list.ChainHead {
			t.Errorf("%s: printed from head %s, the case's is %s", d.Key, h.Get("X-Juece-Chain-Head"), list.ChainHead)
		}
		text := pdfText(t, d.Key+".pdf", b)
		texts[d.Key] = text
		flat := strings.Join(strings.Fields(text), "")
		for _, w := range append(want[d.Key], list.Number, list.ChainHead, "/cases/"+id+"/verify") {
			if !strings.Contains(flat, strings.Join(strings.Fields(w), "")) {
				t.Errorf("%s: the PDF's text lacks %q:\n%s", d.Key, w, text)
			}
		}
	}
	if len(texts) != 5 {
		t.Fatalf("printed %d documents, want 5", len(texts))
	}
	// The case's own unit may print it; the adoption report stays with
	// the ledger's readers.
	if code, _, _ := s.fetch("department_officer", "/api/v1/cases/"+id+"/print/approval"); code != 200 {
		t.Errorf("the unit printing its route slip: %d, want 200", code)
	}
	if code := s.do("legality_review_officer", "GET", "/api/v1/cases/"+id+"/print/adoption-report", nil, &p); code != 403 {
		t.Errorf("the review office printing the adoption report: %d, want 403", code)
	}
	var theirs struct {
		Documents []struct {
			Key string `json:"key"`
		} `json:"documents"`
	}
	if s.do("legality_review_officer", "GET", "/api/v1/cases/"+id+"/print", nil, &theirs); len(theirs.Documents) != 4 {
		t.Errorf("the review office is offered %+v, want the four documents but the adoption report", theirs.Documents)
	}

	// The dossier: the PDFs under print/, hashed in the manifest.
	code, _, zipped := s.fetch("auditor", "/api/v1/cases/"+id+"/dossier")
	if code != 200 {
		t.Fatalf("dossier: %d %s", code, zipped)
	}
	zr, err := zip.NewReader(bytes.NewReader(zipped), int64(len(zipped)))
	if err != nil {
		t.Fatal(err)
	}
	members := map[string][]byte{}
	for _, f := range zr.File {
		rc, _ := f.Open()
		members[f.Name], _ = io.ReadAll(rc)
		rc.Close()
	}
	var m dossier.Manifest
	if err := json.Unmarshal(members[dossier.ManifestFile], &m); err != nil {
		t.Fatal(err)
	}
	listed := map[string]string{}
	for _, it := range m.Files {
		listed[it.Path] = it.SHA256
	}
	for key := range want {
		path := dossier.PrintDir + key + ".pdf"
		b, ok := members[path]
		if !ok {
			t.Fatalf("the dossier has no %s; it holds %v", path, keys(members))
		}
		sum := sha256.Sum256(b)
		if listed[path] != hex.EncodeToString(sum[:]) {
			t.Errorf("%s: manifest sha256 %q, the file's is %x", path, listed[path], sum)
		}
		flat := strings.Join(strings.Fields(pdfText(t, "dossier-"+key+".pdf", b)), "")
		if !strings.Contains(flat, m.Chain.Head) || !strings.Contains(flat, list.Number) {
			t.Errorf("%s: does not carry the dossier's chain head %s and the number %s", path, m.Chain.Head, list.Number)
		}
	}
	var cat dossier.Catalogue
	if err := json.Unmarshal(members[dossier.CatalogueJSON], &cat); err != nil {
		t.Fatal(err)
	}
	if len(cat.Printed) != 5 {
		t.Errorf("the catalogue lists %d printed documents, want 5: %+v", len(cat.Printed), cat.Printed)
	}
	if !strings.Contains(string(members[dossier.CatalogueHTML]), "打印文书") {
		t.Error("catalogue.html does not list the printed documents")
	}

	// Offline, as `juece verify FILE.zip`: the file alone.
	file := filepath.Join(t.TempDir(), "dossier.zip")
	if err := os.WriteFile(file, zipped, 0o600); err != nil {
		t.Fatal(err)
	}
	rep, err := dossier.VerifyFile(file)
	if err != nil || !rep.OK {
		t.Fatalf("verify: %v %+v", err, rep.Problems)
	}
	// One changed byte in a PDF fails, naming it.
	forged := rewrite(t, zipped, dossier.PrintDir+"minutes.pdf", func(b []byte) []byte {
		i := bytes.Index(b, []byte("/Producer"))
		if i < 0 {
			i = len(b) / 2
		}
		b[i+1] ^= 0x01
		return b
	})
	rep = dossier.Verify(bytes.NewReader(forged), int64(len(forged)))
	if rep.OK || len(rep.Problems) == 0 || rep.Problems[0].File != dossier.PrintDir+"minutes.pdf" {
		t.Fatalf("a changed byte in the minutes' PDF: %+v, want a problem naming print/minutes.pdf", rep)
	}
	// A printed document dropped from the ZIP and the manifest alike is
	// still missed: the catalogue lists it.
	dropped := drop(t, zipped, dossier.PrintDir+"approval.pdf")
	if rep := dossier.Verify(bytes.NewReader(dropped), int64(len(dropped))); rep.OK {
		t.Fatal("a dossier without the route slip it catalogues verifies")
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// rewrite copies a ZIP with one member's bytes changed (the manifest kept).
func rewrite(t *testing.T, zipped []byte, name string, change func([]byte) []byte) []byte {
	t.Helper()
	return rezip(t, zipped, func(n string, b []byte) ([]byte, bool) {
		if n == name {
			return change(b), true
		}
		return b, true
	})
}

// drop copies a ZIP without a member, and without its manifest entry.
func drop(t *testing.T, zipped []byte, name string) []byte {
	t.Helper()
	return rezip(t, zipped, func(n string, b []byte) ([]byte, bool) {
		if n == dossier.ManifestFile {
			var m dossier.Manifest
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
			var files []dossier.ManifestItem
			for _, it := range m.Files {
				if it.Path != name {
					files = append(files, it)
				}
			}
			m.Files = files
			b, _ = json.Marshal(m)
		}
		return b, n != name
	})
}

func rezip(t *testing.T, zipped []byte, each func(string, []byte) ([]byte, bool)) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(zipped), int64(len(zipped)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		b, keep := each(f.Name, b)
		if !keep {
			continue
		}
		w, _ := zw.Create(f.Name)
		w.Write(b)
	}
	zw.Close()
	return buf.Bytes()
}
