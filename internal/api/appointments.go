package api

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/appointments"
	"github.com/oneaccount/oneaccount/internal/identity"
)

// ScopeAppointments is the scope an access token needs to book for a
// resident.
const ScopeAppointments = "appointments"

// SetAppointments turns on the appointment routes.
func (a *API) SetAppointments(s *appointments.Service) { a.appts = s }

// AppointmentJSON is a booking as the API gives it.
type AppointmentJSON struct {
	ID        string    `json:"id"`
	Reference string    `json:"reference"`
	Branch    string    `json:"branch"`
	Service   string    `json:"service"`
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
	Status    string    `json:"status"`
}

// AppointmentList is the caller's bookings.
type AppointmentList struct {
	Appointments []AppointmentJSON `json:"appointments"`
}

// SlotJSON is a slot with its places.
type SlotJSON struct {
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
	Capacity  int       `json:"capacity"`
	Remaining int       `json:"remaining"`
}

// DayJSON is one day of the availability calendar.
type DayJSON struct {
	Date   string `json:"date"`
	Status string `json:"status"`
	Free   int    `json:"free"`
}

// Availability is the month-calendar view of a service at a branch.
type Availability struct {
	Days []DayJSON `json:"days"`
}

func toAppointment(ap appointments.Appointment) AppointmentJSON {
	return AppointmentJSON{ID: ap.ID, Reference: ap.Reference, Branch: ap.Branch, Service: ap.Service,
		Start: ap.Start, End: ap.End, Status: string(ap.Status)}
}

// resident is the resident calling: an access token with scope, or the
// session cookie.
func (a *API) resident(w http.ResponseWriter, r *http.Request, scope string) (identity.Account, error) {
	acct, err := a.caller(w, r, scope)
	if err == nil && a.appts == nil {
		return acct, &apperr.Error{Code: apperr.NotFound, Detail: "appointments are off"}
	}
	return acct, err
}

func (a *API) caller(w http.ResponseWriter, r *http.Request, scope string) (identity.Account, error) {
	c, ok, err := a.bearer(w, r, scope)
	if ok {
		if err != nil {
			return identity.Account{}, err
		}
		if c.AccountID == "" || a.accounts == nil {
			return identity.Account{}, &apperr.Error{Code: apperr.Forbidden, Detail: "the token does not speak for a resident"}
		}
		return a.accounts(r, c.AccountID)
	}
	if a.me == nil {
		return identity.Account{}, &apperr.Error{Code: apperr.Unauthenticated, Detail: "sign in first"}
	}
	acct, err := a.me(r)
	if err != nil {
		return identity.Account{}, &apperr.Error{Code: apperr.Unauthenticated, Detail: "sign in first", Err: err}
	}
	return acct, nil
}

// listAvailability serves GET /branches/{code}/availability.
func (a *API) listAvailability(_ http.ResponseWriter, r *http.Request) (any, error) {
	if a.appts == nil {
		return nil, &apperr.Error{Code: apperr.NotFound, Detail: "appointments are off"}
	}
	q := r.URL.Query()
	from, to, err := appointments.ParseRange(q.Get("from"), q.Get("to"), 62)
	if err != nil {
		return nil, err
	}
	days, err := a.appts.Availability(r.Context(), r.PathValue("code"), q.Get("service"), from, to)
	if err != nil {
		return nil, err
	}
	out := Availability{Days: []DayJSON{}}
	for _, d := range days {
		out.Days = append(out.Days, DayJSON{Date: d.Date.String(), Status: string(d.Status), Free: d.Free})
	}
	return out, nil
}

// listSlots serves GET /branches/{code}/slots.
func (a *API) listSlots(_ http.ResponseWriter, r *http.Request) (any, error) {
	if a.appts == nil {
		return nil, &apperr.Error{Code: apperr.NotFound, Detail: "appointments are off"}
	}
	day, err := appointments.ParseDate(r.URL.Query().Get("date"))
	if err != nil {
		return nil, err
	}
	slots, _, err := a.appts.DaySlots(r.Context(), r.PathValue("code"), r.URL.Query().Get("service"), day)
	if err != nil {
		return nil, err
	}
	out := []SlotJSON{}
	for _, s := range slots {
		out = append(out, SlotJSON{Start: s.Start, End: s.End, Capacity: s.Capacity, Remaining: s.Remaining})
	}
	return out, nil
}

