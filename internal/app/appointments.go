package app

import (
	"context"
	"fmt"
	"slices"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/appointments"
	"github.com/oneaccount/oneaccount/internal/lang"
)

// bookableEntities are the entities of the appointments pilot.
var bookableEntities = []string{"DSI", "DSF", "DSAJ", "FSS", "DSAT", "IAM"}

// placesPerCounter is how many places a slot has per counter the
// reference data records for the entity at the branch, until its admin
// sets the real number.
const placesPerCounter = 3

// buildAppointments wires booking and its jobs.
func (a *App) buildAppointments() {
	a.appointments = appointments.New(a.store, a.dir, a.messages, a.now, a.runner.Wake)
	a.runner.Handle(appointments.RemindJob, a.appointments.HandleReminder)
	a.runner.Handle(appointments.NoShowJob, a.appointments.HandleNoShow)
}

// seedBookingRules gives every service of the pilot entities, at every
// branch offering it, the default booking rules, unless it has rules.
func (a *App) seedBookingRules(ctx context.Context) error {
	branches, err := a.store.Branches(ctx, "")
	if err != nil {
		return fmt.Errorf("booking rules: %w", err)
	}
	docs := lang.Text{ZhHant: "身份證明文件（例如澳門居民身份證），以及服務頁面列出的其他文件。",
		Pt: "Documento de identificação (por exemplo, o BIR) e os outros documentos indicados na página do serviço.",
		En: "Your identity document (such as your BIR) and the other documents the service's page lists."}
	n := 0
	for _, b := range branches {
		for _, code := range b.Services {
			svc, err := a.store.Service(ctx, code)
			if err != nil || !slices.Contains(bookableEntities, svc.Entity) {
				continue
			}
			if _, err := a.store.AppointmentRules(ctx, b.Code, code); apperr.CodeOf(err) != apperr.NotFound {
				continue
			}
			r := appointments.DefaultRules(b.Code, code, placesPerCounter*max(1, appointments.Counters(b, svc.Entity)))
			r.Level, r.Documents = max(1, svc.Level), docs
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
