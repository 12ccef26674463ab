package activities

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/smtp"
	"strings"
	"time"

	"github.com/juece/juece/db"
)

// Mailer sends one e-mail. SMTPMailer is the real one; nil means no e-mail.
type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
}

// SMTPMailer sends through an SMTP relay (no authentication: a local relay
// or catcher; production relays are configured on the host).
type SMTPMailer struct {
	Addr string // host:port
	From string
}

// Send delivers one plain-text UTF-8 message.
func (m SMTPMailer) Send(ctx context.Context, to, subject, body string) error {
	msg := "From: " + m.From + "\r\nTo: " + to + "\r\nSubject: =?UTF-8?B?" + b64(subject) + "?=\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" +
		strings.ReplaceAll(body, "\n", "\r\n") + "\r\n"
	done := make(chan error, 1)
	go func() { done <- smtp.SendMail(m.Addr, nil, m.From, []string{to}, []byte(msg)) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// NotifyInput asks for a notification to users by id and/or to everyone with
// a role in an organisation.
type NotifyInput struct {
	Key     string   `json:"key"` // unique per notification; one row per key and user
	Kind    string   `json:"kind"`
	CaseID  string   `json:"case_id,omitempty"`
	TaskID  string   `json:"task_id,omitempty"`
	Title   string   `json:"title"`
	Body    string   `json:"body,omitempty"`
	UserIDs []string `json:"user_ids,omitempty"`
	OrgID   string   `json:"org,omitempty"`
	Role    string   `json:"role,omitempty"`
}

// NotifyResult says whom it reached.
type NotifyResult struct {
	Recipients int `json:"recipients"`
	Emailed    int `json:"emailed"`
}

// Notify stores an in-app notification for each recipient and e-mails those
// with an address when a Mailer is configured. Retries store nothing twice; a
// failed e-mail is recorded on the notification and retried by Temporal.
func (a *Activities) Notify(ctx context.Context, in NotifyInput) (NotifyResult, error) {
	users, err := a.Store.Recipients(ctx, in.UserIDs, in.OrgID, in.Role)
	if err != nil {
		return NotifyResult{}, err
	}
	var res NotifyResult
	var failed error
	for _, u := range users {
		n := db.Notification{Key: in.Key + "/" + u.ID, UserID: u.ID, Kind: in.Kind, Title: in.Title, Body: in.Body}
		if in.CaseID != "" {
			n.CaseID = &in.CaseID
		}
		if in.TaskID != "" {
			n.TaskID = &in.TaskID
		}
		stored, _, err := a.Store.AddNotification(ctx, n)
		if err != nil {
			return res, err
		}
		res.Recipients++
		if a.Mailer == nil || u.Email == "" || stored.EmailedAt != nil {
			continue
		}
		sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		sendErr := a.Mailer.Send(sctx, u.Email, in.Title, in.Body)
		cancel()
		if err := a.Store.MarkEmailed(ctx, stored.ID, sendErr); err != nil {
			return res, err
		}
		if sendErr != nil {
			failed = fmt.Errorf("e-mail to %s: %w", u.ID, sendErr)
			continue
		}
		res.Emailed++
	}
	return res, failed
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
