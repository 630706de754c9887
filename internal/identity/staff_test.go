package identity_test

import (
	"context"
	"testing"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/audit"
	"github.com/oneaccount/oneaccount/internal/identity"
)

var platform = identity.Actor{Platform: true}

func (e *env) staff(t *testing.T, entity, email string, roles ...identity.Role) identity.Actor {
	t.Helper()
	ns, err := e.svc.CreateStaff(context.Background(), platform, identity.StaffRequest{Entity: entity, Roles: roles,
		Email: email, Password: goodPassword, Name: email})
	if err != nil {
		t.Fatalf("CreateStaff %s: %v", email, err)
	}
	if ns.TOTP.Secret == "" || ns.Account.TOTPSecret == "" {
		t.Fatal("staff created without a second factor")
	}
	return identity.Actor{Account: ns.Account, Client: client}
}

func TestEntityAdminManagesOnlyOwnEntity(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		dsiAdmin := e.staff(t, "DSI", "admin@dsi.example.mo", identity.EntityAdmin)
		dsatAgent := e.staff(t, "DSAT", "agent@dsat.example.mo", identity.CounterAgent)
		_, err := e.svc.CreateStaff(ctx, dsiAdmin, identity.StaffRequest{Entity: "DSAT", Roles: []identity.Role{identity.CounterAgent},
			Email: "x@dsat.example.mo", Password: goodPassword, Name: "X"})
		if apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("DSI admin creating DSAT staff: %v, want forbidden", err)
		}
		if err := e.svc.SetStaffRoles(ctx, dsiAdmin, dsatAgent.Account.ID, []identity.Role{identity.Supervisor}); apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("DSI admin changing DSAT staff: %v, want forbidden", err)
		}
		if _, err := e.svc.StaffOf(ctx, dsiAdmin, "DSAT"); apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("DSI admin listing DSAT staff: %v, want forbidden", err)
		}
		_, err = e.svc.CreateStaff(ctx, dsiAdmin, identity.StaffRequest{Entity: "DSI", Roles: []identity.Role{identity.PlatformAdmin},
			Email: "p@dsi.example.mo", Password: goodPassword, Name: "P"})
		if apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("entity admin granting platform-admin: %v, want forbidden", err)
		}
		mine := e.staff(t, "DSI", "agent@dsi.example.mo", identity.CounterAgent)
		if err := e.svc.SetStaffRoles(ctx, dsiAdmin, mine.Account.ID, []identity.Role{identity.IdentityVerifier}); err != nil {
			t.Errorf("DSI admin changing DSI staff: %v", err)
		}
		team, err := e.svc.StaffOf(ctx, dsiAdmin, "DSI")
		if err != nil || len(team) != 2 {
			t.Errorf("StaffOf(DSI) = %d, %v; want 2", len(team), err)
		}
		// A counter agent may not manage staff at all.
		if _, err := e.svc.StaffOf(ctx, dsatAgent, "DSAT"); apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("counter agent listing staff: %v, want forbidden", err)
		}
	})
}

func TestStaffMustUseSecondFactor(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		e.staff(t, "DSI", "agent@dsi.example.mo", identity.CounterAgent)
		res, err := e.svc.SignIn(context.Background(), "agent@dsi.example.mo", goodPassword, client)
		if err != nil || !res.NeedsSecondFactor {
			t.Errorf("staff sign-in = %+v, %v; want a second factor", res, err)
		}
	})
}

func TestIdentityVerificationAndAccessLog(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		res := e.resident(t, "ana@example.com", "66123456", "1234567(8)")
		verifier := e.staff(t, "DSI", "v@dsi.example.mo", identity.IdentityVerifier)
		agent := e.staff(t, "DSAT", "a@dsat.example.mo", identity.CounterAgent)
		admin := e.staff(t, "DSAT", "adm@dsat.example.mo", identity.EntityAdmin)

		if _, err := e.svc.FindResidents(ctx, admin, "12345678"); apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("entity admin searching residents: %v, want forbidden", err)
		}
		found, err := e.svc.FindResidents(ctx, verifier, "1234567(8)")
		if err != nil || len(found) != 1 || found[0].ID != res.ID {
			t.Fatalf("FindResidents = %v, %v", found, err)
		}
		if _, err := e.svc.ViewResident(ctx, verifier, res.ID, ""); apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("viewing without a purpose: %v, want invalid", err)
		}
		if _, err := e.svc.ViewResident(ctx, verifier, res.ID, "identity check at counter 2"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.VerifyIdentity(ctx, agent, res.ID, "bir", "1234567(8)", ""); apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("counter agent verifying identity: %v, want forbidden", err)
		}
		if _, err := e.svc.VerifyIdentity(ctx, verifier, res.ID, "bir", "7654321(0)", ""); keyOf(err) != "staff.document_mismatch" {
			t.Errorf("verifying with another document: %v", err)
		}
		a, err := e.svc.VerifyIdentity(ctx, verifier, res.ID, "bir", "12345678", "")
		if err != nil || a.EffectiveLevel() != identity.Level2 {
			t.Fatalf("VerifyIdentity = level %d, %v", a.EffectiveLevel(), err)
		}
		log, err := e.svc.AccessLog(ctx, res.ID)
		if err != nil || len(log) != 1 || log[0].ActorEntity != "DSI" || log[0].Purpose != "identity check at counter 2" ||
			log[0].ActorRole != "identity-verifier" {
			t.Errorf("AccessLog = %+v, %v", log, err)
		}
		if _, err := audit.VerifyAll(ctx, e.store); err != nil {
			t.Errorf("audit chain: %v", err)
		}
	})
}

func TestStaffDeskAndLevelRules(t *testing.T) {
	resident := identity.Actor{Account: identity.Account{Kind: identity.Resident, Assurance: identity.Level2}}
	if identity.CanUseStaffDesk(resident) == nil {
		t.Error("a resident may open the staff desk")
	}
	if identity.CanUseStaffDesk(identity.Actor{Account: identity.Account{Kind: identity.Staff}}) != nil {
		t.Error("staff may not open the staff desk")
	}
	if !resident.Account.Meets(identity.Level2) || resident.Account.Meets(identity.Level3) {
		t.Error("Meets gives the wrong answer for a level-2 account without a passkey")
	}
}
