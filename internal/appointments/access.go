package appointments

import (
	"slices"

	"github.com/oneaccount/oneaccount/internal/directory"
	"github.com/oneaccount/oneaccount/internal/identity"
)

// bookableEntities are the entities of the appointments pilot.
var bookableEntities = []string{"DSI", "DSF", "DSAJ", "FSS", "DSAT", "IAM"}

// BookableEntities lists the entities whose counter services take
// bookings.
func BookableEntities() []string { return slices.Clone(bookableEntities) }

// platform reports whether actor stands above every entity.
func platform(actor identity.Actor) bool {
	return actor.Platform || actor.Account.HasRole(identity.PlatformAdmin)
}

// ServesAt reports whether actor may see and check in bookings at b:
// counter staff, supervisors and entity admins of an entity with counters
// there (for their entity's services), and platform admins (all).
func ServesAt(actor identity.Actor, b directory.Branch) bool {
	if platform(actor) {
		return true
	}
	a := actor.Account
	staff := a.Kind == identity.Staff && (a.HasRole(identity.CounterAgent) || a.HasRole(identity.Supervisor) ||
		a.HasRole(identity.EntityAdmin))
	return staff && Counters(b, a.Entity) > 0
}

// CanClose reports whether actor may close branch b: supervisors and
// entity admins of the entity that runs it, and platform admins.
func CanClose(actor identity.Actor, b directory.Branch) bool {
	if platform(actor) {
		return true
	}
	a := actor.Account
	return ServesAt(actor, b) && a.Entity == b.Operator && (a.HasRole(identity.Supervisor) || a.HasRole(identity.EntityAdmin))
}

// CanSetRules reports whether actor may set the booking rules of svc: the
// service's entity admins and platform admins.
func CanSetRules(actor identity.Actor, svc directory.Service) bool {
	a := actor.Account
	return platform(actor) || (a.Kind == identity.Staff && a.HasRole(identity.EntityAdmin) && a.Entity == svc.Entity)
}

// CanDeclareClosures reports whether actor may declare a typhoon or
// black-rainstorm closure: platform operators only.
func CanDeclareClosures(actor identity.Actor) bool { return platform(actor) }
