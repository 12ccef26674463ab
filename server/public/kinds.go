package public

import (
	"context"
	"time"

	"github.com/labstack/echo/v4"
)

// NoticeKind is one kind of notice the portal publishes: the list page shows
// its open notices under its label, and its pages live under
// /public/<Kind>/….
//
// To add a kind (the hearing track's 听证公告, say): write hearing.go in this
// package with a function returning its NoticeKind (Open from its store,
// Routes adding its pages, templates in templates/hearing_*.html), and add
// it to noticeKinds below. Pages use Portal.Render and return Portal.Fail
// on errors; forms use the portal's anti-abuse guard (guard.go) like the
// comment form does.
type NoticeKind struct {
	// Kind is the path segment of the kind's pages: /public/<Kind>/….
	Kind string
	// Label names the kind on the list page and in the header (征求意见).
	Label string
	// Open lists the notices of the kind open at now, newest first.
	Open func(ctx context.Context, now time.Time) ([]Notice, error)
	// Routes adds the kind's pages to g, the group at /public/<Kind>; the
	// portal's security headers apply.
	Routes func(g *echo.Group)
}

// Notice is one entry of the list page.
type Notice struct {
	Title string // the case's title
	URL   string // the notice's page, under /public/<Kind>/
	// Organ is who publishes it (the undertaking unit's name).
	Organ string
	// From and Until are the notice's period (YYYY-MM-DD, Beijing) for a
	// comment notice, or the day it was published and the day of the event
	// (a hearing's date) for others.
	From, Until string
	// Note is one line under the title (working days left, the hearing's
	// place); may be empty.
	Note string
}

// noticeKinds are the kinds the portal serves, in the list page's order.
// Add a track's kind here.
func (p *Portal) noticeKinds() []NoticeKind {
	return []NoticeKind{
		p.commentKind(),    // comments.go: 公开征求意见
		p.hearingKind(),    // hearing.go: 听证会
		p.evaluationKind(), // evaluation.go: 决策后评估报告摘要
	}
}
