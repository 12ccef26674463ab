package db_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/dbtest"
)

func TestLatestCommentNotice(t *testing.T) {
	s := dbtest.Store(t)
	seedOrg(t, s)
	id := openCase(t, s, 0)
	ctx := context.Background()
	if _, err := s.LatestCommentNotice(ctx, id); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("no notice: %v", err)
	}
	for i, period := range [][2]string{{"2026-03-02", "2026-04-01"}, {"2026-05-04", "2026-06-03"}} {
		_, err := s.AppendEvent(ctx, db.AuditEvent{CaseID: id, EventKey: fmt.Sprintf("notice-%d", i), At: time.Now(), Action: db.ActionCommentNotice,
			ActorID: "u1", ActorName: "张伟", ActorRole: "department_officer", ActorOrg: "test-county",
			Data: json.RawMessage(fmt.Sprintf(`{"task_type":"public_comment","form":{"publish_date":%q,"end_date":%q}}`, period[0], period[1]))})
		if err != nil {
			t.Fatal(err)
		}
	}
	n, err := s.LatestCommentNotice(ctx, id)
	if err != nil || n.PublishDate != "2026-05-04" || n.EndDate != "2026-06-03" || n.Seq != 3 {
		t.Fatalf("latest notice: %+v %v", n, err)
	}
}

// TestTenThousandComments inserts 10,000 comments on one case and checks the
// summary, paging and a disposition: what a contested draft receives.
func TestTenThousandComments(t *testing.T) {
	s := dbtest.Store(t)
	seedOrg(t, s)
	id := openCase(t, s, 0)
	other := openCase(t, s, 0)
	ctx := context.Background()
	topics := []string{"", "补偿标准", "施工时间", "环境影响"}
	start := time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)
	cs := make([]db.PublicComment, 10000)
	for i := range cs {
		cs[i] = db.PublicComment{CaseID: id, NoticeSeq: 2, AuthorName: fmt.Sprintf("居民%d", i), Body: fmt.Sprintf("意见第%d条", i),
			Topic: topics[i%len(topics)], ReceivedAt: start.Add(time.Duration(i) * time.Minute)}
	}
	t0 := time.Now()
	if err := s.AddComments(ctx, cs); err != nil {
		t.Fatal(err)
	}
	insert := time.Since(t0)
	if _, err := s.AddComment(ctx, db.PublicComment{CaseID: other, NoticeSeq: 2, Body: "另一事项的意见"}); err != nil {
		t.Fatal(err)
	}
	t0 = time.Now()
	sum, err := s.CommentSummary(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(t0)
	t.Logf("10,000 comments: insert %v, summary %v", insert, took)
	if sum.Count != 10000 || sum.Disposed != 0 || sum.Undisposed != 10000 || len(sum.ByTopic) != 4 || sum.ByTopic["补偿标准"] != 2500 || sum.ByTopic[""] != 2500 {
		t.Fatalf("summary: %+v", sum)
	}
	if !sum.FirstAt.Equal(start) || !sum.LastAt.Equal(start.Add(9999*time.Minute)) {
		t.Fatalf("first %v last %v", sum.FirstAt, sum.LastAt)
	}
	if took > 2*time.Second {
		t.Fatalf("summary of 10,000 comments took %v", took)
	}
	// Keyset paging visits every comment of the case once, in order.
	seen, pages := 0, 0
	q := db.CommentQuery{CaseID: id, Limit: 500}
	for {
		page, err := s.ListComments(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		for _, c := range page {
			if c.Body != fmt.Sprintf("意见第%d条", seen) {
				t.Fatalf("comment %d is %q", seen, c.Body)
			}
			seen++
		}
		pages++
		last := page[len(page)-1]
		q.AfterAt, q.AfterID = last.ReceivedAt, last.ID
	}
	if seen != 10000 || pages != 20 {
		t.Fatalf("paged %d comments in %d pages", seen, pages)
	}
	topic := "施工时间"
	if page, _ := s.ListComments(ctx, db.CommentQuery{CaseID: id, Topic: &topic, Limit: 10}); len(page) != 10 || page[0].Topic != topic {
		t.Fatalf("by topic: %+v", page)
	}
	// A disposition is one event of the case's chain.
	first, _ := s.ListComments(ctx, db.CommentQuery{CaseID: id, Limit: 1})
	u, _, _ := s.CreateUser(ctx, "uu1", "张伟", "department_officer", "test-county")
	actor := db.AuditEvent{ActorID: u.ID, ActorName: u.Name, ActorRole: u.Role, ActorOrg: u.OrgID}
	c, ev, err := s.DisposeComment(ctx, id, first[0].ID, "not_adopted", "与上位法不符", actor)
	if err != nil || c.Disposition != "not_adopted" || ev.Action != db.ActionCommentDisposed || !strings.HasPrefix(ev.EventKey, db.CommentEventKeyPrefix) {
		t.Fatalf("dispose: %+v %+v %v", c, ev, err)
	}
	if _, _, err := s.DisposeComment(ctx, other, first[0].ID, "adopted", "", actor); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("disposing another case's comment: %v", err)
	}
	disposed := false
	if page, _ := s.ListComments(ctx, db.CommentQuery{CaseID: id, Disposed: &disposed, Limit: 1}); page[0].ID == first[0].ID {
		t.Fatal("undisposed filter returned the disposed comment")
	}
	if sum, _ := s.CommentSummary(ctx, id); sum.Disposed != 1 || sum.Undisposed != 9999 {
		t.Fatalf("after one disposition: %+v", sum)
	}
	if v, _ := s.Verify(ctx, id); !v.OK || v.Events != 2 {
		t.Fatalf("case chain: %+v", v)
	}
	// What the public wrote is never changed or removed.
	for _, q := range []string{`UPDATE public_comments SET body = '篡改' WHERE case_id = $1`, `DELETE FROM public_comments WHERE case_id = $1`} {
		if _, err := s.DB.ExecContext(ctx, q, id); err == nil || !strings.Contains(err.Error(), "keeps what the public wrote") {
			t.Fatalf("%s: %v", q, err)
		}
	}
}
