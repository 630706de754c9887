package sqlstore

import (
	"slices"
	"sync"
	"time"

	"github.com/oneaccount/oneaccount/internal/identity"
)

// Every signed-in request reads its session, account and roles
// (SessionAccount). A node keeps what it read for a few seconds, so a
// busy session (a counter calling all day, an API client) is not read
// from the database on every request. What the cache holds is never
// staler than the database's last change this node has been told of:
//
//   - this store's own writes to sessions, accounts, roles and passkeys
//     forget the account's entries once they have committed;
//   - on PostgreSQL, triggers notify every node of every such change,
//     whoever made it (another node, an operator in psql), and the
//     node's listener forgets the account (internal/store/postgres);
//     while that listener is not connected the cache is off, and it
//     starts empty each time it connects;
//   - an entry is kept sessionCacheTTL at most, which bounds a change
//     made behind the store's back on SQLite (by hand, in the file).
//
// A read that began before a change it may have missed is not kept: each
// change bumps a generation, and an entry is only stored under the
// generation its read began in.

// sessionCacheTTL is how long an entry is used at most.
const sessionCacheTTL = 10 * time.Second

// sessionCacheMax bounds the entries; a full cache first drops the
// expired ones, then stores nothing more until some expire.
const sessionCacheMax = 50000

type sessionEntry struct {
	sess identity.Session
	acct identity.Account
	exp  time.Time
}

// sessionCache is a node's memory of SessionAccount answers, by session
// token hash.
type sessionCache struct {
	mu   sync.Mutex
	live bool
	gen  uint64
	m    map[string]sessionEntry
	// byAccount lists the token hashes stored for each account (some
	// perhaps dropped since).
	byAccount map[string][]string
	// hits and misses count the answers from memory and the reads, while
	// the cache is on.
	hits, misses uint64
}

// get returns the entry for idHash while it is fresh, and the generation
// a read from the database must store under.
func (c *sessionCache) get(idHash string, now time.Time) (identity.Session, identity.Account, bool, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[idHash]
	if !c.live || !ok || !now.Before(e.exp) {
		if c.live {
			c.misses++
		}
		return identity.Session{}, identity.Account{}, false, c.gen
	}
	c.hits++
	// Callers own what they get: the slices are copied.
	sess, acct := e.sess, e.acct
	sess.AMR, acct.Roles = slices.Clone(sess.AMR), slices.Clone(acct.Roles)
	return sess, acct, true, c.gen
}

// put stores what a read begun under generation gen found, unless
// something changed since or the cache is off or full.
func (c *sessionCache) put(gen uint64, sess identity.Session, acct identity.Account, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.live || gen != c.gen {
		return
	}
	if c.m == nil {
		c.m, c.byAccount = map[string]sessionEntry{}, map[string][]string{}
	}
	if len(c.m) >= sessionCacheMax && !c.dropExpired(now) {
		return
	}
	sess.AMR, acct.Roles = slices.Clone(sess.AMR), slices.Clone(acct.Roles)
	c.m[sess.IDHash] = sessionEntry{sess: sess, acct: acct, exp: now.Add(sessionCacheTTL)}
	if hs := c.byAccount[sess.AccountID]; !slices.Contains(hs, sess.IDHash) {
		c.byAccount[sess.AccountID] = append(hs, sess.IDHash)
	}
}

// dropExpired drops the expired entries and reports whether that made
// room.
func (c *sessionCache) dropExpired(now time.Time) bool {
	for k, e := range c.m {
		if !now.Before(e.exp) {
			delete(c.m, k)
		}
	}
	for id, hs := range c.byAccount {
		hs = slices.DeleteFunc(hs, func(h string) bool { _, ok := c.m[h]; return !ok })
		if len(hs) == 0 {
			delete(c.byAccount, id)
		} else {
			c.byAccount[id] = hs
		}
	}
	return len(c.m) < sessionCacheMax
}

// touched records a session's new last activity, as the database now has
// it.
func (c *sessionCache) touched(idHash string, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[idHash]; ok {
		e.sess.LastSeenAt = at
		c.m[idHash] = e
	}
}

// forgetAccount drops the entries of an account's sessions.
func (c *sessionCache) forgetAccount(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for _, h := range c.byAccount[id] {
		delete(c.m, h)
	}
	delete(c.byAccount, id)
}

// forgetSession drops one session's entry.
func (c *sessionCache) forgetSession(idHash string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	delete(c.m, idHash)
}

// forgetAll drops every entry.
func (c *sessionCache) forgetAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	clear(c.m)
	clear(c.byAccount)
}

// reset drops every entry and turns the cache on or off.
func (c *sessionCache) reset(live bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.live = live
	clear(c.m)
	clear(c.byAccount)
}

// SessionCacheStats is what the session cache has done so far.
type SessionCacheStats struct {
	// On reports whether the cache answers now.
	On bool
	// Entries is how many sessions it holds.
	Entries int
	// Hits and Misses count the session checks it answered and those it
	// read from the database, while on.
	Hits, Misses uint64
}

// SessionCacheStats returns the session cache's state and counts.
func (s *Store) SessionCacheStats() SessionCacheStats {
	c := &s.sessions
	c.mu.Lock()
	defer c.mu.Unlock()
	return SessionCacheStats{On: c.live, Entries: len(c.m), Hits: c.hits, Misses: c.misses}
}

// SessionCacheOn turns the session cache on, empty, or off. A store
// starts with it on for SQLite (one process writes the database) and off
// for PostgreSQL, whose listener turns it on once it hears every node's
// changes and off when it stops hearing them.
func (s *Store) SessionCacheOn(on bool) { s.sessions.reset(on) }

// ForgetAccount drops what the session cache holds of an account's
// sessions: its listener calls it for a change another node made.
func (s *Store) ForgetAccount(id string) { s.sessions.forgetAccount(id) }