// bookRequest is the body of POST /appointments.
type bookRequest struct {
	Branch  string `json:"branch"`
	Service string `json:"service"`
	Start   string `json:"start"`
}

// book serves POST /appointments, honouring Idempotency-Key.
func (a *API) book(w http.ResponseWriter, r *http.Request) (any, error) {
	acct, err := a.resident(w, r, ScopeAppointments)
	if err != nil {
		return nil, err
	}
	var req bookRequest
	if err := decodeStrict(r, &req); err != nil {
		return nil, err
	}
	start, err := appointments.ParseStart(req.Start, a.dir.Location())
	if err != nil {
		return nil, err
	}
	key := r.Header.Get("Idempotency-Key")
	if len(key) > 200 {
		return nil, &apperr.Error{Code: apperr.Invalid, Field: "Idempotency-Key", Detail: "at most 200 characters"}
	}
	ap, created, err := a.appts.Book(r.Context(), acct, appointments.Request{Branch: req.Branch, Service: req.Service,
		Start: start, IdempotencyKey: key})
	if err != nil {
		return nil, bookingError(err)
	}
	status := http.StatusCreated
	if !created {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	return withStatus{status: status, body: toAppointment(ap)}, nil
}

// bookingError gives the booking conflicts their API codes.
func bookingError(err error) error {
	switch {
	case errors.Is(err, appointments.ErrSlotFull):
		return &apperr.Error{Code: codeSlotFull, Detail: "no place left in this slot"}
	case errors.Is(err, appointments.ErrLimitReached):
		return &apperr.Error{Code: codeLimitReached, Detail: "you already hold the bookings this service allows"}
	}
	return err
}

// listAppointments serves GET /appointments: the caller's own.
func (a *API) listAppointments(w http.ResponseWriter, r *http.Request) (any, error) {
	acct, err := a.resident(w, r, ScopeAppointments)
	if err != nil {
		return nil, err
	}
	list, err := a.appts.Mine(r.Context(), acct)
	if err != nil {
		return nil, err
	}
	out := AppointmentList{Appointments: []AppointmentJSON{}}
	for _, ap := range list {
		out.Appointments = append(out.Appointments, toAppointment(ap))
	}
	return out, nil
}

// getAppointment serves GET /appointments/{id}; another's is 404.
func (a *API) getAppointment(w http.ResponseWriter, r *http.Request) (any, error) {
	acct, err := a.resident(w, r, ScopeAppointments)
	if err != nil {
		return nil, err
	}
	ap, err := a.appts.Get(r.Context(), acct, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return toAppointment(ap), nil
}

// cancelAppointment serves POST /appointments/{id}/cancel.
func (a *API) cancelAppointment(w http.ResponseWriter, r *http.Request) (any, error) {
	acct, err := a.resident(w, r, ScopeAppointments)
	if err != nil {
		return nil, err
	}
	ap, err := a.appts.Cancel(r.Context(), acct, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return toAppointment(ap), nil
}

// rescheduleAppointment serves POST /appointments/{id}/reschedule.
func (a *API) rescheduleAppointment(w http.ResponseWriter, r *http.Request) (any, error) {
	acct, err := a.resident(w, r, ScopeAppointments)
	if err != nil {
		return nil, err
	}
	var req struct {
		Start string `json:"start"`
	}
	if err := decodeStrict(r, &req); err != nil {
		return nil, err
	}
	start, err := appointments.ParseStart(req.Start, a.dir.Location())
	if err != nil {
		return nil, err
	}
	ap, err := a.appts.Reschedule(r.Context(), acct, r.PathValue("id"), start)
	if err != nil {
		return nil, bookingError(err)
	}
	return toAppointment(ap), nil
}

// decodeStrict reads one JSON object into v, refusing unknown fields.
func decodeStrict(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return &apperr.Error{Code: apperr.Invalid, Field: "body", Detail: "not valid JSON: " + err.Error()}
	}
	return nil
}
