package queue

import "time"

// The wait estimate's settings.
const (
	// DefaultServiceTime is the service time assumed before a queue has
	// any history.
	DefaultServiceTime = 5 * time.Minute
	// ServiceHistory is how many recent service times the estimate reads.
	ServiceHistory = 20
	// smoothing is the weight of each newer service time in the moving
	// average: about the last ten count.
	smoothing = 0.2
	// optimism scales the low end of the range (ZMS uses 0.8).
	optimism = 0.8
)

// clamp bounds one service time read from history, so that a ticket
// completed hours after its call (a counter left open over lunch) or a
// mis-click completed at once does not swing the average.
func clamp(d time.Duration) time.Duration {
	return min(max(d, 30*time.Second), 90*time.Minute)
}

// AverageService is the exponentially weighted moving average of a
// queue's service times, given newest first as Store.ServiceTimes returns
// them. It starts from DefaultServiceTime, so a queue with little history
// moves from the default toward what it measures.
func AverageService(serviceTimes []time.Duration) time.Duration {
	avg := float64(DefaultServiceTime)
	for i := len(serviceTimes) - 1; i >= 0; i-- {
		avg += smoothing * (float64(clamp(serviceTimes[i])) - avg)
	}
	return time.Duration(avg)
}

// Estimate is the wait of a ticket with ahead people before it, served by
// openCounters counters (ZMS's slot model): one slot is the moving
// average of the service time divided by the counters. The high end
// assumes everyone ahead and the ticket being served now take a full
// slot each, (ahead+1) slots; the low end that the line moves a fifth
// faster and the current tickets are nearly done, 0.8 × ahead slots; mid
// is between them. With no counter open it assumes one will open, so
// the answer is what one counter would take. It is pure.
func Estimate(serviceTimes []time.Duration, ahead, openCounters int) (mid, low, high time.Duration) {
	slot := AverageService(serviceTimes) / time.Duration(max(1, openCounters))
	ahead = max(0, ahead)
	high = slot * time.Duration(ahead+1)
	low = time.Duration(optimism * float64(slot) * float64(ahead))
	mid = (low + high) / 2
	return mid.Round(time.Second), low.Round(time.Second), high.Round(time.Second)
}
