package sqlite

import (
	"encoding/json"
	"strconv"
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

// queueQueries need no row locks: SQLite's write transactions begin
// IMMEDIATE (see Open), so a transaction that writes holds the database.
var queueQueries = sqlstore.QueueQueries{
	DeleteQueues: `DELETE FROM queues WHERE branch_code = ?`,
	InsertQueue:  `INSERT INTO queues (` + queueCols + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
	Queues:       `SELECT ` + queueCols + ` FROM queues WHERE branch_code = ? ORDER BY code`,
	UpsertCounter: `INSERT INTO queue_counters (branch_code, code, entity_code, name_zh, name_pt, name_en, priority_share,
		normal_share, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (branch_code, code) DO UPDATE SET entity_code = excluded.entity_code, name_zh = excluded.name_zh,
		name_pt = excluded.name_pt, name_en = excluded.name_en, priority_share = excluded.priority_share,
		normal_share = excluded.normal_share`,
	CounterCodes:        `SELECT code FROM queue_counters WHERE branch_code = ? ORDER BY code`,
	DeleteCounter:       `DELETE FROM queue_counters WHERE branch_code = ? AND code = ?`,
	DeleteCounterQueues: `DELETE FROM queue_counter_queues WHERE branch_code = ?`,
	InsertCounterQueue:  `INSERT INTO queue_counter_queues (branch_code, counter, queue, position) VALUES (?, ?, ?, ?)`,
	CounterQueues:       `SELECT counter, queue FROM queue_counter_queues WHERE branch_code = ? ORDER BY counter, position`,
	CounterQueuesOf:     `SELECT counter, queue FROM queue_counter_queues WHERE branch_code = ? AND counter = ? ORDER BY position`,
	Counters:            `SELECT ` + counterCols + ` FROM queue_counters WHERE branch_code = ? ORDER BY code`,
	Counter:             `SELECT ` + counterCols + ` FROM queue_counters WHERE branch_code = ? AND code = ?`,
	CounterForUpdate:    `SELECT ` + counterCols + ` FROM queue_counters WHERE branch_code = ? AND code = ?`,
	OpenCounter:         `UPDATE queue_counters SET is_open = TRUE, staff_id = ?, updated_at = ? WHERE branch_code = ? AND code = ?`,
	CloseCounter: `UPDATE queue_counters SET is_open = FALSE, staff_id = '', updated_at = ?
		WHERE branch_code = ? AND code = ? AND current_ticket IS NULL`,
	ClosedAt: `SELECT EXISTS (SELECT 1 FROM closures WHERE ends_at > ?2 AND starts_at <= ?2 AND (branch_code IS NULL OR branch_code = ?1))`,
	NextSeq: `INSERT INTO queue_sequences (branch_code, prefix, day, last_seq, remote, quota) VALUES (?, ?, ?, 1, ?, ?)
		ON CONFLICT (branch_code, prefix, day) DO UPDATE SET last_seq = queue_sequences.last_seq + 1,
		remote = queue_sequences.remote + excluded.remote, quota = excluded.quota
		RETURNING last_seq`,
	InsertTicket: `INSERT INTO queue_tickets (id, branch_code, queue, prefix, day, seq, number, source, class, class_confirmed,
		account_id, phone, appointment_id, due_at, issued_at, queued_at, status, active_branch, limit_branch)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
	Ticket:          `SELECT ` + ticketCols + ` FROM queue_tickets WHERE id = ?`,
	TicketForUpdate: `SELECT ` + ticketCols + ` FROM queue_tickets WHERE id = ?`,
	Tickets:         `SELECT ` + ticketCols + ` FROM queue_tickets WHERE branch_code = ? AND day = ? ORDER BY queued_at, prefix, seq`,
	LiveTickets: `SELECT ` + ticketCols + ` FROM queue_tickets WHERE branch_code = ?1 AND day = ?2
		AND (status NOT IN ('done', 'cancelled')
		OR id IN (SELECT id FROM queue_tickets WHERE branch_code = ?1 AND day = ?2 AND status = 'done'
			AND called_at IS NOT NULL ORDER BY called_at DESC, number DESC LIMIT ?3)
		OR id IN (SELECT (SELECT t.id FROM queue_tickets t WHERE t.branch_code = ?1 AND t.day = ?2 AND t.queue = q.code
			AND t.status = 'done' AND t.called_at IS NOT NULL ORDER BY t.called_at DESC, t.number DESC LIMIT 1)
			FROM queues q WHERE q.branch_code = ?1))
		ORDER BY queued_at, prefix, seq`,
	TicketsOf: `SELECT ` + ticketCols + ` FROM queue_tickets WHERE account_id = ? AND day = ? ORDER BY issued_at, id`,
	CallCounters: `SELECT ` + counterCols + `, coalesce((SELECT group_concat(q.queue, ',' ORDER BY q.position)
		FROM queue_counter_queues q WHERE q.branch_code = queue_counters.branch_code AND q.counter = queue_counters.code),
		(SELECT group_concat(code, ',' ORDER BY code) FROM queues WHERE branch_code = ?1), '')
		FROM queue_counters WHERE branch_code = ?1 AND code IN (SELECT value FROM json_each(?2))`,
	WaitingOne: waitingOne,
	List:       jsonList,
	CallTicket: `UPDATE queue_tickets SET status = 'called', counter = ?, called_at = ? WHERE id = ? AND status = 'waiting'`,
	SetCalled:  `UPDATE queue_counters SET turn = ?, current_ticket = ?, updated_at = ? WHERE branch_code = ? AND code = ?`,
	TakeCounter: `UPDATE queue_counters SET current_ticket = ?, updated_at = ?
		WHERE branch_code = ? AND code = ? AND is_open AND current_ticket IS NULL`,
	FreeCounter: `UPDATE queue_counters SET current_ticket = NULL, updated_at = ? WHERE branch_code = ? AND code = ? AND current_ticket = ?`,
	UpdateTicket: `UPDATE queue_tickets SET status = ?, queue = ?, class = ?, class_confirmed = ?, counter = ?, called_at = ?,
		recalls = ?, done_at = ?, outcome = ?, active_branch = CASE WHEN ? THEN limit_branch END
		WHERE id = ? AND status = ? AND recalls = ?`,
	ServiceTimes: `SELECT called_at, done_at FROM queue_tickets WHERE branch_code = ? AND queue = ? AND status = 'done'
		AND called_at IS NOT NULL AND done_at IS NOT NULL ORDER BY done_at DESC LIMIT ?`,
	MarkNear:        `INSERT INTO queue_ticket_near (ticket_id) VALUES (?) ON CONFLICT (ticket_id) DO NOTHING`,
	IdemLookup:      `SELECT ticket_id FROM queue_idempotency WHERE account_id = ? AND idem_key = ?`,
	IdemInsert:      `INSERT INTO queue_idempotency (account_id, idem_key, ticket_id, created_at) VALUES (?, ?, ?, ?)`,
	UniqueViolation: uniqueViolation,
	CheckViolation:  checkViolation,
}

// waitingCols are the columns of a waiting ticket the calling rule
// needs.
const waitingCols = `id, queue, prefix, seq, number, source, class, due_at, issued_at, queued_at`

// waitingOf selects the first n waiting tickets of queue ?3 matching
// cond in QueuedAt order, a walk of queue_tickets_waiting (branch, day,
// queue, class, ...) that stops at n; n is one of the store's window sizes,
// written into the query so that it is the same text for every round.
func waitingOf(cond string, n int) string {
	return `SELECT * FROM (SELECT ` + waitingCols + ` FROM queue_tickets WHERE branch_code = ?1 AND day = ?2 AND queue = ?3
		AND status = 'waiting' AND ` + cond + ` ORDER BY queued_at, prefix, seq LIMIT ` + strconv.Itoa(n) + `)`
}

// jsonList is a list as a JSON array, for json_each.
func jsonList(l []string) any {
	b, _ := json.Marshal(append([]string{}, l...)) // a []string always marshals
	return string(b)
}

// waitingOne is the WaitingOne query with n tickets of each class: the
// columns the calling rule needs (see sqlstore.QueueQueries), the parts'
// overlap (appointment tickets) removed by UNION. The appointment tickets
// are found by queue_tickets_due: SQLite, without statistics, preferred
// queue_tickets_waiting's longer match on (branch, day, queue) and read
// every waiting ticket of the queue to find them.
func waitingOne(n int) string {
	return `SELECT ` + waitingCols + ` FROM (` + waitingOf(`class = 'normal'`, n) + ` UNION ` +
		waitingOf(`class = 'elderly'`, n) + ` UNION ` + waitingOf(`class = 'pregnant'`, n) + ` UNION ` +
		waitingOf(`class = 'disability'`, n) + ` UNION ` +
		strings.NewReplacer("FROM queue_tickets", "FROM queue_tickets INDEXED BY queue_tickets_due",
			"ORDER BY", "ORDER BY due_at,").Replace(waitingOf(`source = 'appointment'`, n)) +
		`) ORDER BY queued_at, prefix, seq`
}
