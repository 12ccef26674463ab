package server

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/juece/juece/db"
)

// NotificationList answers GET /notifications: the newest first and the unread count.
type NotificationList struct {
	Notifications []db.Notification `json:"notifications"`
	Unread        int               `json:"unread"`
}

func (s *Server) notifications(c echo.Context) error {
	limit := 50
	if v := c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 200 {
			return invalid("limit 须为 1–200 / limit must be 1–200")
		}
		limit = n
	}
	ns, unread, err := s.store.Notifications(c.Request().Context(), currentUser(c).ID, limit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, NotificationList{Notifications: ns, Unread: unread})
}

type notificationPath struct {
	ID int64 `path:"id"`
}

func (s *Server) readNotification(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return notFound("通知不存在 / no such notification")
	}
	err = s.store.MarkRead(c.Request().Context(), currentUser(c).ID, id)
	if errors.Is(err, db.ErrNotFound) {
		return notFound("通知不存在 / no such notification")
	}
	if err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
