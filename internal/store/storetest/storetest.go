// Package storetest is the conformance suite every storage backend must pass,
// and the helpers that give each test a fresh database on either engine.
//
// The suite runs against SQLite in every `go test`, and against PostgreSQL
// when ONEACCOUNT_TEST_POSTGRES holds a connection URL. Under CI=true a missing
// PostgreSQL fails instead of skipping.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver for schema setup

	"github.com/oneaccount/oneaccount/internal/store/postgres"
	"github.com/oneaccount/oneaccount/internal/store/sqlite"
	"github.com/oneaccount/oneaccount/internal/store/sqlstore"
)

// PostgresEnv names the variable holding the test server's URL.
const PostgresEnv = "ONEACCOUNT_TEST_POSTGRES"

// Opener returns a fresh, migrated, empty store for one test.
type Opener func(t testing.TB) *sqlstore.Store

// SQLite returns a fresh migrated SQLite database in a temporary folder.
func SQLite(t testing.TB) *sqlstore.Store {
	t.Helper()
	s, err := sqlite.Open(filepath.Join(t.TempDir(), "test.db"), time.Now)
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if err := sqlite.Migrate(context.Background(), s, nil); err != nil {
		t.Fatalf("migrate sqlite: %v", err)
	}
	return s
}

// PostgresURL returns the test server's URL, skipping the test when it is
// unset (failing under CI=true).
func PostgresURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(PostgresEnv)
	if u == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set: CI must run the PostgreSQL suite", PostgresEnv)
		}
		t.Skipf("%s not set: skipping PostgreSQL tests", PostgresEnv)
	}
	return u
}

// Postgres returns a store on a fresh schema of the test server, dropped when
// the test ends.
func Postgres(t testing.TB) *sqlstore.Store {
	t.Helper()
	schemaURL := FreshSchema(t)
	s, err := postgres.Open(schemaURL, time.Now)
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if err := postgres.Migrate(context.Background(), s, nil); err != nil {
		t.Fatalf("migrate postgres: %v", err)
	}
	return s
}

// FreshSchema creates an empty schema on the test server and returns a URL
// whose connections use it. The schema is dropped when the test ends.
func FreshSchema(t testing.TB) string {
	t.Helper()
	base := PostgresURL(t)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("open %s: %v", PostgresEnv, err)
	}
	t.Cleanup(func() { _ = admin.Close() })
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "test_" + hex.EncodeToString(b)
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", PostgresEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Engines returns an Opener per engine to test against: SQLite always,
// PostgreSQL when ONEACCOUNT_TEST_POSTGRES is set (and, under CI=true, the
// missing variable fails the test).
func Engines(t testing.TB) map[string]Opener {
	m := map[string]Opener{"sqlite": SQLite}
	if os.Getenv(PostgresEnv) != "" || os.Getenv("CI") == "true" {
		m["postgres"] = Postgres
	}
	return m
}
