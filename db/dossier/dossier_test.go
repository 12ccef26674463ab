package dossier_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/dbtest"
	"github.com/juece/juece/db/dossier"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// fixture is a case with a few events and two filed documents.
type fixture struct {
	s      *db.Store
	caseID string
	docs   []db.DocumentLink
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	ctx := context.Background()
	s := dbtest.Store(t)
	demo, err := s.SeedDemo(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	u, err := s.UserByToken(ctx, demo[0].Token)
	if err != nil {
		t.Fatal(err)
	}
	id := uuid.NewString()
	now := time.Now()
	actor := db.AuditEvent{ActorID: u.ID, ActorName: u.Name, ActorRole: u.Role, ActorOrg: u.OrgID}
	open := actor
	open.CaseID, open.EventKey, open.At, open.Action, open.Data = id, "open", now, "case.opened", json.RawMessage(`{"title":"宜阳县城区集中供暖价格调整方案 <&>"}`)
	if _, _, err := s.ApplyStep(ctx, db.Step{
		OpenCase: &db.Case{ID: id, WorkflowID: "case-" + id, Title: "宜阳县城区集中供暖价格调整方案", OrganID: "yiyang", UnitID: "yiyang-nrb",
			Profile: "luoyang", State: "initiation", CreatedAt: now},
		Event: open,
	}); err != nil {
		t.Fatal(err)
	}
	f := fixture{s: s, caseID: id}
	for _, d := range []struct {
		name, kind, mediaType string
		content               []byte
	}{{"调价方案.pdf", "draft", "application/pdf", []byte("%PDF-1.4\n供暖价格调整方案\n%%EOF\n")},
		{"法律意见.txt", "opinion", "text/plain; charset=utf-8", []byte("权限、程序、内容均合法。")}} {
		sha, err := s.Blobs().Put(ctx, d.content, d.mediaType)
		if err != nil {
			t.Fatal(err)
		}
		l, _, _, err := s.AttachDocument(ctx, db.DocumentLink{SHA256: sha, CaseID: id, Kind: d.kind, Name: d.name, Stage: "initiation", CreatedBy: u.ID}, actor)
		if err != nil {
			t.Fatal(err)
		}
		f.docs = append(f.docs, l)
	}
	step := actor
	step.CaseID, step.EventKey, step.At, step.Action, step.Data = id, "u1", now, "task.completed.initiation", json.RawMessage(`{"form":{"lead_unit":"yiyang-nrb"}}`)
	if _, _, err := s.ApplyStep(ctx, db.Step{Event: step, State: "legality_review"}); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f fixture) export(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	m, err := dossier.Export(context.Background(), f.s, f.caseID, dossier.Temporal{RunID: "run-1"}, "测试", &buf)
	if err != nil {
		t.Fatal(err)
	}
	if m.Chain.Events != 4 || len(m.Files) != 6 {
		t.Fatalf("manifest = %+v, want 4 events and 6 files", m)
	}
	return buf.Bytes()
}

func verify(b []byte) dossier.Report { return dossier.Verify(bytes.NewReader(b), int64(len(b))) }

// rewrite copies a dossier, letting edit change or drop (nil) each member's
// bytes, and adds extra members. With fixManifest the manifest is recomputed
// afterwards, as a forger who understood the format would.
func rewrite(t *testing.T, b []byte, edit func(name string, data []byte) []byte, extra map[string][]byte, fixManifest bool) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	members := map[string][]byte{}
	var order []string
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		var data bytes.Buffer
		data.ReadFrom(rc)
		rc.Close()
		nd := data.Bytes()
		if edit != nil {
			nd = edit(f.Name, nd)
		}
		if nd != nil {
			members[f.Name] = nd
			order = append(order, f.Name)
		}
	}
	for name, data := range extra {
		members[name] = data
		order = append(order, name)
	}
	if fixManifest {
		var m dossier.Manifest
		if err := json.Unmarshal(members[dossier.ManifestFile], &m); err != nil {
			t.Fatal(err)
		}
		m.Files = nil
		for _, name := range order {
			if name == dossier.ManifestFile {
				continue
			}
			h := sha256.Sum256(members[name])
			m.Files = append(m.Files, dossier.ManifestItem{Path: name, SHA256: hex.EncodeToString(h[:]), Size: int64(len(members[name]))})
		}
		members[dossier.ManifestFile], _ = json.Marshal(m)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, name := range order {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(members[name])
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func wantFirst(t *testing.T, r dossier.Report, file string, seq int64) {
	t.Helper()
	if r.OK || len(r.Problems) == 0 {
		t.Fatalf("verify ok, want a problem with %s", file)
	}
	if p := r.Problems[0]; p.File != file || (seq > 0 && p.Seq != seq) || !strings.Contains(p.Reason, " / ") {
		t.Fatalf("first problem = %+v (all: %+v), want %s seq %d", p, r.Problems, file, seq)
	}
}

func TestExportVerifies(t *testing.T) {
	f := newFixture(t)
	b := f.export(t)
	r := verify(b)
	if !r.OK || r.CaseID != f.caseID || r.Documents != 2 || r.Events != 4 || r.Files != 6 {
		t.Fatalf("report = %+v", r)
	}
	c, _ := f.s.GetCase(context.Background(), f.caseID)
	if r.Head != c.AuditHead {
		t.Fatalf("head %s, case head %s", r.Head, c.AuditHead)
	}
	// The catalogue names every document with its step and the event that filed it.
	zr, _ := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	var cat dossier.Catalogue
	var html string
	for _, zf := range zr.File {
		rc, _ := zf.Open()
		var buf bytes.Buffer
		buf.ReadFrom(rc)
		rc.Close()
		switch zf.Name {
		case dossier.CatalogueJSON:
			json.Unmarshal(buf.Bytes(), &cat)
		case dossier.CatalogueHTML:
			html = buf.String()
		}
	}
	if cat.Case.OrganName != "宜阳县人民政府" || len(cat.Documents) != 2 || cat.Documents[0].EventSeq != 2 || cat.Documents[1].Kind != "opinion" ||
		cat.Documents[0].Step != "initiation" || cat.Documents[0].UploadedByName == "" || len(cat.Events) != 4 {
		t.Fatalf("catalogue = %+v", cat)
	}
	for _, want := range []string{"卷内目录", "宜阳县城区集中供暖价格调整方案", "调价方案.pdf", f.docs[0].SHA256, "决策草案", "task.completed.initiation"} {
		if !strings.Contains(html, want) {
			t.Errorf("catalogue.html lacks %q", want)
		}
	}
}

func TestVerifyNamesWhatWasChanged(t *testing.T) {
	f := newFixture(t)
	b := f.export(t)
	doc := dossier.DocumentsDir + f.docs[0].SHA256
	flipDoc := func(name string, data []byte) []byte {
		if name == doc {
			data = bytes.Clone(data)
			data[5] ^= 0x01
		}
		return data
	}
	t.Run("one byte of a document", func(t *testing.T) {
		r := verify(rewrite(t, b, flipDoc, nil, false))
		wantFirst(t, r, doc, 0)
		if len(r.Problems) != 2 || r.Problems[1].File != doc || !strings.Contains(r.Problems[1].Reason, "not to its name") {
			t.Fatalf("problems = %+v, want the manifest and the name mismatch of %s", r.Problems, doc)
		}
	})
	t.Run("one byte of a document, manifest recomputed", func(t *testing.T) {
		wantFirst(t, verify(rewrite(t, b, flipDoc, nil, true)), doc, 0)
	})
	t.Run("a document replaced under its new name", func(t *testing.T) {
		forged := []byte("%PDF-1.4\n伪造的方案\n%%EOF\n")
		h := sha256.Sum256(forged)
		forgedName := dossier.DocumentsDir + hex.EncodeToString(h[:])
		r := verify(rewrite(t, b, func(name string, data []byte) []byte {
			if name == doc {
				return nil
			}
			return data
		}, map[string][]byte{forgedName: forged}, true))
		// The chain still says which bytes were filed.
		wantFirst(t, r, doc, 2)
	})
	t.Run("an event's data, manifest recomputed", func(t *testing.T) {
		r := verify(rewrite(t, b, func(name string, data []byte) []byte {
			if name == dossier.EventsFile {
				return bytes.Replace(data, []byte(`"lead_unit": "yiyang-nrb"`), []byte(`"lead_unit": "yiyang-xxx"`), 1)
			}
			return data
		}, nil, true))
		wantFirst(t, r, dossier.EventsFile, 4)
	})
	t.Run("an unlisted file", func(t *testing.T) {
		wantFirst(t, verify(rewrite(t, b, nil, map[string][]byte{"documents/extra": []byte("x")}, false)), "documents/extra", 0)
	})
	t.Run("a missing file", func(t *testing.T) {
		wantFirst(t, verify(rewrite(t, b, func(name string, data []byte) []byte {
			if name == dossier.TemporalFile {
				return nil
			}
			return data
		}, nil, false)), dossier.TemporalFile, 0)
	})
	t.Run("not a zip", func(t *testing.T) {
		wantFirst(t, verify([]byte("PK nonsense")), "(zip)", 0)
	})
}

// A document altered in the database is exported as it is, and the dossier
// says which file is wrong.
func TestExportOfAlteredDocumentFailsVerify(t *testing.T) {
	f := newFixture(t)
	for _, q := range []string{`ALTER TABLE documents DISABLE TRIGGER documents_no_update_delete`,
		`UPDATE documents SET content = convert_to('伪造', 'UTF8') WHERE sha256 = '` + f.docs[1].SHA256 + `'`,
		`ALTER TABLE documents ENABLE TRIGGER documents_no_update_delete`} {
		if _, err := f.s.DB.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	r := verify(f.export(t))
	if r.OK || r.Problems[0].File != dossier.DocumentsDir+f.docs[1].SHA256 {
		t.Fatalf("report = %+v", r)
	}
}

// Every single-bit change inside any member of the ZIP as it lies on disk
// (no rebuilt archive, no recomputed manifest) that changes what the member
// decodes to fails the check, which names that member and nothing else. A
// flip that decodes to the same bytes (the deflate "last block" flag of a
// stream whose content is all in its first block) changes no content of the
// dossier, and is skipped: the record is the members' bytes, not their
// compression.
func TestVerifyNamesEveryBitChangedInsideMembers(t *testing.T) {
	f := newFixture(t)
	b := f.export(t)
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	if len(zr.File) != 7 {
		t.Fatalf("%d members, want 7", len(zr.File))
	}
	flips, same := 0, 0
	for i, m := range zr.File {
		off, err := m.DataOffset()
		if err != nil {
			t.Fatal(err)
		}
		orig, err := readMember(m)
		if err != nil {
			t.Fatal(err)
		}
		for at := off; at < off+int64(m.CompressedSize64); at++ {
			bad := bytes.Clone(b)
			bad[at] ^= 0x01
			zb, err := zip.NewReader(bytes.NewReader(bad), int64(len(bad)))
			if err != nil {
				t.Fatal(err)
			}
			if got, err := readMember(zb.File[i]); err == nil && bytes.Equal(got, orig) {
				same++
				continue
			}
			flips++
			r := verify(bad)
			if r.OK || len(r.Problems) == 0 {
				t.Fatalf("%s: byte %d flipped, verify ok", m.Name, at-off)
			}
			for _, p := range r.Problems {
				if p.File != m.Name || !strings.Contains(p.Reason, " / ") {
					t.Fatalf("%s: byte %d flipped, problem %+v names something else (all: %+v)", m.Name, at-off, p, r.Problems)
				}
			}
		}
	}
	if flips < 1000 || same*100 > flips { // a handful of no-op flips (final-block flags, padding bits), not a vacuous test
		t.Fatalf("%d content-changing flips checked, %d without effect: the fixture is not what this test assumes", flips, same)
	}
	t.Logf("%d single-bit changes named, %d decoded to the same bytes", flips, same)
}

func readMember(f *zip.File) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	var buf bytes.Buffer
	_, err = buf.ReadFrom(rc)
	return buf.Bytes(), err
}
