// Package migrate applies a backend's embedded, numbered SQL migrations with
// goose, one file per step.
package migrate

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"log/slog"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// Dialect names the SQL engine for goose.
type Dialect = goose.Dialect

// The dialects we migrate.
const (
	SQLite   = goose.DialectSQLite3
	Postgres = goose.DialectPostgres
)

// Up applies every pending migration in fsys. On PostgreSQL a lock table
// keeps two nodes that start together from migrating at once.
func Up(ctx context.Context, db *sql.DB, dialect Dialect, fsys fs.FS, log *slog.Logger) error {
	opts := []goose.ProviderOption{goose.WithDisableGlobalRegistry(true)}
	if dialect == Postgres {
		locker, err := lock.NewPostgresTableLocker()
		if err != nil {
			return fmt.Errorf("migration lock: %w", err)
		}
		opts = append(opts, goose.WithLocker(locker))
	}
	p, err := goose.NewProvider(dialect, db, fsys, opts...)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("migrate up: %w", err)
	}
	for _, r := range results {
		if log != nil {
			log.Info("migration applied", "version", r.Source.Version, "file", r.Source.Path, "duration", r.Duration)
		}
	}
	return nil
}
