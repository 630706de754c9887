package queue

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

var rule = Rule{MaxWait: 45 * time.Minute, Early: 15 * time.Minute, Late: 15 * time.Minute}

// tk is a waiting ticket queued min minutes after t0.
func tk(num string, class Class, min int) Ticket {
	return Ticket{ID: num, Number: num, Queue: num[:1], Class: class, Source: Kiosk, Status: Waiting,
		IssuedAt: t0.Add(time.Duration(min) * time.Minute), QueuedAt: t0.Add(time.Duration(min) * time.Minute)}
}

// appt is an appointment ticket checked in at min, due at dueMin.
func appt(num string, min, dueMin int) Ticket {
	t := tk(num, Normal, min)
	t.Source, t.DueAt = Appointment, t0.Add(time.Duration(dueMin)*time.Minute)
	return t
}

func counter(p, n, turn int, queues ...string) CounterState {
	if len(queues) == 0 {
		queues = []string{"A"}
	}
	return CounterState{Counter: Counter{Branch: "B", Code: "C-01", Queues: queues, PriorityShare: p, NormalShare: n},
		Open: true, Turn: turn}
}

func TestNext(t *testing.T) {
	called := func(ts ...Ticket) []Ticket {
		for i := range ts {
			ts[i].Status = Called
		}
		return ts
	}
	tests := []struct {
		name     string
		c        CounterState
		waiting  []Ticket
		now      int // minutes after t0
		want     string
		wantTurn int
	}{
		{"nobody", counter(1, 2, 1), nil, 0, "", 1},
		{"FIFO within a class", counter(0, 1, 0), []Ticket{tk("A003", Normal, 3), tk("A001", Normal, 1), tk("A002", Normal, 2)}, 5, "A001", 0},
		{"FIFO ties by number", counter(0, 1, 0), []Ticket{tk("A002", Normal, 1), tk("A001", Normal, 1)}, 5, "A002", 0},
		{"other queues are not for the counter", counter(1, 1, 0, "A"), []Ticket{tk("B001", Normal, 0)}, 5, "", 0},
		{"a counter of two queues", counter(1, 1, 1, "A", "B"), []Ticket{tk("B001", Normal, 0), tk("A001", Normal, 1)}, 5, "B001", 0},
		{"only waiting tickets", counter(1, 1, 0), called(tk("A001", Normal, 0)), 5, "", 0},
		{"priority turn takes priority", counter(1, 2, 0), []Ticket{tk("A001", Normal, 0), tk("A002", Elderly, 1)}, 5, "A002", 1},
		{"normal turn takes normal", counter(1, 2, 1), []Ticket{tk("A001", Normal, 0), tk("A002", Elderly, 1)}, 5, "A001", 2},
		{"last normal turn wraps", counter(1, 2, 2), []Ticket{tk("A001", Normal, 0), tk("A002", Pregnant, 1)}, 5, "A001", 0},
		{"turn out of range is reduced", counter(1, 2, 5), []Ticket{tk("A001", Normal, 0), tk("A002", Disability, 1)}, 5, "A001", 0},
		{"empty wanted class: the other, turn stays", counter(1, 2, 0), []Ticket{tk("A001", Normal, 0)}, 5, "A001", 0},
		{"empty normal class: priority, turn stays", counter(1, 2, 1), []Ticket{tk("A001", Elderly, 0)}, 5, "A001", 1},
		{"no ratio: one line", counter(0, 0, 0), []Ticket{tk("A002", Normal, 2), tk("A001", Elderly, 3)}, 5, "A002", 0},
		{"normal only counter still serves priority", counter(0, 1, 0), []Ticket{tk("A001", Elderly, 0), tk("A002", Normal, 1)}, 5, "A002", 0},
		{"due appointment first", counter(1, 2, 0), []Ticket{tk("A001", Elderly, 0), appt("A002", 10, 20)}, 10, "A002", 0},
		{"earliest due first", counter(1, 2, 0), []Ticket{appt("A001", 0, 30), appt("A002", 5, 20)}, 20, "A002", 0},
		{"appointment before its window waits its turn", counter(0, 1, 0), []Ticket{tk("A001", Normal, 0), appt("A002", 1, 30)}, 10, "A001", 0},
		{"appointment at the window's opening", counter(0, 1, 0), []Ticket{tk("A001", Normal, 0), appt("A002", 1, 30)}, 15, "A002", 0},
		{"on-time arrival stays first past the window", counter(0, 1, 0), []Ticket{tk("A001", Normal, 0), appt("A002", 25, 30)}, 60, "A002", 0},
		{"late arrival waits as a walk-in", counter(0, 1, 0), []Ticket{tk("A001", Normal, 0), appt("A002", 46, 30)}, 50, "A001", 0},
		{"aged ticket before priority", counter(1, 0, 0), []Ticket{tk("A001", Normal, 0), tk("A002", Elderly, 10)}, 45, "A001", 0},
		{"not yet aged", counter(1, 0, 0), []Ticket{tk("A001", Normal, 0), tk("A002", Elderly, 10)}, 44, "A002", 0},
		{"oldest aged first", counter(1, 1, 0), []Ticket{tk("A002", Elderly, 5), tk("A001", Normal, 0)}, 60, "A001", 0},
		{"due appointment before aged", counter(1, 1, 0), []Ticket{tk("A001", Normal, 0), appt("A002", 50, 60)}, 60, "A002", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			i, turn := Next(tt.c, tt.waiting, t0.Add(time.Duration(tt.now)*time.Minute), rule, nil)
			got := ""
			if i >= 0 {
				got = tt.waiting[i].Number
			}
			if got != tt.want || turn != tt.wantTurn {
				t.Errorf("Next = %q turn %d, want %q turn %d", got, turn, tt.want, tt.wantTurn)
			}
		})
	}
}

