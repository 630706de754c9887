package api

import (
	"strings"
	"time"

	"github.com/oneaccount/oneaccount/internal/directory"
	"github.com/oneaccount/oneaccount/internal/lang"
)

// The response bodies. Each mirrors a schema in openapi.json, which
// TestResponsesMatchOpenAPI checks. lang.Text's JSON form (keys "zh-Hant",
// "pt", "en") is the Text schema.

// Entity is a government entity (schema Entity).
type Entity struct {
	Code    string    `json:"code"`
	Abbrev  lang.Text `json:"abbreviation"`
	Name    lang.Text `json:"name"`
	Summary lang.Text `json:"summary"`
	Website string    `json:"website,omitempty"`
	Roles   []string  `json:"roles"`
}

// EntityList is the body of GET /api/v1/entities.
type EntityList struct {
	Entities []Entity `json:"entities"`
}

// EntityDetail is the body of GET /api/v1/entities/{code}: the entity with
// the codes of its services and of the branches it runs or has counters at.
type EntityDetail struct {
	Entity   Entity   `json:"entity"`
	Services []string `json:"services"`
	Branches []string `json:"branches"`
}

// Service is a public service of an entity (schema Service).
type Service struct {
	Code        string    `json:"code"`
	Entity      string    `json:"entity"`
	Name        lang.Text `json:"name"`
	Description lang.Text `json:"description"`
	Counter     bool      `json:"counter"`
	Level       int       `json:"level"`
}

// ServiceList is the body of GET /api/v1/services.
type ServiceList struct {
	Services []Service `json:"services"`
}

// Hours is one opening interval (schema Hours).
type Hours struct {
	Weekday string `json:"weekday"`
	Opens   string `json:"opens"`
	Closes  string `json:"closes"`
}

// Counter is one serving position at a branch (schema Counter).
type Counter struct {
	Code   string    `json:"code"`
	Entity string    `json:"entity"`
	Name   lang.Text `json:"name"`
}

// Branch is a service point (schema Branch).
type Branch struct {
	Code     string     `json:"code"`
	Operator string     `json:"operator"`
	Name     lang.Text  `json:"name"`
	Address  lang.Text  `json:"address"`
	Phone    string     `json:"phone,omitempty"`
	Note     *lang.Text `json:"note,omitempty"`
	Hours    []Hours    `json:"hours"`
	Counters []Counter  `json:"counters"`
	Services []string   `json:"services"`
	Entities []string   `json:"entities"`
	Closed   bool       `json:"closed"`
}

// BranchList is the body of GET /api/v1/branches.
type BranchList struct {
	Branches []Branch `json:"branches"`
}

// Status tells whether a branch is open now (schema BranchStatus). Until is
// set when open, Next when shut and an opening is known; both are RFC 3339
// in the directory's zone.
type Status struct {
	Open    bool     `json:"open"`
	Until   string   `json:"until,omitempty"`
	Next    string   `json:"next,omitempty"`
	Closure *Closure `json:"closure,omitempty"`
}

// Closure is a one-off closure (schema Closure); Branch is empty when it
// closes every branch.
type Closure struct {
	ID     int64     `json:"id"`
	Branch string    `json:"branch,omitempty"`
	Starts string    `json:"starts"`
	Ends   string    `json:"ends"`
	Reason lang.Text `json:"reason"`
}

// Holiday is a day counters close (schema Holiday); ClosedFrom is set for
// an afternoon closure.
type Holiday struct {
	Date       string    `json:"date"`
	Kind       string    `json:"kind"`
	Name       lang.Text `json:"name"`
	Obligatory bool      `json:"obligatory"`
	Computed   bool      `json:"computed"`
	ClosedFrom string    `json:"closedFrom,omitempty"`
}

// BranchDetail is the body of GET /api/v1/branches/{code}: the branch, its
// status now, and its closures and holidays in the coming weeks.
type BranchDetail struct {
	Branch   Branch    `json:"branch"`
	Status   Status    `json:"status"`
	Closures []Closure `json:"closures"`
	Holidays []Holiday `json:"holidays"`
}

func toEntity(e directory.Entity) Entity {
	return Entity{Code: e.Code, Abbrev: e.Abbrev, Name: e.Name, Summary: e.Summary,
		Website: e.Website, Roles: nonNil(e.Roles)}
}

func toService(s directory.Service) Service {
	return Service{Code: s.Code, Entity: s.Entity, Name: s.Name,
		Description: s.Description, Counter: s.Counter, Level: max(s.Level, 1)}
}

func toBranch(b directory.Branch) Branch {
	out := Branch{Code: b.Code, Operator: b.Operator, Name: b.Name, Address: b.Address,
		Phone: b.Phone, Hours: []Hours{}, Counters: []Counter{},
		Services: nonNil(b.Services), Entities: nonNil(b.Entities()), Closed: b.Closed}
	if b.Note != (lang.Text{}) {
		note := b.Note
		out.Note = &note
	}
	for _, day := range directory.WeekHours(b) {
		for _, h := range day {
			out.Hours = append(out.Hours, Hours{Weekday: strings.ToLower(h.Weekday.String()),
				Opens: h.Opens.String(), Closes: h.Closes.String()})
		}
	}
	for _, c := range b.Counters {
		out.Counters = append(out.Counters, Counter{Code: c.Code, Entity: c.Entity, Name: c.Name})
	}
	return out
}

func toStatus(s directory.Status, loc *time.Location) Status {
	out := Status{Open: s.Open, Until: stamp(s.Until, loc), Next: stamp(s.Next, loc)}
	if s.Closure != nil {
		c := toClosure(*s.Closure, loc)
		out.Closure = &c
	}
	return out
}

func toClosure(c directory.Closure, loc *time.Location) Closure {
	return Closure{ID: c.ID, Branch: c.Branch, Starts: stamp(c.Starts, loc),
		Ends: stamp(c.Ends, loc), Reason: c.Reason}
}

func toHoliday(h directory.Holiday) Holiday {
	out := Holiday{Date: h.Date.String(), Kind: string(h.Kind), Name: h.Name,
		Obligatory: h.Obligatory, Computed: h.Computed}
	if !h.ClosedFrom.IsZero() {
		out.ClosedFrom = h.ClosedFrom.String()
	}
	return out
}

// stamp formats t as RFC 3339 in loc, or "" for the zero time.
func stamp(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format(time.RFC3339)
}

// mapAll converts every element of in with f, never returning nil, so empty
// lists encode as [] rather than null.
func mapAll[T, U any](in []T, f func(T) U) []U {
	out := make([]U, 0, len(in))
	for _, v := range in {
		out = append(out, f(v))
	}
	return out
}

// nonNil returns s, or an empty slice when s is nil.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
