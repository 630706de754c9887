// Package postgres is the production storage engine: PostgreSQL through pgx,
// for one node or many on one database. Its SQL and migrations are written for
// PostgreSQL by hand.
package postgres

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/oneaccount/oneaccount/internal/store/migrate"
	"github.com/oneaccount/oneaccount/internal/store/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Open connects to the database at url (postgres://...). It does not dial
// until first use; call Ping to check.
func Open(url string, now func() time.Time) (*sqlstore.Store, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres url: %w", err)
	}
	db := stdlib.OpenDB(*cfg)
	// Idle connections are kept up to the open limit: with fewer, a burst
	// above the idle limit closes and reopens PostgreSQL connections (a
	// backend process each) on every request. ConnMaxIdleTime trims them
	// when the burst is over.
	db.SetMaxOpenConns(maxConns)
	db.SetMaxIdleConns(maxConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	return sqlstore.New(db, "postgres", queries, now), nil
}

// maxConns bounds the connections one node opens.
const maxConns = 20

// Migrate applies pending migrations.
func Migrate(ctx context.Context, s *sqlstore.Store, log *slog.Logger) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("postgres migrations: %w", err)
	}
	return migrate.Up(ctx, s.DB(), migrate.Postgres, sub, log)
}
