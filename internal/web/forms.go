package web

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/identity"
)

// form is what a form page shows: the values given back (never
// passwords) and the errors by field.
type form struct {
	Values map[string]string
	Errors map[string]string
	// Order lists the fields with errors as they appear, for the summary.
	Order []string
	// Message is a key for an error that belongs to no field.
	Message string
	Extra   any
}

func newForm(r *http.Request, fields ...string) *form {
	f := &form{Values: map[string]string{}, Errors: map[string]string{}}
	for _, k := range fields {
		v := r.PostFormValue(k)
		if len(v) > 500 {
			v = v[:500]
		}
		f.Values[k] = v
	}
	return f
}

// fail records err on the form: a field error when the error names a
// field, else a message. It returns the HTTP status to answer with.
func (f *form) fail(err error, fallbackField string) int {
	key, field, status := "error.internal.title", "", http.StatusInternalServerError
	var te *identity.ThrottledError
	if errors.As(err, &te) {
		f.Message = "signin.throttled"
		f.Values["wait"] = strconv.Itoa(int(te.Wait.Round(time.Second).Seconds()))
		return http.StatusTooManyRequests
	}
	if e, ok := apperr.As(err); ok {
		field = e.Field
		if e.Key != "" {
			key = e.Key
		} else {
			key = "error.invalid.body"
		}
		status = map[apperr.Code]int{apperr.Invalid: 422, apperr.Conflict: 409, apperr.Unauthenticated: 401,
			apperr.Forbidden: 403, apperr.NotFound: 404, apperr.TooMany: 429, apperr.Unavailable: 503}[e.Code]
		if status == 0 {
			status, key = http.StatusInternalServerError, "error.internal.title"
		}
	}
	if alias, ok := fieldAliases[field]; ok {
		field = alias
	}
	if field == "" {
		field = fallbackField
	}
	if field == "" || status >= 500 {
		f.Message = key
		return status
	}
	if _, dup := f.Errors[field]; !dup {
		f.Order = append(f.Order, field)
	}
	f.Errors[field] = key
	return status
}

// HasErrors reports whether the form has any error to show.
func (f *form) HasErrors() bool { return f.Message != "" || len(f.Order) > 0 }

// apperrMismatch is the error for a password confirmation that differs.
var apperrMismatch = apperr.Error{Code: apperr.Invalid, Field: "password_confirm", Key: "password.mismatch"}

// asField renames an Invalid error's field: the domain says "password",
// the change-password form calls it "new_password".
func asField(err error, from string) (error, bool) {
	e, ok := apperr.As(err)
	if !ok || e.Field != from {
		return err, false
	}
	c := *e
	c.Field = "new_" + from
	return &c, true
}

// fieldAliases map the domain's field names to the form inputs' names, so
// an error summary link reaches its input.
var fieldAliases = map[string]string{
	"date_of_birth": "birth_date",
	"document":      "doc_number",
	"country":       "doc_country",
}

// renameField renames an error's field from one name to another.
func renameField(err error, from, to string) error {
	e, ok := apperr.As(err)
	if !ok || e.Field != from {
		return err
	}
	c := *e
	c.Field = to
	return &c
}
