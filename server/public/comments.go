package public

import (
	"context"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
)

// Comment notices (公开征求意见, Art. 15 of Decree 713; spec §4.4.1): the
// list of open notices, a page per notice with the draft, its explanation,
// the period and the channels, per-clause commenting, the receipt, and after
// the period the published feedback (采纳情况反馈).

// commentKind is the comment notices' kind: /public/comment/….
func (p *Portal) commentKind() NoticeKind {
	return NoticeKind{
		Kind:  "comment",
		Label: "公开征求意见",
		Open:  p.openCommentNotices,
		Routes: func(g *echo.Group) {
			g.GET("/:case", p.commentNotice)
		},
	}
}

// today is the civil date in Beijing at t.
func today(t time.Time) string { return t.In(beijing).Format(time.DateOnly) }

func (p *Portal) openCommentNotices(ctx context.Context, now time.Time) ([]Notice, error) {
	rows, err := p.Participation.OpenCommentNotices(ctx, today(now))
	if err != nil {
		return nil, err
	}
	out := make([]Notice, 0, len(rows))
	for _, r := range rows {
		out = append(out, Notice{Title: r.Title, Number: r.Number, URL: Prefix + "/comment/" + r.CaseID, Organ: r.UnitName,
			From: r.PublishDate, Until: r.EndDate})
	}
	return out, nil
}

// noticeCase is the path's case ID, checked: a malformed one is not there.
func noticeCase(c echo.Context) (string, error) {
	id := c.Param("case")
	if _, err := uuid.Parse(id); err != nil {
		return "", NotFound("该征求意见公告不存在。请从公众参与平台首页进入。")
	}
	return id, nil
}

// commentNotice is the page of one comment notice.
func (p *Portal) commentNotice(c echo.Context) error {
	id, err := noticeCase(c)
	if err != nil {
		return p.Fail(c, err)
	}
	cs, err := p.Store.GetCase(c.Request().Context(), id)
	if err != nil {
		return p.Fail(c, err)
	}
	return p.Render(c, http.StatusOK, "comment_notice", cs.Title, "comment", cs)
}
