package directory

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/lang"
)

// Dataset is a whole directory as loaded from a data file: what
// `oneaccount directory import` and the first start write to the store.
type Dataset struct {
	Entities []Entity
	Services []Service
	Branches []Branch
	Holidays []Holiday
	// Years lists the years whose holidays the dataset gives in full.
	Years []int
}

// The YAML file form. It is friendlier to write by hand than the domain
// types: weekday ranges, counters by count, holiday names by key.
type fileDataset struct {
	Version      int                  `yaml:"version"`
	Entities     []fileEntity         `yaml:"entities"`
	Services     []fileService        `yaml:"services"`
	Branches     []fileBranch         `yaml:"branches"`
	HolidayNames map[string]lang.Text `yaml:"holiday_names"`
	Holidays     []fileHoliday        `yaml:"holidays"`
}

type fileEntity struct {
	Code    string    `yaml:"code"`
	Abbrev  lang.Text `yaml:"abbrev"`
	Name    lang.Text `yaml:"name"`
	Summary lang.Text `yaml:"summary"`
	Website string    `yaml:"website"`
	Roles   []string  `yaml:"roles"`
	Source  string    `yaml:"source"`
}

type fileService struct {
	Code        string    `yaml:"code"`
	Entity      string    `yaml:"entity"`
	Counter     bool      `yaml:"counter"`
	Level       int       `yaml:"level"`
	Name        lang.Text `yaml:"name"`
	Description lang.Text `yaml:"description"`
	Source      string    `yaml:"source"`
}

type fileBranch struct {
	Code     string        `yaml:"code"`
	Operator string        `yaml:"operator"`
	Name     lang.Text     `yaml:"name"`
	Address  lang.Text     `yaml:"address"`
	Phone    string        `yaml:"phone"`
	Closed   bool          `yaml:"closed"`
	Note     lang.Text     `yaml:"note"`
	Hours    []fileHours   `yaml:"hours"`
	Counters []fileCounter `yaml:"counters"`
	Services []string      `yaml:"services"`
	Source   string        `yaml:"source"`
}

type fileHours struct {
	Days   string    `yaml:"days"` // "Mon-Fri", "Fri", "Mon,Wed"
	Opens  ClockTime `yaml:"opens"`
	Closes ClockTime `yaml:"closes"`
}

type fileCounter struct {
	Entity string `yaml:"entity"`
	Count  int    `yaml:"count"`
}

type fileHoliday struct {
	Date       Date        `yaml:"date"`
	Kind       HolidayKind `yaml:"kind"`
	Name       string      `yaml:"name"` // a key of holiday_names
	Obligatory bool        `yaml:"obligatory"`
	Computed   bool        `yaml:"computed"`
	ClosedFrom ClockTime   `yaml:"closed_from"`
}

// MaxDatasetSize bounds the data file ParseDataset reads.
const MaxDatasetSize = 8 << 20

// ParseDataset reads and validates a YAML directory file. Every problem is
// reported with its place in the file; nothing is returned unless all of it
// is valid.
func ParseDataset(r io.Reader) (Dataset, error) {
	raw, err := io.ReadAll(io.LimitReader(r, MaxDatasetSize+1))
	if err != nil {
		return Dataset{}, fmt.Errorf("read dataset: %w", err)
	}
	if len(raw) > MaxDatasetSize {
		return Dataset{}, apperr.Invalidf("dataset", "larger than %d bytes", MaxDatasetSize)
	}
	var f fileDataset
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return Dataset{}, &apperr.Error{Code: apperr.Invalid, Field: "dataset", Detail: "not valid YAML", Err: err}
	}
	if f.Version != 1 {
		return Dataset{}, apperr.Invalidf("version", "want version: 1, got %d", f.Version)
	}
	d, err := f.toDataset()
	if err != nil {
		return Dataset{}, err
	}
	if err := d.Validate(); err != nil {
		return Dataset{}, err
	}
	return d, nil
}

