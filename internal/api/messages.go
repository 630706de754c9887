package api

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/lang"
	"github.com/oneaccount/oneaccount/internal/messages"
	"github.com/oneaccount/oneaccount/internal/ratelimit"
)

// ScopeMessagesSend is the scope POST /messages needs.
const ScopeMessagesSend = "messages:send"

// MessageRequest is the body of POST /api/v1/messages.
type MessageRequest struct {
	// Subject is the resident's subject identifier as this entity
	// received it at sign-in.
	Subject     string              `json:"subject"`
	Category    string              `json:"category"`
	Title       lang.Text           `json:"title"`
	Body        lang.Text           `json:"body"`
	Link        string              `json:"link,omitempty"`
	DedupeKey   string              `json:"dedupe_key,omitempty"`
	Attachments []MessageAttachment `json:"attachments,omitempty"`
}

// MessageAttachment is a file sent with a message; Data is base64 in JSON.
type MessageAttachment struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Data        []byte `json:"data"`
}

// MessageAccepted is the answer to POST /api/v1/messages.
type MessageAccepted struct {
	ID string `json:"id"`
}

// withStatus makes writeJSON answer with a status other than 200.
type withStatus struct {
	status int
	body   any
}

// Messaging is what the messages route needs.
type Messaging struct {
	Service *messages.Service
	// PerSecond and Burst bound each client's sending rate.
	PerSecond float64
	Burst     int
}

// SetMessaging turns on POST /api/v1/messages.
func (a *API) SetMessaging(m Messaging) {
	if m.PerSecond <= 0 {
		m.PerSecond = 50
	}
	if m.Burst <= 0 {
		m.Burst = 2 * int(m.PerSecond)
	}
	a.msg = &m
	a.limits = ratelimit.New(m.PerSecond, m.Burst)
}

// sendMessage serves POST /api/v1/messages: an entity's back-office system,
// holding a client-credentials token with messages:send, writes to a
// resident it knows by the subject it received. A subject the entity never
// received is 404, whoever else knows it.
func (a *API) sendMessage(w http.ResponseWriter, r *http.Request) (any, error) {
	c, ok, err := a.bearer(w, r, ScopeMessagesSend)
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer realm="oneaccount"`)
		return nil, &apperr.Error{Code: apperr.Unauthenticated, Detail: "a client-credentials access token is required"}
	}
	if err != nil {
		return nil, err
	}
	if a.msg == nil {
		return nil, &apperr.Error{Code: apperr.NotFound, Detail: "messaging is off"}
	}
	if ok, wait := a.limits.Allow(c.ClientID); !ok {
		w.Header().Set("Retry-After", retryAfter(wait))
		return nil, &apperr.Error{Code: apperr.TooMany, Detail: "this client is sending too fast"}
	}
	req, err := decodeMessage(r)
	if err != nil {
		return nil, err
	}
	m := messages.Message{Category: messages.Category(req.Category), Title: req.Title, Body: req.Body, Link: req.Link,
		Dedupe: req.DedupeKey}
	for _, at := range req.Attachments {
		m.Attachments = append(m.Attachments, messages.Attachment{Name: at.Name, ContentType: at.ContentType, Data: at.Data})
	}
	saved, err := a.msg.Service.SendAsEntity(r.Context(), messages.EntitySend{Entity: c.Entity, ClientID: c.ClientID,
		Subject: req.Subject, Message: m})
	if err != nil {
		if apperr.CodeOf(err) == apperr.NotFound {
			return nil, &apperr.Error{Code: apperr.NotFound, Detail: "no resident with that subject for this entity"}
		}
		return nil, err
	}
	return withStatus{status: http.StatusAccepted, body: MessageAccepted{ID: saved.ID}}, nil
}

// decodeMessage reads the request body strictly.
func decodeMessage(r *http.Request) (MessageRequest, error) {
	var req MessageRequest
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return req, &apperr.Error{Code: apperr.Invalid, Field: "body", Detail: fmt.Sprintf("not a message: %v", err)}
	}
	if dec.More() {
		return req, &apperr.Error{Code: apperr.Invalid, Field: "body", Detail: "one JSON object expected"}
	}
	if req.Subject == "" {
		return req, &apperr.Error{Code: apperr.Invalid, Field: "subject", Detail: "subject is required"}
	}
	return req, nil
}

// retryAfter is a Retry-After value: whole seconds, at least one.
func retryAfter(wait time.Duration) string {
	return strconv.Itoa(max(1, int((wait+time.Second-1)/time.Second)))
}
