// Package sqlstore implements the domain stores over database/sql. The SQL
// itself is not here: each engine's package (store/sqlite, store/postgres)
// writes its own statements by hand and passes them in a Queries value, so
// the Go logic is shared while the SQL stays per dialect.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/oneaccount/oneaccount/internal/apperr"
)

// Store is a database holding every domain's data. It implements
// directory.Store.
type Store struct {
	db       *sql.DB
	q        Queries
	engine   string
	now      func() time.Time
	gc       committer
	queue    queueState
	calls    callLines
	issues   issueLines
	prepared prepared
	sessions sessionCache
}

// Queries holds one engine's statements, grouped by domain.
type Queries struct {
	Directory   DirectoryQueries
	Audit       AuditQueries
	Identity    IdentityQueries
	Passkey     PasskeyQueries
	Org         OrgQueries
	Keys        KeyQueries
	Client      ClientQueries
	OIDC        OIDCQueries
	Job         JobQueries
	Message     MessageQueries
	Appointment AppointmentQueries
	Push        PushQueries
	Queue       QueueQueries
}

// New returns a Store over an open database. engine names it in logs and
// metrics ("sqlite" or "postgres").
func New(db *sql.DB, engine string, q Queries, now func() time.Time) *Store {
	if now == nil {
		now = time.Now
	}
	s := &Store{db: db, q: q, engine: engine, now: now}
	s.sessions.reset(engine == "sqlite")
	return s
}

// DB returns the underlying database handle.
func (s *Store) DB() *sql.DB { return s.db }

// Engine names the database engine.
func (s *Store) Engine() string { return s.engine }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("ping %s: %w", s.engine, err)
	}
	return nil
}

// Close closes the database.
func (s *Store) Close() error {
	s.closeCommitter()
	return s.db.Close()
}

// querier is what both *sql.DB and *sql.Tx offer.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// inTx runs fn in a transaction, committing when it returns nil.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// notFound turns sql.ErrNoRows into an apperr NotFound error.
func notFound(err error, what string, key any) error {
	if errors.Is(err, sql.ErrNoRows) {
		return &apperr.Error{Code: apperr.NotFound, Detail: fmt.Sprintf("%s %v not found", what, key), Err: err}
	}
	return fmt.Errorf("get %s %v: %w", what, key, err)
}

// collect scans every row with scan.
func collect[T any](rows *sql.Rows, scan func(*sql.Rows) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("scan: %w", err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("rows: %w", err)
	}
	return out, nil
}

// Prefixed qualifies every column of a comma-separated list with a table
// alias such as "s.", for joins of tables sharing column names.
func Prefixed(cols, alias string) string {
	fields := strings.Split(cols, ",")
	for i, f := range fields {
		fields[i] = alias + strings.TrimSpace(f)
	}
	return strings.Join(fields, ", ")
}
