package participation_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/dbtest"
	"github.com/juece/juece/db/participation"
	"github.com/juece/juece/db/suite"
)

func sealer(t *testing.T, n suite.Name) *suite.Sealer {
	t.Helper()
	k, err := suite.GenerateDataKey()
	if err != nil {
		t.Fatal(err)
	}
	path := t.TempDir() + "/data.key"
	if err := writeFile(path, k); err != nil {
		t.Fatal(err)
	}
	sl, err := suite.LoadSealer(n, path)
	if err != nil {
		t.Fatal(err)
	}
	return sl
}

// publishHearing records a hearing notice on task taskID open for
// registration today.
func publishHearing(t *testing.T, s *db.Store, caseID, taskID string) {
	t.Helper()
	today := time.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01-02")
	data, _ := json.Marshal(map[string]any{"notice": map[string]any{"hearing_date": "2099-01-10", "start_time": "09:00", "place": "县政府三楼会议室",
		"registration_closes": "2099-01-01", "sides": []string{"居民", "企业"}, "published_on": today}})
	if _, err := s.AppendEvent(context.Background(), db.AuditEvent{CaseID: caseID, EventKey: "notice-" + taskID, At: time.Now(),
		Action: participation.ActionHearingNotice, TaskID: taskID, ActorID: "u1", ActorName: "张伟", ActorRole: "department_officer",
		ActorOrg: "test-county", Data: data}); err != nil {
		t.Fatal(err)
	}
}

