package refdata

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/oneaccount/oneaccount/internal/directory"
	"github.com/oneaccount/oneaccount/internal/lang"
)

// counterEntities are the entities whose counters the platform books and
// queues for.
var counterEntities = []string{"DSI", "DSF", "DSAJ", "FSS", "DSAT", "IAM"}

func load(t *testing.T) directory.Dataset {
	t.Helper()
	d, err := Macao()
	if err != nil {
		t.Fatalf("Macao(): the embedded macao.yaml does not parse: %v", err)
	}
	return d
}

func TestEntities(t *testing.T) {
	d := load(t)
	have := map[string]directory.Entity{}
	for _, e := range d.Entities {
		have[e.Code] = e
	}
	for _, code := range append(append([]string{}, counterEntities...),
		"DSAL", "PSP", "DSSCU", "CB", "SSM", "DSPA", "MGTO", "SAFP") {
		if _, ok := have[code]; !ok {
			t.Errorf("entity %s is missing", code)
		}
	}
	for _, code := range counterEntities {
		if e, ok := have[code]; ok && !hasRole(e, "counter") {
			t.Errorf("entity %s: roles %v lack %q", code, e.Roles, "counter")
		}
	}
	for code, role := range map[string]string{"IAM": "licensing", "DSAL": "employment",
		"PSP": "immigration", "DSSCU": "consulted", "CB": "consulted", "SSM": "consulted",
		"DSPA": "consulted", "MGTO": "consulted", "SAFP": "platform"} {
		if e, ok := have[code]; ok && !hasRole(e, role) {
			t.Errorf("entity %s: roles %v lack %q", code, e.Roles, role)
		}
	}
	if e := have["PSP"]; e.Abbrev.Pt != "CPSP" {
		t.Errorf("PSP abbreviation (pt) = %q, want CPSP", e.Abbrev.Pt)
	}
	if e := have["MGTO"]; e.Abbrev.Pt != "DST" {
		t.Errorf("MGTO abbreviation (pt) = %q, want DST", e.Abbrev.Pt)
	}
}

func hasRole(e directory.Entity, role string) bool {
	for _, r := range e.Roles {
		if r == role {
			return true
		}
	}
	return false
}

// ParseDataset checks names and addresses; this checks the other texts the
// file promises in all three languages.
func TestAllTextsComplete(t *testing.T) {
	d := load(t)
	check := func(what string, x lang.Text) {
		t.Helper()
		if !x.Complete() {
			t.Errorf("%s is not complete in zh-Hant, pt and en: %+v", what, x)
		}
	}
	for _, e := range d.Entities {
		check("entity "+e.Code+" summary", e.Summary)
		if e.Website == "" {
			t.Errorf("entity %s has no website", e.Code)
		}
	}
	for _, s := range d.Services {
		check("service "+s.Code+" description", s.Description)
	}
	for _, b := range d.Branches {
		if b.Closed {
			check("closed branch "+b.Code+" note", b.Note)
		}
	}
	for _, h := range d.Holidays {
		check(fmt.Sprintf("holiday %s name", h.Date), h.Name)
	}
}

func TestCounterServices(t *testing.T) {
	d := load(t)
	n := map[string]int{}
	for _, s := range d.Services {
		if s.Counter {
			n[s.Entity]++
		}
	}
	for _, code := range counterEntities {
		if n[code] < 3 {
			t.Errorf("entity %s has %d counter services, want at least 3", code, n[code])
		}
	}
	want := map[string]bool{"DSAL-NRW-DOMESTIC": false, "IAM-FOOD-LICENCE": false,
		"DSAL-LABOUR-COMPLAINT": true, "PSP-BLUECARD-ISSUE": true}
	for _, s := range d.Services {
		if c, ok := want[s.Code]; ok {
			if s.Counter != c {
				t.Errorf("service %s: counter = %v, want %v", s.Code, s.Counter, c)
			}
			delete(want, s.Code)
		}
	}
	for code := range want {
		t.Errorf("service %s is missing", code)
	}
}

func TestBranches(t *testing.T) {
	d := load(t)
	branches := map[string]directory.Branch{}
	for _, b := range d.Branches {
		branches[b.Code] = b
	}

	for _, code := range counterEntities {
		var open []string
		for _, b := range d.Branches {
			if !b.Closed && contains(b.Entities(), code) {
				open = append(open, b.Code)
			}
		}
		if len(open) == 0 {
			t.Errorf("entity %s has no counter at any open branch", code)
		}
	}

	for _, code := range []string{"GSC-MORAIS", "GSC-ISLANDS"} {
		b, ok := branches[code]
		if !ok {
			t.Errorf("branch %s is missing", code)
			continue
		}
		if got := b.Entities(); len(got) < 4 {
			t.Errorf("branch %s hosts counters of %d entities (%v), want at least 4", code, len(got), got)
		}
		if b.Closed {
			t.Errorf("branch %s is marked closed", code)
		}
	}

	if b, ok := branches["GSC-AREIA-PRETA"]; !ok {
		t.Error("branch GSC-AREIA-PRETA is missing")
	} else if !b.Closed {
		t.Error("branch GSC-AREIA-PRETA should be closed (closed 2025-10-03)")
	}

	b, ok := branches["FSS-ST-LAZARUS"]
	if !ok {
		t.Fatal("branch FSS-ST-LAZARUS is missing")
	}
	var monday []string
	for _, h := range b.Hours {
		if h.Weekday == time.Monday {
			monday = append(monday, h.Opens.String()+"-"+h.Closes.String())
		}
	}
	if len(monday) != 2 {
		t.Errorf("FSS-ST-LAZARUS Monday hours = %v, want two intervals (lunch closure)", monday)
	}
}

