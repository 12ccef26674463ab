package server

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/juece/juece/db"
	"github.com/juece/juece/workflows"
)

// consultationRecords checks that every consultation the comment report
// records (R-PP-02, R-PP-08) names a record document filed in this case:
// the evidence is a document whose SHA-256 is in the chain, not a tick. A
// malformed form is left to the workflow, which reports it.
func (s *Server) consultationRecords(ctx context.Context, t db.Task, form json.RawMessage) error {
	if t.Type != workflows.TaskCommentReport || len(form) == 0 {
		return nil
	}
	var f struct {
		Consultations []struct {
			RecordSHA256 string `json:"record_sha256"`
		} `json:"group_consultations"`
	}
	if json.Unmarshal(form, &f) != nil || len(f.Consultations) > 50 {
		return nil
	}
	for i, c := range f.Consultations {
		sha := strings.TrimSpace(c.RecordSHA256)
		if sha == "" {
			continue // required: the workflow's field check answers
		}
		ok, err := s.documentInCase(ctx, t.CaseID, sha)
		if err != nil {
			return err
		}
		if !ok {
			return fieldError(fmt.Sprintf("group_consultations[%d].record_sha256", i), "须为已上传到本事项的沟通协商记录文件（SHA-256）",
				"must be the SHA-256 of a consultation record filed in this case")
		}
	}
	return nil
}
