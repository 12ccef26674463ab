package charts

import (
	"encoding/xml"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"
)

// svgRect is what the tests read of a drawn bar.
type svgRect struct {
	Category, Series string
	Value            float64
	W, H             float64
}

// parse reads the SVG as XML (it must be well-formed) and returns its
// title, desc and bars.
func parse(t *testing.T, svg string) (title, desc string, rects []svgRect) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(svg))
	depth := 0
	var in string
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed XML: %v\n%s", err, svg)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			depth++
			if depth == 1 && (e.Name.Local != "svg" || e.Name.Space != "http://www.w3.org/2000/svg") {
				t.Fatalf("root %v, want svg in the SVG namespace", e.Name)
			}
			if depth == 2 && (e.Name.Local == "title" || e.Name.Local == "desc") {
				in = e.Name.Local
			}
			if e.Name.Local == "rect" && attr(e, "class") == "bar" {
				r := svgRect{Category: attr(e, "data-category"), Series: attr(e, "data-series")}
				r.Value, _ = strconv.ParseFloat(attr(e, "data-value"), 64)
				r.W, _ = strconv.ParseFloat(attr(e, "width"), 64)
				r.H, _ = strconv.ParseFloat(attr(e, "height"), 64)
				rects = append(rects, r)
			}
			for _, a := range e.Attr {
				if a.Name.Local == "style" || strings.HasPrefix(a.Name.Local, "on") {
					t.Errorf("attribute %s on %s: the pages' CSP refuses inline style and script", a.Name.Local, e.Name.Local)
				}
			}
			if e.Name.Local == "script" || e.Name.Local == "image" || e.Name.Local == "use" {
				t.Errorf("element %s in a chart", e.Name.Local)
			}
		case xml.EndElement:
			depth--
			in = ""
		case xml.CharData:
			switch in {
			case "title":
				title += string(e)
			case "desc":
				desc += string(e)
			}
		}
	}
	return title, desc, rects
}

