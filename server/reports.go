package server

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/calendar"
)

// AnnualReportQuery is the query of GET /reports/annual.
type AnnualReportQuery struct {
	Org    string `query:"org" required:"true" description:"单位 ID：其决定或承办的事项"`
	Year   int    `query:"year" required:"true" minimum:"2014" maximum:"2099"`
	Format string `query:"format" enum:"json,csv" description:"默认 json；Accept: text/csv 亦得 CSV"`
}

// AnnualReport answers GET /reports/annual in JSON.
type AnnualReport = db.AnnualReport

var reportParams = []string{"org", "year", "format"}

// orgID is the form of organisations.id (migration 00001).
var orgID = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,62}$`)

// annualReport answers GET /reports/annual?org=&year=[&format=csv]: the
// figures of one organisation's year (db.Store.AnnualReport, R-LIA-05), each
// with the cases it counts. Auditors and admins read any organisation's; an
// organisation's own staff read its own, and the general office of a
// decision organ, which compiles the organ's report, reads the organ's.
func (s *Server) annualReport(c echo.Context) error {
	params := c.QueryParams()
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !slices.Contains(reportParams, k) {
			return invalid(fmt.Sprintf("未知查询参数 %s，可用 org、year、format / unknown query parameter %s; use org, year, format", k, k))
		}
		if len(params[k]) != 1 {
			return invalid(fmt.Sprintf("查询参数 %s 只能出现一次 / query parameter %s given more than once", k, k))
		}
	}
	org := params.Get("org")
	if !orgID.MatchString(org) {
		return invalid("须以 org 指定单位 ID（小写字母、数字和连字符）/ org must be an organisation ID (lower-case letters, digits, hyphens)")
	}
	year, err := strconv.Atoi(params.Get("year"))
	if err != nil || year < calendar.MinYear || year > calendar.MaxYear {
		return invalid(fmt.Sprintf("year 须为 %d–%d 的年份 / year must be a year from %d to %d", calendar.MinYear, calendar.MaxYear, calendar.MinYear, calendar.MaxYear))
	}
	if now := time.Now(); year > now.In(chinaTime).Year() {
		return invalid(fmt.Sprintf("%d 年尚未开始 / the year %d has not begun", year, year))
	}
	asCSV := false
	switch params.Get("format") {
	case "json":
	case "csv":
		asCSV = true
	case "":
		asCSV = strings.Contains(c.Request().Header.Get(echo.HeaderAccept), "text/csv")
	default:
		return invalid("format 须为 json 或 csv / format must be json or csv")
	}
	ctx := c.Request().Context()
	o, err := s.store.GetOrganisation(ctx, org)
	if errors.Is(err, db.ErrNotFound) {
		return notFound("单位不存在 / no such organisation")
	} else if err != nil {
		return err
	}
	u := currentUser(c)
	var set OrganSettings
	_ = json.Unmarshal(o.Settings, &set)
	if ok, err := s.oversees(c, o.ID); err != nil {
		return err
	} else if !ok && u.OrgID != o.ID && (set.GeneralOffice == "" || set.GeneralOffice != u.OrgID) {
		return forbidden("年度报告仅供本单位、其政府办公室、审计监督人员和系统管理员查看 / only the organisation itself, its general office, auditors and administrators may read its annual report")
	}
	rep, err := s.store.AnnualReport(ctx, o.ID, year, time.Now())
	if err != nil {
		return err
	}
	if !asCSV {
		return c.JSON(http.StatusOK, rep)
	}
	b, err := AnnualReportCSV(rep)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="annual-report-%s-%d.csv"`, o.ID, year))
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", b)
}

// AnnualReportCSVHeader is the header row of the CSV report.
var AnnualReportCSVHeader = []string{"org", "year", "key", "label", "unit", "value", "text", "numerator", "denominator", "date", "case_ids", "base_case_ids"}

// AnnualReportCSV writes the report as CSV: one row per figure, the case ids
// joined by ";". It starts with a UTF-8 byte order mark, so that spreadsheet
// programs set to GBK (Excel, WPS) read the Chinese labels right.
func AnnualReportCSV(r db.AnnualReport) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	w := csv.NewWriter(&buf)
	if err := w.Write(AnnualReportCSVHeader); err != nil {
		return nil, err
	}
	opt := func(n *int) string {
		if n == nil {
			return ""
		}
		return strconv.Itoa(*n)
	}
	for _, f := range r.Figures {
		row := []string{r.Org, strconv.Itoa(r.Year), f.Key, f.Label, f.Unit, strconv.FormatFloat(f.Value, 'f', -1, 64), f.Text,
			opt(f.Numerator), opt(f.Denominator), f.Date, strings.Join(f.Cases, ";"), strings.Join(f.BaseCases, ";")}
		if err := w.Write(row); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}
