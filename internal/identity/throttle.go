package identity

import "time"

// Throttle is the sign-in throttling policy. Failures are counted per key
// in a window; after Free failures every further attempt must wait a delay
// that doubles, up to MaxDelay; after Cap failures in the window attempts are
// refused until the window ends.
//
// Keys are per account (by the normalised username, so unknown and known
// accounts behave alike), per IP address, and per account and trusted
// device. A device that has signed in to the account before is counted
// apart, so an attacker's failures never lock the owner out.
type Throttle struct {
	Window   time.Duration
	Free     int
	MaxDelay time.Duration
	Cap      int
}

// AccountThrottle allows at most 100 failures an hour per account, the
// NIST SP 800-63B and OWASP ASVS 2.2.1 bound, with growing delays after 5.
var AccountThrottle = Throttle{Window: time.Hour, Free: 5, MaxDelay: 15 * time.Minute, Cap: 100}

// IPThrottle is looser, since many residents may share a carrier's address.
var IPThrottle = Throttle{Window: time.Hour, Free: 20, MaxDelay: 5 * time.Minute, Cap: 1000}

// ThrottleState is a key's record.
type ThrottleState struct {
	Key          string
	Failures     int
	WindowStart  time.Time
	BlockedUntil time.Time
}

// Fail returns the state after one more failure at now.
func (t Throttle) Fail(s ThrottleState, now time.Time) ThrottleState {
	if s.WindowStart.IsZero() || !now.Before(s.WindowStart.Add(t.Window)) {
		s = ThrottleState{Key: s.Key, WindowStart: now}
	}
	s.Failures++
	switch {
	case s.Failures >= t.Cap:
		s.BlockedUntil = s.WindowStart.Add(t.Window)
	case s.Failures > t.Free:
		d := time.Second << min(s.Failures-t.Free-1, 30)
		s.BlockedUntil = now.Add(min(d, t.MaxDelay))
	}
	return s
}

// Wait returns how long an attempt at now must still wait.
func (t Throttle) Wait(s ThrottleState, now time.Time) time.Duration {
	if now.Before(s.BlockedUntil) {
		return s.BlockedUntil.Sub(now)
	}
	return 0
}
