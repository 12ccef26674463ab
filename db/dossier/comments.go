package dossier

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/participation"
)

// CommentsFile is comments.json: the case's public comments (公开征求意见)
// as received, with each one's disposition and moderation. The chain holds
// no event per comment; it holds the unit's dispositions and hidings, and,
// with each adoption report, the digest of every comment received until
// then (participation.CommentsDigest). Verify recomputes that digest from
// this file and checks the file's dispositions and hidings against the
// chain's events. A commenter's contact is personal information and stays
// in the database: it is not archived here.
const CommentsFile = "comments.json"

// Comments is comments.json.
type Comments struct {
	CaseID   string    `json:"case_id"`
	Count    int       `json:"count"`
	Digest   string    `json:"digest" description:"participation.DigestOf over every comment's DigestLine"`
	Comments []Comment `json:"comments"`
}

// Comment is one public comment in the dossier.
type Comment struct {
	ID                string     `json:"id"`
	NoticeSeq         int64      `json:"notice_seq"`
	ClauseNo          int        `json:"clause_no"`
	AuthorName        string     `json:"author_name,omitempty"`
	Text              string     `json:"text"`
	Topic             string     `json:"topic,omitempty"`
	ReceivedAt        time.Time  `json:"received_at"`
	Disposition       string     `json:"disposition,omitempty"`
	DispositionReason string     `json:"disposition_reason,omitempty"`
	DisposedAt        *time.Time `json:"disposed_at,omitempty"`
	Hidden            string     `json:"hidden,omitempty"` // the reason code, when hidden from the portal
	HiddenReason      string     `json:"hidden_reason,omitempty"`
}

func commentsOf(caseID string, pcs []db.PublicComment) Comments {
	out := Comments{CaseID: caseID, Count: len(pcs), Comments: make([]Comment, 0, len(pcs))}
	lines := make([]string, 0, len(pcs))
	for _, c := range pcs {
		out.Comments = append(out.Comments, Comment{ID: c.ID, NoticeSeq: c.NoticeSeq, ClauseNo: c.ClauseNo, AuthorName: c.AuthorName, Text: c.Body,
			Topic: c.Topic, ReceivedAt: c.ReceivedAt, Disposition: c.Disposition, DispositionReason: c.DispositionReason, DisposedAt: c.DisposedAt,
			Hidden: c.HiddenCode, HiddenReason: c.HiddenReason})
		lines = append(lines, participation.DigestLine(c.ID, c.NoticeSeq, c.ClauseNo, c.ReceivedAt, c.Body))
	}
	out.Digest = participation.DigestOf(lines)
	return out
}

// commentEvents says whether a chain has events about public comments.
func commentEvents(evs []Event) bool {
	for _, e := range evs {
		switch e.Action {
		case db.ActionCommentDisposed, participation.ActionCommentHidden, participation.ActionCommentsReport:
			return true
		}
	}
	return false
}

// verifyComments checks comments.json against the chain: each adoption
// report's digest over the comments received by then, each disposition and
// hiding the chain records as the file's final state.
func verifyComments(cf Comments, evs []Event) []Problem {
	var out []Problem
	if cf.Count != len(cf.Comments) {
		out = append(out, Problem{File: CommentsFile, Reason: "意见条数与列表不符 / the count disagrees with the list"})
	}
	lines := make([]string, len(cf.Comments))
	byID := map[string]*Comment{}
	for i := range cf.Comments {
		c := &cf.Comments[i]
		lines[i] = participation.DigestLine(c.ID, c.NoticeSeq, c.ClauseNo, c.ReceivedAt, c.Text)
		byID[c.ID] = c
		if i > 0 {
			p := cf.Comments[i-1]
			if c.ReceivedAt.Before(p.ReceivedAt) || (c.ReceivedAt.Equal(p.ReceivedAt) && c.ID < p.ID) {
				out = append(out, Problem{File: CommentsFile, Reason: "意见未按收到顺序排列 / the comments are not in arrival order"})
			}
		}
	}
	if participation.DigestOf(lines) != cf.Digest {
		out = append(out, Problem{File: CommentsFile, Reason: "意见摘要值与内容不符 / the digest does not match the comments"})
	}
	final := map[string]string{} // comment → disposition the chain last gave it
	hidden := map[string]string{}
	for _, e := range evs {
		switch e.Action {
		case participation.ActionCommentsReport:
			var r participation.AdoptionReportRef
			if err := json.Unmarshal(e.Data, &r); err != nil || r.Count > len(lines) || participation.DigestOf(lines[:r.Count]) != r.Digest {
				out = append(out, Problem{File: CommentsFile, Seq: e.Seq, Reason: fmt.Sprintf(
					"采纳情况报告记载的%d条意见的摘要值与档案中的意见不符 / the digest the adoption report recorded over %d comments does not match the dossier's", r.Count, r.Count)})
			}
		case db.ActionCommentDisposed:
			var d struct {
				CommentID   string   `json:"comment_id"`
				CommentIDs  []string `json:"comment_ids"`
				Topic       *string  `json:"topic"`
				Disposition string   `json:"disposition"`
			}
			if json.Unmarshal(e.Data, &d) != nil {
				out = append(out, Problem{File: EventsFile, Seq: e.Seq, Reason: "comment.disposed 数据无法解析 / comment.disposed data cannot be parsed"})
				continue
			}
			ids := d.CommentIDs
			if d.CommentID != "" {
				ids = append(ids, d.CommentID)
			}
			for _, id := range ids {
				if byID[id] == nil {
					out = append(out, Problem{File: CommentsFile, Seq: e.Seq, Reason: "链上处理的意见不在档案中 / a comment the chain disposed of is not in the dossier"})
				}
				final[id] = d.Disposition
			}
			if d.Topic != nil && len(ids) == 0 {
				// A topic's cluster names its comments by topic only: they
				// are those of the topic disposed of at the event.
				for _, c := range cf.Comments {
					if c.Topic == *d.Topic && c.DisposedAt != nil && !c.DisposedAt.After(e.At) && final[c.ID] == "" {
						final[c.ID] = d.Disposition
					}
				}
			}
		case participation.ActionCommentHidden:
			var h struct {
				CommentID  string `json:"comment_id"`
				ReasonCode string `json:"reason_code"`
			}
			if json.Unmarshal(e.Data, &h) == nil {
				hidden[h.CommentID] = h.ReasonCode
			}
		}
	}
	for _, c := range cf.Comments {
		if d, ok := final[c.ID]; ok && d != c.Disposition {
			out = append(out, Problem{File: CommentsFile, Reason: fmt.Sprintf("意见 %s 的处理结果与审计链不符 / comment %s's disposition differs from the chain's", c.ID, c.ID)})
		}
		if c.Disposition != "" && final[c.ID] == "" {
			out = append(out, Problem{File: CommentsFile, Reason: fmt.Sprintf("意见 %s 的处理结果不见于审计链 / comment %s has a disposition the chain does not record", c.ID, c.ID)})
		}
		if hidden[c.ID] != c.Hidden {
			out = append(out, Problem{File: CommentsFile, Reason: fmt.Sprintf("意见 %s 的隐藏情况与审计链不符 / comment %s's hiding differs from the chain's", c.ID, c.ID)})
		}
	}
	return out
}
