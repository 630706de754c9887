package jobs

import (
	"testing"
	"time"
)

func TestBackoffDoublesWithJitterAndCap(t *testing.T) {
	for n := 1; n <= 20; n++ {
		base := 10 * time.Second << (n - 1)
		if n > 12 || base > 6*time.Hour {
			base = 6 * time.Hour
		}
		for range 50 {
			d := Backoff(n)
			if d < base || d > base+base/10 {
				t.Fatalf("Backoff(%d) = %s, want %s plus at most 10%%", n, d, base)
			}
		}
	}
	if Backoff(0) < 10*time.Second {
		t.Error("Backoff(0) is shorter than the first wait")
	}
	total := time.Duration(0)
	for n := 1; n < DefaultMaxAttempts; n++ {
		total += Backoff(n)
	}
	if total < 12*time.Hour || total > 72*time.Hour {
		t.Errorf("retries span %s; the documented span is about 30 hours", total)
	}
}
