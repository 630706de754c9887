package appointments

import "github.com/oneaccount/oneaccount/internal/apperr"

// The booking conflicts. The API reports them with the codes slot_full
// and limit_reached.
var (
	// ErrSlotFull: the slot has no place left, or staff closed it.
	ErrSlotFull = &apperr.Error{Code: apperr.Conflict, Key: "appointments.slot_full", Detail: "slot_full: no place left in this slot"}
	// ErrLimitReached: the person already holds the bookings the rules allow.
	ErrLimitReached = &apperr.Error{Code: apperr.Conflict, Key: "appointments.limit_reached",
		Detail: "limit_reached: you already hold the bookings this service allows"}
	// ErrNotActive: the booking was cancelled, served or missed already.
	ErrNotActive = &apperr.Error{Code: apperr.Conflict, Key: "appointments.not_active", Detail: "the booking is no longer active"}
)
