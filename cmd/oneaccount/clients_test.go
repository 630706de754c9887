package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

func TestClientsCreate(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "c.db")
	env := func(k string) string {
		if k == "ONEACCOUNT_KEY_ENCRYPTION_KEY" {
			return "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
		}
		return ""
	}
	var out bytes.Buffer
	err := run(context.Background(), []string{"clients", "create", "--db", db, "--entity", "dsat", "--name", "Licence renewal",
		"--redirect-uri", "https://licence.dsat.gov.mo/callback", "--scope", "openid", "--scope", "profile",
		"--purpose", "profile=print your name", "--level", "2", "--json"}, env, &out, &out)
	if err != nil {
		t.Fatalf("clients create: %v\n%s", err, out.String())
	}
	var got struct {
		ID     string   `json:"client_id"`
		Secret string   `json:"client_secret"`
		Entity string   `json:"entity"`
		Scopes []string `json:"scopes"`
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("output %q: %v", out.String(), err)
	}
	if !strings.HasPrefix(got.ID, "dsat-") || len(got.Secret) < 40 || got.Entity != "DSAT" || len(got.Scopes) != 2 {
		t.Errorf("created %+v", got)
	}
	// A client credentials client and a refused registration.
	out.Reset()
	err = run(context.Background(), []string{"clients", "create", "--db", db, "--entity", "DSAL", "--name", "Back office",
		"--grant", "client_credentials", "--scope", "messages:send"}, env, &out, &out)
	if err != nil || !strings.Contains(out.String(), "client_secret:") {
		t.Fatalf("client credentials client: %v %s", err, out.String())
	}
	out.Reset()
	err = run(context.Background(), []string{"clients", "create", "--db", db, "--entity", "DSAT", "--name", "Bad",
		"--redirect-uri", "http://example.com/cb", "--scope", "openid"}, env, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "https") {
		t.Errorf("a plain-http redirect URI was accepted: %v", err)
	}
}
