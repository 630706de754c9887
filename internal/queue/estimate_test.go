package queue

import (
	"testing"
	"time"
)

func repeat(d time.Duration, n int) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = d
	}
	return out
}

func TestEstimate(t *testing.T) {
	const m = time.Minute
	tests := []struct {
		name            string
		times           []time.Duration
		ahead, counters int
		mid, low, high  time.Duration
	}{
		{"no history: the default, first in line", nil, 0, 1, 2*m + 30*time.Second, 0, 5 * m},
		{"no history, four ahead", nil, 4, 1, 20*m + 30*time.Second, 16 * m, 25 * m},
		{"two counters halve the slot", nil, 4, 2, 10*m + 15*time.Second, 8 * m, 12*m + 30*time.Second},
		{"no counter open: as if one opens", nil, 4, 0, 20*m + 30*time.Second, 16 * m, 25 * m},
		{"negative counters: as if one opens", nil, 4, -3, 20*m + 30*time.Second, 16 * m, 25 * m},
		{"negative ahead counts as none", nil, -2, 1, 2*m + 30*time.Second, 0, 5 * m},
		{"a long steady history: its own average", repeat(10*m, 200), 1, 1, 14 * m, 8 * m, 20 * m},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mid, low, high := Estimate(tt.times, tt.ahead, tt.counters)
			if mid != tt.mid || low != tt.low || high != tt.high {
				t.Errorf("Estimate(%d times, %d ahead, %d counters) = %v, %v, %v; want %v, %v, %v",
					len(tt.times), tt.ahead, tt.counters, mid, low, high, tt.mid, tt.low, tt.high)
			}
		})
	}
}

func TestAverageService(t *testing.T) {
	const m = time.Minute
	t.Run("recent times weigh more", func(t *testing.T) {
		// Newest first: the last ten took 2 minutes, the ten before 12.
		recentFast := append(repeat(2*m, 10), repeat(12*m, 10)...)
		recentSlow := append(repeat(12*m, 10), repeat(2*m, 10)...)
		fast, slow := AverageService(recentFast), AverageService(recentSlow)
		if fast >= 7*m || slow <= 7*m {
			t.Errorf("AverageService: recent fast = %v (want < 7m), recent slow = %v (want > 7m)", fast, slow)
		}
	})
	t.Run("few samples move from the default", func(t *testing.T) {
		got := AverageService([]time.Duration{15 * m})
		if got <= DefaultServiceTime || got >= 15*m {
			t.Errorf("AverageService(one 15m sample) = %v, want between %v and 15m", got, DefaultServiceTime)
		}
	})
	t.Run("outliers are clamped", func(t *testing.T) {
		got := AverageService(append(repeat(4*m, 19), 10*time.Hour))
		if got > 25*m {
			t.Errorf("AverageService with one 10-hour ticket = %v, want it clamped (≤ 25m)", got)
		}
		if got := AverageService(repeat(0, 50)); got < 30*time.Second {
			t.Errorf("AverageService of zero-length tickets = %v, want at least 30s", got)
		}
	})
	t.Run("grows with the line", func(t *testing.T) {
		prev := time.Duration(-1)
		for ahead := range 30 {
			mid, low, high := Estimate(nil, ahead, 3)
			if !(low <= mid && mid <= high) || mid <= prev {
				t.Fatalf("Estimate(nil, %d, 3) = %v, %v, %v; want low ≤ mid ≤ high, mid growing past %v", ahead, mid, low, high, prev)
			}
			prev = mid
		}
	})
}
