package directory

import (
	"fmt"
	"slices"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/lang"
)

// KnownRoles lists the roles an entity may have.
var KnownRoles = []string{"counter", "employment", "immigration", "licensing", "consulted", "platform"}

func needText(field string, t lang.Text) error {
	if !t.Complete() {
		return apperr.Invalidf(field, "needs zh-Hant, pt and en")
	}
	return nil
}

// Validate checks an entity on its own.
func (e Entity) Validate() error {
	if !ValidCode(e.Code) {
		return apperr.Invalidf("code", "%q: want upper-case letters, digits and dashes", e.Code)
	}
	if err := needText("name", e.Name); err != nil {
		return err
	}
	if err := needText("abbrev", e.Abbrev); err != nil {
		return err
	}
	for _, r := range e.Roles {
		if !slices.Contains(KnownRoles, r) {
			return apperr.Invalidf("roles", "unknown role %q", r)
		}
	}
	return nil
}

// Validate checks a service on its own.
func (s Service) Validate() error {
	if !ValidCode(s.Code) {
		return apperr.Invalidf("code", "%q: want upper-case letters, digits and dashes", s.Code)
	}
	if !ValidCode(s.Entity) {
		return apperr.Invalidf("entity", "%q is not an entity code", s.Entity)
	}
	if s.Level < 0 || s.Level > 3 {
		return apperr.Invalidf("level", "want an assurance level of 1, 2 or 3, got %d", s.Level)
	}
	return needText("name", s.Name)
}

// Validate checks a branch on its own: codes, names, and opening hours that
// are ordered and do not overlap.
func (b Branch) Validate() error {
	if !ValidCode(b.Code) {
		return apperr.Invalidf("code", "%q: want upper-case letters, digits and dashes", b.Code)
	}
	if err := needText("name", b.Name); err != nil {
		return err
	}
	if err := needText("address", b.Address); err != nil {
		return err
	}
	sorted := slices.Clone(b.Hours)
	sortHours(sorted)
	for i, h := range sorted {
		if h.Weekday < 0 || h.Weekday > 6 || h.Opens >= h.Closes || h.Closes > 24*60 {
			return apperr.Invalidf("hours", "%s %s-%s: opening must come before closing", h.Weekday, h.Opens, h.Closes)
		}
		if i > 0 && sorted[i-1].Weekday == h.Weekday && sorted[i-1].Closes > h.Opens {
			return apperr.Invalidf("hours", "%s: intervals overlap", h.Weekday)
		}
	}
	seen := map[string]bool{}
	for _, c := range b.Counters {
		if c.Code == "" || seen[c.Code] || !ValidCode(c.Entity) {
			return apperr.Invalidf("counters", "counter %q: empty, repeated or without entity", c.Code)
		}
		seen[c.Code] = true
	}
	return nil
}

// Validate checks a holiday on its own.
func (h Holiday) Validate() error {
	if h.Date.IsZero() {
		return apperr.Invalidf("date", "missing")
	}
	switch h.Kind {
	case PublicHoliday, Exemption, Compensatory:
	default:
		return apperr.Invalidf("kind", "%q: want public, exemption or compensatory", h.Kind)
	}
	return needText("name", h.Name)
}

// Validate checks a closure on its own.
func (c Closure) Validate() error {
	if c.Starts.IsZero() || !c.Ends.After(c.Starts) {
		return apperr.Invalidf("ends", "a closure must end after it starts")
	}
	return needText("reason", c.Reason)
}

// Validate checks every record and every reference between records.
func (d Dataset) Validate() error {
	entities := map[string]bool{}
	for i, e := range d.Entities {
		if err := at("entities", i, e.Validate()); err != nil {
			return err
		}
		if entities[e.Code] {
			return apperr.Invalidf(fmt.Sprintf("entities[%d].code", i), "%q repeated", e.Code)
		}
		entities[e.Code] = true
	}
	services := map[string]string{}
	for i, s := range d.Services {
		if err := at("services", i, s.Validate()); err != nil {
			return err
		}
		if _, dup := services[s.Code]; dup {
			return apperr.Invalidf(fmt.Sprintf("services[%d].code", i), "%q repeated", s.Code)
		}
		if !entities[s.Entity] {
			return apperr.Invalidf(fmt.Sprintf("services[%d].entity", i), "unknown entity %q", s.Entity)
		}
		services[s.Code] = s.Entity
	}
	if err := d.validateBranches(entities, services); err != nil {
		return err
	}
	return d.validateHolidays()
}

func (d Dataset) validateBranches(entities map[string]bool, services map[string]string) error {
	branches := map[string]bool{}
	for i, b := range d.Branches {
		if err := at("branches", i, b.Validate()); err != nil {
			return err
		}
		if branches[b.Code] {
			return apperr.Invalidf(fmt.Sprintf("branches[%d].code", i), "%q repeated", b.Code)
		}
		branches[b.Code] = true
		if !entities[b.Operator] {
			return apperr.Invalidf(fmt.Sprintf("branches[%d].operator", i), "unknown entity %q", b.Operator)
		}
		for _, c := range b.Counters {
			if !entities[c.Entity] {
				return apperr.Invalidf(fmt.Sprintf("branches[%d].counters", i), "unknown entity %q", c.Entity)
			}
		}
		for _, s := range b.Services {
			if _, ok := services[s]; !ok {
				return apperr.Invalidf(fmt.Sprintf("branches[%d].services", i), "unknown service %q", s)
			}
		}
	}
	return nil
}

func (d Dataset) validateHolidays() error {
	type key struct {
		d Date
		k HolidayKind
	}
	seen := map[key]bool{}
	for i, h := range d.Holidays {
		if err := at("holidays", i, h.Validate()); err != nil {
			return err
		}
		if seen[key{h.Date, h.Kind}] {
			return apperr.Invalidf(fmt.Sprintf("holidays[%d]", i), "%s %s repeated", h.Date, h.Kind)
		}
		seen[key{h.Date, h.Kind}] = true
	}
	return nil
}

// at prefixes an Invalid error's field with its place in the dataset.
func at(list string, i int, err error) error {
	if err == nil {
		return nil
	}
	if e, ok := apperr.As(err); ok && e.Code == apperr.Invalid {
		c := *e
		c.Field = fmt.Sprintf("%s[%d].%s", list, i, e.Field)
		return &c
	}
	return err
}