func TestNextQueueMaxWait(t *testing.T) {
	c := counter(1, 0, 0, "A", "B")
	ts := []Ticket{tk("A001", Normal, 0), tk("B001", Normal, 1), tk("A002", Elderly, 5)}
	bounds := map[string]time.Duration{"A": 0, "B": 10 * time.Minute}
	i, _ := Next(c, ts, t0.Add(20*time.Minute), rule, func(q string) time.Duration { return bounds[q] })
	if got := ts[i].Number; got != "B001" {
		t.Errorf("Next with B aging at 10 min and A not aging = %s, want B001", got)
	}
}

// TestRatio calls ten times from a long line of both classes: the
// counter's 1:2 ratio gives P N N P N N ...; once the priority tickets
// run out the normal ones go on without the turn moving.
func TestRatio(t *testing.T) {
	var ts []Ticket
	for i := range 8 {
		ts = append(ts, tk(fmt.Sprintf("A%03d", i+1), Normal, i))
	}
	for i := range 3 {
		ts = append(ts, tk(fmt.Sprintf("A%03d", 101+i), Elderly, 10+i))
	}
	c := counter(1, 2, 0)
	var got []string
	for range 10 {
		i, turn := Next(c, ts, t0.Add(20*time.Minute), rule, nil)
		got = append(got, ts[i].Number)
		ts[i].Status, c.Turn = Called, turn
	}
	want := []string{"A101", "A001", "A002", "A102", "A003", "A004", "A103", "A005", "A006", "A007"}
	if !slices.Equal(got, want) {
		t.Errorf("calls = %v, want %v", got, want)
	}
	// A103 moved the turn to 1, A005 to 2, A006 to 0; A007 was called
	// on the priority turn with no priority ticket left, so it stays 0.
	if c.Turn != 0 {
		t.Errorf("turn after the priority tickets ran out = %d, want 0", c.Turn)
	}
}

// TestAgingBound simulates a busy day: tickets arrive faster than one
// counter serves, with many priority tickets and a 3:1 ratio that would
// starve normal tickets. Whenever Next calls a ticket that is not an
// appointment, no ticket queued before it may have waited past the
// maximum: aging lets none wait past it while later ones are called.
func TestAgingBound(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	r := Rule{MaxWait: 30 * time.Minute, Early: 5 * time.Minute, Late: 5 * time.Minute}
	c := counter(3, 1, 0)
	var ts []Ticket
	now, agedCalls := t0, 0
	for step := range 400 {
		now = now.Add(time.Duration(20+rng.IntN(60)) * time.Second)
		class := Normal
		if rng.IntN(2) == 0 {
			class = Elderly
		}
		n := tk(fmt.Sprintf("A%03d", step), class, 0)
		n.QueuedAt, n.IssuedAt = now, now
		ts = append(ts, n)
		if step%2 == 0 {
			continue // two arrivals per call: the line grows
		}
		i, turn := Next(c, ts, now, r, nil)
		picked := ts[i]
		for _, w := range ts {
			if w.Status == Waiting && w.QueuedAt.Before(picked.QueuedAt) && now.Sub(w.QueuedAt) >= r.MaxWait {
				t.Fatalf("at %v Next called %s (queued %v) while %s waited %v", now, picked.Number, picked.QueuedAt, w.Number, now.Sub(w.QueuedAt))
			}
		}
		if now.Sub(picked.QueuedAt) >= r.MaxWait {
			agedCalls++
		}
		ts[i].Status, c.Turn = Called, turn
	}
	if agedCalls == 0 {
		t.Fatal("the simulation never aged a ticket; it tests nothing")
	}
}

