package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/oneaccount/oneaccount/internal/app"
	"github.com/oneaccount/oneaccount/internal/clients"
	"github.com/oneaccount/oneaccount/internal/config"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/lang"
)

// listFlag collects a repeated flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// clientFlags are the flags of `clients create`.
type clientFlags struct {
	entity, name, auth, jwksFile, jwksURI, backchannel, idAlg, service string
	redirects, postLogout, grants, scopes, purposes                    listFlag
	level                                                              int
	fapi, asJSON                                                       bool
}

func (f *clientFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.entity, "entity", "", "entity code, such as DSAT")
	fs.StringVar(&f.name, "name", "", "the client's name, shown on the consent page")
	fs.StringVar(&f.service, "service", "", "directory service code the client delivers")
	fs.Var(&f.redirects, "redirect-uri", "redirect URI, matched exactly (repeatable)")
	fs.Var(&f.postLogout, "post-logout-redirect-uri", "post-logout redirect URI (repeatable)")
	fs.StringVar(&f.backchannel, "backchannel-logout-uri", "", "back-channel logout URI")
	fs.Var(&f.grants, "grant", "authorization_code or client_credentials (repeatable; default authorization_code)")
	fs.Var(&f.scopes, "scope", "scope the client may ask for (repeatable)")
	fs.Var(&f.purposes, "purpose", "SCOPE=why the client needs it, shown to residents (repeatable)")
	fs.IntVar(&f.level, "level", 1, "assurance level every sign-in needs: 1, 2 or 3")
	fs.BoolVar(&f.fapi, "fapi", false, "FAPI 2.0 client: PAR, private_key_jwt and DPoP required")
	fs.StringVar(&f.auth, "auth", string(clients.SecretBasic), "client_secret_basic or private_key_jwt")
	fs.StringVar(&f.jwksFile, "jwks", "", "file holding the client's public JWKS (private_key_jwt)")
	fs.StringVar(&f.jwksURI, "jwks-uri", "", "URL of the client's public JWKS (private_key_jwt)")
	fs.StringVar(&f.idAlg, "id-token-alg", "ES256", "ID token signing algorithm: ES256 or RS256")
	fs.BoolVar(&f.asJSON, "json", false, "print the result as JSON")
}

// runClients handles `clients create`.
func runClients(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return &config.UsageError{Msg: "clients: want `clients create --entity CODE --name N ...`"}
	}
	var f clientFlags
	cfg, rest, err := config.LoadWith("clients create", args[1:], getenv, stdout, f.register)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return &config.UsageError{Msg: fmt.Sprintf("clients create: unexpected argument %q", rest[0])}
	}
	c, err := f.client()
	if err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	return withApp(cfg, log, func(a *app.App) error {
		if err := a.Start(ctx); err != nil {
			return err
		}
		created, err := a.Clients().Create(ctx, identity.Actor{Platform: true}, c)
		if err != nil {
			return err
		}
		return printClient(stdout, created, f.asJSON)
	})
}

// client builds the registration from the flags.
func (f clientFlags) client() (clients.Client, error) {
	c := clients.Client{Entity: strings.ToUpper(f.entity), Name: f.name, Service: f.service,
		RedirectURIs: f.redirects, PostLogoutRedirectURIs: f.postLogout, BackchannelLogoutURI: f.backchannel,
		Level: f.level, FAPI: f.fapi, AuthMethod: clients.AuthMethod(f.auth), JWKSURI: f.jwksURI, IDTokenAlg: f.idAlg}
	if c.Entity == "" {
		return c, &config.UsageError{Msg: "clients create: --entity is required"}
	}
	for _, g := range f.grants {
		c.Grants = append(c.Grants, clients.GrantType(g))
	}
	if len(c.Grants) == 0 {
		c.Grants = []clients.GrantType{clients.AuthorizationCode}
	}
	purposes := map[string]string{}
	for _, p := range f.purposes {
		k, v, ok := strings.Cut(p, "=")
		if !ok {
			return c, &config.UsageError{Msg: fmt.Sprintf("--purpose %q: want SCOPE=text", p)}
		}
		purposes[k] = v
	}
	for _, s := range f.scopes {
		t := purposes[s]
		c.Scopes = append(c.Scopes, clients.ScopePurpose{Scope: s, Purpose: lang.Text{ZhHant: t, Pt: t, En: t}})
	}
	if f.jwksFile != "" {
		b, err := os.ReadFile(f.jwksFile)
		if err != nil {
			return c, fmt.Errorf("--jwks: %w", err)
		}
		c.JWKS = b
	}
	return c, nil
}

func printClient(w io.Writer, c clients.Created, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"client_id": c.Client.ID, "client_secret": c.Secret,
			"entity": c.Client.Entity, "name": c.Client.Name, "scopes": c.Client.ScopeNames(),
			"redirect_uris": c.Client.RedirectURIs, "auth_method": c.Client.AuthMethod})
	}
	fmt.Fprintf(w, "client_id:     %s\n", c.Client.ID)
	if c.Secret != "" {
		fmt.Fprintf(w, "client_secret: %s\n", c.Secret)
		fmt.Fprintln(w, "The secret is shown only now; only its hash is stored.")
	}
	return nil
}
