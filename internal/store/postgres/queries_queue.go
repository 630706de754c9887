package postgres

import (
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
	IssueOne:  issueOne,
	IssueMany: issueMany,
	ClosedAt:  `SELECT ` + closedAt(`$1`, `$2`),
	InsertTicket: `INSERT INTO queue_tickets (id, branch_code, queue, prefix, day, seq, number, source, class, class_confirmed,
		account_id, phone, appointment_id, due_at, issued_at, queued_at, status, active_branch, limit_branch)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
	Ticket:          `SELECT ` + ticketCols + ` FROM queue_tickets WHERE id = $1`,
	TicketForUpdate: `SELECT ` + ticketCols + ` FROM queue_tickets WHERE id = $1 FOR UPDATE`,
	Tickets:         `SELECT ` + ticketCols + ` FROM queue_tickets WHERE branch_code = $1 AND day = $2 ORDER BY queued_at, prefix, seq`,
	LiveTickets: `SELECT ` + ticketCols + ` FROM queue_tickets WHERE branch_code = $1 AND day = $2
		AND (status NOT IN ('done', 'cancelled')
		OR id IN (SELECT id FROM queue_tickets WHERE branch_code = $1 AND day = $2 AND status = 'done'
			AND called_at IS NOT NULL ORDER BY called_at DESC, number DESC LIMIT $3)
		OR id IN (SELECT (SELECT t.id FROM queue_tickets t WHERE t.branch_code = $1 AND t.day = $2 AND t.queue = q.code
			AND t.status = 'done' AND t.called_at IS NOT NULL ORDER BY t.called_at DESC, t.number DESC LIMIT 1)
			FROM queues q WHERE q.branch_code = $1))
		ORDER BY queued_at, prefix, seq`,
	TicketsOf: `SELECT ` + ticketCols + ` FROM queue_tickets WHERE account_id = $1 AND day = $2 ORDER BY issued_at, id`,
	CallCounters: `SELECT ` + counterCols + `, coalesce((SELECT string_agg(q.queue, ',' ORDER BY q.position)
		FROM queue_counter_queues q WHERE q.branch_code = queue_counters.branch_code AND q.counter = queue_counters.code),
		(SELECT string_agg(code, ',' ORDER BY code) FROM queues WHERE branch_code = $1), '')
		FROM queue_counters WHERE branch_code = $1 AND code = ANY($2::text[])`,
	WaitingOne:  waitingOne,
	WaitingMany: waitingMany,
	List:        func(l []string) any { return append([]string{}, l...) },
	CallMany:    callMany,
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

// waitingCols are the columns of a waiting ticket the calling rule
// needs.
const waitingCols = `id, queue, prefix, seq, number, source, class, due_at, issued_at, queued_at`

// waitingOf selects the first n waiting tickets of queue $3 matching
// cond in QueuedAt order, a walk of queue_tickets_waiting (branch, day,
// queue, class, ...) that stops at n; n is one of the store's window sizes,
// written into the query.
func waitingOf(cond string, n int) string {
	return `(SELECT ` + waitingCols + ` FROM queue_tickets WHERE branch_code = $1 AND day = $2 AND queue = $3
		AND status = 'waiting' AND ` + cond + ` ORDER BY queued_at, prefix, seq LIMIT ` + strconv.Itoa(n) + `)`
}

// issueOne numbers and writes a ticket in one statement: the sequence
// row's upsert (its CHECK refuses one remote ticket over the quota) and,
// from the number it returns, the ticket. The sequence row is then locked
// for one statement and its commit, not for a transaction's round trips,
// and a refused ticket (quota, a second active one) leaves no number
// used. Parameters: id, branch, queue, prefix, day, source, class,
// class_confirmed, account_id, phone, appointment_id, due_at, issued_at,
// queued_at, one-per-branch limit, remote (0/1), quota, while open. While
// open and a closure of the branch covers the issue time it writes
// nothing and returns no row.
var issueOne = `WITH s AS (
	INSERT INTO queue_sequences (branch_code, prefix, day, last_seq, remote, quota) SELECT $2, $4, $5, 1, $16, $17
	WHERE NOT ($18::boolean AND ` + closedAt(`$2`, `$13`) + `)
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

// issueMany numbers and writes a round of tickets of one numbering
// sequence in one statement: the sequence row's upsert adds the round's
// count (its CHECK refuses remote tickets over the quota) and, from the
// last number it returns, each ticket takes its number by its place in
// the round. While open and a closure of the branch overlaps the round's
// issue times it writes nothing and returns no row; a ticket refused for
// any other reason (a second active one) fails the statement. Parameters:
// branch, prefix, day, count, remote count, quota, while open, earliest
// and latest issue time, then one array per column: IDs, queues, sources,
// classes, class confirmed, account IDs (empty for none), phones,
// appointment IDs, due times, issue times, queue times, one-per-branch
// limits (empty for none). It returns each ticket's ID and number.
const issueMany = `WITH r AS (
	SELECT * FROM unnest($10::text[], $11::text[], $12::text[], $13::text[], $14::boolean[], $15::text[], $16::text[],
	$17::text[], $18::timestamptz[], $19::timestamptz[], $20::timestamptz[], $21::text[]) WITH ORDINALITY
	AS r (id, queue, source, class, confirmed, account, phone, appointment, due, issued, queued, lim, ord)
), s AS (
	INSERT INTO queue_sequences (branch_code, prefix, day, last_seq, remote, quota) SELECT $1, $2, $3, $4, $5, $6
	WHERE NOT ($7::boolean AND EXISTS (SELECT 1 FROM closures WHERE ends_at > $8 AND starts_at <= $9
		AND (branch_code IS NULL OR branch_code = $1)))
	ON CONFLICT (branch_code, prefix, day) DO UPDATE SET last_seq = queue_sequences.last_seq + excluded.last_seq,
	remote = queue_sequences.remote + excluded.remote, quota = excluded.quota
	RETURNING last_seq
), t AS (
	INSERT INTO queue_tickets (id, branch_code, queue, prefix, day, seq, number, source, class, class_confirmed,
	account_id, phone, appointment_id, due_at, issued_at, queued_at, status, active_branch, limit_branch)
	SELECT r.id, $1, r.queue, $2, $3, s.last_seq - $4 + r.ord,
	$2 || CASE WHEN s.last_seq - $4 + r.ord < 1000 THEN lpad((s.last_seq - $4 + r.ord)::text, 3, '0')
		ELSE (s.last_seq - $4 + r.ord)::text END,
	r.source, r.class, r.confirmed, nullif(r.account, ''), r.phone, r.appointment, r.due, r.issued, r.queued, 'waiting',
	nullif(r.lim, ''), nullif(r.lim, '') FROM s, r
	RETURNING id, seq
)
SELECT id, seq FROM t`

// callMany is a round of calls in one statement. Each call of the round
// (codes, turns and current tickets as the round read them, outcomes,
// the tickets the round gave them, their turns, times) is made only if
// its counter is still open, at the turn and with the ticket it was read
// with, and its ticket still waiting and not locked by another node's
// counter (SKIP LOCKED, so no counter ever waits for another): the
// ticket at the counter, if any, is completed with the outcome, the
// ticket called, and the counter moved on to it and its turn. Tickets at
// the counters are locked before the counters, as every transition locks
// a ticket before its counter, each kind in one order (by ID, by code) so
// that two nodes' rounds cannot deadlock; the tickets are completed
// before the others are called (the subquery on done), since a counter
// never has two called tickets (queue_tickets_one_per_counter). The
// tickets are found by primary key, their status tested inside a CASE so
// that the planner cannot use queue_tickets_waiting instead, as it did
// with statistics from before the morning's tickets (thinking the
// waiting few), scanning every waiting ticket. Parameters: branch, then
// one array per column of the round; it returns the completed tickets
// (kind 'done') and the called ones ('called'). A call that changed
// nothing returns no row.
const callMany = `WITH r AS (
	SELECT * FROM unnest($2::text[], $3::int8[], $4::text[], $5::text[], $6::text[], $7::int8[], $8::timestamptz[])
	AS r (r_code, r_turn, r_cur, r_finish, r_pick, r_pick_turn, r_at)
), cur AS (
	SELECT t.id FROM queue_tickets t JOIN r ON t.id = r.r_cur
	WHERE t.branch_code = $1 AND t.counter = r.r_code AND t.status = 'called'
	ORDER BY t.id FOR UPDATE OF t
), c AS (
	SELECT q.code FROM queue_counters q JOIN r ON q.code = r.r_code
	WHERE q.branch_code = $1 AND q.is_open AND q.turn = r.r_turn
	AND q.current_ticket IS NOT DISTINCT FROM nullif(r.r_cur, '') AND (SELECT count(*) FROM cur) >= 0
	ORDER BY q.code FOR UPDATE OF q
), pick AS (
	SELECT r.*, t.id AS p_id FROM c JOIN r ON r.r_code = c.code JOIN queue_tickets t ON t.id = r.r_pick
	WHERE CASE WHEN t.status = 'waiting' THEN TRUE ELSE FALSE END
	FOR NO KEY UPDATE OF t SKIP LOCKED
), done AS (
	UPDATE queue_tickets SET status = 'done', done_at = p.r_at, outcome = p.r_finish, active_branch = NULL
	FROM pick p WHERE queue_tickets.id = p.r_cur AND p.r_finish <> ''
	RETURNING ` + ticketCols + `
), called AS (
	UPDATE queue_tickets SET status = 'called', counter = p.r_code, called_at = p.r_at FROM pick p
	WHERE queue_tickets.id = p.p_id AND (SELECT count(*) FROM done) >= 0
	RETURNING ` + ticketCols + `
), moved AS (
	UPDATE queue_counters SET current_ticket = p.p_id, turn = p.r_pick_turn, updated_at = p.r_at FROM pick p
	WHERE queue_counters.branch_code = $1 AND queue_counters.code = p.r_code AND EXISTS (SELECT 1 FROM called WHERE called.id = p.p_id)
)
SELECT 'done', * FROM done UNION ALL SELECT 'called', * FROM called`

// closedAt is true while a closure of branch (or of every branch) covers
// the time at.
func closedAt(branch, at string) string {
	return `EXISTS (SELECT 1 FROM closures WHERE ends_at > ` + at + ` AND starts_at <= ` + at +
		` AND (branch_code IS NULL OR branch_code = ` + branch + `))`
}

// waitingMany is the WaitingMany query with n tickets of each class of
// each of sqlstore.WaitingManySlots queues ($3, $4, ...; NULL matches
// none): per queue, the same walks as waitingOne, side by side. Its
// parameters are plain values, so that it is planned once.
func waitingMany(n int) string {
	slots := make([]string, sqlstore.WaitingManySlots)
	for i := range slots {
		slots[i] = `($` + strconv.Itoa(i+3) + `::text)`
	}
	of := func(cond string) string {
		return `(SELECT ` + waitingCols + ` FROM queue_tickets WHERE branch_code = $1 AND day = $2 AND queue = qs.q
			AND status = 'waiting' AND ` + cond + ` ORDER BY queued_at, prefix, seq LIMIT ` + strconv.Itoa(n) + `)`
	}
	return `WITH qs (q) AS (VALUES ` + strings.Join(slots, `, `) + `)
		SELECT w.* FROM qs, LATERAL (` + of(`class = 'normal'`) + ` UNION ALL ` + of(`class = 'elderly'`) + ` UNION ALL ` +
		of(`class = 'pregnant'`) + ` UNION ALL ` + of(`class = 'disability'`) + ` UNION ALL ` +
		strings.Replace(of(`source = 'appointment'`), "ORDER BY", "ORDER BY due_at,", 1) + `) w WHERE qs.q IS NOT NULL`
}

// waitingOne is the WaitingOne query with n tickets of each class: the
// columns the calling rule needs (see sqlstore.QueueQueries), the parts'
// overlap (appointment tickets) removed by UNION.
func waitingOne(n int) string {
	return `SELECT ` + waitingCols + ` FROM (` + waitingOf(`class = 'normal'`, n) + ` UNION ` +
		waitingOf(`class = 'elderly'`, n) + ` UNION ` + waitingOf(`class = 'pregnant'`, n) + ` UNION ` +
		waitingOf(`class = 'disability'`, n) + ` UNION ` +
		strings.Replace(waitingOf(`source = 'appointment'`, n), "ORDER BY", "ORDER BY due_at,", 1) +
		`) w ORDER BY queued_at, prefix, seq`
}
