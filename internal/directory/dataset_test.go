package directory

import (
	"strings"
	"testing"

	"github.com/oneaccount/oneaccount/internal/apperr"
)

const minimal = `version: 1
entities:
  - code: AAA
    abbrev: {zh-Hant: 甲, pt: AAA, en: AAA}
    name: {zh-Hant: 甲局, pt: Direcção A, en: Alpha Bureau}
    roles: [counter]
services:
  - code: AAA-ONE
    entity: AAA
    counter: true
    name: {zh-Hant: 一, pt: Um, en: One}
branches:
  - code: AAA-HQ
    operator: AAA
    name: {zh-Hant: 總部, pt: Sede, en: Headquarters}
    address: {zh-Hant: 地址, pt: Morada, en: Address}
    hours:
      - {days: Mon-Thu, opens: "09:00", closes: "13:00"}
      - {days: "Mon-Thu,Fri", opens: "14:30", closes: "17:45"}
    counters:
      - {entity: AAA, count: 3}
    services: [AAA-ONE]
holiday_names:
  NY: {zh-Hant: 元旦, pt: Fraternidade Universal, en: New Year's Day}
holidays:
  - {date: 2026-01-01, kind: public, name: NY, obligatory: true}
  - {date: 2027-01-01, kind: public, name: NY, computed: true}
`

func TestParseDataset(t *testing.T) {
	d, err := ParseDataset(strings.NewReader(minimal))
	if err != nil {
		t.Fatal(err)
	}
	b := d.Branches[0]
	if len(b.Hours) != 9 || len(b.Counters) != 3 || b.Counters[2].Code != "AAA-03" {
		t.Errorf("branch = %+v", b)
	}
	if len(d.Years) != 2 || d.Years[0] != 2026 || !d.Holidays[1].Computed {
		t.Errorf("years %v, holidays %+v", d.Years, d.Holidays)
	}
}

func TestParseDatasetRejects(t *testing.T) {
	tests := []struct {
		name, from, to, field string
	}{
		{"bad version", "version: 1", "version: 2", "version"},
		{"unknown key", "roles: [counter]", "roles: [counter]\n    colour: red", "dataset"},
		{"missing pt", "pt: Direcção A,", "pt: '',", "entities[0].name"},
		{"bad code", "code: AAA-HQ", "code: aaa hq", "branches[0].code"},
		{"unknown entity", "entity: AAA\n    counter", "entity: ZZZ\n    counter", "services[0].entity"},
		{"unknown service", "services: [AAA-ONE]", "services: [NOPE]", "branches[0].services"},
		{"bad days", "days: Mon-Thu,", "days: Thu-Mon,", "branches[0].hours[0].days"},
		{"closes before opens", `closes: "13:00"`, `closes: "08:00"`, "branches[0].hours"},
		{"overlap", `opens: "14:30"`, `opens: "12:30"`, "branches[0].hours"},
		{"bad time", `opens: "09:00"`, `opens: "9am"`, "dataset"},
		{"bad date", "date: 2026-01-01", "date: 2026-13-01", "dataset"},
		{"unknown holiday name", "name: NY, obligatory", "name: XX, obligatory", "holidays[0].name"},
		{"repeated holiday", "date: 2027-01-01", "date: 2026-01-01", "holidays[1]"},
		{"bad kind", "kind: public, name: NY, obligatory", "kind: party, name: NY, obligatory", "holidays[0].kind"},
		{"zero counters", "count: 3", "count: 0", "branches[0].counters[0].count"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(minimal, tt.from) {
				t.Fatalf("fixture lacks %q", tt.from)
			}
			_, err := ParseDataset(strings.NewReader(strings.Replace(minimal, tt.from, tt.to, 1)))
			e, ok := apperr.As(err)
			if !ok || e.Code != apperr.Invalid || e.Field != tt.field {
				t.Errorf("ParseDataset error = %v, want invalid %s", err, tt.field)
			}
		})
	}
}

func TestParseDatasetTooBig(t *testing.T) {
	big := minimal + "# " + strings.Repeat("x", MaxDatasetSize) + "\n"
	if _, err := ParseDataset(strings.NewReader(big)); apperr.CodeOf(err) != apperr.Invalid {
		t.Errorf("ParseDataset(huge) error = %v, want invalid", err)
	}
}

// FuzzParseDataset feeds arbitrary bytes to the data-file parser: it must
// never panic, and whatever it accepts must pass validation.
func FuzzParseDataset(f *testing.F) {
	f.Add([]byte(minimal))
	f.Add([]byte("version: 1\nentities: [{code: A}]"))
	f.Add([]byte("{{{"))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := ParseDataset(strings.NewReader(string(b)))
		if err != nil {
			return
		}
		if err := d.Validate(); err != nil {
			t.Fatalf("accepted a dataset that fails validation: %v", err)
		}
	})
}

func FuzzParseClock(f *testing.F) {
	f.Add("09:00")
	f.Add("24:00")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseClock(s)
		if err != nil {
			return
		}
		if c < 0 || c > 24*60 || c.String() != s {
			t.Fatalf("ParseClock(%q) = %v, which prints as %q", s, int(c), c.String())
		}
	})
}
