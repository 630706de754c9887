// Package realtime delivers live events (a queue branch's status after
// every call) to the browsers and apps watching them, over server-sent
// events, on one node or many.
//
// A Broker fans each published event out to the topic's subscribers in
// this process. The event is encoded once by the publisher; every
// subscriber receives the same []byte. Publish never waits for a
// subscriber: each has a small buffer, and when it is full the oldest
// event waiting there is dropped. That is safe for queue events because
// each one carries the branch's whole status, so the newest supersedes
// the ones before it (a board that falls behind misses a chime, never the
// state).
//
// Across nodes, a Postgres relay sends every event through PostgreSQL
// NOTIFY on one channel per schema and listens on a dedicated connection.
// The publishing node delivers to its own subscribers at once and ignores
// its own echo by node ID, so nobody receives an event twice. Events
// larger than one notification (PostgreSQL allows under 8000 bytes) are
// split into parts sent in one statement, hence one transaction, and
// joined again by the listeners. When the listening connection is lost
// the relay reconnects with backoff and then asks every local subscriber
// to resync (re-read the snapshot), since events may have been missed
// meanwhile.
//
// ServeSSE streams one topic to one HTTP client: the snapshot first, then
// each event as a `data:` line, with heartbeat comments and a `retry:`
// hint. It replaces the server's write timeout with a rolling deadline
// per write (so a stalled client is cut off, a live one never) and
// ends when the client goes or the broker shuts down, so long-lived
// streams never hold up a graceful shutdown.
package realtime
