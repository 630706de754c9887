package ttlcache

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestMap(t *testing.T) {
	c := New[int](time.Hour)
	loads := 0
	load := func() (int, error) { loads++; return loads, nil }
	if v, _ := c.Get("a", load); v != 1 {
		t.Fatalf("first Get = %d", v)
	}
	if v, _ := c.Get("a", load); v != 1 || loads != 1 {
		t.Fatalf("second Get = %d after %d loads; want the kept 1", v, loads)
	}
	if _, err := c.Get("b", func() (int, error) { return 0, errors.New("down") }); err == nil {
		t.Fatal("a failed load answered no error")
	}
	if v, _ := c.Get("b", load); v != 2 {
		t.Fatalf("after a failed load Get = %d; want a fresh load", v)
	}
	c.Clear()
	if v, _ := c.Get("a", load); v != 3 {
		t.Fatalf("after Clear Get = %d; want a fresh load", v)
	}
}

func TestMapExpires(t *testing.T) {
	c := New[string](time.Millisecond)
	n := 0
	load := func() (string, error) { n++; return fmt.Sprint(n), nil }
	c.Get("k", load)
	time.Sleep(5 * time.Millisecond)
	if v, _ := c.Get("k", load); v != "2" {
		t.Fatalf("after the ttl Get = %q; want a fresh load", v)
	}
}

func TestMapBounded(t *testing.T) {
	c := New[int](time.Hour)
	for i := range maxEntries + 10 {
		c.Get(fmt.Sprint(i), func() (int, error) { return i, nil })
	}
	if len(c.m) > maxEntries {
		t.Fatalf("%d entries kept, bound %d", len(c.m), maxEntries)
	}
}
