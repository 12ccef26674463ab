package public

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/juece/juece/db/participation"
	"github.com/juece/juece/server/ratelimit"
)

// Hearing notices (听证公告, Arts. 16–17 of Decree 713; spec §4.4.2): the
// list of hearings to come, a page per hearing with the draft, its
// explanation, the time and place, the sides concerned, the selection method
// once published, the draw (seed and result, to re-run) and the
// participant list; and the registration of applicants by themselves, with
// a receipt. Everything shown is read from the case's audit chain
// (db/participation.HearingNotice); a registration is a row and a
// hearing.registered event, written in one transaction.

// hearingKind is the hearing notices' kind: /public/hearing/….
func (p *Portal) hearingKind() NoticeKind {
	return NoticeKind{
		Kind:  "hearing",
		Label: "听证会",
		Open:  p.openHearings,
		Routes: func(g *echo.Group) {
			g.GET("/:task", p.hearingNotice)
			g.GET("/:task/draft", p.hearingDraft)
			g.POST("/:task/registrations", p.register)
		},
	}
}

func (p *Portal) openHearings(ctx context.Context, now time.Time) ([]Notice, error) {
	rows, err := p.Participation.OpenHearingNotices(ctx, today(now))
	if err != nil {
		return nil, err
	}
	out := make([]Notice, 0, len(rows))
	for _, r := range rows {
		out = append(out, Notice{Title: r.Title, URL: Prefix + "/hearing/" + r.TaskID, Organ: r.UnitName, From: r.PublishedOn, Until: r.HearingDate,
			Note: "听证会 " + r.StartTime + " · " + r.Place})
	}
	return out, nil
}

// hearingPage is what the notice page shows.
type hearingPage struct {
	participation.HearingNotice
	Open   bool
	Form   registrationForm
	Errors map[string]string
	// Selected names the drawn candidates, in the draw's order.
	Selected []participation.Listed
}

type registrationForm struct {
	Name, Contact, Side, Interest string
}

func (p *Portal) loadHearing(c echo.Context) (participation.HearingNotice, error) {
	id := c.Param("task")
	if _, err := uuid.Parse(id); err != nil {
		return participation.HearingNotice{}, NotFound("该听证公告不存在。请从公众参与平台首页进入。")
	}
	n, err := p.Participation.HearingNotice(c.Request().Context(), id)
	if errors.Is(err, participation.ErrNoHearing) {
		return n, NotFound("该听证公告不存在或尚未公布。")
	}
	return n, err
}

func (p *Portal) hearingView(n participation.HearingNotice) hearingPage {
	v := hearingPage{HearingNotice: n, Open: n.RegistrationOpen(today(p.Now())), Errors: map[string]string{}}
	if d := n.Draw; d != nil {
		for _, id := range d.Selected {
			for _, c := range d.Candidates {
				if c.ID == id {
					v.Selected = append(v.Selected, participation.Listed{ID: c.ID, Name: c.Name, Side: c.Side})
				}
			}
		}
	}
	return v
}

// hearingNotice is the page of one hearing.
func (p *Portal) hearingNotice(c echo.Context) error {
	n, err := p.loadHearing(c)
	if err != nil {
		return p.Fail(c, err)
	}
	return p.Render(c, http.StatusOK, "hearing_notice", n.Title+" 听证会", "hearing", p.hearingView(n))
}

// hearingDraft serves the draft the notice published, and nothing else.
func (p *Portal) hearingDraft(c echo.Context) error {
	n, err := p.loadHearing(c)
	if err != nil {
		return p.Fail(c, err)
	}
	body, mediaType, err := p.Store.Blobs().Get(c.Request().Context(), n.DraftSHA256)
	if err != nil {
		return p.Fail(c, err)
	}
	c.Response().Header().Set("Content-Disposition", `attachment; filename="draft-`+n.DraftSHA256[:12]+`"`)
	return c.Blob(http.StatusOK, mediaType, body)
}

// A person registers once; a script is slowed down by the limit of
// registrations per address (ratelimit.Config.RegistrationPerAddress), counted in
// PostgreSQL, so every API server counts the same address together.
const maxRegistration = 16 << 10

