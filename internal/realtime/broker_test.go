package realtime

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"
)

// recv returns the next event on s, failing after a generous wait.
func recv(t *testing.T, s *Subscription) []byte {
	t.Helper()
	select {
	case d, ok := <-s.C:
		if !ok {
			t.Fatal("subscription closed")
		}
		return d
	case <-time.After(10 * time.Second):
		t.Fatal("no event within 10 s")
		return nil
	}
}

// none checks that nothing waits on s.
func none(t *testing.T, s *Subscription) {
	t.Helper()
	select {
	case d := <-s.C:
		t.Fatalf("unexpected event %q", d)
	default:
	}
}

func TestBroker_FanOut(t *testing.T) {
	b := NewBroker(Options{})
	a1, a2, a3 := b.Subscribe("queue.A"), b.Subscribe("queue.A"), b.Subscribe("queue.A")
	other := b.Subscribe("queue.B")
	data := []byte(`{"kind":"called"}`)
	if err := b.Publish(t.Context(), "queue.A", data); err != nil {
		t.Fatal(err)
	}
	for i, s := range []*Subscription{a1, a2, a3} {
		got := recv(t, s)
		if &got[0] != &data[0] {
			t.Errorf("subscriber %d got a copy; want the shared slice", i)
		}
		none(t, s)
	}
	none(t, other)
	if st := b.Stats(); st.Topics != 2 || st.Subscribers != 4 || st.Delivered != 3 || st.Dropped != 0 {
		t.Errorf("Stats = %+v, want 2 topics, 4 subscribers, 3 delivered, none dropped", st)
	}
}

func TestBroker_SlowSubscriberDropsOldest(t *testing.T) {
	b := NewBroker(Options{Buffer: 4})
	slow := b.Subscribe("t")
	fast := b.Subscribe("t")
	got := make(chan int, 1)
	go func() {
		n := 0
		for range fast.C {
			if n++; n == 1000 {
				got <- n
			}
		}
	}()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 1000 {
			if err := b.Publish(context.Background(), "t", []byte(fmt.Sprint(i))); err != nil {
				t.Error(err)
			}
		}
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Publish blocked on a subscriber that never reads")
	}
	for i := 996; i < 1000; i++ {
		if d := recv(t, slow); string(d) != fmt.Sprint(i) {
			t.Errorf("slow subscriber got %q, want %d (the newest 4 kept in order)", d, i)
		}
	}
	none(t, slow)
	if st := b.Stats(); st.Dropped < 996 {
		t.Errorf("Dropped = %d, want at least 996", st.Dropped)
	}
	_ = fast // the fast reader may also have dropped some; it must not block either
}

func TestBroker_Unsubscribe(t *testing.T) {
	b := NewBroker(Options{})
	subs := make([]*Subscription, 100)
	for i := range subs {
		subs[i] = b.Subscribe("t")
	}
	for i := 0; i < len(subs); i += 2 {
		subs[i].Close()
		subs[i].Close() // twice is harmless
	}
	if err := b.Publish(t.Context(), "t", []byte("x")); err != nil {
		t.Fatal(err)
	}
	for i, s := range subs {
		if i%2 == 0 {
			none(t, s)
		} else if d := recv(t, s); string(d) != "x" {
			t.Errorf("subscriber %d got %q", i, d)
		}
	}
	for i := 1; i < len(subs); i += 2 {
		subs[i].Close()
	}
	if st := b.Stats(); st.Topics != 0 || st.Subscribers != 0 {
		t.Errorf("after closing all: Stats = %+v, want no topics and no subscribers", st)
	}
}

func TestBroker_NoGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	b := NewBroker(Options{})
	subs := make([]*Subscription, 1000)
	for i := range subs {
		subs[i] = b.Subscribe("t")
	}
	for range 20 {
		_ = b.Publish(t.Context(), "t", []byte("x"))
	}
	if after := runtime.NumGoroutine(); after > before {
		t.Errorf("goroutines %d -> %d: the broker must not start any", before, after)
	}
	for _, s := range subs {
		s.Close()
	}
}

func TestBroker_ShutdownAndResync(t *testing.T) {
	b := NewBroker(Options{})
	s := b.Subscribe("t")
	b.Resync()
	if d := recv(t, s); d != nil {
		t.Errorf("Resync sent %q, want the nil marker", d)
	}
	b.Shutdown()
	b.Shutdown()
	if _, ok := <-s.C; ok {
		t.Error("channel open after Shutdown")
	}
	s.Close() // after Shutdown, harmless
	late := b.Subscribe("t")
	if _, ok := <-late.C; ok {
		t.Error("a subscription after Shutdown is open")
	}
	if err := b.Publish(t.Context(), "t", []byte("x")); err != nil {
		t.Errorf("Publish after Shutdown = %v", err)
	}
}

