package api

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/queue"
	"github.com/oneaccount/oneaccount/internal/realtime"
)

// ScopeTickets is the scope an access token needs to take, read and
// cancel the resident's queue tickets.
const ScopeTickets = "tickets"

// SetQueue turns on the queue ticket routes.
func (a *API) SetQueue(s *queue.Service) { a.queue = s }

// TicketJSON is a resident's ticket with its place in the queue.
type TicketJSON struct {
	ID     string `json:"id"`
	Number string `json:"number"`
	Branch string `json:"branch"`
	Queue  string `json:"queue"`
	Status string `json:"status"`
	// Ahead is how many are expected to be called first.
	Ahead      int    `json:"ahead"`
	NowServing string `json:"now_serving"`
	// ETALow and ETAHigh bound the estimated wait, in whole minutes.
	ETALow   int       `json:"eta_low_minutes"`
	ETAHigh  int       `json:"eta_high_minutes"`
	IssuedAt time.Time `json:"issued_at"`
	// Counter is where the ticket is called, while it is.
	Counter string `json:"counter,omitempty"`
}

// QueueStatusJSON is one queue's live status.
type QueueStatusJSON struct {
	Code         string `json:"code"`
	NowServing   string `json:"now_serving"`
	Waiting      int    `json:"waiting"`
	OpenCounters int    `json:"open_counters"`
	ETAMinutes   int    `json:"eta_minutes"`
	ETALow       int    `json:"eta_low_minutes"`
	ETAHigh      int    `json:"eta_high_minutes"`
}

// CallJSON is one call on a branch's board.
type CallJSON struct {
	Number  string    `json:"number"`
	Queue   string    `json:"queue"`
	Counter string    `json:"counter"`
	At      time.Time `json:"at"`
}

// BranchQueueJSON is a branch's public live status.
type BranchQueueJSON struct {
	Branch string            `json:"branch"`
	Queues []QueueStatusJSON `json:"queues"`
	Calls  []CallJSON        `json:"calls"`
	At     time.Time         `json:"at"`
}

// takeRequest is the body of POST /tickets.
type takeRequest struct {
	Branch string `json:"branch"`
	Queue  string `json:"queue"`
}

func toTicket(v queue.TicketView) TicketJSON {
	t := v.Ticket
	out := TicketJSON{ID: t.ID, Number: t.Number, Branch: t.Branch, Queue: t.Queue, Status: string(t.Status),
		Ahead: v.Ahead, NowServing: v.NowServing, ETALow: minutes(v.ETALow), ETAHigh: minutes(v.ETAHigh),
		IssuedAt: t.IssuedAt}
	if t.Status == queue.Called {
		out.Counter = t.Counter
	}
	return out
}

// minutes rounds a wait up to whole minutes.
func minutes(d time.Duration) int { return int(math.Ceil(d.Minutes())) }

func toBranchQueue(s queue.BranchStatus) BranchQueueJSON {
	out := BranchQueueJSON{Branch: s.Branch, Queues: []QueueStatusJSON{}, Calls: []CallJSON{}, At: s.At}
	for _, q := range s.Queues {
		out.Queues = append(out.Queues, QueueStatusJSON{Code: q.Code, NowServing: q.NowServing, Waiting: q.Waiting,
			OpenCounters: q.OpenCounters, ETAMinutes: q.ETAMinutes, ETALow: q.ETALow, ETAHigh: q.ETAHigh})
	}
	for _, c := range s.Calls {
		out.Calls = append(out.Calls, CallJSON(c))
	}
	return out
}

// errQueueOff answers the queue routes when the service is not set.
var errQueueOff = &apperr.Error{Code: apperr.NotFound, Detail: "queue tickets are off"}

// holder is the resident calling a ticket route: an access token with the
// tickets scope, or the session cookie.
func (a *API) holder(w http.ResponseWriter, r *http.Request) (identity.Account, error) {
	if a.queue == nil {
		return identity.Account{}, errQueueOff
	}
	return a.caller(w, r, ScopeTickets)
}

// takeTicket serves POST /tickets, honouring Idempotency-Key: a repeat
// answers with the first ticket.
func (a *API) takeTicket(w http.ResponseWriter, r *http.Request) (any, error) {
	acct, err := a.holder(w, r)
	if err != nil {
		return nil, err
	}
	var req takeRequest
	if err := decodeStrict(r, &req); err != nil {
		return nil, err
	}
	if req.Branch == "" || req.Queue == "" {
		return nil, apperr.Invalidf("body", "give branch and queue")
	}
	key, err := idempotencyKey(r)
	if err != nil {
		return nil, err
	}
	tk, err := a.queue.TakeRemote(r.Context(), acct, req.Branch, req.Queue, key)
	if err != nil {
		return nil, queueError(err)
	}
	v, err := a.queue.Place(r.Context(), tk)
	if err != nil {
		return nil, queueError(err)
	}
	return withStatus{status: http.StatusCreated, body: toTicket(v)}, nil
}

