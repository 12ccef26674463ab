package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/juece/juece/workflows"
)

// ProfileList answers GET /profiles: the legal profiles new cases start
// under, each with the params and rule policy a case started now freezes in.
type ProfileList struct {
	Profiles []ProfileView `json:"profiles"`
}

// ProfileView is one profile in force.
type ProfileView struct {
	Name   string           `json:"name" description:"national、henan、luoyang 或配置文件新增的配置"`
	Params workflows.Params `json:"params"`
}

func (s *Server) listProfiles(c echo.Context) error {
	out := ProfileList{Profiles: []ProfileView{}}
	for _, name := range s.cfg.Profiles.Names() {
		out.Profiles = append(out.Profiles, ProfileView{Name: name, Params: s.cfg.Profiles.Params(name)})
	}
	return c.JSON(http.StatusOK, out)
}
