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
	// Burn 0.2 s of processor time (not of wall time: the machine may be
	// shared), then the meter must have seen at least that much.
	st0, err := parseStat(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	x := 0
	for t0 := time.Now(); time.Since(t0) < 30*time.Second; {
		for range 1_000_000 {
			x++
		}
		if st, err := parseStat(os.Getpid()); err == nil && st.own-st0.own >= 0.2 {
			break
		}
	}
	d := cpuBetween(a, m.sample())
	if d[CPUBench] < 0.2 {
		t.Fatalf("this process spent %.2f s by the meter, at least 0.2 s by its own stat (%d loops)", d[CPUBench], x)
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
