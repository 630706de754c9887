package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"sync"
)

// maxBatch bounds how many writes share one commit.
const maxBatch = 128

// batchItem is one write waiting for a group commit: a function, or a row
// that joins the other rows of the same multi-row insert (fn is then the
// same write alone, for the retry).
type batchItem struct {
	fn   func(tx *sql.Tx) error
	ins  *MultiInsert
	args []any
	done chan error
}

// MultiInsert is an INSERT that takes many rows: Prefix, then one
// parenthesised group of Columns placeholders per row, then Suffix.
// Numbered placeholders are $1, $2, ... (PostgreSQL), otherwise ?.
type MultiInsert struct {
	Prefix, Suffix string
	Columns        int
	Numbered       bool
}

// sql returns the statement for n rows.
func (m *MultiInsert) sql(n int) string {
	var b strings.Builder
	b.WriteString(m.Prefix)
	k := 0
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for j := range m.Columns {
			if j > 0 {
				b.WriteString(", ")
			}
			k++
			if m.Numbered {
				b.WriteString("$" + strconv.Itoa(k))
			} else {
				b.WriteByte('?')
			}
		}
		b.WriteByte(')')
	}
	b.WriteString(m.Suffix)
	return b.String()
}

// committer runs small writes from many requests in shared transactions:
// while one batch commits, the next gathers. Each write still waits for
// its own commit, so nothing is acknowledged before it is durable; what
// is saved is the cost of a commit (a WAL flush) per write. A batch that
// fails is retried one write per transaction, so one bad write fails
// alone.
type committer struct {
	once sync.Once
	ch   chan batchItem
	stop chan struct{}
	wg   sync.WaitGroup
}

// inGroupTx runs fn in a transaction shared with other writers and returns
// once that transaction has committed. fn may run twice (after a failed
// batch), so it must set its results afresh each time.
func (s *Store) inGroupTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return s.enqueue(ctx, batchItem{fn: fn})
}

// inGroupTxRow adds a row to a multi-row insert shared with other writers;
// alone is the same write on its own, used if the batch fails.
func (s *Store) inGroupTxRow(ctx context.Context, ins *MultiInsert, args []any, alone func(tx *sql.Tx) error) error {
	return s.enqueue(ctx, batchItem{fn: alone, ins: ins, args: args})
}

func (s *Store) enqueue(ctx context.Context, it batchItem) error {
	s.gc.once.Do(func() {
		s.gc.ch = make(chan batchItem, maxBatch)
		s.gc.stop = make(chan struct{})
		s.gc.wg.Add(1)
		go s.commitLoop()
	})
	if s.gc.ch == nil {
		return errors.New("store closed")
	}
	it.done = make(chan error, 1)
	select {
	case s.gc.ch <- it:
	case <-s.gc.stop:
		return errors.New("store closed")
	case <-ctx.Done():
		return ctx.Err()
	}
	return <-it.done
}

func (s *Store) commitLoop() {
	defer s.gc.wg.Done()
	for {
		var first batchItem
		select {
		case first = <-s.gc.ch:
		case <-s.gc.stop:
			return
		}
		batch := []batchItem{first}
	gather:
		for len(batch) < maxBatch {
			select {
			case it := <-s.gc.ch:
				batch = append(batch, it)
			default:
				break gather
			}
		}
		s.commitBatch(batch)
	}
}

func (s *Store) commitBatch(batch []batchItem) {
	ctx := context.Background()
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		rows := map[*MultiInsert][]any{}
		count := map[*MultiInsert]int{}
		for _, it := range batch {
			if it.ins != nil {
				rows[it.ins] = append(rows[it.ins], it.args...)
				count[it.ins]++
				continue
			}
			if err := it.fn(tx); err != nil {
				return err
			}
		}
		for ins, args := range rows {
			if _, err := tx.ExecContext(ctx, ins.sql(count[ins]), args...); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		for _, it := range batch {
			it.done <- nil
		}
		return
	}
	for _, it := range batch {
		it.done <- s.inTx(ctx, it.fn)
	}
}

// closeCommitter stops the group-commit loop after the batch in flight.
func (s *Store) closeCommitter() {
	started := false
	s.gc.once.Do(func() {})
	if s.gc.stop != nil {
		started = true
		close(s.gc.stop)
	}
	if started {
		s.gc.wg.Wait()
	}
}
