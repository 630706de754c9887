package queue

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestSummarise(t *testing.T) {
	macau := time.FixedZone("Macau", 8*3600)
	at := func(h, m, s int) time.Time { return time.Date(2026, 3, 2, h, m, s, 0, macau).UTC() }
	served := func(num string, issued, called, done time.Time) Ticket {
		return Ticket{Branch: "GSC", Queue: num[:1], Day: "2026-03-02", Number: num, Status: Done,
			IssuedAt: issued, QueuedAt: issued, CalledAt: called, DoneAt: done}
	}
	other := func(num string, st Status, issued, called time.Time) Ticket {
		return Ticket{Branch: "GSC", Queue: num[:1], Day: "2026-03-02", Number: num, Status: st,
			IssuedAt: issued, QueuedAt: issued, CalledAt: called}
	}
	ts := []Ticket{
		// Queue A: waits 1, 2, 3, 4 and 10 minutes; service 2, 4, 6 minutes.
		served("A001", at(9, 0, 0), at(9, 1, 0), at(9, 3, 0)),
		served("A002", at(9, 10, 0), at(9, 12, 0), at(9, 16, 0)),
		served("A003", at(10, 0, 0), at(10, 3, 0), at(10, 9, 0)),
		other("A004", Missed, at(10, 5, 0), at(10, 9, 0)),
		other("A005", Called, at(10, 20, 0), at(10, 30, 0)),
		other("A006", Cancelled, at(10, 40, 0), time.Time{}),
		other("A007", Waiting, at(11, 0, 0), time.Time{}),
		// Queue B, listed before A's last ticket: one waiting ticket.
		other("B001", Waiting, at(9, 30, 0), time.Time{}),
		{Branch: "DSI", Queue: "A", Day: "2026-03-02", Number: "A001", Status: Waiting, IssuedAt: at(8, 59, 59)},
	}
	want := []QueueStats{
		{Branch: "DSI", Queue: "A", Day: "2026-03-02", Tickets: 1, ByHour: []HourStats{{Hour: 8, Tickets: 1}}},
		{Branch: "GSC", Queue: "A", Day: "2026-03-02", Tickets: 7, Served: 3, NoShows: 1, Cancelled: 1,
			WaitP50: 180, WaitP90: 600, ServiceP50: 240, ServiceP90: 360,
			ByHour: []HourStats{
				{Hour: 9, Tickets: 2, WaitP50: 60},
				{Hour: 10, Tickets: 4, WaitP50: 240, NoShows: 1},
				{Hour: 11, Tickets: 1},
			}},
		{Branch: "GSC", Queue: "B", Day: "2026-03-02", Tickets: 1, ByHour: []HourStats{{Hour: 9, Tickets: 1}}},
	}
	if diff := cmp.Diff(want, Summarise(ts, macau)); diff != "" {
		t.Errorf("Summarise (-want +got):\n%s", diff)
	}
	if got := Summarise(nil, macau); len(got) != 0 {
		t.Errorf("Summarise(nil) = %v, want none", got)
	}
}

func TestPercentile(t *testing.T) {
	s := func(n ...int) []time.Duration {
		out := make([]time.Duration, len(n))
		for i, v := range n {
			out[i] = time.Duration(v) * time.Second
		}
		return out
	}
	tests := []struct {
		ds   []time.Duration
		p    int
		want int
	}{
		{nil, 50, 0},
		{s(7), 90, 7},
		{s(4, 1, 3, 2), 50, 2},
		{s(4, 1, 3, 2), 90, 4},
		{s(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 90, 9},
		{s(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 50, 5},
	}
	for _, tt := range tests {
		if got := percentile(tt.ds, tt.p); got != tt.want {
			t.Errorf("percentile(%v, %d) = %d, want %d", tt.ds, tt.p, got, tt.want)
		}
	}
}
