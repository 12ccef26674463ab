package public

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/juece/juece/db/participation"
)

// Evaluation summaries (决策后评估报告摘要, R-EVA-05; the "公开透明"
// principle of the Luoyang-area rule): where the organ's policy publishes
// them, the completion of a post-evaluation carries its summary, and that
// audit event is the publication. The portal lists the published summaries
// (/public/evaluation/) and shows each (/public/evaluation/{task}); it reads
// them from the chain (db/participation.EvaluationSummaries).

// summariesListed is how many summaries the list pages show.
const summariesListed = 50

// evaluationKind is the evaluation summaries' kind: /public/evaluation/….
func (p *Portal) evaluationKind() NoticeKind {
	return NoticeKind{
		Kind:  "evaluation",
		Label: "决策后评估",
		Open:  p.publishedSummaries,
		Routes: func(g *echo.Group) {
			g.GET("", p.evaluationList)
			g.GET("/", p.evaluationList)
			g.GET("/:task", p.evaluationSummary)
		},
	}
}

// publishedSummaries lists the latest published summaries for the list of
// all notices: a summary stays public (it has no period).
func (p *Portal) publishedSummaries(ctx context.Context, _ time.Time) ([]Notice, error) {
	rows, err := p.Participation.EvaluationSummaries(ctx, 10)
	if err != nil {
		return nil, err
	}
	out := make([]Notice, 0, len(rows))
	for _, r := range rows {
		out = append(out, summaryNotice(r))
	}
	return out, nil
}

func summaryNotice(r participation.EvaluationSummary) Notice {
	return Notice{Title: r.Title, URL: Prefix + "/evaluation/" + r.TaskID, Organ: r.UnitName, From: r.PublishedOn, Until: r.PublishedOn,
		Note: "评估建议：" + recommendationZH(r.Recommendation)}
}

// recommendationZH names an evaluation's recommendation (R-EVA-04).
func recommendationZH(r string) string {
	switch r {
	case "continue":
		return "继续执行"
	case "adjust":
		return "调整"
	case "terminate":
		return "停止执行"
	}
	return r
}

// evaluationList is the page of every published summary.
func (p *Portal) evaluationList(c echo.Context) error {
	rows, err := p.Participation.EvaluationSummaries(c.Request().Context(), summariesListed)
	if err != nil {
		return p.Fail(c, err)
	}
	out := make([]Notice, 0, len(rows))
	for _, r := range rows {
		out = append(out, summaryNotice(r))
	}
	return p.Render(c, http.StatusOK, "evaluation_list", "决策后评估报告摘要", "evaluation", out)
}

// summaryPage is what a summary's page shows.
type summaryPage struct {
	participation.EvaluationSummary
	RecommendationZH string
}

// evaluationSummary is the page of one published summary.
func (p *Portal) evaluationSummary(c echo.Context) error {
	s, err := p.Participation.EvaluationSummaryOf(c.Request().Context(), c.Param("task"))
	if errors.Is(err, participation.ErrNoSummary) {
		return p.Fail(c, NotFound("该决策后评估报告摘要不存在或未公开。"))
	}
	if err != nil {
		return p.Fail(c, err)
	}
	return p.Render(c, http.StatusOK, "evaluation_summary", s.Title+" 决策后评估", "evaluation",
		summaryPage{EvaluationSummary: s, RecommendationZH: recommendationZH(s.Recommendation)})
}
