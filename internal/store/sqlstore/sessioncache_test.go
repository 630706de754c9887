package sqlstore

import (
	"fmt"
	"testing"
	"time"

	"github.com/oneaccount/oneaccount/internal/identity"
)

func cacheEntry(hash, account string) (identity.Session, identity.Account) {
	return identity.Session{IDHash: hash, AccountID: account}, identity.Account{ID: account}
}

// A read that began before a change is not kept: it may hold what the
// change replaced.
func TestSessionCacheStaleRead(t *testing.T) {
	var c sessionCache
	c.reset(true)
	now := time.Now()
	_, _, _, gen := c.get("h1", now)
	c.forgetAccount("a1") // a change commits while the read is under way
	sess, acct := cacheEntry("h1", "a1")
	c.put(gen, sess, acct, now)
	if _, _, ok, _ := c.get("h1", now); ok {
		t.Fatal("a read begun before a change was kept")
	}
	_, _, _, gen = c.get("h1", now)
	c.put(gen, sess, acct, now)
	if _, _, ok, _ := c.get("h1", now); !ok {
		t.Fatal("a read begun after the change was not kept")
	}
	c.forgetSession("h1")
	if _, _, ok, _ := c.get("h1", now); ok {
		t.Fatal("forgetSession kept the entry")
	}
}

func TestSessionCacheOffAndExpiry(t *testing.T) {
	var c sessionCache
	now := time.Now()
	sess, acct := cacheEntry("h1", "a1")
	_, _, _, gen := c.get("h1", now)
	c.put(gen, sess, acct, now)
	if _, _, ok, _ := c.get("h1", now); ok {
		t.Fatal("a cache that is off answered")
	}
	c.reset(true)
	_, _, _, gen = c.get("h1", now)
	c.put(gen, sess, acct, now)
	if _, _, ok, _ := c.get("h1", now.Add(sessionCacheTTL-time.Millisecond)); !ok {
		t.Fatal("a fresh entry was not used")
	}
	if _, _, ok, _ := c.get("h1", now.Add(sessionCacheTTL)); ok {
		t.Fatal("an entry was used past its lifetime")
	}
	c.reset(false)
	if _, _, ok, _ := c.get("h1", now); ok {
		t.Fatal("turning the cache off kept its entries")
	}
}

func TestSessionCacheBounded(t *testing.T) {
	var c sessionCache
	c.reset(true)
	now := time.Now()
	for i := range sessionCacheMax + 10 {
		sess, acct := cacheEntry(fmt.Sprint("h", i), fmt.Sprint("a", i%100))
		c.put(c.gen, sess, acct, now)
	}
	if len(c.m) > sessionCacheMax {
		t.Fatalf("%d entries kept, bound %d", len(c.m), sessionCacheMax)
	}
	later := now.Add(sessionCacheTTL)
	sess, acct := cacheEntry("new", "a1")
	c.put(c.gen, sess, acct, later)
	if _, _, ok, _ := c.get("new", later); !ok || len(c.m) != 1 {
		t.Fatalf("a full cache of expired entries did not make room (%d entries)", len(c.m))
	}
	if n := len(c.byAccount); n != 1 {
		t.Errorf("the account index kept %d accounts, want 1", n)
	}
}
