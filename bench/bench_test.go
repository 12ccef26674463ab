package bench

import (
	"context"
	"encoding/xml"
	"errors"
	"strings"
	"testing"
	"time"
)

// TestLevelCountsStepsAndErrors drives level with a fake system whose steps
// take a known time, and checks what the report is made of.
func TestLevelCountsStepsAndErrors(t *testing.T) {
	calls := 0
	fake := func(ctx context.Context, n int) ([]time.Duration, string, error) {
		calls++
		time.Sleep(2 * time.Millisecond)
		if n%3 == 0 {
			return nil, "", errors.New("refused")
		}
		return []time.Duration{time.Millisecond, 3 * time.Millisecond, 9 * time.Millisecond}, "wf", nil
	}
	p := level(context.Background(), Naive, fake, 1, 50*time.Millisecond)
	if p.Cases+p.Errors != calls || p.Steps != 3*p.Cases || p.Errors == 0 {
		t.Fatalf("point %+v after %d calls", p, calls)
	}
	if p.P50ms != 3 || p.Maxms != 9 || p.StepsPerSec <= 0 {
		t.Fatalf("percentiles %+v, want p50 3 ms and max 9 ms", p)
	}
}

// TestReportRatiosAndChart checks the ratios and that the chart is an SVG
// document with one line per system and chart.
func TestReportRatiosAndChart(t *testing.T) {
	r := Report{Points: []Point{
		{System: Product, Actors: 1, StepsPerSec: 50, P99ms: 20}, {System: Naive, Actors: 1, StepsPerSec: 20, P99ms: 40}, {System: Floor, Actors: 1, StepsPerSec: 100, P99ms: 10},
		{System: Product, Actors: 20, StepsPerSec: 150, P99ms: 80}, {System: Naive, Actors: 20, StepsPerSec: 50, P99ms: 160}, {System: Floor, Actors: 20, StepsPerSec: 150, P99ms: 40},
	}}
	q := ratio(r.Points, 20)
	r.Ratios = []Ratio{ratio(r.Points, 1), q}
	if q.ThroughputVsNaive != 3 || q.ThroughputVsFloor != 1 || q.P99VsNaive != 0.5 || q.P99VsFloor != 2 {
		t.Fatalf("ratio = %+v", q)
	}
	svg := SVG(r)
	if err := xml.Unmarshal([]byte(svg), new(struct{ XMLName xml.Name })); err != nil {
		t.Fatalf("chart is not XML: %v", err)
	}
	if n := strings.Count(svg, "<polyline"); n != 2*len(Systems) {
		t.Fatalf("%d lines in the chart, want %d", n, 2*len(Systems))
	}
	var b strings.Builder
	Print(&b, r)
	if !strings.Contains(b.String(), "3.00×") {
		t.Fatalf("printed report lacks the ratio:\n%s", b.String())
	}
}