// TestOrderIsRepeatedNext checks that Order lists what Next would call
// one after the other.
func TestOrderIsRepeatedNext(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 50 {
		ts := randomLine(rng, 30, "AB")
		c := counter(rng.IntN(3), rng.IntN(3), rng.IntN(4), "A", "B")
		now := t0.Add(90 * time.Minute)
		order := Order(c, ts, now, rule, nil)
		var next []int
		for {
			i, turn := Next(c, ts, now, rule, nil)
			if i < 0 {
				break
			}
			next = append(next, i)
			ts[i].Status, c.Turn = Called, turn
		}
		if !slices.Equal(order, next) || len(order) != len(ts) {
			t.Fatalf("round %d: Order = %v, repeated Next = %v (of %d)", round, order, next, len(ts))
		}
	}
}

// TestCandidatesFallBack checks that Candidates lists what Next calls,
// then what it calls with that one gone (the turn unchanged), and so on.
func TestCandidatesFallBack(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for round := range 50 {
		ts := randomLine(rng, 30, "ABC")
		c := counter(rng.IntN(3), rng.IntN(3), rng.IntN(4), "A", "B")
		now := t0.Add(90 * time.Minute)
		got := Candidates(c, ts, now, rule, nil)
		var want []Candidate
		for {
			i, turn := Next(c, ts, now, rule, nil)
			if i < 0 {
				break
			}
			want = append(want, Candidate{Index: i, Turn: turn})
			ts[i].Status = Called // lost to another counter: c.Turn stays
		}
		if !slices.Equal(got, want) {
			t.Fatalf("round %d: Candidates = %v, Next with each lost = %v", round, got, want)
		}
		if len(want) == 0 || len(want) == len(ts) {
			t.Fatalf("round %d: %d of %d tickets for the counter; the test needs some of each", round, len(want), len(ts))
		}
	}
}

// TestAheadIsOrder checks Ahead against the place Order gives a ticket
// among the others, wherever it was queued and whatever its class.
func TestAheadIsOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	seen := map[int]bool{}
	for round := range 400 {
		ts := randomLine(rng, 1+rng.IntN(30), "AB")
		for i := range ts {
			if rng.IntN(10) == 0 {
				ts[i].Status = Called
			}
		}
		c := counter(rng.IntN(3), rng.IntN(3), rng.IntN(4), "A", "B")
		now := t0.Add(90 * time.Minute)
		k := rng.IntN(len(ts))
		if ts[k].Status != Waiting {
			continue
		}
		mine := ts[k]
		others := slices.Delete(slices.Clone(ts), k, k+1)
		all := append(others, mine) // mine last, as a ticket just taken
		want := slices.Index(Order(c, all, now, rule, nil), len(all)-1)
		if got := Ahead(c, others, mine, now, rule, nil); got != want {
			t.Fatalf("round %d: Ahead(%s %s) = %d, Order places it at %d", round, mine.Number, mine.Class, got, want)
		}
		seen[min(want, 3)] = true
	}
	if len(seen) < 4 {
		t.Fatalf("places seen %v: the test needs tickets first and deep in line", seen)
	}
}

// randomLine is n waiting tickets in the queues named by the letters of
// queues, queued within 90 minutes of t0, half normal and the rest of a
// priority class, one in six an appointment due within two hours.
func randomLine(rng *rand.Rand, n int, queues string) []Ticket {
	ts := make([]Ticket, 0, n)
	for i := range n {
		class := []Class{Normal, Normal, Elderly, Pregnant, Normal, Normal, Disability, Elderly}[rng.IntN(8)]
		q := string(queues[rng.IntN(len(queues))])
		t := tk(fmt.Sprintf("%s%03d", q, i), class, rng.IntN(90))
		if rng.IntN(6) == 0 {
			t = appt(t.Number, rng.IntN(90), rng.IntN(120))
		}
		ts = append(ts, t)
	}
	return ts
}
