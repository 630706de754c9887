package audit

import "fmt"

// BrokenError reports the first event at which the chain does not hold:
// a row was edited, deleted or inserted.
type BrokenError struct {
	// Seq is the first bad event: an edited row, the row after a deleted
	// one, or the first missing newest row.
	Seq int64
	// Reason says what did not match, in English.
	Reason string
}

// Error implements error.
func (e *BrokenError) Error() string {
	return fmt.Sprintf("audit chain broken at event %d: %s", e.Seq, e.Reason)
}

// Head is the newest event's number and hash, which the store keeps apart
// from the events so that deleting the newest rows is detected. The empty
// Head stands for an empty log.
type Head struct {
	Seq  int64
	Hash string
}

// Chain checks events one at a time, in Seq order, so that a log of any
// length can be verified in pages. The zero Chain expects event 1.
type Chain struct {
	last Head
}

// Last returns the last event accepted, the empty Head before any.
func (c *Chain) Last() Head { return c.last }

// Add checks that e follows the events added so far: its Seq is the next
// number, its Prev is the previous Hash, and its Hash recomputes.
func (c *Chain) Add(e Event) error {
	want := c.last.Seq + 1
	switch {
	case e.Seq > want:
		return &BrokenError{Seq: e.Seq, Reason: fmt.Sprintf("events %d to %d are missing", want, e.Seq-1)}
	case e.Seq < want:
		return &BrokenError{Seq: e.Seq, Reason: fmt.Sprintf("out of order: expected event %d", want)}
	case e.Prev != c.last.Hash:
		return &BrokenError{Seq: e.Seq, Reason: fmt.Sprintf("prev does not match the hash of event %d", c.last.Seq)}
	case Hash(e.Prev, e) != e.Hash:
		return &BrokenError{Seq: e.Seq, Reason: "hash does not match the event's contents: it was altered"}
	}
	c.last = Head{Seq: e.Seq, Hash: e.Hash}
	return nil
}

// End checks that the events added so far end at head.
func (c *Chain) End(head Head) error {
	switch {
	case c.last.Seq < head.Seq:
		return &BrokenError{Seq: c.last.Seq + 1, Reason: fmt.Sprintf("events %d to %d are missing (head is at %d)",
			c.last.Seq+1, head.Seq, head.Seq)}
	case c.last.Seq > head.Seq:
		return &BrokenError{Seq: head.Seq + 1, Reason: fmt.Sprintf("event beyond the head (head is at %d)", head.Seq)}
	case c.last.Hash != head.Hash:
		return &BrokenError{Seq: head.Seq, Reason: "hash differs from the head's"}
	}
	return nil
}

// Verify checks a whole in-memory log, in Seq order, against its head.
func Verify(events []Event, head Head) error {
	var c Chain
	for _, e := range events {
		if err := c.Add(e); err != nil {
			return err
		}
	}
	return c.End(head)
}