// idempotencyKey returns the request's Idempotency-Key, at most 200
// characters.
func idempotencyKey(r *http.Request) (string, error) {
	key := r.Header.Get("Idempotency-Key")
	if len(key) > 200 {
		return "", &apperr.Error{Code: apperr.Invalid, Field: "Idempotency-Key", Detail: "at most 200 characters"}
	}
	return key, nil
}

// getTicket serves GET /tickets/{id}: the caller's own ticket; another's
// is 404.
func (a *API) getTicket(w http.ResponseWriter, r *http.Request) (any, error) {
	acct, err := a.holder(w, r)
	if err != nil {
		return nil, err
	}
	v, err := a.queue.Mine(r.Context(), acct, r.PathValue("id"))
	if err != nil {
		return nil, queueError(err)
	}
	return toTicket(v), nil
}

// cancelTicket serves POST /tickets/{id}/cancel.
func (a *API) cancelTicket(w http.ResponseWriter, r *http.Request) (any, error) {
	acct, err := a.holder(w, r)
	if err != nil {
		return nil, err
	}
	tk, err := a.queue.Cancel(r.Context(), &acct, r.PathValue("id"))
	if err != nil {
		return nil, queueError(err)
	}
	return toTicket(queue.TicketView{Ticket: tk}), nil
}

// branchQueue serves GET /branches/{code}/queue: public, and cached only
// briefly since it changes with every call.
func (a *API) branchQueue(w http.ResponseWriter, r *http.Request) (any, error) {
	if a.queue == nil {
		return nil, errQueueOff
	}
	code, err := pathCode(r, "branch")
	if err != nil {
		return nil, err
	}
	s, err := a.queue.Status(r.Context(), code)
	if err != nil {
		return nil, queueError(err)
	}
	w.Header().Set("Cache-Control", "public, max-age=5")
	return toBranchQueue(s), nil
}

// queueConflicts are the queue's conflicts and the codes clients match on.
var queueConflicts = []struct {
	err  *apperr.Error
	code apperr.Code
}{
	{queue.ErrQuota, codeQuotaReached},
	{queue.ErrActive, codeActiveTicket},
	{queue.ErrClosed, codeQueueClosed},
	{queue.ErrBusy, codeCounterBusy},
	{queue.ErrCounterClosed, codeCounterClosed},
	{queue.ErrEmpty, codeQueueEmpty},
	{queue.ErrState, codeWrongState},
}

// queueError gives the queue's conflicts their API codes: a sentinel
// returned or wrapped, or a copy carrying the code as its Detail prefix.
func queueError(err error) error {
	e, ok := apperr.As(err)
	if !ok || e.Code != apperr.Conflict {
		return err
	}
	for _, c := range queueConflicts {
		prefix, detail, _ := strings.Cut(c.err.Detail, ": ")
		if errors.Is(err, c.err) || strings.HasPrefix(e.Detail, prefix+":") {
			if d, found := strings.CutPrefix(e.Detail, prefix+": "); found {
				detail = d
			}
			return &apperr.Error{Code: c.code, Key: e.Key, Detail: detail, Err: err}
		}
	}
	return err
}

// SetLive turns on the live queue events, streamed from b.
func (a *API) SetLive(b *realtime.Broker) { a.live = b }

// streamed tells serve that the handler wrote the response itself.
type streamed struct{}

// queueEvents serves GET /branches/{code}/queue/events: the branch's
// status first, then every event the queue publishes, as server-sent
// events. Public.
func (a *API) queueEvents(w http.ResponseWriter, r *http.Request) (any, error) {
	if a.queue == nil || a.live == nil {
		return nil, errQueueOff
	}
	code, err := pathCode(r, "branch")
	if err != nil {
		return nil, err
	}
	initial := func(ctx context.Context) ([]byte, error) {
		s, err := a.queue.Status(ctx, code)
		if err != nil {
			return nil, queueError(err)
		}
		return json.Marshal(queue.Event{Kind: "changed", Status: s})
	}
	err = realtime.ServeSSE(w, r, a.live, queue.Topic(code), initial)
	if errors.Is(err, realtime.ErrFull) {
		w.Header().Set("Retry-After", "10")
		return nil, &apperr.Error{Code: apperr.Unavailable, Detail: "this node serves as many live streams as it may; try again soon", Err: err}
	}
	if err != nil {
		return nil, err
	}
	return streamed{}, nil
}
