package queue

import (
	"context"
	"time"

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

// Summarise computes the figures of a day's tickets per queue, hours in
// loc. It is pure.
func Summarise(ts []Ticket, loc *time.Location) []QueueStats { return nil }

// Stats returns a branch's figures for a day, for staff serving there.
func (s *Service) Stats(ctx context.Context, actor identity.Actor, branch string, day directory.Date) ([]QueueStats, error) {
	return nil, errTODO
}

// OpenData returns every branch's figures for a day: public aggregates.
func (s *Service) OpenData(ctx context.Context, day directory.Date) ([]QueueStats, error) {
	return nil, errTODO
}
