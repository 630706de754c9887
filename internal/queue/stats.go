package queue

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/appointments"
	"github.com/oneaccount/oneaccount/internal/directory"
	"github.com/oneaccount/oneaccount/internal/identity"
)

// QueueStats is one queue's figures for a day (no personal data: these
// are also the open data).
type QueueStats struct {
	Branch    string `json:"branch"`
	Queue     string `json:"queue"`
	Day       string `json:"day"`
	Tickets   int    `json:"tickets"`
	Served    int    `json:"served"`
	NoShows   int    `json:"no_shows"`
	Cancelled int    `json:"cancelled"`
	// Waits are from issue to first call; service times from call to
	// completion; in seconds.
	WaitP50    int         `json:"wait_p50_s"`
	WaitP90    int         `json:"wait_p90_s"`
	ServiceP50 int         `json:"service_p50_s"`
	ServiceP90 int         `json:"service_p90_s"`
	ByHour     []HourStats `json:"by_hour"`
}

// HourStats is one local hour's figures.
type HourStats struct {
	Hour    int `json:"hour"`
	Tickets int `json:"tickets"`
	WaitP50 int `json:"wait_p50_s"`
	NoShows int `json:"no_shows"`
}

// Summarise computes the figures of a day's tickets per branch and queue
// (in that order), by the local hour of issue in loc. Served are the
// completed tickets, no-shows the missed ones; waits run from issue to
// the (last) call of every called ticket, service times from call to
// completion of the served ones. Percentiles are nearest-rank, in whole
// seconds. Hours with no ticket are left out. It is pure.
func Summarise(ts []Ticket, loc *time.Location) []QueueStats {
	groups := map[statsKey]*statsAcc{}
	var keys []statsKey
	for _, t := range ts {
		k := statsKey{t.Branch, t.Queue, t.Day}
		g := groups[k]
		if g == nil {
			g = &statsAcc{st: QueueStats{Branch: t.Branch, Queue: t.Queue, Day: t.Day}, hours: map[int]*hourAcc{}}
			groups[k] = g
			keys = append(keys, k)
		}
		g.add(t, loc)
	}
	slices.SortFunc(keys, func(a, b statsKey) int {
		return cmp.Or(cmp.Compare(a.branch, b.branch), cmp.Compare(a.queue, b.queue), cmp.Compare(a.day, b.day))
	})
	out := make([]QueueStats, 0, len(keys))
	for _, k := range keys {
		g := groups[k]
		g.st.WaitP50, g.st.WaitP90 = percentile(g.waits, 50), percentile(g.waits, 90)
		g.st.ServiceP50, g.st.ServiceP90 = percentile(g.service, 50), percentile(g.service, 90)
		g.st.ByHour = byHour(g.hours)
		out = append(out, g.st)
	}
	return out
}

// statsKey groups tickets by branch, queue and day.
type statsKey struct{ branch, queue, day string }

// statsAcc gathers one group's figures.
type statsAcc struct {
	st             QueueStats
	waits, service []time.Duration
	hours          map[int]*hourAcc
}

func (g *statsAcc) add(t Ticket, loc *time.Location) {
	hour := t.IssuedAt.In(loc).Hour()
	h := g.hours[hour]
	if h == nil {
		h = &hourAcc{}
		g.hours[hour] = h
	}
	g.st.Tickets++
	h.tickets++
	switch t.Status {
	case Done:
		g.st.Served++
		if !t.CalledAt.IsZero() && !t.DoneAt.IsZero() {
			g.service = append(g.service, t.DoneAt.Sub(t.CalledAt))
		}
	case Missed:
		g.st.NoShows++
		h.noShows++
	case Cancelled:
		g.st.Cancelled++
	}
	if !t.CalledAt.IsZero() {
		w := max(0, t.CalledAt.Sub(t.IssuedAt))
		g.waits = append(g.waits, w)
		h.waits = append(h.waits, w)
	}
}

// hourAcc gathers one hour's figures.
type hourAcc struct {
	tickets, noShows int
	waits            []time.Duration
}

func byHour(hours map[int]*hourAcc) []HourStats {
	out := make([]HourStats, 0, len(hours))
	for h, a := range hours {
		out = append(out, HourStats{Hour: h, Tickets: a.tickets, WaitP50: percentile(a.waits, 50), NoShows: a.noShows})
	}
	slices.SortFunc(out, func(a, b HourStats) int { return a.Hour - b.Hour })
	return out
}

// percentile is the nearest-rank p-th percentile of ds in whole seconds,
// 0 for none. It sorts ds.
func percentile(ds []time.Duration, p int) int {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	rank := (p*len(ds) + 99) / 100 // ceil(p/100 × n)
	return int(ds[max(0, rank-1)].Round(time.Second) / time.Second)
}

// Stats returns a branch's figures for a day, for staff serving there
// (of any entity: the figures hold no personal data).
func (s *Service) Stats(ctx context.Context, actor identity.Actor, branch string, day directory.Date) ([]QueueStats, error) {
	b, err := s.branch(ctx, branch)
	if err != nil {
		return nil, err
	}
	if !platform(actor) && !appointments.ServesAt(actor, b) {
		return nil, &apperr.Error{Code: apperr.Forbidden, Key: "error.forbidden.body", Detail: "not a member of the staff serving at " + branch}
	}
	return s.dayStats(ctx, branch, day)
}

// OpenData returns every branch's figures for a day: public aggregates.
func (s *Service) OpenData(ctx context.Context, day directory.Date) ([]QueueStats, error) {
	bs, err := s.dir.Store().Branches(ctx, "")
	if err != nil {
		return nil, err
	}
	out := []QueueStats{}
	for _, b := range bs {
		st, err := s.dayStats(ctx, b.Code, day)
		if err != nil {
			return nil, err
		}
		out = append(out, st...)
	}
	return out, nil
}

// dayStats summarises a branch's tickets of day; a branch without queues
// has none.
func (s *Service) dayStats(ctx context.Context, branch string, day directory.Date) ([]QueueStats, error) {
	qs, err := s.queues(ctx, branch)
	if err != nil || len(qs) == 0 {
		return []QueueStats{}, err
	}
	ts, err := s.store.Tickets(ctx, branch, day.String())
	if err != nil {
		return nil, err
	}
	return Summarise(ts, s.dir.Location()), nil
}
