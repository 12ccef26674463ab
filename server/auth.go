package server

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/juece/juece/activities"
	"github.com/juece/juece/db"
	"github.com/juece/juece/internal/authz"
	"github.com/juece/juece/server/ratelimit"
)

const userKey = "juece.user"

// authenticate requires a bearer token on every /api/v1 route.
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		// An address that sent too many missing or unknown tokens is
		// refused before its next token is looked up, right or wrong.
		if s.limits != nil {
			if d, err := s.limits.Over(ctx, s.limits.Cfg.TokenFailuresPerAddress, c.RealIP()); err != nil {
				return err
			} else if !d.OK {
				return tooManyRequests(c, d, "该地址的无效访问令牌过多，请稍后再试 / too many requests with a missing or invalid token from this address, try again later")
			}
		}
		h := c.Request().Header.Get(echo.HeaderAuthorization)
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || strings.TrimSpace(token) == "" {
			return s.tokenFailure(c, "缺少访问令牌 / missing bearer token")
		}
		u, err := s.userByToken(c, strings.TrimSpace(token))
		if errors.Is(err, db.ErrNotFound) {
			return s.tokenFailure(c, "访问令牌无效 / invalid token")
		}
		if err != nil {
			return err
		}
		if s.limits != nil {
			if d, err := s.limits.Hit(ctx, s.limits.Cfg.TokenPerUser, u.ID); err != nil {
				return err
			} else if !d.OK {
				return tooManyRequests(c, d, "请求过于频繁，请稍后再试 / too many requests for this user, try again later")
			}
		}
		c.Set(userKey, u)
		if err := scopeAllows(u.TokenScope, c.Request().Method, c.Path()); err != nil {
			return err
		}
		return next(c)
	}
}

// tokenFailure answers a missing or unknown token, counted against the
// client's address.
func (s *Server) tokenFailure(c echo.Context, detail string) error {
	if s.limits != nil {
		if _, err := s.limits.Hit(c.Request().Context(), s.limits.Cfg.TokenFailuresPerAddress, c.RealIP()); err != nil {
			return err
		}
	}
	return unauthenticated(detail)
}

// tooManyRequests is a 429 with the limit's Retry-After, code rate_limited.
func tooManyRequests(c echo.Context, d ratelimit.Decision, detail string) error {
	c.Response().Header().Set("Retry-After", d.RetryAfterSeconds())
	return newError(http.StatusTooManyRequests, CodeRateLimited, detail)
}

// CodeTokenScope refuses a request its token's scope does not cover.
const CodeTokenScope = "token_scope"

// scopeAllows checks a request against its API token's scope
// (db/accounts tokens): read is GET only; act is what the role may do but
// the administrator-only acts (the matrix's AdminToken rows,
// internal/authz); admin, and a user's personal token, all the role may do.
func scopeAllows(scope, method, route string) error {
	switch scope {
	case db.ScopeRead:
		if method != http.MethodGet && method != http.MethodHead {
			return newError(http.StatusForbidden, CodeTokenScope, "该访问令牌只读 / this API token may only read")
		}
	case db.ScopeAct:
		if row, ok := authz.Route(method, route); ok && row.AdminToken {
			return newError(http.StatusForbidden, CodeTokenScope, "该操作需要管理范围的访问令牌 / this act needs an API token of scope admin")
		}
	}
	return nil
}

func unauthenticated(detail string) *Error {
	e := newError(http.StatusUnauthorized, CodeUnauthenticated, detail)
	return e
}

func currentUser(c echo.Context) db.User {
	u, _ := c.Get(userKey).(db.User)
	return u
}

// actor is how the authenticated user is recorded in the workflow and audit trail.
func actor(u db.User) activities.Actor {
	return activities.Actor{UserID: u.ID, Name: u.Name, Role: u.Role, OrgID: u.OrgID}
}

// overseer is true for a user with a reach (auditors, admins): they read
// the cases, records and figures of the organisations in it, never beyond.
// The reach itself is computed by the database when the user authenticates
// (db.User.Reach, migration 00020).
func overseer(u db.User) bool { return u.Reach != "" }

// oversees says whether any of orgs lies in the current user's reach. It is
// the one check behind every overseer's read across organisations.
// It consults the authorisation matrix: only a route whose row gives the
// user's role the scope Reach reads across organisations by reach.
func (s *Server) oversees(c echo.Context, orgs ...string) (bool, error) {
	u := currentUser(c)
	if row, ok := matrixRow(c); !ok || row.Scope(u.Role) != authz.Reach {
		return false, nil
	}
	return s.store.InReach(c.Request().Context(), u.Reach, orgs...)
}

// userByToken authenticates a bearer token against the database on every
// request: nothing in this process remembers a token, so a disabled user or
// a revoked token (juece users disable, juece tokens revoke) is refused at
// once by every API process.
func (s *Server) userByToken(c echo.Context, token string) (db.User, error) {
	return s.store.UserByToken(c.Request().Context(), token)
}