// Every counter service can be found at some open branch, and every service
// a branch lists belongs to an entity with a counter there, or to the
// branch's operator.
func TestBranchServices(t *testing.T) {
	d := load(t)
	offered := map[string]bool{}
	entityOf := map[string]string{}
	for _, s := range d.Services {
		entityOf[s.Code] = s.Entity
	}
	for _, b := range d.Branches {
		for _, code := range b.Services {
			if !b.Closed {
				offered[code] = true
			}
			if e := entityOf[code]; e != b.Operator && !contains(b.Entities(), e) {
				t.Errorf("branch %s lists %s but has no %s counter", b.Code, code, e)
			}
		}
	}
	for _, s := range d.Services {
		if s.Counter && !offered[s.Code] {
			t.Errorf("counter service %s is offered at no open branch", s.Code)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestHolidays2026(t *testing.T) {
	d := load(t)
	count := map[directory.HolidayKind]int{}
	obligatory := 0
	for _, h := range d.Holidays {
		if h.Date.Year != 2026 {
			continue
		}
		count[h.Kind]++
		if h.Obligatory {
			obligatory++
		}
		if h.Computed {
			t.Errorf("2026 holiday %s (%s) is marked computed; the 2026 list is official", h.Date, h.Name.En)
		}
		if h.Kind == directory.Exemption && h.ClosedFrom.String() != "13:00" {
			t.Errorf("2026 exemption %s closes from %s, want 13:00", h.Date, h.ClosedFrom)
		}
	}
	for kind, want := range map[directory.HolidayKind]int{
		directory.PublicHoliday: 20, directory.Exemption: 2, directory.Compensatory: 6,
	} {
		if count[kind] != want {
			t.Errorf("2026 has %d %s holidays, want %d", count[kind], kind, want)
		}
	}
	if obligatory != 10 {
		t.Errorf("2026 has %d obligatory holidays, want 10", obligatory)
	}
}

func TestHolidays2027(t *testing.T) {
	d := load(t)
	public := 0
	for _, h := range d.Holidays {
		if h.Date.Year != 2027 {
			continue
		}
		if !h.Computed {
			t.Errorf("2027 holiday %s (%s) is not marked computed", h.Date, h.Name.En)
		}
		if h.Kind == directory.PublicHoliday {
			public++
		}
	}
	if public != 20 {
		t.Errorf("2027 has %d public holidays, want 20", public)
	}
}

func TestHolidaySpotChecks(t *testing.T) {
	d := load(t)
	for _, c := range []struct {
		date string
		zh   string
		en   string
	}{
		{"2026-02-17", "農曆正月初一", "Lunar New Year's Day"},
		{"2026-12-22", "冬至", "Winter Solstice"},
		{"2027-02-06", "農曆正月初一", "Lunar New Year's Day"},
		{"2027-09-16", "中秋節翌日", "Day following Chong Chao (Mid-Autumn)"},
	} {
		date, err := directory.ParseDate(c.date)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, h := range d.Holidays {
			if h.Date == date && h.Kind == directory.PublicHoliday {
				found = true
				if h.Name.ZhHant != c.zh || h.Name.En != c.en {
					t.Errorf("public holiday %s is %q / %q, want %q / %q", c.date, h.Name.ZhHant, h.Name.En, c.zh, c.en)
				}
			}
		}
		if !found {
			t.Errorf("no public holiday on %s, want %s", c.date, c.en)
		}
	}
}

// Validation must bite: removing one name's Portuguese makes the file invalid.
func TestRejectsMissingPortuguese(t *testing.T) {
	for _, pt := range []string{
		"Corpo de Bombeiros",     // an entity name
		"Fraternidade Universal", // a holiday name
	} {
		raw := MacaoYAML()
		if n := bytes.Count(raw, []byte(pt)); n != 1 {
			t.Fatalf("%q occurs %d times in macao.yaml; the test needs it exactly once", pt, n)
		}
		broken := strings.Replace(string(raw), pt, "", 1)
		_, err := directory.ParseDataset(strings.NewReader(broken))
		if err == nil {
			t.Errorf("ParseDataset accepted the file with the pt text %q removed", pt)
			continue
		}
		if !strings.Contains(err.Error(), "pt") {
			t.Errorf("removing %q: error %q does not mention the missing language", pt, err)
		}
	}
}

// MacaoYAML returns a copy: changing it must not change the embedded file.
func TestMacaoYAMLIsACopy(t *testing.T) {
	raw := MacaoYAML()
	raw[0] ^= 0xff
	if _, err := Macao(); err != nil {
		t.Fatalf("Macao() after changing the copy: %v", err)
	}
}

func TestOnlineServicesDeclareTheirLevel(t *testing.T) {
	ds, err := Macao()
	if err != nil {
		t.Fatal(err)
	}
	levels := map[string]int{}
	for _, s := range ds.Services {
		levels[s.Code] = s.Level
	}
	if levels["DSAL-NRW-DOMESTIC"] != 2 || levels["IAM-FOOD-LICENCE"] != 2 || levels["DSI-BIR-RENEW"] != 1 {
		t.Errorf("levels = %v", levels)
	}
}
