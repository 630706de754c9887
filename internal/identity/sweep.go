package identity

import (
	"context"
	"fmt"
	"time"
)

// codeRetention is how long spent or expired one-time codes are kept, so
// support staff can still see that a code was sent.
const codeRetention = 24 * time.Hour

// SweepResult counts what a sweep removed.
type SweepResult struct {
	Sessions, Codes, Registrations, Throttles int
}

// Sweep deletes what can no longer be used: sessions past their absolute
// end or idle for longer than the idle limit, codes and registrations
// expired a day ago, and throttle records whose window has passed. Serve
// runs it periodically, so the tables do not grow without end.
func (s *Service) Sweep(ctx context.Context) (SweepResult, error) {
	now := s.now()
	pol := s.cfg.Sessions
	r, err := s.store.SweepExpired(ctx, SweepBefore{
		SessionEnd:  now,
		SessionIdle: now.Add(-pol.Idle),
		Codes:       now.Add(-codeRetention),
		Throttles:   now.Add(-AccountThrottle.Window),
	})
	if err != nil {
		return r, fmt.Errorf("sweep: %w", err)
	}
	return r, nil
}

// SweepBefore holds the cut-off instants of a sweep.
type SweepBefore struct {
	// SessionEnd removes sessions whose absolute end is before it.
	SessionEnd time.Time
	// SessionIdle removes sessions last seen before it.
	SessionIdle time.Time
	// Codes removes codes and registrations that expired before it.
	Codes time.Time
	// Throttles removes throttle records whose window started before it
	// and that block nothing any more.
	Throttles time.Time
}
