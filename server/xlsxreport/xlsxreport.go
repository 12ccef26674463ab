// Package xlsxreport writes the annual report (db.AnnualReport, R-LIA-05) as an Excel workbook with excelize; imported by server.
package xlsxreport

import (
	"bytes"
	"fmt"
	"strconv"

	"github.com/xuri/excelize/v2"

	"github.com/juece/juece/db"
)

// Sheet names: the figures, row for row as the CSV report, and the units'
// timeliness as a table.
const (
	FiguresSheet = "年度报告"
	UnitsSheet   = "各单位按期办结"
)

// UnitsHeader is the units sheet's header row.
var UnitsHeader = []string{"单位 ID / org", "单位 / name", "有期限任务 / due", "按期办结 / on time", "逾期办结 / late",
	"逾期未办结 / overdue open", "按期办结率 / on-time rate"}

// numeric are the columns of the figures sheet written as numbers (when
// not empty): value, numerator, denominator.
var numeric = map[string]bool{"value": true, "numerator": true, "denominator": true}

// Write builds the workbook: the figures sheet holds header and rows (the
// CSV report's, server.AnnualReportRows), the columns value, numerator and
// denominator as numbers; the units sheet one row per unit, its rate as a
// percentage-formatted number.
func Write(r db.AnnualReport, header []string, rows [][]string) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", FiguresSheet); err != nil {
		return nil, err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return nil, err
	}
	pct, err := f.NewStyle(&excelize.Style{NumFmt: 10}) // 0.00%
	if err != nil {
		return nil, err
	}
	put := func(sheet string, row int, vals []any) error {
		cell, err := excelize.CoordinatesToCellName(1, row)
		if err != nil {
			return err
		}
		return f.SetSheetRow(sheet, cell, &vals)
	}
	hdr := make([]any, len(header))
	for i, h := range header {
		hdr[i] = h
	}
	if err := put(FiguresSheet, 1, hdr); err != nil {
		return nil, err
	}
	for i, row := range rows {
		vals := make([]any, len(row))
		for j, v := range row {
			vals[j] = v
			if j < len(header) && numeric[header[j]] && v != "" {
				n, err := strconv.ParseFloat(v, 64)
				if err != nil {
					return nil, fmt.Errorf("row %d %s: %w", i+2, header[j], err)
				}
				vals[j] = n
			}
		}
		if err := put(FiguresSheet, i+2, vals); err != nil {
			return nil, err
		}
	}
	last, _ := excelize.CoordinatesToCellName(len(header), 1)
	if err := f.SetCellStyle(FiguresSheet, "A1", last, bold); err != nil {
		return nil, err
	}
	_ = f.SetColWidth(FiguresSheet, "C", "C", 36)
	_ = f.SetColWidth(FiguresSheet, "D", "D", 60)
	_ = f.SetPanes(FiguresSheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})

	if _, err := f.NewSheet(UnitsSheet); err != nil {
		return nil, err
	}
	hdr = make([]any, len(UnitsHeader))
	for i, h := range UnitsHeader {
		hdr[i] = h
	}
	if err := put(UnitsSheet, 1, hdr); err != nil {
		return nil, err
	}
	for i, u := range r.Units {
		vals := []any{u.Org, u.OrgName, u.Due, u.OnTime, u.Late, u.OverdueOpen, u.Rate}
		if u.Due == 0 {
			vals[6] = "—"
		}
		if err := put(UnitsSheet, i+2, vals); err != nil {
			return nil, err
		}
		if u.Due > 0 {
			cell, _ := excelize.CoordinatesToCellName(7, i+2)
			if err := f.SetCellStyle(UnitsSheet, cell, cell, pct); err != nil {
				return nil, err
			}
		}
	}
	last, _ = excelize.CoordinatesToCellName(len(UnitsHeader), 1)
	if err := f.SetCellStyle(UnitsSheet, "A1", last, bold); err != nil {
		return nil, err
	}
	_ = f.SetColWidth(UnitsSheet, "A", "B", 28)
	_ = f.SetColWidth(UnitsSheet, "C", "G", 16)
	f.SetActiveSheet(0)
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
