package queue

import "github.com/oneaccount/oneaccount/internal/apperr"

// The ticket conflicts. The API reports them with the codes in the
// Detail prefix (quota_reached, active_ticket, ...).
var (
	// ErrQuota: the queue issued its remote tickets for the day.
	ErrQuota = &apperr.Error{Code: apperr.Conflict, Key: "queue.quota_reached", Detail: "quota_reached: no more remote tickets today"}
	// ErrActive: the person already holds a ticket at the branch.
	ErrActive = &apperr.Error{Code: apperr.Conflict, Key: "queue.active_ticket", Detail: "active_ticket: you already hold a ticket at this branch"}
	// ErrClosed: the branch is closed or the queue stopped issuing today.
	ErrClosed = &apperr.Error{Code: apperr.Conflict, Key: "queue.closed", Detail: "queue_closed: the queue is not issuing tickets now"}
	// ErrBusy: the counter still has a called ticket, or is closed.
	ErrBusy = &apperr.Error{Code: apperr.Conflict, Key: "queue.counter_busy", Detail: "counter_busy: finish the current ticket first"}
	// ErrCounterClosed: the counter is not open.
	ErrCounterClosed = &apperr.Error{Code: apperr.Conflict, Key: "queue.counter_closed", Detail: "counter_closed: open the counter first"}
	// ErrEmpty: nobody waits in the counter's queues.
	ErrEmpty = &apperr.Error{Code: apperr.Conflict, Key: "queue.empty", Detail: "queue_empty: nobody is waiting"}
	// ErrState: the ticket is not in a status the action applies to.
	ErrState = &apperr.Error{Code: apperr.Conflict, Key: "queue.wrong_state", Detail: "wrong_state: the ticket cannot do that now"}
)
