// Package apperr defines the error vocabulary shared by every domain package.
//
// A domain error carries a stable Code that the web and API layers map to an
// HTTP status in one place, a safe public message key, and the wrapped cause
// that only the logs see.
package apperr

import (
	"errors"
	"fmt"
)

// Code classifies an error for callers. Codes are stable: API clients match on
// them.
type Code string

// The codes. Their string values appear in API problem documents.
const (
	Internal        Code = "internal"
	Invalid         Code = "invalid"
	NotFound        Code = "not_found"
	Conflict        Code = "conflict"
	Forbidden       Code = "forbidden"
	Unauthenticated Code = "unauthenticated"
	TooMany         Code = "too_many_requests"
	Unavailable     Code = "unavailable"
)

// Error is a domain error with a code, a message key for users and an optional
// cause for logs.
type Error struct {
	Code Code
	// Key names a UI catalogue message shown to users; empty means the
	// generic message for Code.
	Key string
	// Field names the input that was wrong, for Invalid errors.
	Field string
	// Detail is a safe, English, developer-facing description.
	Detail string
	Err    error
}

// Error implements error.
func (e *Error) Error() string {
	msg := string(e.Code)
	if e.Field != "" {
		msg += " " + e.Field
	}
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// New returns an error with a code and a developer-facing detail.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Detail: fmt.Sprintf(format, args...)}
}

// Invalidf returns an Invalid error about one input field.
func Invalidf(field, format string, args ...any) *Error {
	return &Error{Code: Invalid, Field: field, Detail: fmt.Sprintf(format, args...)}
}

// NotFoundf returns a NotFound error.
func NotFoundf(format string, args ...any) *Error {
	return &Error{Code: NotFound, Detail: fmt.Sprintf(format, args...)}
}

// CodeOf returns the code of the first *Error in err's chain, or Internal.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// As returns the first *Error in err's chain.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}
