package activities_test

import (
	"bufio"
	"context"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/juece/juece/activities"
	"github.com/juece/juece/db"
	"github.com/juece/juece/db/dbtest"
)

// smtpCatcher is a local SMTP server that keeps what it receives (the dev
// "catcher" of the issue), enough for net/smtp's client.
type smtpCatcher struct {
	ln   net.Listener
	mu   sync.Mutex
	msgs []string
}

func newCatcher(t *testing.T) *smtpCatcher {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c := &smtpCatcher{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go c.serve(conn)
		}
	}()
	return c
}

func (c *smtpCatcher) serve(conn net.Conn) {
	defer conn.Close()
	r := bufio.NewReader(conn)
	say := func(s string) { conn.Write([]byte(s + "\r\n")) }
	say("220 catcher")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			say("250 catcher")
		case strings.HasPrefix(cmd, "DATA"):
			say("354 go ahead")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(l)
			}
			c.mu.Lock()
			c.msgs = append(c.msgs, b.String())
			c.mu.Unlock()
			say("250 queued")
		case strings.HasPrefix(cmd, "QUIT"):
			say("221 bye")
			return
		default:
			say("250 ok")
		}
	}
}

func (c *smtpCatcher) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.msgs)
}

// TestNotifyInAppAndEmailOnce: a notification is stored in-app for each
// recipient and e-mailed to those with an address; the activity's retry
// stores and sends nothing twice; a failing relay is recorded and reported.
func TestNotifyInAppAndEmailOnce(t *testing.T) {
	ctx := context.Background()
	store := dbtest.Store(t)
	if err := store.UpsertOrganisation(ctx, db.Organisation{ID: "j1", Name: "司法局", Level: "department"}); err != nil {
		t.Fatal(err)
	}
	head, _, err := store.CreateUser(ctx, "head", "吴刚", "org_head", "j1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.DB.Exec(`UPDATE users SET email = 'wugang@example.test' WHERE id = $1`, head.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := store.CreateUser(ctx, "other", "周强", "legality_review_officer", "j1"); err != nil {
		t.Fatal(err)
	}
	catcher := newCatcher(t)
	a := &activities.Activities{Store: store, Mailer: activities.SMTPMailer{Addr: catcher.ln.Addr().String(), From: "juece@localhost"}}
	in := activities.NotifyInput{Key: "warning/t1/red", Kind: "escalation", Title: "【督办】合法性审查已逾期", Body: "办理期限 2026-02-26", OrgID: "j1", Role: "org_head"}
	for i := 0; i < 2; i++ { // the second call is Temporal retrying the activity
		res, err := a.Notify(ctx, in)
		if err != nil || res.Recipients != 1 {
			t.Fatalf("notify #%d: %+v %v", i, res, err)
		}
	}
	ns, unread, err := store.Notifications(ctx, head.ID, 10)
	if err != nil || len(ns) != 1 || unread != 1 || ns[0].EmailedAt == nil {
		t.Fatalf("stored = %+v unread %d err %v", ns, unread, err)
	}
	if catcher.count() != 1 || !strings.Contains(catcher.msgs[0], "wugang@example.test") {
		t.Fatalf("catcher received %d messages: %v", catcher.count(), catcher.msgs)
	}
	// A relay that is down: the in-app notification stays, the error is recorded and returned.
	catcher.ln.Close()
	in.Key = "warning/t2/red"
	if _, err := a.Notify(ctx, in); err == nil {
		t.Fatal("notify through a dead relay reported no error")
	}
	ns, _, _ = store.Notifications(ctx, head.ID, 10)
	if len(ns) != 2 || ns[0].EmailedAt != nil || ns[0].EmailError == "" {
		t.Fatalf("after a failed send: %+v", ns[0])
	}
}
