package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"

	"github.com/juece/juece/db"
	"github.com/juece/juece/internal/lawfulpath"
)

// demoCase is a case `juece dev` starts on an empty record so that the
// workbench has something to show: it is taken through the shortest lawful
// path up to (not including) the step of task type until ("" = to the end).
type demoCase struct {
	title, until string
}

var demoCases = []demoCase{
	{"宜阳县老旧小区改造实施方案（演示）", "initiation"},
	{"宜阳县城区集中供暖价格调整方案（演示）", "legal_opinion"},
	{"宜阳县城区道路停车收费标准（演示）", ""},
}

// seedDemoCases starts the demo cases through the API's own handlers (h), as
// the demo users, when the record has no case yet. A failure is logged and
// leaves the stack running: the demo cases are a convenience.
func seedDemoCases(ctx context.Context, h http.Handler, store *db.Store, demoFile string, log *slog.Logger) {
	var exists bool
	if err := store.DB.GetContext(ctx, &exists, `SELECT EXISTS (SELECT 1 FROM cases)`); err != nil || exists {
		return
	}
	raw, err := os.ReadFile(demoFile)
	if err != nil {
		log.Warn("demo cases: no demo users", "err", err)
		return
	}
	var f demoUsersFile
	if err := json.Unmarshal(raw, &f); err != nil {
		log.Warn("demo cases: demo users unreadable", "err", err)
		return
	}
	tokens := map[string]string{}
	for _, u := range f.Users {
		if _, ok := tokens[u.Role]; !ok {
			tokens[u.Role] = u.Token
		}
	}
	call := func(role, method, path string, body, out any) error {
		var buf bytes.Buffer
		if body != nil {
			if err := json.NewEncoder(&buf).Encode(body); err != nil {
				return err
			}
		}
		req := httptest.NewRequest(method, path, &buf).WithContext(ctx)
		req.Header.Set("Authorization", "Bearer "+tokens[role])
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 300 {
			return fmt.Errorf("%s %s: %d %s", method, path, rec.Code, rec.Body.String())
		}
		if out != nil {
			return json.Unmarshal(rec.Body.Bytes(), out)
		}
		return nil
	}
	for _, dc := range demoCases {
		if err := runDemoCase(call, dc); err != nil {
			log.Warn("demo case not completed", "title", dc.title, "err", err)
			return
		}
	}
	log.Info("demo cases started", "cases", len(demoCases))
}

func runDemoCase(call func(role, method, path string, body, out any) error, dc demoCase) error {
	var created struct{ ID string }
	if err := call("department_officer", http.MethodPost, "/api/v1/cases", map[string]any{"title": dc.title}, &created); err != nil {
		return err
	}
	for _, st := range lawfulpath.Steps() {
		if st.Task == dc.until {
			return nil
		}
		var v struct {
			OpenTasks []struct{ ID, Type string } `json:"open_tasks"`
		}
		if err := call("auditor", http.MethodGet, "/api/v1/cases/"+created.ID, nil, &v); err != nil {
			return err
		}
		task := ""
		for _, t := range v.OpenTasks {
			if t.Type == st.Task {
				task = t.ID
			}
		}
		if task == "" {
			return fmt.Errorf("case %s has no open %s task", created.ID, st.Task)
		}
		if err := call(st.Role, http.MethodPost, "/api/v1/tasks/"+task+"/complete", map[string]any{"form": st.Form}, nil); err != nil {
			return err
		}
	}
	return nil
}
