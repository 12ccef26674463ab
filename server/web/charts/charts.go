// Package charts draws the workbench's charts as SVG on the server (bars per unit, stacked, a trend by month): no script, nothing fetched; imported by server/web.
package charts

import (
	"bytes"
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
)

// Font is the page's font stack (server/web/static/app.css), so that a
// chart's Chinese labels look like the page's text.
const Font = `system-ui, 'PingFang SC', 'Noto Sans CJK SC', 'WenQuanYi Micro Hei', 'Microsoft YaHei', sans-serif`

// Series is one kind of bar (or one segment of a stacked bar): its name in
// the legend, its colour and a value per category.
type Series struct {
	Name   string
	Color  string // a CSS colour; "" takes the palette's
	Values []float64
}

// Chart is a bar chart: one group of bars per category (a unit, a month),
// one bar per series side by side, or one bar of stacked segments.
type Chart struct {
	// ID is the svg element's id (its title and desc ids derive from it).
	ID string
	// Title and Desc are the accessible name and description (<title>,
	// <desc>); a screen reader says them, and the page has the numbers in a
	// table beside.
	Title, Desc string
	Categories  []string
	Series      []Series
	// Stacked draws the series of a category as segments of one bar.
	Stacked bool
	// Horizontal draws the bars from a label column on the left (long unit
	// names); else the bars stand on the category axis (months).
	Horizontal bool
	// Max is the value axis's end; 0: the largest value (or bar sum),
	// rounded up. Percent shows values as percentages of Max (set Max 1 for
	// ratios).
	Max     float64
	Percent bool
	// Width is the drawing's width in user units (the svg scales to its
	// container); 0: 560. LabelWidth is a horizontal chart's label column
	// (longer labels are clipped with an ellipsis); 0: 170.
	Width, LabelWidth int
}

// Pair draws the chart twice, for wide screens and, as ID-narrow, for
// narrow ones (360 units wide, a label column of 112), each in a div of
// class chart-wide or chart-narrow for the page's CSS to show one: text
// keeps about its size on a phone and on a desktop.
func (c Chart) Pair() template.HTML {
	n := c
	n.ID, n.Width, n.LabelWidth = c.ID+"-narrow", 360, 112
	return template.HTML(`<div class="chart-wide">`) + c.SVG() + template.HTML(`</div><div class="chart-narrow">`) + n.SVG() + template.HTML(`</div>`)
}

// palette are the colours of series without their own: the page's red,
// yellow and blue, readable on white.
var palette = []string{"#b3261e", "#d4a72c", "#0b57a4", "#1a7f37", "#59636e"}

// Geometry of the drawing, in user units.
const (
	barThick  = 18 // a horizontal bar's height, a vertical bar's width
	groupGap  = 12 // between categories
	axisPad   = 28 // below a vertical chart's bars, for the month labels
	legendH   = 26
	fontSize  = 13
	valueRoom = 44 // right of a horizontal bar, for its value
)

// Bar is one drawn rectangle, for tests: its category and series, its value
// and its length along the value axis.
type Bar struct {
	Category, Series string
	Value, Length    float64
}

// SVG draws the chart. The result is an svg element to put in a page as it
// is: presentation attributes only (no style attribute, which the pages'
// Content-Security-Policy would refuse), text escaped.
func (c Chart) SVG() template.HTML {
	s, _ := c.draw()
	return template.HTML(s)
}

// Empty says whether every value is zero: a chart with nothing to show,
// which a page leaves out for a sentence saying so.
func (c Chart) Empty() bool {
	for _, s := range c.Series {
		for i := range c.Categories {
			if value(s, i) > 0 {
				return false
			}
		}
	}
	return true
}

// Bars are the rectangles SVG draws, in order.
func (c Chart) Bars() []Bar {
	_, bars := c.draw()
	return bars
}

func (c Chart) width() float64 {
	if c.Width > 0 {
		return float64(c.Width)
	}
	return 560
}

