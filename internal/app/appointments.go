package app

import (
	"bytes"
	"context"
	"fmt"
	"slices"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/appointments"
	"github.com/oneaccount/oneaccount/internal/refdata"
)

// buildAppointments wires booking and its jobs.
func (a *App) buildAppointments() {
	a.appointments = appointments.New(a.store, a.dir, a.messages, a.now, a.runner.Wake)
	a.runner.Handle(appointments.BookedJob, a.appointments.HandleBooked)
	a.runner.Handle(appointments.RemindJob, a.appointments.HandleReminder)
	a.runner.Handle(appointments.NoShowJob, a.appointments.HandleNoShow)
}

// seedBookingRules gives every service of the pilot entities, at every
// branch offering it, the rules of the booking-rules file
// (internal/refdata/booking.yaml), unless it has rules already.
func (a *App) seedBookingRules(ctx context.Context) error {
	data, err := appointments.ParseRulesData(bytes.NewReader(refdata.BookingYAML()))
	if err != nil {
		return err
	}
	branches, err := a.store.Branches(ctx, "")
	if err != nil {
		return fmt.Errorf("booking rules: %w", err)
	}
	n := 0
	for _, b := range branches {
		for _, code := range b.Services {
			svc, err := a.store.Service(ctx, code)
			if err != nil || !slices.Contains(appointments.BookableEntities(), svc.Entity) {
				continue
			}
			if _, err := a.store.AppointmentRules(ctx, b.Code, code); apperr.CodeOf(err) != apperr.NotFound {
				continue
			}
			r, err := data.Rules(b, svc)
			if err != nil {
				return err
			}
			if err := a.store.SetAppointmentRules(ctx, r, "reference-data", a.now()); err != nil {
				return err
			}
			n++
		}
	}
	if n > 0 {
		a.log.InfoContext(ctx, "booking rules loaded", "services", n)
	}
	return nil
}

// Appointments returns the booking service.
func (a *App) Appointments() *appointments.Service { return a.appointments }
