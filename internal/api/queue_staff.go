package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/queue"
)

// StaffTicketJSON is a ticket as counter staff see it.
type StaffTicketJSON struct {
	ID             string     `json:"id"`
	Number         string     `json:"number"`
	Branch         string     `json:"branch"`
	Queue          string     `json:"queue"`
	Status         string     `json:"status"`
	Source         string     `json:"source"`
	Class          string     `json:"class"`
	ClassConfirmed bool       `json:"class_confirmed"`
	Counter        string     `json:"counter,omitempty"`
	Recalls        int        `json:"recalls"`
	IssuedAt       time.Time  `json:"issued_at"`
	CalledAt       *time.Time `json:"called_at,omitempty"`
	Outcome        string     `json:"outcome,omitempty"`
}

// CounterJSON is a counter's live state.
type CounterJSON struct {
	ID     string `json:"id"`
	Branch string `json:"branch"`
	Code   string `json:"code"`
	Open   bool   `json:"open"`
	// Current is the ticket called at it, if any.
	Current string `json:"current,omitempty"`
}

func toStaffTicket(t queue.Ticket) StaffTicketJSON {
	out := StaffTicketJSON{ID: t.ID, Number: t.Number, Branch: t.Branch, Queue: t.Queue, Status: string(t.Status),
		Source: string(t.Source), Class: string(t.Class), ClassConfirmed: t.ClassConfirmed, Counter: t.Counter,
		Recalls: t.Recalls, IssuedAt: t.IssuedAt, Outcome: t.Outcome}
	if !t.CalledAt.IsZero() {
		at := t.CalledAt
		out.CalledAt = &at
	}
	return out
}

func toCounter(c queue.CounterState) CounterJSON {
	return CounterJSON{ID: c.ID(), Branch: c.Branch, Code: c.Code, Open: c.Open, Current: c.Current}
}

// staff is the counter staff member calling: staff act through their
// session cookie only, never through an access token.
func (a *API) staff(w http.ResponseWriter, r *http.Request) (identity.Actor, error) {
	if a.queue == nil {
		return identity.Actor{}, errQueueOff
	}
	if _, ok, err := a.bearer(w, r, ""); ok {
		if err != nil {
			return identity.Actor{}, err
		}
		return identity.Actor{}, &apperr.Error{Code: apperr.Forbidden, Detail: "counter actions take a staff session, not an access token"}
	}
	if a.me == nil {
		return identity.Actor{}, &apperr.Error{Code: apperr.Unauthenticated, Detail: "sign in first"}
	}
	acct, err := a.me(r)
	if err != nil {
		return identity.Actor{}, &apperr.Error{Code: apperr.Unauthenticated, Detail: "sign in first", Err: err}
	}
	if acct.Kind != identity.Staff {
		return identity.Actor{}, &apperr.Error{Code: apperr.Forbidden, Detail: "counter actions are for staff"}
	}
	return identity.Actor{Account: acct, Client: apiClient(r)}, nil
}

// apiClient is the request's address and user agent, for the audit log.
func apiClient(r *http.Request) identity.Client {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ua := r.UserAgent()
	if len(ua) > 300 {
		ua = ua[:300]
	}
	return identity.Client{IP: host, UserAgent: ua}
}

// counterAction is a staff action on a counter, such as
// (*queue.Service).OpenCounter.
type counterAction func(s *queue.Service, ctx context.Context, actor identity.Actor, counterID string) (queue.CounterState, error)

// counterRoute serves POST /counters/{counter}/open and /close.
func counterRoute(act counterAction) handlerFunc {
	return func(a *API, w http.ResponseWriter, r *http.Request) (any, error) {
		actor, err := a.staff(w, r)
		if err != nil {
			return nil, err
		}
		c, err := act(a.queue, r.Context(), actor, r.PathValue("counter"))
		if err != nil {
			return nil, queueError(err)
		}
		return toCounter(c), nil
	}
}

// callNext serves POST /counters/{counter}/call-next: an empty body (or
// {}) calls the next ticket at a free counter; {"outcome": "..."}
// completes the ticket at the counter with that outcome and calls the
// next in one change.
func (a *API) callNext(w http.ResponseWriter, r *http.Request) (any, error) {
	actor, err := a.staff(w, r)
	if err != nil {
		return nil, err
	}
	outcome, err := decodeBody(r, "outcome", false)
	if err != nil {
		return nil, err
	}
	tk, err := a.queue.CallNext(r.Context(), actor, r.PathValue("counter"), outcome)
	if err != nil {
		return nil, queueError(err)
	}
	return toStaffTicket(tk), nil
}

// ticketAction is a staff action on a ticket; arg is the body field the
// route names (the target queue, the outcome, ...), "" for none.
type ticketAction func(s *queue.Service, ctx context.Context, actor identity.Actor, id, arg string) (queue.Ticket, error)

// noArg adapts an action without an argument.
func noArg(f func(*queue.Service, context.Context, identity.Actor, string) (queue.Ticket, error)) ticketAction {
	return func(s *queue.Service, ctx context.Context, actor identity.Actor, id, _ string) (queue.Ticket, error) {
		return f(s, ctx, actor, id)
	}
}

// confirmClass adapts ConfirmClass to ticketAction.
func confirmClass(s *queue.Service, ctx context.Context, actor identity.Actor, id, class string) (queue.Ticket, error) {
	return s.ConfirmClass(ctx, actor, id, queue.Class(class))
}

// ticketRoute serves a staff action on POST /tickets/{id}/ACTION; field
// names the body member the action requires, "" for none.
func ticketRoute(field string, act ticketAction) handlerFunc {
	return func(a *API, w http.ResponseWriter, r *http.Request) (any, error) {
		actor, err := a.staff(w, r)
		if err != nil {
			return nil, err
		}
		arg, err := decodeBody(r, field, field != "")
		if err != nil {
			return nil, err
		}
		tk, err := act(a.queue, r.Context(), actor, r.PathValue("id"), arg)
		if err != nil {
			return nil, queueError(err)
		}
		return toStaffTicket(tk), nil
	}
}

// decodeBody reads the body of a staff action: a JSON object whose only
// member is field, a string, which must be given when required. An
// action without a required field takes an empty body or {}.
func decodeBody(r *http.Request, field string, required bool) (string, error) {
	raw, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	if err != nil {
		return "", &apperr.Error{Code: apperr.Invalid, Field: "body", Detail: "unreadable body", Err: err}
	}
	if len(bytes.TrimSpace(raw)) == 0 && !required {
		return "", nil
	}
	var body map[string]string
	if err := json.Unmarshal(raw, &body); err != nil || body == nil {
		return "", &apperr.Error{Code: apperr.Invalid, Field: "body", Detail: "want a JSON object of strings"}
	}
	for k := range body {
		if k != field {
			return "", apperr.Invalidf("body", "unknown member %q", k)
		}
	}
	if required && body[field] == "" {
		return "", apperr.Invalidf(field, "give %s", field)
	}
	return body[field], nil
}
