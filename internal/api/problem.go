package api

import (
	"encoding/json"
	"net/http"

	"github.com/oneaccount/oneaccount/internal/apperr"
)

// ProblemContentType is the media type of error responses (RFC 9457).
const ProblemContentType = "application/problem+json"

// problemTypePrefix starts every problem type URI; the apperr code ends it.
const problemTypePrefix = "urn:oneaccount:problem:"

// Problem is an RFC 9457 problem details document with the platform's
// stable error code as an extension member.
type Problem struct {
	// Type identifies the kind of problem: "urn:oneaccount:problem:" and
	// the code.
	Type string `json:"type"`
	// Title is the HTTP status text.
	Title string `json:"title"`
	// Status repeats the HTTP status code.
	Status int `json:"status"`
	// Detail explains this occurrence in English for developers; it never
	// carries an internal cause.
	Detail string `json:"detail"`
	// Code is the apperr code clients match on, such as "not_found".
	Code apperr.Code `json:"code"`
	// Instance is the request path.
	Instance string `json:"instance,omitempty"`
}

// statuses maps each apperr code to its HTTP status; codes not listed
// (Internal among them) are 500.
var statuses = map[apperr.Code]int{
	apperr.Invalid:         http.StatusBadRequest,
	apperr.NotFound:        http.StatusNotFound,
	apperr.Conflict:        http.StatusConflict,
	apperr.Forbidden:       http.StatusForbidden,
	apperr.Unauthenticated: http.StatusUnauthorized,
	apperr.TooMany:         http.StatusTooManyRequests,
	apperr.Unavailable:     http.StatusServiceUnavailable,
	// The booking conflicts carry their own codes (see appointments.go).
	codeSlotFull:     http.StatusConflict,
	codeLimitReached: http.StatusConflict,
	// The queue conflicts likewise (see queue.go).
	codeQuotaReached:  http.StatusConflict,
	codeActiveTicket:  http.StatusConflict,
	codeQueueClosed:   http.StatusConflict,
	codeCounterBusy:   http.StatusConflict,
	codeCounterClosed: http.StatusConflict,
	codeQueueEmpty:    http.StatusConflict,
	codeWrongState:    http.StatusConflict,
}

// The booking conflict codes clients match on.
const (
	codeSlotFull     apperr.Code = "slot_full"
	codeLimitReached apperr.Code = "limit_reached"
)

// The queue conflict codes clients match on.
const (
	codeQuotaReached  apperr.Code = "quota_reached"
	codeActiveTicket  apperr.Code = "active_ticket"
	codeQueueClosed   apperr.Code = "queue_closed"
	codeCounterBusy   apperr.Code = "counter_busy"
	codeCounterClosed apperr.Code = "counter_closed"
	codeQueueEmpty    apperr.Code = "queue_empty"
	codeWrongState    apperr.Code = "wrong_state"
)

// StatusOf returns the HTTP status for an apperr code: the one place the
// API maps codes to statuses.
func StatusOf(code apperr.Code) int {
	if s, ok := statuses[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// WriteProblem writes a problem document with the given status, code and
// detail. Callers set any extra headers (Allow, Retry-After) first. Problems
// are never cached.
func WriteProblem(w http.ResponseWriter, r *http.Request, status int, code apperr.Code, detail string) {
	p := Problem{
		Type:     problemTypePrefix + string(code),
		Title:    http.StatusText(status),
		Status:   status,
		Detail:   detail,
		Code:     code,
		Instance: r.URL.Path,
	}
	body, _ := json.Marshal(p) // cannot fail: only strings and an int
	h := w.Header()
	h.Set("Content-Type", ProblemContentType)
	h.Set("Cache-Control", "no-store")
	h.Del("Content-Length")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}

// genericDetail is what clients see for a server-side failure.
const genericDetail = "internal error; the incident has been logged"

// fail writes the problem for err. The detail of an apperr error is safe to
// show; anything else is a server failure whose cause only the log sees.
func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) {
	code := apperr.CodeOf(err)
	status := StatusOf(code)
	detail := genericDetail
	if e, ok := apperr.As(err); ok && status != http.StatusInternalServerError && e.Detail != "" {
		detail = e.Detail
		if e.Field != "" {
			detail = e.Field + ": " + detail
		}
	}
	if status >= http.StatusInternalServerError {
		a.log.ErrorContext(r.Context(), "api request failed",
			"method", r.Method, "path", r.URL.Path, "code", string(code), "err", err)
	}
	if status == http.StatusInternalServerError {
		code = apperr.Internal
	}
	WriteProblem(w, r, status, code, detail)
}