// axisMax is the value axis's end: Max, or the largest value (a stack's
// sum) rounded up to a readable step; at least 1.
func (c Chart) axisMax() float64 {
	if c.Max > 0 {
		return c.Max
	}
	top := 0.0
	for i := range c.Categories {
		sum := 0.0
		for _, s := range c.Series {
			v := value(s, i)
			if c.Stacked {
				sum += v
			} else {
				sum = math.Max(sum, v)
			}
		}
		top = math.Max(top, sum)
	}
	if top <= 0 {
		return 1
	}
	return niceCeil(top)
}

// niceCeil rounds v up to 1, 2, 2.5 or 5 times a power of ten (a whole
// number for counts of at least 1).
func niceCeil(v float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if n := m * p; n >= v {
			if n < 1 {
				return 1
			}
			if n != math.Trunc(n) && n > 1 {
				return math.Ceil(n)
			}
			return n
		}
	}
	return v
}

// ticks is how many steps the value axis has: quarters for a percentage;
// for counts, steps of whole numbers (an axis of 5 in fifths, of 2 in
// halves).
func (c Chart) ticks() int {
	top := c.axisMax()
	if c.Percent || top != math.Trunc(top) {
		return 4
	}
	for _, n := range []int{4, 5, 2} {
		if math.Mod(top, float64(n)) == 0 {
			return n
		}
	}
	return 1
}

func value(s Series, i int) float64 {
	if i < len(s.Values) && s.Values[i] > 0 && !math.IsInf(s.Values[i], 0) {
		return s.Values[i]
	}
	return 0
}

func (c Chart) labelWidth() float64 {
	if c.LabelWidth > 0 {
		return float64(c.LabelWidth)
	}
	return 170
}

func (c Chart) color(i int) string {
	if col := c.Series[i].Color; col != "" {
		return col
	}
	return palette[i%len(palette)]
}

