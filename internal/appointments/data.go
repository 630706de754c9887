package appointments

import (
	"fmt"
	"io"

	"go.yaml.in/yaml/v3"

	"github.com/oneaccount/oneaccount/internal/directory"
	"github.com/oneaccount/oneaccount/internal/lang"
)

// RulesData is a booking-rules data file: defaults, then what differs per
// service and per branch (see internal/refdata/booking.yaml).
type RulesData struct {
	Defaults RulesPatch            `yaml:"defaults"`
	Services map[string]RulesPatch `yaml:"services"`
	Branches map[string]RulesPatch `yaml:"branches"`
}

// RulesPatch sets the rules it names; nil fields keep the value below.
type RulesPatch struct {
	SlotMinutes         *int          `yaml:"slot_minutes"`
	PlacesPerCounter    *int          `yaml:"places_per_counter"`
	WindowFrom          *int          `yaml:"window_from"`
	WindowTo            *int          `yaml:"window_to"`
	OnePerService       *bool         `yaml:"one_per_service"`
	MaxPerDay           *int          `yaml:"max_per_day"`
	CancelCutoffMinutes *int          `yaml:"cancel_cutoff_minutes"`
	NoShow              *NoShowPolicy `yaml:"no_show"`
	Documents           *lang.Text    `yaml:"documents"`
}

// ParseRulesData reads a booking-rules file strictly: an unknown key is
// an error naming it.
func ParseRulesData(r io.Reader) (RulesData, error) {
	var d RulesData
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	if err := dec.Decode(&d); err != nil {
		return d, fmt.Errorf("booking rules file: %w", err)
	}
	return d, nil
}

// Rules gives the rules of service svc at branch b: the defaults, then
// the service's, then the branch's settings; places are per counter the
// branch has for the service's entity. The result is validated.
func (d RulesData) Rules(b directory.Branch, svc directory.Service) (Rules, error) {
	r := DefaultRules(b.Code, svc.Code, 1)
	per := 1
	for _, p := range []RulesPatch{d.Defaults, d.Services[svc.Code], d.Branches[b.Code]} {
		p.apply(&r, &per)
	}
	r.Places = max(1, per*max(1, Counters(b, svc.Entity)))
	r.Level = max(1, svc.Level)
	if err := r.Validate(); err != nil {
		return r, fmt.Errorf("booking rules of %s at %s: %w", svc.Code, b.Code, err)
	}
	return r, nil
}

func (p RulesPatch) apply(r *Rules, per *int) {
	set := func(dst *int, v *int) {
		if v != nil {
			*dst = *v
		}
	}
	set(&r.SlotMinutes, p.SlotMinutes)
	set(per, p.PlacesPerCounter)
	set(&r.WindowFrom, p.WindowFrom)
	set(&r.WindowTo, p.WindowTo)
	set(&r.MaxPerDay, p.MaxPerDay)
	set(&r.CancelCutoffMinutes, p.CancelCutoffMinutes)
	if p.OnePerService != nil {
		r.OnePerService = *p.OnePerService
	}
	if p.NoShow != nil {
		r.NoShow = *p.NoShow
	}
	if p.Documents != nil {
		r.Documents = *p.Documents
	}
}
