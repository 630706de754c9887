package sqlstore

import (
	"cmp"
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/oneaccount/oneaccount/internal/queue"
)

// maxIssueRound bounds the tickets one round issues.
const maxIssueRound = 64

// issueLines are the tickets waiting to be issued, by
// branch, numbering prefix and day (and the limits they share), and
// whether a round is running for them.
type issueLines struct {
	mu    sync.Mutex
	lines map[string]*issueLine
}

// issueLine is one numbering sequence's waiting tickets.
type issueLine struct {
	pending []*issueReq
}

// issueReq is one ticket waiting for its round.
type issueReq struct {
	ctx  context.Context
	nt   queue.NewTicket
	t    queue.Ticket
	done chan issueResult
}

type issueResult struct {
	t   queue.Ticket
	err error
}

// issueInRounds issues a ticket without jobs or key. The tickets of one
// numbering sequence are issued in rounds: while a round's statement (or,
// on SQLite, transaction) runs, the tickets that arrive wait, and the
// next round numbers and writes them all in one statement (IssueMany) or
// transaction, taking the sequence row's lock once for all instead of
// once each, each ticket waiting for that commit. A round of one, and every ticket
// of a round that fails as a whole (a second active ticket, the quota, a
// closure), is issued alone (IssueOne), so that each ticket gets its own
// answer and a refused one uses no number.
func (s *Store) issueInRounds(ctx context.Context, nt queue.NewTicket, t queue.Ticket) (queue.Ticket, error) {
	r := &issueReq{ctx: ctx, nt: nt, t: t, done: make(chan issueResult, 1)}
	key := fmt.Sprintf("%s\x00%s\x00%s\x00%d\x00%t", t.Branch, cmp.Or(nt.Prefix, t.Queue), t.Day, nt.Quota, nt.WhileOpen)
	s.issues.mu.Lock()
	if s.issues.lines == nil {
		s.issues.lines = map[string]*issueLine{}
	}
	l := s.issues.lines[key]
	lead := l == nil
	if lead {
		l = &issueLine{}
		s.issues.lines[key] = l
	}
	l.pending = append(l.pending, r)
	s.issues.mu.Unlock()
	if lead {
		go s.issueRounds(key, l)
	}
	select {
	case res := <-r.done:
		return res.t, res.err
	case <-ctx.Done():
		// A round that already took the ticket may still issue it, as a
		// statement whose answer was lost would.
		return t, ctx.Err()
	}
}

// issueRounds runs rounds of a numbering sequence until none waits.
func (s *Store) issueRounds(key string, l *issueLine) {
	for {
		s.issues.mu.Lock()
		var round []*issueReq
		for _, r := range l.pending {
			if r.ctx.Err() != nil {
				r.done <- issueResult{t: r.t, err: r.ctx.Err()}
			} else {
				round = append(round, r)
			}
		}
		l.pending = nil
		if len(round) > maxIssueRound {
			round, l.pending = round[:maxIssueRound], round[maxIssueRound:]
		}
		if len(round) == 0 {
			delete(s.issues.lines, key)
			s.issues.mu.Unlock()
			return
		}
		s.issues.mu.Unlock()
		s.issueRound(round)
	}
}

// issueRound issues a round's tickets together, or each alone when the
// round is one ticket or fails as a whole.
func (s *Store) issueRound(round []*issueReq) {
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	if len(round) > 1 {
		if ts, err := s.issueMany(ctx, round); err == nil {
			for i, r := range round {
				r.done <- issueResult{t: ts[i]}
			}
			return
		}
	}
	for _, r := range round {
		t, err := s.issueAlone(ctx, r.nt, r.t)
		r.done <- issueResult{t: t, err: err}
	}
}

// issueMany numbers and writes a round's tickets: on PostgreSQL in one
// statement, on SQLite in one write transaction. It fails as a whole when
// any ticket is refused, or (PostgreSQL) when a closure of the branch
// overlaps the round's issue times.
func (s *Store) issueMany(ctx context.Context, round []*issueReq) ([]queue.Ticket, error) {
	if s.q.Queue.IssueMany == "" {
		out := make([]queue.Ticket, len(round))
		err := s.inWriteTx(ctx, func(tx queueTx) error {
			for i, r := range round {
				var err error
				if out[i], err = s.insertTicket(ctx, tx, r.nt, r.t); err != nil {
					return err
				}
			}
			return nil
		})
		return out, err
	}
	n := len(round)
	first := round[0]
	prefix := cmp.Or(first.nt.Prefix, first.t.Queue)
	ids, queues, sources, classes, accounts := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	phones, appts, limits := make([]string, n), make([]string, n), make([]string, n)
	confirmed := make([]bool, n)
	dues := make([]*time.Time, n)
	issued, queued := make([]time.Time, n), make([]time.Time, n)
	remote := 0
	lo, hi := first.t.IssuedAt, first.t.IssuedAt
	for i, r := range round {
		t := r.t
		ids[i], queues[i], sources[i], classes[i] = t.ID, t.Queue, string(t.Source), string(cmp.Or(t.Class, queue.Normal))
		accounts[i], phones[i], appts[i], confirmed[i] = t.AccountID, t.Phone, t.AppointmentID, t.ClassConfirmed
		if r.nt.OnePerBranch && t.AccountID != "" {
			limits[i] = t.Branch
		}
		if !t.DueAt.IsZero() {
			due := t.DueAt.UTC()
			dues[i] = &due
		}
		issued[i], queued[i] = t.IssuedAt.UTC(), t.QueuedAt.UTC()
		if t.Source == queue.Remote {
			remote++
		}
		lo, hi = minTime(lo, t.IssuedAt), maxTime(hi, t.IssuedAt)
	}
	rows, err := s.db.QueryContext(ctx, s.q.Queue.IssueMany, first.t.Branch, prefix, first.t.Day, n, remote, first.nt.Quota,
		first.nt.WhileOpen, lo.UTC(), hi.UTC(), ids, queues, sources, classes, confirmed, accounts, phones, appts, dues,
		issued, queued, limits)
	if err != nil {
		return nil, fmt.Errorf("issue tickets: %w", err)
	}
	seqs := map[string]int{}
	for rows.Next() {
		var id string
		var seq int
		if err := rows.Scan(&id, &seq); err != nil {
			_ = rows.Close()
			return nil, fmt.Errorf("issue tickets: %w", err)
		}
		seqs[id] = seq
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("issue tickets: %w", err)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("issue tickets: %w", err)
	}
	if len(seqs) != n {
		return nil, fmt.Errorf("issue tickets: %d of %d written (a closure)", len(seqs), n)
	}
	out := make([]queue.Ticket, n)
	for i, r := range round {
		t := r.t
		t.Class = cmp.Or(t.Class, queue.Normal)
		t.Seq = seqs[t.ID]
		t.Number = fmt.Sprintf("%s%03d", prefix, t.Seq)
		out[i] = t
	}
	return out, nil
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
