package dossier_test

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/dossier"
	"github.com/juece/juece/db/suite"
)

// handBuilt writes, without a database, a minimal dossier of one case with
// three events hashed with alg and its checkpoint signed by sg (nil:
// unsigned), in the layout Export writes: the seed of FuzzVerifyDossier.
func handBuilt(t testing.TB, alg suite.Name, sg *suite.Signer, tweaks ...func(*db.Checkpoint, []db.CaseHead)) []byte {
	t.Helper()
	const caseID = "5b0c2a1e-7d3f-4c59-9a43-2f8e6b1d0c77"
	at := time.Date(2026, 12, 7, 2, 0, 0, 0, time.UTC)
	var evs []dossier.Event
	prev := db.GenesisHash
	for i, action := range []string{"case.opened", "task.completed.public_consultation", "case.closed"} {
		e := db.AuditEvent{CaseID: caseID, Seq: int64(i + 1), EventKey: action, At: at.Add(time.Duration(i) * time.Hour), Action: action,
			ActorID: "u1", ActorName: "王芳", ActorRole: "department_officer", ActorOrg: "yiyang", Data: json.RawMessage(`{"n":1}`), PrevHash: prev}
		canon, err := e.Canonical()
		if err != nil {
			t.Fatal(err)
		}
		if e.Hash, err = db.ChainHashOf(alg, prev, canon); err != nil {
			t.Fatal(err)
		}
		prev = e.Hash
		evs = append(evs, dossier.Event{AuditEvent: e, Canonical: string(canon)})
	}
	chain := dossier.Chain{Events: 3, Head: prev}
	if alg != suite.SHA256 {
		chain.HashAlg = alg
	}
	heads := []db.CaseHead{{CaseID: "00000000-0000-4000-8000-000000000001", Seq: 4, Head: strings.Repeat("ab", 32)}, {CaseID: caseID, Seq: 3, Head: prev}}
	cp := db.Checkpoint{Seq: 7, At: at.Add(24 * time.Hour), Cases: 2, Events: 7, CreatedBy: "schedule",
		DirectoryRoot: db.CheckpointRootOf(alg, nil), PrevHash: strings.Repeat("cd", 32), HashAlg: alg}
	for _, tw := range tweaks {
		tw(&cp, heads)
	}
	cp.Root = db.CheckpointRootOf(cp.HashAlg, heads)
	canon, err := cp.Canonical()
	if err != nil {
		t.Fatal(err)
	}
	if cp.Hash, err = db.ChainHashOf(cp.HashAlg, cp.PrevHash, canon); err != nil {
		t.Fatal(err)
	}
	if cp.CreatedBy == "forger" { // a tweak asks for a field changed after the hash was taken
		cp.CreatedBy = "admin"
	}
	if sg != nil {
		sig, err := sg.Sign([]byte(cp.Hash))
		if err != nil {
			t.Fatal(err)
		}
		cp.SigAlg, cp.PublicKey, cp.Signature = sg.Alg(), sg.PublicKey(), hex.EncodeToString(sig)
	}
	cat := dossier.Catalogue{Format: dossier.Format, ExportedAt: at, Case: dossier.CatalogueCase{ID: caseID}, Chain: chain,
		Documents: []dossier.CatalogueDocItem{}, Events: make([]dossier.CatalogueEvent, 3)}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	m := dossier.Manifest{Format: dossier.Format, CaseID: caseID, ExportedAt: at, Chain: chain}
	for _, f := range []struct {
		name string
		v    any
	}{{dossier.CatalogueJSON, cat}, {dossier.CatalogueHTML, "<html></html>"}, {dossier.EventsFile, dossier.Events{CaseID: caseID, Chain: chain, Events: evs}},
		{dossier.TemporalFile, dossier.Temporal{WorkflowID: "case-" + caseID}}, {dossier.CheckpointFile, dossier.Checkpoint{Checkpoint: cp, Heads: heads}}} {
		b, err := json.Marshal(f.v)
		if err != nil {
			t.Fatal(err)
		}
		w, _ := zw.Create(f.name)
		w.Write(b)
		sum := sha256.Sum256(b)
		m.Files = append(m.Files, dossier.ManifestItem{Path: f.name, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(b))})
	}
	mb, _ := json.Marshal(m)
	w, _ := zw.Create(dossier.ManifestFile)
	w.Write(mb)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func sm2Signer(t testing.TB) *suite.Signer {
	t.Helper()
	k, err := suite.GenerateKey(suite.SigSM2)
	if err != nil {
		t.Fatal(err)
	}
	sg, err := suite.ParseSigner(k)
	if err != nil {
		t.Fatal(err)
	}
	return sg
}

// TestVerifyHandBuiltDossiers checks the seeds themselves: an sm3 dossier
// with an SM2-signed checkpoint and a sha256 one without a signature pass;
// an sm3 checkpoint without its signature fails.
func TestVerifyHandBuiltDossiers(t *testing.T) {
	for _, c := range []struct {
		name string
		b    []byte
		ok   bool
		want string
	}{
		{"sm3 signed", handBuilt(t, suite.SM3, sm2Signer(t)), true, ""},
		{"sha256 unsigned", handBuilt(t, suite.SHA256, nil), true, ""},
		{"sm3 unsigned", handBuilt(t, suite.SM3, nil), false, "checkpoint 7 (2026-12-08): bad signature"},
		{"sm3 chain, sha256 checkpoint", handBuilt(t, suite.SM3, nil, func(cp *db.Checkpoint, _ []db.CaseHead) { cp.HashAlg = suite.SHA256 }),
			false, "checkpoint 7 (2026-12-08): hash algorithm sha256 differs from the chain's sm3"},
		{"a field changed after hashing", handBuilt(t, suite.SM3, sm2Signer(t), func(cp *db.Checkpoint, _ []db.CaseHead) { cp.CreatedBy = "forger" }),
			false, "checkpoint 7 (2026-12-08): hash mismatch"},
		{"another head of the case", handBuilt(t, suite.SM3, sm2Signer(t), func(_ *db.Checkpoint, h []db.CaseHead) { h[1].Head = strings.Repeat("ef", 32) }),
			false, "checkpoint 7 (2026-12-08): recorded event 3 of this case with hash efef"},
	} {
		r := dossier.Verify(bytes.NewReader(c.b), int64(len(c.b)))
		if r.OK != c.ok || r.Checkpoint == nil || r.Checkpoint.Seq != 7 || r.Checkpoint.CaseSeq != 3 {
			t.Fatalf("%s: report %+v, want ok=%v", c.name, r, c.ok)
		}
		if !c.ok && !strings.Contains(r.Problems[0].String(), c.want) {
			t.Fatalf("%s: problems %v, want %q", c.name, r.Problems, c.want)
		}
	}
}

// FuzzVerifyDossier feeds `juece verify FILE.zip` (dossier.Verify) any
// bytes: it must never panic, and what it passes must be consistent.
func FuzzVerifyDossier(f *testing.F) {
	f.Add(handBuilt(f, suite.SM3, sm2Signer(f)))
	f.Add(handBuilt(f, suite.SHA256, nil))
	f.Add([]byte("PK\x05\x06" + strings.Repeat("\x00", 18)))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		r := dossier.Verify(bytes.NewReader(b), int64(len(b)))
		if r.OK != (len(r.Problems) == 0) {
			t.Fatalf("ok=%v with %d problems", r.OK, len(r.Problems))
		}
		if r.OK && (r.CaseID == "" || r.Files < 4) {
			t.Fatalf("passed a dossier without a case or its required files: %+v", r)
		}
	})
}