// TestContactsAreSealedAtRest: under sm3 the contacts of a commenter and a
// hearing applicant are SM4-GCM ciphertext in PostgreSQL, read back in
// plaintext through the stores, one registration per contact still holds,
// and contacts stored in plaintext before the key are sealed in place.
func TestContactsAreSealedAtRest(t *testing.T) {
	owner, app := dbtest.Stores(t)
	ctx := context.Background()
	caseID := openCase(t, owner)
	const phone, mail = "13800138000", "李四 lisi@example.cn 洛阳市宜阳县城关镇"

	// Rows written before the deployment had a data key.
	old, err := owner.AddComment(ctx, db.PublicComment{CaseID: caseID, NoticeSeq: 1, AuthorName: "王五", Contact: "0379-6888888", Body: "旧意见"})
	if err != nil {
		t.Fatal(err)
	}
	oldTask := uuid.NewString()
	publishHearing(t, owner, caseID, oldTask)
	today := time.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01-02")
	oldReg, _, err := participation.Of(app).Register(ctx, participation.Registration{TaskID: oldTask, Name: "赵六", Contact: "13900001111", Side: "居民"}, today, "r0")
	if err != nil {
		t.Fatal(err)
	}

	sl := sealer(t, suite.SM3)
	owner.Sealer, app.Sealer = sl, sl
	c, err := app.AddComment(ctx, db.PublicComment{CaseID: caseID, NoticeSeq: 1, AuthorName: "李四", Contact: mail, Body: "建议分档"})
	if err != nil {
		t.Fatal(err)
	}
	p := participation.Of(app)
	if _, err := p.AddComment(ctx, participation.NewComment{CaseID: caseID, NoticeSeq: 1, Contact: phone, Body: "门户意见"},
		participation.Limit{Key: "t", Window: time.Minute, N: 10}); err != nil {
		t.Fatal(err)
	}
	task := uuid.NewString()
	publishHearing(t, owner, caseID, task)
	reg, _, err := p.Register(ctx, participation.Registration{TaskID: task, Name: "李四", Contact: phone, Side: "居民"}, today, "r1")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := p.Register(ctx, participation.Registration{TaskID: task, Name: "李四", Contact: phone, Side: "企业"}, today, "r2"); !errors.Is(err, participation.ErrAlreadyRegistered) {
		t.Fatalf("second registration with the same contact: %v, want ErrAlreadyRegistered", err)
	}

	// Before sealing the old rows: the new ones are ciphertext in PG.
	noPlaintext := func(what string, plain ...string) {
		t.Helper()
		var stored []string
		if err := owner.DB.Select(&stored, `SELECT contact FROM public_comments WHERE id <> $1 UNION ALL
			SELECT contact FROM hearing_registrations WHERE id <> $2`, old.ID, oldReg.ID); err != nil {
			t.Fatal(err)
		}
		if len(stored) != 3 {
			t.Fatalf("%s: %d contacts stored, want 3", what, len(stored))
		}
		for _, v := range stored {
			if !strings.HasPrefix(v, "v1:sm4-gcm:"+sl.KeyID()+":") {
				t.Fatalf("%s: stored contact %q is not SM4-GCM ciphertext", what, v)
			}
			for _, p := range plain {
				if strings.Contains(v, p) || strings.Contains(v, "13800") {
					t.Fatalf("%s: stored contact %q holds plaintext", what, v)
				}
			}
		}
		var hits int
		if err := owner.DB.Get(&hits, `SELECT count(*) FROM public_comments WHERE contact LIKE '%lisi%' OR contact LIKE '%1380013%'`); err != nil || hits != 0 {
			t.Fatalf("%s: %d rows of public_comments match the plaintext (%v)", what, hits, err)
		}
	}
	noPlaintext("new rows", phone, mail, "lisi")

	// Read back through the stores: plaintext for those allowed to see it.
	got, err := app.GetComment(ctx, caseID, c.ID)
	if err != nil || got.Contact != mail {
		t.Fatalf("GetComment contact = %q, %v; want %q", got.Contact, err, mail)
	}
	regs, err := p.Registrations(ctx, task)
	if err != nil || len(regs) != 1 || regs[0].Contact != phone || regs[0].ID != reg.ID {
		t.Fatalf("Registrations = %+v, %v", regs, err)
	}
	// A ciphertext moved to another row does not open there.
	withoutTriggersP(t, owner, `UPDATE public_comments SET contact = (SELECT contact FROM public_comments WHERE id = '`+c.ID+`') WHERE id = '`+old.ID+`'`)
	if _, err := app.GetComment(ctx, caseID, old.ID); err == nil {
		t.Fatal("a sealed contact moved to another comment opened")
	}
	withoutTriggersP(t, owner, `UPDATE public_comments SET contact = '0379-6888888' WHERE id = '`+old.ID+`'`)

	// The application role cannot seal (nor change) a contact; the owner's start step seals the old rows once.
	if _, err := app.SealContacts(ctx); err == nil {
		t.Fatal("the application role rewrote stored contacts")
	}
	n, err := owner.SealContacts(ctx)
	if err != nil || n != 2 {
		t.Fatalf("SealContacts = %d, %v; want the 2 plaintext rows", n, err)
	}
	if n, err := owner.SealContacts(ctx); err != nil || n != 0 {
		t.Fatalf("SealContacts again = %d, %v; want nothing left", n, err)
	}
	var plain int
	if err := owner.DB.Get(&plain, `SELECT (SELECT count(*) FROM public_comments WHERE contact <> '' AND contact NOT LIKE 'v1:%')
		+ (SELECT count(*) FROM hearing_registrations WHERE contact NOT LIKE 'v1:%')`); err != nil || plain != 0 {
		t.Fatalf("%d plaintext contacts left (%v)", plain, err)
	}
	if got, err := app.GetComment(ctx, caseID, old.ID); err != nil || got.Contact != "0379-6888888" {
		t.Fatalf("old comment after sealing: %q, %v", got.Contact, err)
	}
	if regs, err := p.Registrations(ctx, oldTask); err != nil || len(regs) != 1 || regs[0].Contact != "13900001111" {
		t.Fatalf("old registration after sealing: %+v, %v", regs, err)
	}
	// A sealed contact is never rewritten, even by the owner.
	for _, q := range []string{`UPDATE public_comments SET contact = 'v1:x' WHERE id = '` + c.ID + `'`,
		`UPDATE hearing_registrations SET contact = 'v1:x', contact_digest = 'x' WHERE id = '` + reg.ID + `'`,
		`UPDATE public_comments SET contact = 'plain' WHERE id = '` + old.ID + `'`} {
		if _, err := owner.DB.Exec(q); err == nil || !strings.Contains(err.Error(), "refused") {
			t.Errorf("%s: %v, want the trigger to refuse", q, err)
		}
	}
}

func writeFile(path string, b []byte) error { return os.WriteFile(path, b, 0o600) }

// withoutTriggersP runs stmts with triggers off, as a superuser could.
func withoutTriggersP(t *testing.T, s *db.Store, stmts ...string) {
	t.Helper()
	conn, err := s.DB.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, q := range append(append([]string{`SET session_replication_role = replica`}, stmts...), `SET session_replication_role = origin`) {
		if _, err := conn.ExecContext(context.Background(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}
