package queue

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/oneaccount/oneaccount/internal/directory"
)

// Data is a queue settings file (see internal/refdata/queues.yaml): the
// calling rule's settings for the deployment, then the queue and counter
// settings as defaults, per entity and per branch, each overriding the
// one before.
type Data struct {
	Rule     RuleData            `yaml:"rule"`
	Defaults Settings            `yaml:"defaults"`
	Entities map[string]Settings `yaml:"entities"`
	Branches map[string]Settings `yaml:"branches"`
}

// RuleData are the deployment's calling-rule and service settings; zero
// fields keep the service's defaults.
type RuleData struct {
	EarlyMinutes      int `yaml:"early_minutes"`
	LateMinutes       int `yaml:"late_minutes"`
	NearAt            int `yaml:"near_at"`
	MaxRecalls        int `yaml:"max_recalls"`
	RemoteStopMinutes int `yaml:"remote_stop_minutes"`
}

// Settings set the queue and counter fields they name; nil fields keep
// the value below.
type Settings struct {
	// MaxWaitMinutes is the aging bound.
	MaxWaitMinutes *int `yaml:"max_wait_minutes"`
	// DailyQuota bounds remote tickets per queue and day; 0 is none.
	DailyQuota *int `yaml:"daily_quota"`
	// LastRemote is a fixed local time after which no remote ticket is
	// issued ("16:30"); unset, remote tickets stop RemoteStopMinutes
	// before the branch closes.
	LastRemote *string `yaml:"last_remote"`
	// PriorityShare and NormalShare are every counter's ratio.
	PriorityShare *int `yaml:"priority_share"`
	NormalShare   *int `yaml:"normal_share"`
}

// ParseData reads a queue settings file strictly: an unknown key is an
// error naming it, and so is a value out of range.
func ParseData(r io.Reader) (Data, error) {
	var d Data
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	if err := dec.Decode(&d); err != nil && !errors.Is(err, io.EOF) {
		return d, fmt.Errorf("queue settings file: %w", err)
	}
	if err := d.validate(); err != nil {
		return d, fmt.Errorf("queue settings file: %w", err)
	}
	return d, nil
}

func (d Data) validate() error {
	r := d.Rule
	for name, v := range map[string]int{"early_minutes": r.EarlyMinutes, "late_minutes": r.LateMinutes,
		"near_at": r.NearAt, "max_recalls": r.MaxRecalls, "remote_stop_minutes": r.RemoteStopMinutes} {
		if v < 0 || v > 24*60 {
			return fmt.Errorf("rule.%s: %d is out of range", name, v)
		}
	}
	if err := d.Defaults.validate(); err != nil {
		return fmt.Errorf("defaults: %w", err)
	}
	for code, s := range d.Entities {
		if err := s.validate(); err != nil {
			return fmt.Errorf("entities.%s: %w", code, err)
		}
	}
	for code, s := range d.Branches {
		if err := s.validate(); err != nil {
			return fmt.Errorf("branches.%s: %w", code, err)
		}
	}
	return nil
}

func (s Settings) validate() error {
	check := func(name string, v *int, hi int) error {
		if v != nil && (*v < 0 || *v > hi) {
			return fmt.Errorf("%s: %d is out of range 0-%d", name, *v, hi)
		}
		return nil
	}
	if s.LastRemote != nil {
		if _, err := directory.ParseClock(*s.LastRemote); err != nil {
			return fmt.Errorf("last_remote: %w", err)
		}
	}
	return errors.Join(check("max_wait_minutes", s.MaxWaitMinutes, 24*60), check("daily_quota", s.DailyQuota, 99999),
		check("priority_share", s.PriorityShare, 100), check("normal_share", s.NormalShare, 100))
}

// Configure applies the file's rule settings to the service.
func (d Data) Configure(s *Service) {
	r := d.Rule
	set := func(dst *time.Duration, minutes int) {
		if minutes > 0 {
			*dst = time.Duration(minutes) * time.Minute
		}
	}
	set(&s.Rule.Early, r.EarlyMinutes)
	set(&s.Rule.Late, r.LateMinutes)
	set(&s.RemoteStop, r.RemoteStopMinutes)
	if d.Defaults.MaxWaitMinutes != nil {
		s.Rule.MaxWait = time.Duration(*d.Defaults.MaxWaitMinutes) * time.Minute
	}
	if r.NearAt > 0 {
		s.NearAt = r.NearAt
	}
	if r.MaxRecalls > 0 {
		s.MaxRecalls = r.MaxRecalls
	}
}

// settings resolves the settings of entity's queue at branch.
func (d Data) settings(branch, entity string) (maxWait, quota, pShare, nShare int, lastRemote string) {
	maxWait, pShare, nShare = 45, 1, 2
	for _, s := range []Settings{d.Defaults, d.Entities[entity], d.Branches[branch]} {
		setInt(&maxWait, s.MaxWaitMinutes)
		setInt(&quota, s.DailyQuota)
		setInt(&pShare, s.PriorityShare)
		setInt(&nShare, s.NormalShare)
		if s.LastRemote != nil {
			lastRemote = *s.LastRemote
		}
	}
	return maxWait, quota, pShare, nShare, lastRemote
}

func setInt(dst *int, v *int) {
	if v != nil {
		*dst = *v
	}
}

// Letters are the queue prefixes, in the order queues get them.
const Letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

// Derive gives a branch's queues and counter profiles from the directory:
// one queue per entity in entities (the pilot's) that has counters at the
// branch, lettered A, B, C... in the order of the branch's counters,
// covering that entity's counter services offered there; every counter of
// such an entity serves its entity's queue. services maps the codes of
// the branch's services to their records; a code it lacks is left out.
// A branch that no longer serves the public has none. It is pure.
func (d Data) Derive(b directory.Branch, entities map[string]directory.Entity, services map[string]directory.Service,
	pilot []string) ([]Queue, []Counter) {
	if b.Closed {
		return nil, nil
	}
	var qs []Queue
	letter := map[string]string{}
	for _, e := range b.Entities() {
		if !slices.Contains(pilot, e) || len(qs) == len(Letters) {
			continue
		}
		maxWait, quota, _, _, last := d.settings(b.Code, e)
		q := Queue{Branch: b.Code, Code: Letters[len(qs) : len(qs)+1], Entity: e, Name: entities[e].Name,
			DailyQuota: quota, LastRemote: last, MaxWait: time.Duration(maxWait) * time.Minute, Services: []string{}}
		for _, code := range b.Services {
			if svc, ok := services[code]; ok && svc.Entity == e && svc.Counter {
				q.Services = append(q.Services, code)
			}
		}
		letter[e] = q.Code
		qs = append(qs, q)
	}
	var cs []Counter
	for _, c := range b.Counters {
		if l, ok := letter[c.Entity]; ok {
			_, _, p, n, _ := d.settings(b.Code, c.Entity)
			cs = append(cs, Counter{Branch: b.Code, Code: c.Code, Entity: c.Entity, Name: c.Name, Queues: []string{l},
				PriorityShare: p, NormalShare: n})
		}
	}
	return qs, cs
}
