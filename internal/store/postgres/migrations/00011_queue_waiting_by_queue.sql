-- +goose Up
-- A round of calls reads the first waiting tickets of each class of each
-- queue its counters serve, one queue at a time (sqlstore.WaitingOne).
-- With the queue after the time in queue_tickets_waiting, reading one
-- queue of a branch with eight walked the other seven's tickets too;
-- with the queue before the class, each queue's walk reads only its own.
DROP INDEX queue_tickets_waiting;
CREATE INDEX queue_tickets_waiting ON queue_tickets (branch_code, day, queue, class, queued_at, prefix, seq)
    WHERE status = 'waiting';

-- +goose Down
DROP INDEX queue_tickets_waiting;
CREATE INDEX queue_tickets_waiting ON queue_tickets (branch_code, day, class, queued_at, prefix, seq, queue)
    WHERE status = 'waiting';
