package bench

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Where the time goes: the processor time each process of the stack spent
// while one system ran at one actor count, read from /proc before and after
// the level. The groups are this process (the product's API server and
// worker when they run in it, the baselines' worker, the actors), other juece
// processes (API servers and workers of a running stack such as `juece
// cluster`), the Temporal server, the PostgreSQL cluster the bench writes to,
// and everything else the machine ran meanwhile ("other": on a shared
// machine, the neighbours). Linux only; elsewhere the figures are absent.

// CPU groups, in the order they are printed.
const (
	CPUBench    = "bench"
	CPUJuece    = "juece"
	CPUTemporal = "temporal"
	CPUPostgres = "postgres"
	CPUOther    = "other"
)

// CPUGroups are the groups in print order.
var CPUGroups = []string{CPUBench, CPUJuece, CPUTemporal, CPUPostgres, CPUOther}

// clockTicks is USER_HZ, the unit of /proc's times: 100 on every Linux
// architecture Go runs on.
const clockTicks = 100

// cpuMeter samples the stack's processes. pgPort is the port of the
// PostgreSQL cluster the bench uses: its postmaster and backends are
// "postgres", any other cluster's (a neighbour's tests) are "other".
type cpuMeter struct {
	self   int
	pgPort int
}

// cpuSample is the cumulative processor seconds per group at one moment,
// and the machine's total busy seconds.
type cpuSample struct {
	groups  map[string]float64
	machine float64
	ok      bool
}

func (m cpuMeter) sample() cpuSample {
	s := cpuSample{groups: map[string]float64{}}
	total, err := machineBusy()
	if err != nil {
		return s
	}
	s.machine, s.ok = total, true
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return cpuSample{}
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		st, err := readStat(pid)
		if err != nil {
			continue // gone meanwhile
		}
		g := m.group(pid, st)
		if g == "" {
			continue
		}
		secs := st.own
		if g == CPUPostgres && st.comm == "postgres" && st.ppidComm != "postgres" {
			// The postmaster: with the backends it has reaped, so that
			// connections closed during the level still count.
			secs += st.children
		}
		s.groups[g] += secs
	}
	return s
}

// group names the group of a process ("" for everything else).
func (m cpuMeter) group(pid int, st procStat) string {
	switch {
	case pid == m.self:
		return CPUBench
	case st.comm == "postgres":
		if m.pgPort != 0 && postgresPort(pid, st) == m.pgPort {
			return CPUPostgres
		}
	case st.comm == "juece":
		return CPUJuece
	case st.comm == "temporal" || strings.Contains(st.exe, "temporal-server-") || strings.Contains(st.exe, "/temporal-v"):
		return CPUTemporal
	}
	return ""
}

// postgresPort is the port of the cluster a postgres process belongs to:
// the postmaster's working directory is its data directory, whose
// postmaster.pid names the port on its fourth line.
func postgresPort(pid int, st procStat) int {
	master := pid
	if st.ppidComm == "postgres" {
		master = st.ppid
	}
	dir, err := os.Readlink(filepath.Join("/proc", strconv.Itoa(master), "cwd"))
	if err != nil {
		return 0
	}
	raw, err := os.ReadFile(filepath.Join(dir, "postmaster.pid"))
	if err != nil {
		return 0
	}
	lines := strings.Split(string(raw), "\n")
	if len(lines) < 4 {
		return 0
	}
	port, _ := strconv.Atoi(strings.TrimSpace(lines[3]))
	return port
}

type procStat struct {
	comm, ppidComm, exe string
	ppid                int
	own, children       float64 // seconds: utime+stime, cutime+cstime
}

func readStat(pid int) (procStat, error) {
	st, err := parseStat(pid)
	if err != nil {
		return st, err
	}
	if parent, err := parseStat(st.ppid); err == nil {
		st.ppidComm = parent.comm
	}
	st.exe, _ = os.Readlink(filepath.Join("/proc", strconv.Itoa(pid), "exe"))
	return st, nil
}

func parseStat(pid int) (procStat, error) {
	raw, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return procStat{}, err
	}
	// pid (comm) state ppid … utime(14) stime(15) cutime(16) cstime(17):
	// comm may hold spaces and parentheses, so split after the last ')'.
	open, shut := bytes.IndexByte(raw, '('), bytes.LastIndexByte(raw, ')')
	if open < 0 || shut < open {
		return procStat{}, fmt.Errorf("/proc/%d/stat: malformed", pid)
	}
	f := strings.Fields(string(raw[shut+1:]))
	if len(f) < 15 {
		return procStat{}, fmt.Errorf("/proc/%d/stat: short", pid)
	}
	n := func(i int) float64 { v, _ := strconv.ParseFloat(f[i], 64); return v }
	ppid, _ := strconv.Atoi(f[1])
	return procStat{comm: string(raw[open+1 : shut]), ppid: ppid,
		own: (n(11) + n(12)) / clockTicks, children: (n(13) + n(14)) / clockTicks}, nil
}

// machineBusy is the machine's busy processor seconds since boot (every
// state of /proc/stat's cpu line but idle and iowait).
func machineBusy() (float64, error) {
	raw, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, err
	}
	line, _, _ := strings.Cut(string(raw), "\n")
	f := strings.Fields(line)
	if len(f) < 8 || f[0] != "cpu" {
		return 0, fmt.Errorf("/proc/stat: unexpected %q", line)
	}
	var busy float64
	for i, v := range f[1:] {
		if i == 3 || i == 4 { // idle, iowait
			continue
		}
		if i >= 8 { // guest times are already in user
			break
		}
		x, _ := strconv.ParseFloat(v, 64)
		busy += x
	}
	return busy / clockTicks, nil
}

// cpuBetween is the processor seconds per group between two samples, with
// "other" the rest of the machine's busy time.
func cpuBetween(a, b cpuSample) map[string]float64 {
	if !a.ok || !b.ok {
		return nil
	}
	out := map[string]float64{}
	var known float64
	for _, g := range CPUGroups[:len(CPUGroups)-1] {
		d := b.groups[g] - a.groups[g]
		if d < 0 { // a process of the group ended: its time left with it
			d = 0
		}
		out[g] = d
		known += d
	}
	out[CPUOther] = max(0, (b.machine-a.machine)-known)
	return out
}
