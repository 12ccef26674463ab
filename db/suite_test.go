package db_test

import (
	"context"
	"strings"
	"testing"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/dbtest"
	"github.com/juece/juece/db/suite"
)

// sm3Store is a fresh database installed with the sm3 suite and an SM2
// signing key, as `juece serve` with JUECE_CRYPTO_SUITE=sm3 opens it.
func sm3Store(t *testing.T) *db.Store {
	t.Helper()
	s := dbtest.Store(t)
	if got, err := s.EnsureSuite(context.Background(), suite.SM3); err != nil || got != suite.SM3 {
		t.Fatalf("EnsureSuite(sm3) = %s, %v", got, err)
	}
	pemKey, err := suite.GenerateKey(suite.SigSM2)
	if err != nil {
		t.Fatal(err)
	}
	if s.Signer, err = suite.ParseSigner(pemKey); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSuiteIsFixedAtInstallation(t *testing.T) {
	owner, app := dbtest.Stores(t)
	ctx := context.Background()
	if got, err := app.Suite(ctx); err != nil || got != suite.SHA256 {
		t.Fatalf("suite before installation = %s, %v; want sha256", got, err)
	}
	if _, err := app.EnsureSuite(ctx, suite.SM3); err != nil {
		t.Fatal(err)
	}
	if _, err := app.EnsureSuite(ctx, suite.SM3); err != nil {
		t.Fatalf("the same suite again: %v", err)
	}
	_, err := app.EnsureSuite(ctx, suite.SHA256)
	if err == nil || !strings.Contains(err.Error(), "installed with the sm3 suite") {
		t.Fatalf("EnsureSuite(sha256) on an sm3 installation: %v, want a refusal naming sm3", err)
	}
	for _, s := range []*db.Store{app, owner} {
		for _, q := range []string{`UPDATE deployment_settings SET crypto_suite = 'sha256'`, `DELETE FROM deployment_settings`, `TRUNCATE deployment_settings`} {
			if _, err := s.DB.Exec(q); err == nil {
				t.Errorf("%s succeeded: the suite must stay as installed", q)
			}
		}
	}
	if got, _ := app.Suite(ctx); got != suite.SM3 {
		t.Fatalf("suite = %s after the refused changes, want sm3", got)
	}
}

func TestSM3ChainsAndSignedCheckpoints(t *testing.T) {
	s := sm3Store(t)
	seedOrg(t, s)
	ctx := context.Background()
	id := openCase(t, s, 2)
	c, err := s.GetCase(ctx, id)
	if err != nil || c.HashAlg != suite.SM3 {
		t.Fatalf("case hash_alg = %q, %v; want sm3", c.HashAlg, err)
	}
	evs, err := s.Timeline(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range evs {
		canon, _ := e.Canonical()
		sm3h, _ := db.ChainHashOf(suite.SM3, e.PrevHash, canon)
		shah, _ := db.ChainHash(e.PrevHash, canon)
		if e.Hash != sm3h || e.Hash == shah {
			t.Fatalf("event %d hash %s: want SM3 %s (SHA-256 would be %s)", e.Seq, e.Hash, sm3h, shah)
		}
	}
	dbtest.BulkCase(t, s, "test-county", 5) // seeded straight into the tables, hashed with the database's suite
	cp := checkpoint(t, s)
	if cp.HashAlg != suite.SM3 || cp.SigAlg != suite.SigSM2 || cp.Signature == "" || !strings.Contains(cp.PublicKey, "PUBLIC KEY") {
		t.Fatalf("checkpoint = %+v, want SM3 and SM2-signed", cp)
	}
	if err := cp.VerifySignature(); err != nil {
		t.Fatalf("signature: %v", err)
	}
	if r := mustVerifyAll(t, s); !r.OK || r.Checkpoints != 1 || r.Events != 8 || r.Cases != 2 ||
		len(r.SigningKeys) != 1 || r.SigningKeys[0] != suite.KeyID([]byte(s.Signer.PublicKey())) {
		t.Fatalf("VerifyAll of an intact sm3 record = %+v", r)
	}
	// The chain recomputed as SHA-256 does not verify: the algorithm matters.
	if v := db.VerifyEventsOf(suite.SHA256, evs, c.AuditSeq, c.AuditHead); v.OK {
		t.Fatal("an SM3 chain verified as SHA-256")
	}

	// A signature replaced behind the application is named with its checkpoint.
	bad := []byte(cp.Signature)
	bad[len(bad)/2] ^= 1
	withoutTriggers(t, s, `UPDATE audit_checkpoints SET signature = '`+string(bad)+`' WHERE seq = 1`)
	p := wantProblem(t, mustVerifyAll(t, s), db.ProblemCheckpointChain, "", 0)
	if p.Checkpoint != 1 || !strings.Contains(p.Reason, "bad signature") || !strings.Contains(p.Reason, cp.At.Format("2006-01-02")) {
		t.Fatalf("problem = %+v, want checkpoint 1 named with its day and a bad signature", p)
	}

	// A decision directory's chain is SM3 too.
	u, _, err := s.CreateUser(ctx, "go1", "刘洋", "meeting_secretary", "test-county")
	if err != nil {
		t.Fatal(err)
	}
	actor := db.DirectoryEvent{ActorID: u.ID, ActorName: u.Name, ActorRole: u.Role, ActorOrg: u.OrgID}
	d, dev, err := s.CreateDirectory(ctx, db.Directory{OrganID: "test-county", Year: 2026, Title: "2026年度重大行政决策事项目录", CreatedBy: u.ID}, actor)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.AddDirectoryEntry(ctx, d.ID, testEntry("城区供暖价格调整"), actor, nil); err != nil {
		t.Fatal(err)
	}
	canon, _ := dev.Canonical()
	if h, _ := db.ChainHashOf(suite.SM3, dev.PrevHash, canon); d.HashAlg != suite.SM3 || dev.Hash != h {
		t.Fatalf("directory hash_alg %q, first event hash %s, want SM3 %s", d.HashAlg, dev.Hash, h)
	}
	if v, err := s.VerifyDirectory(ctx, d.ID); err != nil || !v.OK || v.Events != 2 {
		t.Fatalf("VerifyDirectory = %+v, %v", v, err)
	}
	cp2 := checkpoint(t, s)
	if cp2.Directories != 1 || cp2.Seq != 2 {
		t.Fatalf("checkpoint with the directory = %+v", cp2)
	}
	withoutTriggers(t, s, `UPDATE audit_checkpoints SET signature = '`+cp.Signature+`' WHERE seq = 1`)
	if r := mustVerifyAll(t, s); !r.OK || r.Directories != 1 || r.DirectoryEvents != 2 {
		t.Fatalf("VerifyAll with an SM3 directory = %+v", r)
	}

	// Under sm3 a store without an SM2 key writes no checkpoint.
	s.Signer = nil
	openCase(t, s, 0)
	if _, _, err := s.Checkpoint(ctx, "test"); err == nil || !strings.Contains(err.Error(), "SM2") {
		t.Fatalf("checkpoint without a key under sm3: %v, want a refusal", err)
	}
}

func TestSHA256CheckpointSignedWhenKeyed(t *testing.T) {
	s := dbtest.Store(t)
	seedOrg(t, s)
	openCase(t, s, 1)
	unsigned := checkpoint(t, s)
	if unsigned.HashAlg != suite.SHA256 || unsigned.SigAlg != "" || unsigned.VerifySignature() != nil {
		t.Fatalf("unkeyed sha256 checkpoint = %+v", unsigned)
	}
	k, _ := suite.GenerateKey(suite.SigEd25519)
	s.Signer, _ = suite.ParseSigner(k)
	openCase(t, s, 0)
	cp := checkpoint(t, s)
	if cp.SigAlg != suite.SigEd25519 || cp.VerifySignature() != nil {
		t.Fatalf("keyed sha256 checkpoint = %+v, err %v", cp, cp.VerifySignature())
	}
	if r := mustVerifyAll(t, s); !r.OK {
		t.Fatalf("VerifyAll = %+v", r)
	}
}
