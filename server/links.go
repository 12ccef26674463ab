package server

import (
	"errors"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/juece/juece/activities"
	"github.com/juece/juece/db"
	"github.com/juece/juece/db/participation"
	"github.com/juece/juece/server/personal"
	"github.com/juece/juece/workflows"
)

// Personal links (issue 11 item 5): a track that needs a person without an
// account to act — a hearing participant confirming delivery or signing, an
// expert declaring conflicts or submitting an opinion — issues a link with
// issueLink and registers its purpose's page and act in
// registerLinkPurposes. The act goes through the case workflow with
// linkActor as its actor, so the audit event names the holder, never the
// unit's user who issued the link.

// registerLinkPurposes sets the page and act of every purpose of
// participation.Purposes that this server serves.
func (s *Server) registerLinkPurposes() {
	s.registerHearingLinks()
	s.registerExpertLinks()
	s.registerIndependenceLinks()
}

// IssuedLink is a link just issued: its address is shown this once.
type IssuedLink struct {
	participation.Link
	Path string `json:"path" description:"/p/{token}: hand it to the holder; it is not shown again"`
}

// issueLink issues a personal link on behalf of the signed-in user and
// records link.issued in the case's chain.
func (s *Server) issueLink(c echo.Context, spec participation.LinkSpec) (IssuedLink, error) {
	u := currentUser(c)
	token, l, err := s.links.IssueLink(c.Request().Context(), spec, participation.Issuer{UserID: u.ID, Name: u.Name, Role: u.Role, OrgID: u.OrgID,
		RequestID: requestID(c), ClientAddr: c.RealIP()})
	if err != nil {
		return IssuedLink{}, err
	}
	return IssuedLink{Link: l, Path: personal.Path(token)}, nil
}

// linkActor is the holder of a link as the audit chain records them: a
// stable ID of the participant or expert (participation.Link.ActorID).
func linkActor(l participation.Link) activities.Actor {
	return activities.Actor{UserID: l.ActorID(), Name: l.HolderName, Role: l.HolderKind}
}

// linkLifetime is how long a hearing participant's link works: until a
// week after the hearing day, and at least a day.
func linkLifetime(until time.Time) time.Time {
	if min := time.Now().Add(24 * time.Hour); until.Before(min) {
		return min
	}
	return until
}

// revokeLinkRequest is the body of a link's revocation.
type revokeLinkRequest struct {
	Reason string `json:"reason" required:"true" minLength:"1" maxLength:"500" description:"撤销理由"`
}

// revokeLink answers POST /cases/{id}/links/{link_id}/revoke: the unit stops
// a link it issued (sent to the wrong person, lost), with a reason.
func (s *Server) revokeLink(c echo.Context) error {
	cs, err := s.caseForUnit(c)
	if err != nil {
		return err
	}
	if _, err := uuid.Parse(c.Param("link_id")); err != nil {
		return notFound("此事项没有该链接 / no such link in this case")
	}
	var req revokeLinkRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if n := len([]rune(req.Reason)); n == 0 || n > 500 {
		return fieldError("reason", "撤销须说明理由（1–500字）", "a revocation needs a reason of 1–500 characters")
	}
	u := currentUser(c)
	l, err := s.links.Revoke(c.Request().Context(), cs.ID, c.Param("link_id"), req.Reason, participation.Issuer{UserID: u.ID, Name: u.Name,
		Role: u.Role, OrgID: u.OrgID, RequestID: requestID(c), ClientAddr: c.RealIP()})
	switch {
	case errors.Is(err, participation.ErrLinkUnknown):
		return notFound("此事项没有该链接 / no such link in this case")
	case errors.Is(err, participation.ErrLinkUsed):
		return newError(http.StatusConflict, CodeConflict, "链接已使用，不能撤销 / the link was already used")
	case errors.Is(err, participation.ErrLinkRevoked):
		return newError(http.StatusConflict, CodeConflict, "链接已撤销 / the link is already revoked")
	case err != nil:
		return err
	}
	return c.JSON(http.StatusOK, l)
}

// caseForUnit loads the case in the path for a user of its undertaking unit,
// which alone runs its hearing and issues its links.
func (s *Server) caseForUnit(c echo.Context) (db.Case, error) {
	cs, _, err := s.loadCase(c)
	if err != nil {
		return cs, err
	}
	u := currentUser(c)
	if u.OrgID != cs.UnitID || (u.Role != workflows.RoleDepartmentOfficer && u.Role != workflows.RoleOrgHead) {
		return db.Case{}, forbidden("只有承办单位可以办理 / only the undertaking unit may do this")
	}
	return cs, nil
}

// fieldError refuses one field of a body: 422 invalid_form naming it.
func fieldError(field, zh, en string) *Error {
	e := newError(http.StatusUnprocessableEntity, CodeInvalidForm, zh+" / "+en)
	e.Message, e.MessageEN = zh, en
	e.Fields = []workflows.FieldError{{Field: field, Message: zh, EN: en}}
	return e
}

type revokeLinkReq struct {
	idPath
	LinkID string `path:"link_id" format:"uuid"`
	revokeLinkRequest
}

// linkOps documents the links' routes.
var linkOps = []apiOp{
	{"POST", "/api/v1/cases/{id}/links/{link_id}/revoke", "Revoke a personal link the undertaking unit issued, with a reason (link.revoked in the case's chain); a used link cannot be revoked", new(revokeLinkReq), new(participation.Link), 200, true, []int{400, 403, 404, 409, 422}},
}
