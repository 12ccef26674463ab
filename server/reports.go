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

	"github.com/labstack/echo/v4"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/calendar"
	"github.com/juece/juece/server/xlsxreport"
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
	rep, format, err := s.loadAnnualReport(c, true)
	if err != nil {
		return err
	}
	switch format {
	case "csv":
		return writeAnnualCSV(c, rep)
	default:
		return c.JSON(http.StatusOK, rep)
	}
}

// annualReportCSV answers GET /reports/annual.csv: the report as CSV, a
// download.
func (s *Server) annualReportCSV(c echo.Context) error {
	rep, _, err := s.loadAnnualReport(c, false)
	if err != nil {
		return err
	}
	return writeAnnualCSV(c, rep)
}

// annualReportXLSX answers GET /reports/annual.xlsx: the report as an Excel
// workbook (AnnualReportXLSX), a download.
func (s *Server) annualReportXLSX(c echo.Context) error {
	rep, _, err := s.loadAnnualReport(c, false)
	if err != nil {
		return err
	}
	b, err := AnnualReportXLSX(rep)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="annual-report-%s-%d.xlsx"`, rep.Org, rep.Year))
	return c.Blob(http.StatusOK, XLSXContentType, b)
}

// XLSXContentType is the media type of an Office Open XML workbook.
const XLSXContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

func writeAnnualCSV(c echo.Context, rep db.AnnualReport) error {
	b, err := AnnualReportCSV(rep)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="annual-report-%s-%d.csv"`, rep.Org, rep.Year))
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", b)
}

// loadAnnualReport checks the query (org, year and, where withFormat, the
// format: json, csv, or from Accept) and the reader's right to the
// organisation's report, and computes it as of the server's clock.
func (s *Server) loadAnnualReport(c echo.Context, withFormat bool) (db.AnnualReport, string, error) {
	var none db.AnnualReport
	params := c.QueryParams()
	allowed, names := reportParams, "org、year、format / org, year, format"
	if !withFormat {
		allowed, names = reportParams[:2], "org、year / org, year"
	}
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !slices.Contains(allowed, k) {
			zh, en, _ := strings.Cut(names, " / ")
			return none, "", invalid(fmt.Sprintf("未知查询参数 %s，可用 %s / unknown query parameter %s; use %s", k, zh, k, en))
		}
		if len(params[k]) != 1 {
			return none, "", invalid(fmt.Sprintf("查询参数 %s 只能出现一次 / query parameter %s given more than once", k, k))
		}
	}
	org := params.Get("org")
	if !orgID.MatchString(org) {
		return none, "", invalid("须以 org 指定单位 ID（小写字母、数字和连字符）/ org must be an organisation ID (lower-case letters, digits, hyphens)")
	}
	year, err := strconv.Atoi(params.Get("year"))
	if err != nil || year < calendar.MinYear || year > calendar.MaxYear {
		return none, "", invalid(fmt.Sprintf("year 须为 %d–%d 的年份 / year must be a year from %d to %d", calendar.MinYear, calendar.MaxYear, calendar.MinYear, calendar.MaxYear))
	}
	now := s.now()
	if year > now.In(chinaTime).Year() {
		return none, "", invalid(fmt.Sprintf("%d 年尚未开始 / the year %d has not begun", year, year))
	}
	format := "json"
	switch params.Get("format") {
	case "json":
	case "csv":
		format = "csv"
	case "":
		if strings.Contains(c.Request().Header.Get(echo.HeaderAccept), "text/csv") {
			format = "csv"
		}
	default:
		return none, "", invalid("format 须为 json 或 csv / format must be json or csv")
	}
	ctx := c.Request().Context()
	o, err := s.store.GetOrganisation(ctx, org)
	if errors.Is(err, db.ErrNotFound) {
		return none, "", notFound("单位不存在 / no such organisation")
	} else if err != nil {
		return none, "", err
	}
	u := currentUser(c)
	var set OrganSettings
	_ = json.Unmarshal(o.Settings, &set)
	if ok, err := s.oversees(c, o.ID); err != nil {
		return none, "", err
	} else if !ok && u.OrgID != o.ID && (set.GeneralOffice == "" || set.GeneralOffice != u.OrgID) {
		return none, "", forbidden("年度报告仅供本单位、其政府办公室、审计监督人员和系统管理员查看 / only the organisation itself, its general office, auditors and administrators may read its annual report")
	}
	rep, err := s.store.AnnualReport(ctx, o.ID, year, now)
	if err != nil {
		return none, "", err
	}
	return rep, format, nil
}

// AnnualReportCSVHeader is the header row of the CSV report.
var AnnualReportCSVHeader = []string{"org", "year", "key", "label", "unit", "value", "text", "numerator", "denominator", "date", "case_ids", "base_case_ids"}

// AnnualReportCSV writes the report as CSV: one row per figure, the case ids
// joined by ";", then three per unit (AnnualReportRows). It starts with a
// UTF-8 byte order mark, so that spreadsheet programs set to GBK (Excel,
// WPS) read the Chinese labels right.
func AnnualReportCSV(r db.AnnualReport) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	w := csv.NewWriter(&buf)
	if err := w.Write(AnnualReportCSVHeader); err != nil {
		return nil, err
	}
	for _, row := range AnnualReportRows(r) {
		if err := w.Write(row); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// AnnualReportRows are the report's rows under AnnualReportCSVHeader: each
// figure, then per unit (db.UnitTimeliness) its on-time rate
// (units.<org>.on_time_rate: on time over due), its tasks completed late
// and its tasks overdue at the cutoff.
func AnnualReportRows(r db.AnnualReport) [][]string {
	opt := func(n *int) string {
		if n == nil {
			return ""
		}
		return strconv.Itoa(*n)
	}
	var rows [][]string
	year := strconv.Itoa(r.Year)
	for _, f := range r.Figures {
		rows = append(rows, []string{r.Org, year, f.Key, f.Label, f.Unit, strconv.FormatFloat(f.Value, 'f', -1, 64), f.Text,
			opt(f.Numerator), opt(f.Denominator), f.Date, strings.Join(f.Cases, ";"), strings.Join(f.BaseCases, ";")})
	}
	for _, u := range r.Units {
		name := u.OrgName
		if name == "" {
			name = u.Org
		}
		rows = append(rows,
			[]string{r.Org, year, "units." + u.Org + ".on_time_rate", name + "按期办结率 / on-time rate of " + u.Org, "ratio",
				strconv.FormatFloat(u.Rate, 'f', -1, 64), u.Text, strconv.Itoa(u.OnTime), strconv.Itoa(u.Due), "", "", ""},
			[]string{r.Org, year, "units." + u.Org + ".late", name + "逾期办结的任务 / tasks of " + u.Org + " completed late", "tasks",
				strconv.Itoa(u.Late), strconv.Itoa(u.Late), "", "", "", "", ""},
			[]string{r.Org, year, "units." + u.Org + ".overdue_open", name + "截至统计日逾期未办结的任务 / tasks of " + u.Org + " overdue at the cutoff", "tasks",
				strconv.Itoa(u.OverdueOpen), strconv.Itoa(u.OverdueOpen), "", "", "", "", ""})
	}
	return rows
}

// AnnualReportXLSX writes the report as an Excel workbook: the CSV's rows
// on the sheet 年度报告 and the units' timeliness on 各单位按期办结
// (server/xlsxreport).
func AnnualReportXLSX(r db.AnnualReport) ([]byte, error) {
	return xlsxreport.Write(r, AnnualReportCSVHeader, AnnualReportRows(r))
}
