package activities

import (
	"testing"
	"time"

	"github.com/juece/juece/db/calendar"
)

// Deadlines in calendar days and months (R-EXE-02 every three months, R-ADJ-02
// thirty days) end at 24:00 Beijing time of the day the civil code gives.
func TestDeadlineOfCalendarDaysAndMonths(t *testing.T) {
	cal, err := calendar.Default()
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time { // 10:00 Beijing on day s
		d, _ := time.Parse(time.DateOnly, s)
		return d.Add(2 * time.Hour)
	}
	for _, tc := range []struct {
		name        string
		from        string
		spec        DeadlineSpec
		want        string
		provisional bool
	}{
		{"30 calendar days, ending in the National Day break (not extended)", "2026-09-07", DeadlineSpec{Rule: "R-ADJ-02", CalendarDays: 30}, "2026-10-07", false},
		{"three months", "2026-05-20", DeadlineSpec{Rule: "R-EXE-02", Months: 3}, "2026-08-20", false},
		{"a month from 31 January ends on the month's last day", "2026-01-31", DeadlineSpec{Rule: "R-EXE-02", Months: 1}, "2026-02-28", false},
		{"three months into a year without its notice", "2026-11-24", DeadlineSpec{Rule: "R-EXE-02", Months: 3}, "2027-02-24", true},
		{"working days as before", "2026-02-12", DeadlineSpec{Rule: "R-LR-11", WorkingDays: 7}, "2026-02-28", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := deadlineOf(cal, "f5bba314-f529-41ae-bb06-bbd8a5e8dedb", "9d2c1f7e-3b5a-4c8e-9f10-2a3b4c5d6e7f", at(tc.from), tc.spec)
			if err != nil {
				t.Fatal(err)
			}
			if got := d.DueDate.Format(time.DateOnly); got != tc.want || d.Provisional != tc.provisional {
				t.Fatalf("due %s provisional %v, want %s %v", got, d.Provisional, tc.want, tc.provisional)
			}
			if !d.DueAt.Equal(calendar.EndOfDay(calendar.MustParseDate(tc.want))) {
				t.Fatalf("due at %v, want 24:00 Beijing of %s", d.DueAt, tc.want)
			}
			redone, err := d.Redo(cal)
			if err != nil || !redone.DueAt.Equal(d.DueAt) {
				t.Fatalf("recomputed %v (%v), want the same", redone.DueAt, err)
			}
		})
	}
}
