package bench

import (
	"os"
	"testing"
	"time"
)

// The meter finds this process's own processor time and keeps it apart
// from the rest of the machine's.
func TestCPUMeterCountsThisProcess(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc here")
	}
	m := cpuMeter{self: os.Getpid()}
	a := m.sample()
	if !a.ok {
		t.Fatal("no sample")
	}
	x := 0
	for t0 := time.Now(); time.Since(t0) < 300*time.Millisecond; {
		x++ // burn processor time in this process
	}
	d := cpuBetween(a, m.sample())
	if d[CPUBench] < 0.1 {
		t.Fatalf("this process spent %.2f s of the 0.3 s it burned (%d loops)", d[CPUBench], x)
	}
	for _, g := range CPUGroups {
		if d[g] < 0 {
			t.Fatalf("%s: %.2f s", g, d[g])
		}
	}
	if st, err := parseStat(os.Getpid()); err != nil || st.comm == "" || st.ppid == 0 {
		t.Fatalf("parseStat: %+v %v", st, err)
	}
}
