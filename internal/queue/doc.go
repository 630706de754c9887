// Package queue holds queue tickets at counters: the queues and counters
// of a branch, tickets from four sources (remote, kiosk, appointment
// check-in, priority classes), the calling rule, staff actions at a
// counter, wait estimates, live status and statistics.
//
// The calling rule (Next), the wait estimate (Estimate) and the
// statistics (Summarise) are pure functions; the Service applies them
// over a Store whose invariants (one number per branch, queue and day;
// one counter per called ticket; one active ticket per person and
// branch; the daily quota) the database enforces.
package queue
