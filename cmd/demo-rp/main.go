// Command demo-rp is a pretend DSAT driving-licence renewal e-service: a
// small relying party of OneAccount to run beside `oneaccount serve --demo`.
// It signs residents in with the code flow and PKCE S256, asks for and
// insists on assurance level 2 (acr urn:oneaccount:loa:2), checks the iss
// response parameter (RFC 9207), shows the verified claims, signs out with
// RP-initiated logout and honours back-channel logout. Sessions live in
// memory. Flags (each with a DEMO_RP_* variable): -addr, -issuer,
// -client-id, -client-secret, -redirect-url; the defaults match the demo
// client the server registers. An example, not production code.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"
)

// config is the relying party's settings.
type config struct {
	addr, issuer, clientID, clientSecret, redirectURL string
}

// parseFlags reads the flags, each falling back to its DEMO_RP_* variable.
func parseFlags(args []string, getenv func(string) string) (config, error) {
	var c config
	fs := flag.NewFlagSet("demo-rp", flag.ContinueOnError)
	str := func(p *string, name, env, def, usage string) {
		if v := getenv(env); v != "" {
			def = v
		}
		fs.StringVar(p, name, def, usage+" (env "+env+")")
	}
	str(&c.addr, "addr", "DEMO_RP_ADDR", "127.0.0.1:8081", "address to listen on")
	str(&c.issuer, "issuer", "DEMO_RP_ISSUER", "http://localhost:8080", "OneAccount's issuer URL (its base URL)")
	str(&c.clientID, "client-id", "DEMO_RP_CLIENT_ID", "dsat-driving-licence-demo", "client ID")
	str(&c.clientSecret, "client-secret", "DEMO_RP_CLIENT_SECRET", "demo-rp-secret-not-for-production-2026", "client secret")
	str(&c.redirectURL, "redirect-url", "DEMO_RP_REDIRECT_URL", "http://127.0.0.1:8081/callback", "registered redirect URI")
	if err := fs.Parse(args); err != nil {
		return config{}, fmt.Errorf("flags: %w", err)
	}
	return c, nil
}

func main() {
	if err := run(context.Background(), os.Args[1:], os.Getenv); err != nil && !errors.Is(err, flag.ErrHelp) {
		slog.Error("demo-rp", "err", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string) error {
	cfg, err := parseFlags(args, getenv)
	if err != nil {
		return err
	}
	a, err := newRP(ctx, cfg)
	if err != nil {
		return err
	}
	srv := &http.Server{Addr: cfg.addr, Handler: a.routes(), ReadHeaderTimeout: 10 * time.Second}
	slog.Info("demo e-service listening", "url", "http://"+cfg.addr, "issuer", cfg.issuer)
	if err := srv.ListenAndServe(); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}