func (f fileDataset) toDataset() (Dataset, error) {
	var d Dataset
	for i, e := range f.Entities {
		d.Entities = append(d.Entities, Entity{Code: e.Code, Abbrev: e.Abbrev, Name: e.Name,
			Summary: e.Summary, Website: e.Website, Roles: e.Roles, Source: e.Source, Sort: i})
	}
	for i, s := range f.Services {
		d.Services = append(d.Services, Service{Code: s.Code, Entity: s.Entity, Counter: s.Counter, Level: max(s.Level, 1),
			Name: s.Name, Description: s.Description, Source: s.Source, Sort: i})
	}
	for i, b := range f.Branches {
		br, err := b.toBranch(i)
		if err != nil {
			return Dataset{}, err
		}
		d.Branches = append(d.Branches, br)
	}
	years := map[int]bool{}
	for i, h := range f.Holidays {
		name, ok := f.HolidayNames[h.Name]
		if !ok {
			return Dataset{}, apperr.Invalidf(fmt.Sprintf("holidays[%d].name", i), "%q is not in holiday_names", h.Name)
		}
		years[h.Date.Year] = true
		d.Holidays = append(d.Holidays, Holiday{Date: h.Date, Kind: h.Kind, Name: name,
			Obligatory: h.Obligatory, Computed: h.Computed, ClosedFrom: h.ClosedFrom})
	}
	for y := range years {
		d.Years = append(d.Years, y)
	}
	sort.Ints(d.Years)
	return d, nil
}

func (b fileBranch) toBranch(i int) (Branch, error) {
	br := Branch{Code: b.Code, Operator: b.Operator, Name: b.Name, Address: b.Address,
		Phone: b.Phone, Closed: b.Closed, Note: b.Note, Services: b.Services, Source: b.Source, Sort: i}
	for j, h := range b.Hours {
		days, err := parseWeekdays(h.Days)
		if err != nil {
			return Branch{}, apperr.Invalidf(fmt.Sprintf("branches[%d].hours[%d].days", i, j), "%v", err)
		}
		for _, wd := range days {
			br.Hours = append(br.Hours, Hours{Weekday: wd, Opens: h.Opens, Closes: h.Closes})
		}
	}
	sortHours(br.Hours)
	for j, c := range b.Counters {
		if c.Count < 1 || c.Count > 200 {
			return Branch{}, apperr.Invalidf(fmt.Sprintf("branches[%d].counters[%d].count", i, j), "want 1 to 200, got %d", c.Count)
		}
		for n := 1; n <= c.Count; n++ {
			br.Counters = append(br.Counters, NewCounter(c.Entity, n))
		}
	}
	return br, nil
}

// NewCounter returns the n-th counter of entity at a branch, coded like
// "DSI-03" and named in the three languages.
func NewCounter(entity string, n int) Counter {
	code := fmt.Sprintf("%s-%02d", entity, n)
	return Counter{Code: code, Entity: entity, Name: lang.Text{
		ZhHant: fmt.Sprintf("%s %d號櫃檯", entity, n),
		Pt:     fmt.Sprintf("Balcão %d (%s)", n, entity),
		En:     fmt.Sprintf("Counter %d (%s)", n, entity),
	}}
}

func sortHours(h []Hours) {
	sort.SliceStable(h, func(a, b int) bool {
		if h[a].Weekday != h[b].Weekday {
			return h[a].Weekday < h[b].Weekday
		}
		return h[a].Opens < h[b].Opens
	})
}

var dayNames = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// parseWeekdays reads "Mon-Fri", "Fri" or "Mon,Wed,Fri".
func parseWeekdays(s string) ([]time.Weekday, error) {
	var out []time.Weekday
	for part := range strings.SplitSeq(s, ",") {
		lo, hi, isRange := strings.Cut(strings.TrimSpace(part), "-")
		a, ok1 := dayNames[strings.ToLower(strings.TrimSpace(lo))]
		b := a
		ok2 := true
		if isRange {
			b, ok2 = dayNames[strings.ToLower(strings.TrimSpace(hi))]
		}
		if !ok1 || !ok2 || b < a {
			return nil, fmt.Errorf("%q: want days like Mon-Fri or Mon,Wed", s)
		}
		for d := a; d <= b; d++ {
			out = append(out, d)
		}
	}
	return out, nil
}

var codeRE = regexp.MustCompile(`^[A-Z][A-Z0-9-]{0,39}$`)

// ValidCode reports whether s is a well-formed entity, service or branch code.
func ValidCode(s string) bool { return codeRE.MatchString(s) }