func (c Chart) format(v float64) string {
	if c.Percent {
		return strconv.FormatFloat(100*v/c.axisMax(), 'f', 1, 64) + "%"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

func esc(s string) string { return template.HTMLEscapeString(s) }

func num(v float64) string { return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64) }

// draw writes the svg and lists its bars.
func (c Chart) draw() (string, []Bar) {
	var b bytes.Buffer
	var bars []Bar
	w := c.width()
	top := c.axisMax()
	perGroup := len(c.Series)
	if c.Stacked || perGroup == 0 {
		perGroup = 1
	}
	groupLen := float64(perGroup*barThick + groupGap)
	n := float64(len(c.Categories))
	var h float64
	if c.Horizontal {
		h = legendH + n*groupLen + 24
	} else {
		h = legendH + 200 + axisPad
	}
	id := esc(c.ID)
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="%s" viewBox="0 0 %s %s" width="100%%" role="img" aria-labelledby="%s-title %s-desc" font-family="%s" font-size="%d">`,
		id, num(w), num(h), id, id, esc(Font), fontSize)
	fmt.Fprintf(&b, `<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`, id, esc(c.Title), id, esc(c.Desc))
	// Legend.
	x := 0.0
	for i, s := range c.Series {
		fmt.Fprintf(&b, `<g class="legend"><rect x="%s" y="4" width="14" height="14" fill="%s"/><text x="%s" y="16" fill="#1f2328">%s</text></g>`,
			num(x), esc(c.color(i)), num(x+18), esc(s.Name))
		x += 18 + textWidth(s.Name) + 16
	}
	if c.Horizontal {
		labelWidth := c.labelWidth()
		plot := w - labelWidth - valueRoom
		// Grid lines at the axis's steps.
		steps := c.ticks()
		for q := 0; q <= steps; q++ {
			gx := labelWidth + plot*float64(q)/float64(steps)
			fmt.Fprintf(&b, `<line x1="%s" y1="%d" x2="%s" y2="%s" stroke="#d8dee4" stroke-width="1"/>`, num(gx), legendH, num(gx), num(h-20))
			fmt.Fprintf(&b, `<text x="%s" y="%s" fill="#59636e" font-size="11" text-anchor="middle">%s</text>`, num(gx), num(h-6), esc(c.format(top*float64(q)/float64(steps))))
		}
		for i, cat := range c.Categories {
			y := legendH + float64(i)*groupLen
			mid := y + float64(perGroup*barThick)/2
			fmt.Fprintf(&b, `<text x="%s" y="%s" fill="#1f2328" text-anchor="end" dominant-baseline="middle">%s</text>`, num(labelWidth-8), num(mid), esc(clip(cat, labelWidth-12)))
			off := 0.0
			for j, s := range c.Series {
				v := value(s, i)
				l := plot * v / top
				bx, by := labelWidth+off, y+float64(j*barThick)
				if c.Stacked {
					by = y
				}
				bars = append(bars, Bar{Category: cat, Series: s.Name, Value: v, Length: l})
				fmt.Fprintf(&b, `<rect class="bar" x="%s" y="%s" width="%s" height="%d" fill="%s" data-category="%s" data-series="%s" data-value="%s"><title>%s · %s：%s</title></rect>`,
					num(bx), num(by), num(l), barThick, esc(c.color(j)), esc(cat), esc(s.Name), num(v), esc(cat), esc(s.Name), esc(c.format(v)))
				if !c.Stacked && v > 0 {
					fmt.Fprintf(&b, `<text x="%s" y="%s" fill="#1f2328" font-size="11" dominant-baseline="middle">%s</text>`, num(bx+l+4), num(by+barThick/2), esc(c.format(v)))
				} else {
					off += l
				}
			}
			if c.Stacked {
				sum := 0.0
				for _, s := range c.Series {
					sum += value(s, i)
				}
				fmt.Fprintf(&b, `<text x="%s" y="%s" fill="#1f2328" font-size="11" dominant-baseline="middle">%s</text>`, num(labelWidth+off+4), num(y+barThick/2), esc(c.format(sum)))
			}
		}
	} else {
		const left, plotH = 36.0, 200.0
		plot := w - left - 8
		base := legendH + plotH
		steps := c.ticks()
		for q := 0; q <= steps; q++ {
			gy := base + 8 - (plotH-8)*float64(q)/float64(steps)
			fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#d8dee4" stroke-width="1"/>`, num(left), num(gy), num(w-8), num(gy))
			fmt.Fprintf(&b, `<text x="%s" y="%s" fill="#59636e" font-size="11" text-anchor="end" dominant-baseline="middle">%s</text>`, num(left-4), num(gy), esc(c.format(top*float64(q)/float64(steps))))
		}
		slot := plot / math.Max(n, 1)
		thick := math.Min(float64(barThick), (slot-4)/float64(perGroup))
		for i, cat := range c.Categories {
			gx := left + slot*float64(i) + (slot-thick*float64(perGroup))/2
			off := 0.0
			for j, s := range c.Series {
				v := value(s, i)
				l := (plotH - 8) * v / top
				bx := gx + float64(j)*thick
				if c.Stacked {
					bx = gx
				}
				by := base + 8 - l - off
				bars = append(bars, Bar{Category: cat, Series: s.Name, Value: v, Length: l})
				fmt.Fprintf(&b, `<rect class="bar" x="%s" y="%s" width="%s" height="%s" fill="%s" data-category="%s" data-series="%s" data-value="%s"><title>%s · %s：%s</title></rect>`,
					num(bx), num(by), num(thick), num(l), esc(c.color(j)), esc(cat), esc(s.Name), num(v), esc(cat), esc(s.Name), esc(c.format(v)))
				if c.Stacked {
					off += l
				}
			}
			fmt.Fprintf(&b, `<text x="%s" y="%s" fill="#1f2328" font-size="11" text-anchor="middle">%s</text>`, num(left+slot*float64(i)+slot/2), num(base+24), esc(cat))
		}
	}
	b.WriteString(`</svg>`)
	return b.String(), bars
}

// textWidth estimates a label's width at fontSize: a CJK character is
// about one em, a Latin one about half.
func textWidth(s string) float64 {
	w := 0.0
	for _, r := range s {
		if r > 0x2e80 {
			w += fontSize
		} else {
			w += fontSize * 0.55
		}
	}
	return w
}

// clip shortens a label to fit width, with an ellipsis.
func clip(s string, width float64) string {
	if textWidth(s) <= width {
		return s
	}
	var out strings.Builder
	w := textWidth("…")
	for _, r := range s {
		w += textWidth(string(r))
		if w > width {
			break
		}
		out.WriteRune(r)
	}
	return out.String() + "…"
}
