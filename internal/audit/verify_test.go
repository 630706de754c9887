package audit

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

// chain builds n sealed events.
func chain(n int) ([]Event, Head) {
	var out []Event
	var head Head
	for i := 1; i <= n; i++ {
		e := Seal(Event{At: time.Unix(int64(i), 0), Action: SignIn, Actor: fmt.Sprint("acct-", i)}, int64(i), head.Hash)
		out = append(out, e)
		head = Head{Seq: e.Seq, Hash: e.Hash}
	}
	return out, head
}

func wantBroken(t *testing.T, err error, seq int64) {
	t.Helper()
	var b *BrokenError
	if !errors.As(err, &b) {
		t.Fatalf("err = %v, want *BrokenError at %d", err, seq)
	}
	if b.Seq != seq {
		t.Fatalf("broken at %d (%s), want %d", b.Seq, b.Reason, seq)
	}
}

func TestVerifyIntact(t *testing.T) {
	events, head := chain(5)
	if err := Verify(events, head); err != nil {
		t.Fatal(err)
	}
	if err := Verify(nil, Head{}); err != nil {
		t.Fatalf("empty log: %v", err)
	}
}

func TestVerifyFindsTampering(t *testing.T) {
	tests := map[string]struct {
		tamper func([]Event, Head) ([]Event, Head)
		want   int64
	}{
		"edited": {func(e []Event, h Head) ([]Event, Head) { e[2].Purpose = "x"; return e, h }, 3},
		"edited and rehashed": {func(e []Event, h Head) ([]Event, Head) {
			e[2].Purpose = "x"
			e[2].Hash = Hash(e[2].Prev, e[2])
			return e, h
		}, 4},
		"deleted first":  {func(e []Event, h Head) ([]Event, Head) { return e[1:], h }, 2},
		"deleted middle": {func(e []Event, h Head) ([]Event, Head) { return append(e[:2], e[3:]...), h }, 4},
		"deleted last":   {func(e []Event, h Head) ([]Event, Head) { return e[:4], h }, 5},
		"deleted last two, head rewound but not rehashed": {func(e []Event, h Head) ([]Event, Head) {
			return e[:3], Head{Seq: 3, Hash: h.Hash}
		}, 3},
		"swapped": {func(e []Event, h Head) ([]Event, Head) { e[1], e[2] = e[2], e[1]; return e, h }, 3},
		"renumbered": {func(e []Event, h Head) ([]Event, Head) {
			e = append(e[:2], e[3:]...)
			e[2].Seq, e[3].Seq = 3, 4
			return e, Head{Seq: 4, Hash: e[3].Hash}
		}, 3},
		"beyond head": {func(e []Event, h Head) ([]Event, Head) {
			extra := Seal(Event{Action: SignOut}, 6, h.Hash)
			return append(e, extra), h
		}, 6},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			events, head := tc.tamper(chain(5))
			wantBroken(t, Verify(events, head), tc.want)
		})
	}
}
