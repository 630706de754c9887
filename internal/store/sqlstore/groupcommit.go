package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"sync"
)

// maxBatch bounds how many writes share one commit.
const maxBatch = 128

// batchItem is one write waiting for a group commit.
type batchItem struct {
	fn   func(tx *sql.Tx) error
	done chan error
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
	s.gc.once.Do(func() {
		s.gc.ch = make(chan batchItem, maxBatch)
		s.gc.stop = make(chan struct{})
		s.gc.wg.Add(1)
		go s.commitLoop()
	})
	if s.gc.ch == nil {
		return errors.New("store closed")
	}
	it := batchItem{fn: fn, done: make(chan error, 1)}
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
		for _, it := range batch {
			if err := it.fn(tx); err != nil {
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
