package postgres

import (
	"strings"

	"github.com/oneaccount/oneaccount/internal/store/sqlstore"
)

const (
	queueCols   = `branch_code, code, entity_code, name_zh, name_pt, name_en, services, daily_quota, last_remote, max_wait_s`
	counterCols = `branch_code, code, entity_code, name_zh, name_pt, name_en, priority_share, normal_share, is_open, staff_id, turn, current_ticket`
	ticketCols  = `id, branch_code, queue, prefix, day, seq, number, source, class, class_confirmed, account_id, phone,
		appointment_id, due_at, issued_at, queued_at, status, counter, called_at, recalls, done_at, outcome,
		EXISTS (SELECT 1 FROM queue_ticket_near n WHERE n.ticket_id = queue_tickets.id)`
)

// queueQueries lock the rows a transaction decides on: a counter calling
// holds its own row, and a ticket being called is skipped, not waited
// for, by other counters (SKIP LOCKED).
var queueQueries = sqlstore.QueueQueries{
	DeleteQueues: `DELETE FROM queues WHERE branch_code = $1`,
	InsertQueue:  `INSERT INTO queues (` + queueCols + `) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
	Queues:       `SELECT ` + queueCols + ` FROM queues WHERE branch_code = $1 ORDER BY code`,
	UpsertCounter: `INSERT INTO queue_counters (branch_code, code, entity_code, name_zh, name_pt, name_en, priority_share,
		normal_share, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (branch_code, code) DO UPDATE SET entity_code = excluded.entity_code, name_zh = excluded.name_zh,
		name_pt = excluded.name_pt, name_en = excluded.name_en, priority_share = excluded.priority_share,
		normal_share = excluded.normal_share`,
	CounterCodes:        `SELECT code FROM queue_counters WHERE branch_code = $1 ORDER BY code`,
	DeleteCounter:       `DELETE FROM queue_counters WHERE branch_code = $1 AND code = $2`,
	DeleteCounterQueues: `DELETE FROM queue_counter_queues WHERE branch_code = $1`,
	InsertCounterQueue:  `INSERT INTO queue_counter_queues (branch_code, counter, queue, position) VALUES ($1, $2, $3, $4)`,
	CounterQueues:       `SELECT counter, queue FROM queue_counter_queues WHERE branch_code = $1 ORDER BY counter, position`,
	CounterQueuesOf:     `SELECT counter, queue FROM queue_counter_queues WHERE branch_code = $1 AND counter = $2 ORDER BY position`,
	Counters:            `SELECT ` + counterCols + ` FROM queue_counters WHERE branch_code = $1 ORDER BY code`,
	Counter:             `SELECT ` + counterCols + ` FROM queue_counters WHERE branch_code = $1 AND code = $2`,
	CounterForUpdate:    `SELECT ` + counterCols + ` FROM queue_counters WHERE branch_code = $1 AND code = $2 FOR UPDATE`,
	OpenCounter:         `UPDATE queue_counters SET is_open = TRUE, staff_id = $1, updated_at = $2 WHERE branch_code = $3 AND code = $4`,
	CloseCounter: `UPDATE queue_counters SET is_open = FALSE, staff_id = '', updated_at = $1
		WHERE branch_code = $2 AND code = $3 AND current_ticket IS NULL`,
	NextSeq: `INSERT INTO queue_sequences (branch_code, prefix, day, last_seq, remote, quota) VALUES ($1, $2, $3, 1, $4, $5)
		ON CONFLICT (branch_code, prefix, day) DO UPDATE SET last_seq = queue_sequences.last_seq + 1,
		remote = queue_sequences.remote + excluded.remote, quota = excluded.quota
		RETURNING last_seq`,
	IssueOne: issueOne,
	InsertTicket: `INSERT INTO queue_tickets (id, branch_code, queue, prefix, day, seq, number, source, class, class_confirmed,
		account_id, phone, appointment_id, due_at, issued_at, queued_at, status, active_branch, limit_branch)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
	Ticket:          `SELECT ` + ticketCols + ` FROM queue_tickets WHERE id = $1`,
	TicketForUpdate: `SELECT ` + ticketCols + ` FROM queue_tickets WHERE id = $1 FOR UPDATE`,
	Tickets:         `SELECT ` + ticketCols + ` FROM queue_tickets WHERE branch_code = $1 AND day = $2 ORDER BY queued_at, prefix, seq`,
	TicketsOf:       `SELECT ` + ticketCols + ` FROM queue_tickets WHERE account_id = $1 AND day = $2 ORDER BY issued_at, id`,
	Waiting: `WITH served AS (SELECT queue FROM queue_counter_queues WHERE branch_code = $1 AND counter = $3)
		SELECT ` + ticketCols + ` FROM queue_tickets WHERE id IN (` +
		waitingOf(`class = 'normal'`) + ` UNION ALL ` + waitingOf(`class = 'elderly'`) + ` UNION ALL ` +
		waitingOf(`class = 'pregnant'`) + ` UNION ALL ` + waitingOf(`class = 'disability'`) + ` UNION ALL ` +
		strings.Replace(waitingOf(`source = 'appointment'`), "ORDER BY", "ORDER BY due_at,", 1) +
		`) ORDER BY queued_at, prefix, seq`,
	CallTicket: `UPDATE queue_tickets SET status = 'called', counter = $1, called_at = $2
		WHERE id = (SELECT id FROM queue_tickets WHERE id = $3 AND status = 'waiting' FOR NO KEY UPDATE SKIP LOCKED) AND status = 'waiting'`,
	SetCalled: `UPDATE queue_counters SET turn = $1, current_ticket = $2, updated_at = $3 WHERE branch_code = $4 AND code = $5`,
	TakeCounter: `UPDATE queue_counters SET current_ticket = $1, updated_at = $2
		WHERE branch_code = $3 AND code = $4 AND is_open AND current_ticket IS NULL`,
	FreeCounter: `UPDATE queue_counters SET current_ticket = NULL, updated_at = $1 WHERE branch_code = $2 AND code = $3 AND current_ticket = $4`,
	UpdateTicket: `UPDATE queue_tickets SET status = $1, queue = $2, class = $3, class_confirmed = $4, counter = $5, called_at = $6,
		recalls = $7, done_at = $8, outcome = $9, active_branch = CASE WHEN $10::boolean THEN limit_branch END
		WHERE id = $11 AND status = $12 AND recalls = $13`,
	ServiceTimes: `SELECT called_at, done_at FROM queue_tickets WHERE branch_code = $1 AND queue = $2 AND status = 'done'
		AND called_at IS NOT NULL AND done_at IS NOT NULL ORDER BY done_at DESC LIMIT $3`,
	MarkNear:        `INSERT INTO queue_ticket_near (ticket_id) VALUES ($1) ON CONFLICT (ticket_id) DO NOTHING`,
	IdemLookup:      `SELECT ticket_id FROM queue_idempotency WHERE account_id = $1 AND idem_key = $2`,
	IdemInsert:      `INSERT INTO queue_idempotency (account_id, idem_key, ticket_id, created_at) VALUES ($1, $2, $3, $4)`,
	UniqueViolation: uniqueViolation,
	CheckViolation:  checkViolation,
}

// waitingOf selects the IDs of the first n waiting tickets matching cond
// that a counter may call (of the queues it serves, in the query's
// served; of all when it has none), in QueuedAt order; its parameters
// are (branch, day, counter, n). Each walks queue_tickets_waiting and
// stops at n.
func waitingOf(cond string) string {
	return `SELECT id FROM (SELECT id FROM queue_tickets WHERE branch_code = $1 AND day = $2 AND status = 'waiting' AND ` + cond +
		` AND (queue IN (SELECT queue FROM served) OR NOT EXISTS (SELECT 1 FROM served))
		ORDER BY queued_at, prefix, seq LIMIT $4) x`
}

// issueOne numbers and writes a ticket in one statement: the sequence
// row's upsert (its CHECK refuses one remote ticket over the quota) and,
// from the number it returns, the ticket. The sequence row is then locked
// for one statement and its commit, not for a transaction's round trips,
// and a refused ticket (quota, a second active one) leaves no number
// used. Parameters: id, branch, queue, prefix, day, source, class,
// class_confirmed, account_id, phone, appointment_id, due_at, issued_at,
// queued_at, one-per-branch limit, remote (0/1), quota.
const issueOne = `WITH s AS (
	INSERT INTO queue_sequences (branch_code, prefix, day, last_seq, remote, quota) VALUES ($2, $4, $5, 1, $16, $17)
	ON CONFLICT (branch_code, prefix, day) DO UPDATE SET last_seq = queue_sequences.last_seq + 1,
	remote = queue_sequences.remote + excluded.remote, quota = excluded.quota
	RETURNING last_seq
), t AS (
	INSERT INTO queue_tickets (id, branch_code, queue, prefix, day, seq, number, source, class, class_confirmed,
	account_id, phone, appointment_id, due_at, issued_at, queued_at, status, active_branch, limit_branch)
	SELECT $1, $2, $3, $4, $5, s.last_seq,
	$4 || CASE WHEN s.last_seq < 1000 THEN lpad(s.last_seq::text, 3, '0') ELSE s.last_seq::text END,
	$6, $7, $8, $9, $10, $11, $12, $13, $14, 'waiting', $15, $15 FROM s
	RETURNING seq
)
SELECT seq FROM t`
