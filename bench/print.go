package bench

import (
	"fmt"
	"io"
	"math"
	"strings"
)

// Print writes the report as a table: per actor count, each system's figures,
// then the product's ratios to the baselines.
func Print(w io.Writer, r Report) {
	fmt.Fprintf(w, "juece bench — %s, %d cores; steps per case: %d (the lawful path of a full case)\n\n", r.At.Format("2006-01-02 15:04 MST"), r.Cores, r.StepsPerCase[Product])
	fmt.Fprintf(w, "%-8s %6s %9s %9s %9s %9s %9s %7s %6s\n", "system", "actors", "steps/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "steps", "errors")
	last := -1
	for _, p := range r.Points {
		if p.Actors != last && last != -1 {
			fmt.Fprintln(w)
		}
		last = p.Actors
		fmt.Fprintf(w, "%-8s %6d %9.1f %9.1f %9.1f %9.1f %9.1f %7d %6d\n", p.System, p.Actors, p.StepsPerSec, p.P50ms, p.P95ms, p.P99ms, p.Maxms, p.Steps, p.Errors)
	}
	fmt.Fprintf(w, "\n%6s %18s %18s %14s %14s\n", "actors", "product/naive s/s", "product/floor s/s", "p99 vs naive", "p99 vs floor")
	for _, q := range r.Ratios {
		fmt.Fprintf(w, "%6d %17.2f× %17.2f× %13.2f× %13.2f×\n", q.Actors, q.ThroughputVsNaive, q.ThroughputVsFloor, q.P99VsNaive, q.P99VsFloor)
	}
	fmt.Fprintf(w, "\nper case, one case alone: %s\n", perCase(r))
	printCPU(w, r)
	for _, n := range r.Notes {
		fmt.Fprintln(w, "note:", n)
	}
}

func perCase(r Report) string {
	var parts []string
	for _, s := range Systems {
		parts = append(parts, fmt.Sprintf("%s %.0f history events, %.1f rows inserted per step", s, r.HistoryEvents[s], r.RowsPerStep[s]))
	}
	return strings.Join(parts, "; ")
}

// SVG draws the run as two charts side by side: steps/s and p99 against
// actors, one line per system.
func SVG(r Report) string {
	const w, h, pad = 460, 300, 50
	colors := map[System]string{Product: "#c0392b", Naive: "#2471a3", Floor: "#7d8c8d"}
	var maxActors int
	for _, p := range r.Points {
		maxActors = max(maxActors, p.Actors)
	}
	chart := func(x0 int, title string, val func(Point) float64) string {
		var top float64
		for _, p := range r.Points {
			top = math.Max(top, val(p))
		}
		top = niceCeil(top)
		var b strings.Builder
		fmt.Fprintf(&b, `<g transform="translate(%d,0)">`, x0)
		fmt.Fprintf(&b, `<text x="%d" y="24" font-size="15" font-weight="bold">%s</text>`, pad, title)
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#333"/>`, pad, h-pad, w-10, h-pad)
		fmt.Fprintf(&b, `<line x1="%d" y1="40" x2="%d" y2="%d" stroke="#333"/>`, pad, pad, h-pad)
		px := func(a int) float64 { return pad + float64(a)/float64(max(maxActors, 1))*float64(w-10-pad) }
		py := func(v float64) float64 { return float64(h-pad) - v/math.Max(top, 1e-9)*float64(h-pad-40) }
		for i := 0; i <= 4; i++ {
			v := top * float64(i) / 4
			fmt.Fprintf(&b, `<text x="%d" y="%.1f" font-size="11" text-anchor="end">%s</text>`, pad-4, py(v)+4, trim(v))
			fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/>`, pad, py(v), w-10, py(v))
		}
		seen := map[int]bool{}
		for _, p := range r.Points {
			if !seen[p.Actors] {
				seen[p.Actors] = true
				fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="11" text-anchor="middle">%d</text>`, px(p.Actors), h-pad+16, p.Actors)
			}
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12" text-anchor="middle">actors</text>`, (w+pad)/2, h-12)
		for _, s := range Systems {
			var pts []string
			for _, p := range r.Points {
				if p.System == s {
					pts = append(pts, fmt.Sprintf("%.1f,%.1f", px(p.Actors), py(val(p))))
				}
			}
			fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>`, colors[s], strings.Join(pts, " "))
			for _, xy := range pts {
				var x, y float64
				fmt.Sscanf(xy, "%f,%f", &x, &y)
				fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3" fill="%s"/>`, x, y, colors[s])
			}
		}
		b.WriteString(`</g>`)
		return b.String()
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif">`, 2*w, h+30)
	b.WriteString(`<rect width="100%" height="100%" fill="white"/>`)
	b.WriteString(chart(0, "steps/s", func(p Point) float64 { return p.StepsPerSec }))
	b.WriteString(chart(w, "p99 latency (ms)", func(p Point) float64 { return p.P99ms }))
	for i, s := range Systems {
		x := 60 + i*200
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="14" height="4" fill="%s"/><text x="%d" y="%d" font-size="12">%s</text>`,
			x, h+14, colors[s], x+20, h+19, legend[s])
	}
	b.WriteString(`</svg>`)
	return b.String()
}

var legend = map[System]string{Product: "product (HTTP, full cases)", Naive: "naive (Update + activity)", Floor: "floor (Update + local activity)"}

func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	m := math.Pow(10, math.Floor(math.Log10(v)))
	for _, f := range []float64{1, 2, 2.5, 5, 10} {
		if f*m >= v {
			return f * m
		}
	}
	return 10 * m
}

func trim(v float64) string {
	if v == math.Trunc(v) {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.1f", v)
}

// printCPU writes where each level's processor time went, in processor
// milliseconds per step of the system measured (the neighbours' time,
// "other", per step too: how much of the machine was not the bench's).
func printCPU(w io.Writer, r Report) {
	has := false
	for _, p := range r.Points {
		has = has || p.CPU != nil
	}
	if !has {
		return
	}
	fmt.Fprintf(w, "\nwhere the time goes: processor ms per step (%d cores; idle = cores × wall time not used)\n", r.Cores)
	fmt.Fprintf(w, "%-8s %6s", "system", "actors")
	for _, g := range CPUGroups {
		fmt.Fprintf(w, " %9s", g)
	}
	fmt.Fprintf(w, " %9s\n", "idle")
	for _, p := range r.Points {
		if p.CPU == nil || p.Steps == 0 {
			continue
		}
		fmt.Fprintf(w, "%-8s %6d", p.System, p.Actors)
		var used float64
		for _, g := range CPUGroups {
			used += p.CPU[g]
			fmt.Fprintf(w, " %9.2f", 1000*p.CPU[g]/float64(p.Steps))
		}
		idle := max(0, float64(r.Cores)*p.Seconds-used)
		fmt.Fprintf(w, " %9.2f\n", 1000*idle/float64(p.Steps))
	}
}
