package ratelimit

import (
	"fmt"
	"testing"
	"time"
)

func TestKeyed(t *testing.T) {
	k := New(1, 3)
	for i := range 3 {
		if ok, _ := k.Allow("a"); !ok {
			t.Fatalf("call %d within the burst refused", i+1)
		}
	}
	ok, wait := k.Allow("a")
	if ok || wait <= 0 || wait > time.Second {
		t.Fatalf("past the burst: allowed %v, wait %v; want refused with a wait up to 1 s", ok, wait)
	}
	if ok, _ := k.Allow("b"); !ok {
		t.Fatal("another key shares a's bucket")
	}
	// A refusal takes no token: after the wait one call passes.
	time.Sleep(wait + 10*time.Millisecond)
	if ok, _ := k.Allow("a"); !ok {
		t.Fatal("refused after waiting as told")
	}
}

func TestKeyedBounded(t *testing.T) {
	k := New(1, 1)
	for i := range maxKeys + 5 {
		k.Allow(fmt.Sprint(i))
	}
	if len(k.m) > maxKeys {
		t.Fatalf("%d buckets kept, bound %d", len(k.m), maxKeys)
	}
}
