package calendar

import (
	"bytes"
	"strings"
	"testing"
)

// calendarSeeds are the seed file's years in both formats, and broken ones.
func calendarSeeds(f *testing.F, csv bool) {
	years, err := Seed()
	if err != nil {
		f.Fatal(err)
	}
	var b bytes.Buffer
	if csv {
		err = WriteYearCSV(&b, years[:2])
	} else {
		err = WriteYearJSON(&b, years[:2])
	}
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b.String())
	f.Add(b.String()[:b.Len()/2])
	f.Add("\xef\xbb\xbf" + b.String())
	for _, s := range []string{``, `{}`, `{"years": {}}`, `{"years": {"2027": {"notice": "x", "rest_days": ["2027-02-30"]}}}`,
		`[{"year": 2027, "notice": "n", "document_number": "国办发明电〔2026〕1号", "published_on": "2026-11-01", "rest_days": ["2027-01-01"], "working_days": ["2027-01-01"]}]`,
		`{"year": 99999, "rest_days": []}`, "date,kind,year,document_number,published_on,notice\n2027-01-01,rest,2027,,,元旦\n",
		"date,kind\n\"2027-01-01,rest\n", "date,kind,year,document_number,published_on,notice\n2027-13-01,work,2027,x,2026-01-01,n\n"} {
		f.Add(s)
	}
}

// FuzzParseYearJSON: the holiday JSON loader (POST /api/v1/calendar/years,
// juece calendar load) never panics; what it accepts passes ValidateYear,
// compiles into a calendar, and reads back the same once written.
func FuzzParseYearJSON(f *testing.F) {
	calendarSeeds(f, false)
	f.Fuzz(func(t *testing.T, in string) {
		years, err := ParseYearJSON(strings.NewReader(in))
		if err != nil {
			return
		}
		checkAccepted(t, years)
	})
}

// FuzzParseYearCSV: the same for the CSV format.
func FuzzParseYearCSV(f *testing.F) {
	calendarSeeds(f, true)
	f.Fuzz(func(t *testing.T, in string) {
		years, err := ParseYearCSV(strings.NewReader(in))
		if err != nil {
			return
		}
		checkAccepted(t, years)
	})
}

func checkAccepted(t *testing.T, years []Year) {
	t.Helper()
	for _, y := range years {
		if err := ValidateYear(y); err != nil {
			t.Fatalf("accepted year %d that ValidateYear refuses: %v", y.Year, err)
		}
	}
	if _, err := New(years); err != nil {
		t.Fatalf("accepted years that do not compile: %v", err)
	}
	var first, second bytes.Buffer
	if err := WriteYearJSON(&first, years); err != nil {
		t.Fatal(err)
	}
	again, err := ParseYearJSON(bytes.NewReader(first.Bytes()))
	if err != nil {
		t.Fatalf("accepted years do not read back: %v\n%s", err, first.Bytes())
	}
	if err := WriteYearJSON(&second, again); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first.Bytes(), second.Bytes()) {
		t.Fatalf("written years read back differently:\n%s\n%s", first.Bytes(), second.Bytes())
	}
}