type fakeRelay struct {
	mu  sync.Mutex
	got []string
	err error
}

func (f *fakeRelay) Send(_ context.Context, topic string, data ...[]byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, d := range data {
		f.got = append(f.got, topic+" "+string(d))
	}
	return f.err
}

func TestBroker_Relay(t *testing.T) {
	r := &fakeRelay{}
	b := NewBroker(Options{Relay: r})
	s := b.Subscribe("t")
	if err := b.Publish(t.Context(), "t", []byte("x")); err != nil {
		t.Fatal(err)
	}
	if d := recv(t, s); string(d) != "x" {
		t.Errorf("local got %q", d)
	}
	if len(r.got) != 1 || r.got[0] != "t x" {
		t.Errorf("relay got %q", r.got)
	}
	r.err = errors.New("down")
	if err := b.Publish(t.Context(), "t", []byte("y")); !errors.Is(err, r.err) {
		t.Errorf("Publish with a failing relay = %v, want it wrapped", err)
	}
	if d := recv(t, s); string(d) != "y" {
		t.Errorf("local subscribers get the event even when the relay fails; got %q", d)
	}
	for _, bad := range []string{"", "a b", "a\nb", string(make([]byte, 201))} {
		if err := b.Publish(t.Context(), bad, nil); !errors.Is(err, ErrTopic) {
			t.Errorf("Publish(%q) = %v, want ErrTopic", bad, err)
		}
	}
}

// TestBroker_Concurrent runs publishers, subscribers and closes at once
// (meaningful under -race).
func TestBroker_Concurrent(t *testing.T) {
	b := NewBroker(Options{Buffer: 2})
	var wg sync.WaitGroup
	for p := range 4 {
		wg.Go(func() {
			for i := range 500 {
				_ = b.Publish(context.Background(), fmt.Sprint("t", i%3), []byte{byte(p)})
			}
		})
	}
	for range 8 {
		wg.Go(func() {
			for i := range 200 {
				s := b.Subscribe(fmt.Sprint("t", i%3))
				select {
				case <-s.C:
				default:
				}
				s.Close()
			}
		})
	}
	wg.Go(func() {
		for range 50 {
			b.Resync()
		}
	})
	wg.Wait()
	if st := b.Stats(); st.Subscribers != 0 || st.Topics != 0 {
		t.Errorf("Stats = %+v, want empty", st)
	}
}

// BenchmarkPublish10k measures one publish to 10,000 subscribers, each
// drained by its own goroutine as an SSE handler would.
func BenchmarkPublish10k(b *testing.B) {
	br := NewBroker(Options{})
	var wg sync.WaitGroup
	subs := make([]*Subscription, 10_000)
	for i := range subs {
		subs[i] = br.Subscribe("queue.X")
		wg.Go(func() {
			for range subs[i].C {
			}
		})
	}
	data := make([]byte, 2048)
	b.ResetTimer()
	for b.Loop() {
		_ = br.Publish(context.Background(), "queue.X", data)
	}
	b.StopTimer()
	br.Shutdown()
	wg.Wait()
}

// TestBroker_MaxSubscribers: TrySubscribe grants up to the bound, then
// ErrFull until a subscription closes; Subscribe is not bound.
func TestBroker_MaxSubscribers(t *testing.T) {
	b := NewBroker(Options{MaxSubscribers: 2})
	s1, err1 := b.TrySubscribe("a")
	_, err2 := b.TrySubscribe("b")
	if err1 != nil || err2 != nil {
		t.Fatalf("within the bound: %v, %v", err1, err2)
	}
	if _, err := b.TrySubscribe("a"); !errors.Is(err, ErrFull) {
		t.Fatalf("past the bound: %v, want ErrFull", err)
	}
	s1.Close()
	s1.Close() // twice frees one place only
	if _, err := b.TrySubscribe("a"); err != nil {
		t.Fatalf("after a close: %v", err)
	}
	if _, err := b.TrySubscribe("a"); !errors.Is(err, ErrFull) {
		t.Fatalf("a second close freed a second place: %v", err)
	}
	if s := b.Subscribe("c"); s == nil {
		t.Fatal("Subscribe refused")
	}
}