func attr(e xml.StartElement, name string) string {
	for _, a := range e.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// A horizontal chart of one series: one bar per unit, each as long as its
// value's share of the axis; the title and description are the chart's
// accessible name, and unit names are escaped.
func TestBarPerUnitProportional(t *testing.T) {
	units := []string{"宜阳县人民政府", "宜阳县自然资源局", "宜阳县司法局", "宜阳县审计局", "A&B <局>"}
	vals := []float64{4, 2, 1, 0, 3}
	c := Chart{ID: "overdue", Title: "各单位逾期任务", Desc: "五个单位的逾期任务数", Categories: units,
		Series: []Series{{Name: "逾期", Values: vals}}, Horizontal: true}
	title, desc, rects := parse(t, string(c.SVG()))
	if title != "各单位逾期任务" || desc != "五个单位的逾期任务数" {
		t.Errorf("title %q desc %q", title, desc)
	}
	if len(rects) != len(units) {
		t.Fatalf("%d bars, want one per unit (%d)", len(rects), len(units))
	}
	// The axis ends at 4 (the largest value): 4 fills the plot.
	full := rects[0].W
	if full <= 0 {
		t.Fatalf("largest bar has width %v", full)
	}
	for i, r := range rects {
		if r.Category != units[i] || r.Value != vals[i] {
			t.Errorf("bar %d: %+v, want %s = %v", i, r, units[i], vals[i])
		}
		if want := full * vals[i] / 4; math.Abs(r.W-want) > 0.02 {
			t.Errorf("bar %s width %v, want %v (proportional to %v)", r.Category, r.W, want, vals[i])
		}
		if r.H != barThick {
			t.Errorf("bar %s height %v", r.Category, r.H)
		}
	}
}

// Grouped bars (side by side) and stacked bars: one rectangle per unit and
// series; a stack's segments add up to the bar of its sum.
func TestGroupedAndStacked(t *testing.T) {
	units := []string{"甲", "乙", "丙"}
	series := []Series{{Name: "逾期", Values: []float64{3, 0, 1}}, {Name: "红色预警", Values: []float64{1, 2, 0}}, {Name: "黄色预警", Values: []float64{1, 0, 5}}}
	for _, stacked := range []bool{false, true} {
		c := Chart{ID: "g", Title: "t", Desc: "d", Categories: units, Series: series, Horizontal: true, Stacked: stacked}
		_, _, rects := parse(t, string(c.SVG()))
		if len(rects) != len(units)*len(series) {
			t.Fatalf("stacked=%v: %d bars, want %d", stacked, len(rects), len(units)*len(series))
		}
		// Grouped: the largest value (5); stacked: the largest sum (丙: 6),
		// rounded up to 10.
		axis := c.axisMax()
		if (!stacked && axis != 5) || (stacked && axis != 10) {
			t.Errorf("stacked=%v: axis %v", stacked, axis)
		}
		// Counts step in whole numbers: 5 in ones, 10 in twos.
		if steps := c.ticks(); (!stacked && steps != 5) || (stacked && steps != 5) {
			t.Errorf("stacked=%v: %d steps", stacked, steps)
		}
		plot := c.width() - c.labelWidth() - valueRoom
		for _, r := range rects {
			if want := plot * r.Value / axis; math.Abs(r.W-want) > 0.02 {
				t.Errorf("stacked=%v: %s/%s width %v, want %v", stacked, r.Category, r.Series, r.W, want)
			}
		}
	}
}

// A vertical trend by month: one bar per month and series, heights
// proportional; percent charts measure against Max.
func TestTrendByMonthAndPercent(t *testing.T) {
	months := []string{"1月", "2月", "3月", "4月"}
	c := Chart{ID: "trend", Title: "近四个月", Desc: "逾期与预警", Categories: months,
		Series: []Series{{Name: "逾期", Values: []float64{0, 2, 4, 1}}, {Name: "预警", Values: []float64{1, 1, 0, 3}}}}
	_, _, rects := parse(t, string(c.SVG()))
	if len(rects) != 8 {
		t.Fatalf("%d bars, want 8", len(rects))
	}
	var unit float64
	for _, r := range rects {
		if r.Value == 4 {
			unit = r.H / 4
		}
	}
	for _, r := range rects {
		if math.Abs(r.H-unit*r.Value) > 0.02 {
			t.Errorf("%s/%s height %v, want %v", r.Category, r.Series, r.H, unit*r.Value)
		}
	}
	p := Chart{ID: "rates", Title: "比率", Desc: "d", Categories: []string{"合法性审查率", "集体讨论率"}, Horizontal: true, Max: 1, Percent: true,
		Series: []Series{{Name: "比率", Values: []float64{0.75, 0.5}}}}
	svg := string(p.SVG())
	_, _, rects = parse(t, svg)
	if len(rects) != 2 || math.Abs(rects[0].W/rects[1].W-1.5) > 0.001 {
		t.Fatalf("rates %+v", rects)
	}
	if !strings.Contains(svg, "75.0%") || !strings.Contains(svg, "50.0%") {
		t.Errorf("percent labels missing:\n%s", svg)
	}
	// Nothing to draw: an axis of 1, bars of length 0, still valid XML.
	z := Chart{ID: "z", Title: "无", Desc: "无数据", Categories: []string{"甲"}, Series: []Series{{Name: "逾期", Values: []float64{0}}}, Horizontal: true}
	if _, _, rects := parse(t, string(z.SVG())); len(rects) != 1 || rects[0].W != 0 {
		t.Errorf("zero chart %+v", rects)
	}
	if !z.Empty() || p.Empty() || c.Empty() {
		t.Errorf("Empty: zeros %v, rates %v, trend %v", z.Empty(), p.Empty(), c.Empty())
	}
}

// Pair draws the chart for wide and narrow screens: two well-formed svgs
// with the same bars, the narrow one's long labels clipped.
func TestPair(t *testing.T) {
	c := Chart{ID: "u", Title: "t", Desc: "d", Categories: []string{"宜阳县人民政府办公室", "甲"}, Horizontal: true,
		Series: []Series{{Name: "逾期", Values: []float64{2, 1}}}}
	pair := string(c.Pair())
	wide, narrow, ok := strings.Cut(strings.TrimPrefix(pair, `<div class="chart-wide">`), `</div><div class="chart-narrow">`)
	if !ok || !strings.HasSuffix(narrow, "</div>") {
		t.Fatalf("pair %s", pair)
	}
	narrow = strings.TrimSuffix(narrow, "</div>")
	_, _, wb := parse(t, wide)
	_, _, nb := parse(t, narrow)
	if len(wb) != 2 || len(nb) != 2 || !strings.Contains(narrow, `id="u-narrow"`) || !strings.Contains(narrow, "…") || strings.Contains(wide, "…") {
		t.Errorf("wide %v narrow %v\n%s", wb, nb, pair)
	}
	if math.Abs(nb[0].W/nb[1].W-2) > 0.001 {
		t.Errorf("narrow bars %v not proportional", nb)
	}
}
