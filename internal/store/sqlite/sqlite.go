// Package sqlite is the embedded default storage engine: SQLite through the
// pure-Go modernc.org/sqlite driver, in WAL mode with foreign keys on. Its SQL
// and migrations are written for SQLite by hand.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/oneaccount/oneaccount/internal/store/migrate"
	"github.com/oneaccount/oneaccount/internal/store/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// maxConns bounds the open connections: SQLite writes one at a time,
// and reads go on beside a write (WAL).
const maxConns = 8

// Open opens (creating its folder if needed) the database file at path.
func Open(path string, now func() time.Time) (*sqlstore.Store, error) {
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("create database folder: %w", err)
		}
	}
	q := url.Values{}
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "foreign_keys(1)", "synchronous(NORMAL)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	q.Set("_time_format", "sqlite")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	// Every connection reads the schema and prepares its statements
	// when it opens, so the pool keeps all it opens: with database/sql's
	// default of two idle, a busy node closed and reopened connections
	// all the time, and that was most of SQLite's work.
	db.SetMaxOpenConns(maxConns)
	db.SetMaxIdleConns(maxConns)
	return sqlstore.New(db, "sqlite", queries, now), nil
}

// Migrate applies pending migrations.
func Migrate(ctx context.Context, s *sqlstore.Store, log *slog.Logger) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("sqlite migrations: %w", err)
	}
	return migrate.Up(ctx, s.DB(), migrate.SQLite, sub, log)
}
