package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/oneaccount/oneaccount/internal/app"
	"github.com/oneaccount/oneaccount/internal/audit"
	"github.com/oneaccount/oneaccount/internal/config"
	"github.com/oneaccount/oneaccount/internal/identity"
)

// accountFlags are the flags of `users create` and `staff create`.
type accountFlags struct {
	email, phone, password, name, entity, roles string
	assurance                                   int
	asJSON                                      bool
}

func (f *accountFlags) register(staff bool) func(*flag.FlagSet) {
	return func(fs *flag.FlagSet) {
		fs.StringVar(&f.email, "email", "", "email address")
		fs.StringVar(&f.password, "password", "", "password (12 characters or more)")
		fs.StringVar(&f.name, "name", "", "name")
		fs.BoolVar(&f.asJSON, "json", false, "print the result as JSON")
		if staff {
			fs.StringVar(&f.entity, "entity", "", "entity code, such as DSI")
			fs.StringVar(&f.roles, "role", "", "role or comma-separated roles")
			return
		}
		fs.StringVar(&f.phone, "phone", "", "mobile number")
		fs.IntVar(&f.assurance, "assurance", 1, "assurance level 1, 2 or 3")
	}
}

// runAccounts handles `users create`, `staff create` and `audit verify`.
func runAccounts(ctx context.Context, command string, args []string, getenv func(string) string, stdout io.Writer) error {
	want := map[string]string{"users": "create", "staff": "create", "audit": "verify"}[command]
	if len(args) == 0 || args[0] != want {
		return &config.UsageError{Msg: fmt.Sprintf("%s: want `%s %s`", command, command, want)}
	}
	var f accountFlags
	extra := f.register(command == "staff")
	if command == "audit" {
		extra = nil
	}
	cfg, rest, err := config.LoadWith(command+" "+want, args[1:], getenv, stdout, extra)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return &config.UsageError{Msg: fmt.Sprintf("%s %s: unexpected argument %q", command, want, rest[0])}
	}
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	return withApp(cfg, log, func(a *app.App) error {
		if err := a.Start(ctx); err != nil {
			return err
		}
		switch command {
		case "users":
			return createUser(ctx, a, f, stdout)
		case "staff":
			return createStaff(ctx, a, f, stdout)
		default:
			return verifyAudit(ctx, a, stdout)
		}
	})
}

func createUser(ctx context.Context, a *app.App, f accountFlags, stdout io.Writer) error {
	if f.assurance < 1 || f.assurance > 3 {
		return &config.UsageError{Msg: "--assurance: want 1, 2 or 3"}
	}
	acct, err := a.Identity().CreateResident(ctx, identity.Actor{Platform: true}, identity.ResidentRequest{
		Email: f.email, Phone: f.phone, Password: f.password, Name: f.name, Assurance: identity.Level(f.assurance)})
	if err != nil {
		return fmt.Errorf("users create: %w", err)
	}
	out := map[string]any{"id": acct.ID, "email": string(acct.Email), "phone": string(acct.Phone), "assurance": int(acct.Assurance)}
	return printResult(stdout, f.asJSON, out, fmt.Sprintf("created resident %s (%s), assurance level %d", acct.ID, acct.Email, acct.Assurance))
}

func createStaff(ctx context.Context, a *app.App, f accountFlags, stdout io.Writer) error {
	var roles []identity.Role
	for r := range strings.SplitSeq(f.roles, ",") {
		if r = strings.TrimSpace(r); r != "" {
			roles = append(roles, identity.Role(r))
		}
	}
	name := f.name
	if name == "" {
		name = f.email
	}
	ns, err := a.Identity().CreateStaff(ctx, identity.Actor{Platform: true}, identity.StaffRequest{
		Entity: f.entity, Roles: roles, Email: f.email, Password: f.password, Name: name})
	if err != nil {
		return fmt.Errorf("staff create: %w", err)
	}
	out := map[string]any{"id": ns.Account.ID, "email": string(ns.Account.Email), "entity": ns.Account.Entity,
		"roles": roles, "totp_uri": ns.TOTP.URI}
	return printResult(stdout, f.asJSON, out, fmt.Sprintf("created staff %s (%s) of %s\nTOTP: %s",
		ns.Account.ID, ns.Account.Email, ns.Account.Entity, ns.TOTP.URI))
}

func verifyAudit(ctx context.Context, a *app.App, stdout io.Writer) error {
	n, err := audit.VerifyAll(ctx, a.Store())
	var broken *audit.BrokenError
	if errors.As(err, &broken) {
		return fmt.Errorf("audit log broken at event %d: %s", broken.Seq, broken.Reason)
	}
	if err != nil {
		return fmt.Errorf("audit verify: %w", err)
	}
	fmt.Fprintf(stdout, "audit log intact: %d events checked\n", n)
	return nil
}

func printResult(w io.Writer, asJSON bool, v any, text string) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	_, err := fmt.Fprintln(w, text)
	return err
}
