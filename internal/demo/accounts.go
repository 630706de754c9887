package demo

import (
	"context"
	"fmt"
	"strings"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/lang"
)

// Password is every demo account's password. Demo data is never for
// production, and the page banner says so.
const Password = "demo password 2026"

// StaffTOTPSecret is every demo staff member's TOTP secret, so a tester
// adds one entry to an authenticator app.
const StaffTOTPSecret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

// Credential is one demo account to print at start.
type Credential struct {
	Who, Email, Password, TOTP string
}

// StaffEntities are the entities that get one demo staff member per role.
var StaffEntities = []string{"DSI", "DSAT", "DSAL", "PSP", "IAM"}

var staffRoles = []identity.Role{identity.CounterAgent, identity.IdentityVerifier, identity.CaseOfficer,
	identity.Supervisor, identity.EntityAdmin}

// Accounts creates the demo accounts that do not exist yet and returns
// every demo credential: a level-2 resident (who administers the demo
// restaurant company), a level-1 resident, and one staff member per role
// at DSI, DSAT, DSAL, PSP and IAM.
func Accounts(ctx context.Context, svc *identity.Service) ([]Credential, error) {
	platform := identity.Actor{Platform: true}
	residents := []struct {
		who string
		req identity.ResidentRequest
	}{
		{"resident, level 2, restaurant company admin", identity.ResidentRequest{Email: "chan.tai.man@demo.oneaccount.mo",
			Phone: "+85366000001", Name: "陳大文", Assurance: identity.Level2, DocType: "bir", DocNumber: "1234567(3)",
			BirthDate: "1958-03-27"}},
		{"resident, level 1", identity.ResidentRequest{Email: "maria.lopes@demo.oneaccount.mo", Phone: "+85366000002",
			Name: "Maria Lopes", Assurance: identity.Level1, DocType: "bir", DocNumber: "5123456(7)", BirthDate: "1990-11-02"}},
	}
	var out []Credential
	for _, r := range residents {
		r.req.Password = Password
		if exists(ctx, svc, r.req.Email) {
			out = append(out, Credential{Who: r.who, Email: r.req.Email, Password: Password})
			continue
		}
		if _, err := svc.CreateResident(ctx, platform, r.req); err != nil && !taken(err) {
			return nil, fmt.Errorf("demo resident %s: %w", r.req.Email, err)
		}
		out = append(out, Credential{Who: r.who, Email: r.req.Email, Password: Password})
	}
	if err := restaurant(ctx, svc); err != nil {
		return nil, err
	}
	for _, e := range StaffEntities {
		for _, role := range staffRoles {
			email := fmt.Sprintf("%s.%s@demo.oneaccount.mo", string(role), strings.ToLower(e))
			req := identity.StaffRequest{Entity: e, Roles: []identity.Role{role}, Email: email, Password: Password,
				Name: fmt.Sprintf("%s %s (demo)", e, role), TOTPSecret: StaffTOTPSecret}
			if exists(ctx, svc, email) {
				out = append(out, Credential{Who: fmt.Sprintf("%s %s", e, role), Email: email, Password: Password, TOTP: StaffTOTPSecret})
				continue
			}
			if _, err := svc.CreateStaff(ctx, platform, req); err != nil && !taken(err) {
				return nil, fmt.Errorf("demo staff %s: %w", email, err)
			}
			out = append(out, Credential{Who: fmt.Sprintf("%s %s", e, role), Email: email, Password: Password, TOTP: StaffTOTPSecret})
		}
	}
	return out, nil
}

func taken(err error) bool { return apperr.CodeOf(err) == apperr.Conflict }

// exists reports whether an account has this email, so a restart does not
// hash 27 passwords for nothing.
func exists(ctx context.Context, svc *identity.Service, email string) bool {
	_, err := svc.Store().AccountByUsername(ctx, identity.NormaliseUsername(email))
	return err == nil
}

// Restaurant is the demo restaurant company the level-2 resident runs.
var Restaurant = identity.OrgRequest{RegNumber: "DEMO-12345", Name: lang.Text{
	ZhHant: "澳門示範餐飲有限公司", Pt: "Restaurante Demonstração, Limitada", En: "Demo Restaurant Company Limited"}}

// restaurant registers the demo company with the level-2 resident as its
// administrator, once.
func restaurant(ctx context.Context, svc *identity.Service) error {
	a, err := svc.Store().AccountByUsername(ctx, "chan.tai.man@demo.oneaccount.mo")
	if err != nil {
		return fmt.Errorf("demo restaurant: %w", err)
	}
	mine, err := svc.MyOrgs(ctx, a)
	if err != nil {
		return fmt.Errorf("demo restaurant: %w", err)
	}
	if len(mine) > 0 {
		return nil
	}
	if _, err := svc.CreateOrg(ctx, a, Restaurant, identity.Client{IP: "127.0.0.1", UserAgent: "demo"}); err != nil && !taken(err) {
		return fmt.Errorf("demo restaurant: %w", err)
	}
	return nil
}
