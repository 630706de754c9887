package realtime

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
)

// DefaultBuffer is how many events a subscriber may fall behind before
// its oldest is dropped.
const DefaultBuffer = 8

// maxTopic bounds a topic's length (it travels in every notification).
const maxTopic = 200

// ErrTopic says a topic is empty, too long or contains white space.
var ErrTopic = errors.New("realtime: bad topic")

// Relay carries events to the other nodes; the Postgres relay is one.
type Relay interface {
	// Send carries the events of one topic, in order, at once.
	Send(ctx context.Context, topic string, data ...[]byte) error
}

// Options configure a Broker.
type Options struct {
	// Buffer is each subscriber's buffer (DefaultBuffer when zero).
	Buffer int
	// Relay, if set, carries every published event to the other nodes.
	Relay Relay
	// MaxSubscribers bounds the subscriptions TrySubscribe grants at once
	// on this node (0: no bound).
	MaxSubscribers int
}

// ErrFull is TrySubscribe's answer when the node holds MaxSubscribers.
var ErrFull = errors.New("realtime: this node serves as many streams as it may")

// Broker fans events out to the subscribers of a topic. It is safe for
// concurrent use; Publish never blocks on a subscriber.
type Broker struct {
	buffer int
	relay  Relay
	max    int

	mu     sync.RWMutex
	topics map[string][]*Subscription
	count  int // subscriptions held
	closed bool

	dropped, delivered atomic.Int64
}

// NewBroker returns an empty broker.
func NewBroker(o Options) *Broker {
	if o.Buffer <= 0 {
		o.Buffer = DefaultBuffer
	}
	return &Broker{buffer: o.Buffer, relay: o.Relay, max: o.MaxSubscribers, topics: map[string][]*Subscription{}}
}

// Subscription is one subscriber's feed of a topic.
type Subscription struct {
	// C yields the topic's events in the order they were published. A nil
	// value asks the subscriber to resync (events may have been missed). C
	// is closed when the broker shuts down, never by Close.
	C <-chan []byte

	ch    chan []byte
	b     *Broker
	topic string
	idx   int // position in b.topics[topic]; -1 once removed
}

// Subscribe starts a subscription to topic. After Shutdown it returns a
// subscription whose channel is already closed.
func (b *Broker) Subscribe(topic string) *Subscription {
	s, _ := b.subscribe(topic, false)
	return s
}

// TrySubscribe is Subscribe within the broker's MaxSubscribers: at the
// bound it grants nothing and answers ErrFull.
func (b *Broker) TrySubscribe(topic string) (*Subscription, error) {
	return b.subscribe(topic, true)
}

func (b *Broker) subscribe(topic string, bounded bool) (*Subscription, error) {
	ch := make(chan []byte, b.buffer)
	s := &Subscription{C: ch, ch: ch, b: b, topic: topic, idx: -1}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		close(ch)
		return s, nil
	}
	if bounded && b.max > 0 && b.count >= b.max {
		return nil, ErrFull
	}
	subs := b.topics[topic]
	s.idx = len(subs)
	b.topics[topic] = append(subs, s)
	b.count++
	return s, nil
}

// Close ends the subscription; it may be called more than once.
func (s *Subscription) Close() {
	b := s.b
	b.mu.Lock()
	defer b.mu.Unlock()
	if s.idx < 0 {
		return
	}
	subs := b.topics[s.topic]
	last := len(subs) - 1
	subs[s.idx] = subs[last]
	subs[s.idx].idx = s.idx
	subs[last] = nil
	if last == 0 {
		delete(b.topics, s.topic)
	} else {
		b.topics[s.topic] = subs[:last]
	}
	s.idx = -1
	b.count--
}

// Publish delivers data to topic's subscribers on this node, then hands
// it to the relay for the others. Subscribers share data: neither the
// caller nor they may modify it afterwards.
func (b *Broker) Publish(ctx context.Context, topic string, data ...[]byte) error {
	if err := checkTopic(topic); err != nil {
		return err
	}
	for _, d := range data {
		b.Deliver(topic, d)
	}
	if b.relay == nil || len(data) == 0 {
		return nil
	}
	if err := b.relay.Send(ctx, topic, data...); err != nil {
		return fmt.Errorf("relay %s: %w", topic, err)
	}
	return nil
}

// Deliver hands data to topic's subscribers on this node only; relays
// call it with the events of other nodes.
func (b *Broker) Deliver(topic string, data []byte) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	subs := b.topics[topic]
	for _, s := range subs {
		b.offer(s.ch, data)
	}
	b.delivered.Add(int64(len(subs)))
}

// Resync sends every subscriber the resync marker (a nil event); a relay
// calls it after a gap in which events may have been lost.
func (b *Broker) Resync() {
	b.mu.RLock()
	defer b.mu.RUnlock()
	for _, subs := range b.topics {
		for _, s := range subs {
			b.offer(s.ch, nil)
		}
	}
}

// offer puts data in ch without blocking, dropping the oldest waiting
// event while ch is full.
func (b *Broker) offer(ch chan []byte, data []byte) {
	for {
		select {
		case ch <- data:
			return
		default:
		}
		select {
		case <-ch:
			b.dropped.Add(1)
		default:
		}
	}
}

// Shutdown closes every subscription's channel, so that streams end, and
// makes later subscriptions start closed. Publish still works (it reaches
// nobody here, but the relay still carries it). Call it when the server
// begins a graceful shutdown.
func (b *Broker) Shutdown() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return
	}
	b.closed = true
	for topic, subs := range b.topics {
		for _, s := range subs {
			s.idx = -1
			close(s.ch)
		}
		delete(b.topics, topic)
	}
	b.count = 0
}

// closing reports whether Shutdown has been called.
func (b *Broker) closing() bool {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.closed
}

// Stats are a broker's counters.
type Stats struct {
	Topics, Subscribers int
	// Delivered counts events handed to subscribers (one per subscriber
	// per event); Dropped counts those dropped from full buffers.
	Delivered, Dropped int64
}

// Stats returns the broker's counters.
func (b *Broker) Stats() Stats {
	b.mu.RLock()
	defer b.mu.RUnlock()
	st := Stats{Topics: len(b.topics), Delivered: b.delivered.Load(), Dropped: b.dropped.Load()}
	for _, subs := range b.topics {
		st.Subscribers += len(subs)
	}
	return st
}

func checkTopic(topic string) error {
	if topic == "" || len(topic) > maxTopic || strings.ContainsFunc(topic, isSpace) {
		return fmt.Errorf("%w: %q", ErrTopic, topic)
	}
	return nil
}

func isSpace(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r < 0x20 }