// cleanField checks one typed field: trimmed, no control characters, at
// most max characters.
func cleanField(v string, max int, multiline bool) (string, bool) {
	v = strings.TrimSpace(v)
	bad := strings.ContainsFunc(v, func(r rune) bool {
		return unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\r' || r == '\t'))
	})
	return v, !bad && utf8.ValidString(v) && utf8.RuneCountInString(v) <= max
}

// register takes an applicant's registration. Refusals keep what was typed
// and record nothing.
func (p *Portal) register(c echo.Context) error {
	n, err := p.loadHearing(c)
	if err != nil {
		return p.Fail(c, err)
	}
	if err := p.limit(c, func(c ratelimit.Config) ratelimit.Limit { return c.RegistrationPerAddress }, "提交过于频繁，请稍后再试。", Prefix+"/hearing/"+n.TaskID); err != nil {
		return p.Fail(c, err)
	}
	c.Request().Body = http.MaxBytesReader(c.Response(), c.Request().Body, maxRegistration)
	if err := c.Request().ParseForm(); err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			return p.Fail(c, &Problem{Status: http.StatusRequestEntityTooLarge, Message: "提交的内容过大，请精简后重新填写。", Back: Prefix + "/hearing/" + n.TaskID})
		}
		return p.Fail(c, BadRequest("提交的内容格式有误，请从听证公告页面重新填写。"))
	}
	v := p.hearingView(n)
	f := c.Request().PostForm
	var ok bool
	name, ok := cleanField(f.Get("name"), 50, false)
	if !ok || name == "" {
		v.Errors["name"] = "请填写姓名或单位名称（至多50字）。"
	}
	contact, ok := cleanField(f.Get("contact"), 100, false)
	if !ok || contact == "" {
		v.Errors["contact"] = "请填写联系电话或地址（至多100字），用于送达听证材料，不予公开。"
	}
	side := f.Get("side")
	known := false
	for _, s := range n.Sides {
		known = known || s == side
	}
	if !known {
		v.Errors["side"] = "请选择您所代表的一方。"
	}
	interest, ok := cleanField(f.Get("interest"), 500, true)
	if !ok {
		v.Errors["interest"] = "利害关系说明至多500字。"
	}
	v.Form = registrationForm{Name: name, Contact: contact, Side: side, Interest: interest}
	if !v.Open {
		return p.Fail(c, &Problem{Status: http.StatusConflict, Message: "报名已截止（或尚未开始），不能再报名。", Back: Prefix + "/hearing/" + n.TaskID})
	}
	if len(v.Errors) > 0 {
		return p.Render(c, http.StatusUnprocessableEntity, "hearing_notice", n.Title+" 听证会", "hearing", v)
	}
	reg, _, err := p.Participation.Register(c.Request().Context(), participation.Registration{TaskID: n.TaskID, Name: name, Contact: contact,
		Side: side, Interest: interest, ClientAddr: c.RealIP()}, today(p.Now()), c.Response().Header().Get(echo.HeaderXRequestID))
	switch {
	case errors.Is(err, participation.ErrAlreadyRegistered):
		v.Errors["contact"] = "该联系方式已报名，无需重复报名。"
		return p.Render(c, http.StatusConflict, "hearing_notice", n.Title+" 听证会", "hearing", v)
	case errors.Is(err, participation.ErrRegistrationClosed):
		return p.Fail(c, &Problem{Status: http.StatusConflict, Message: "报名已截止，不能再报名。", Back: Prefix + "/hearing/" + n.TaskID})
	case errors.Is(err, participation.ErrUnknownSide):
		v.Errors["side"] = "请选择您所代表的一方。"
		return p.Render(c, http.StatusUnprocessableEntity, "hearing_notice", n.Title+" 听证会", "hearing", v)
	case err != nil:
		return p.Fail(c, err)
	}
	return p.Render(c, http.StatusCreated, "hearing_registered", "报名成功", "hearing", struct {
		participation.HearingNotice
		Registration participation.Registration
	}{n, reg})
}
