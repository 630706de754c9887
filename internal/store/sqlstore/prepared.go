package sqlstore

import (
	"context"
	"database/sql"
	"sync"
)

// prepared keeps the statements of the reads every request makes (the
// session check, a ticket), prepared once per database: SQLite's driver
// parses a statement each time it runs an unprepared one, and parsing was
// the largest part of those reads. PostgreSQL's driver caches prepared
// statements by itself, so there it goes unused.
type prepared struct {
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
}

// hot returns a querier that runs each statement prepared on SQLite, and
// the database itself elsewhere.
func (s *Store) hot() querier {
	if s.engine != "sqlite" {
		return s.db
	}
	return preparedDB{s}
}

// preparedDB runs statements prepared once on the Store's database. A
// statement that fails to prepare runs unprepared.
type preparedDB struct{ s *Store }

func (p preparedDB) stmt(ctx context.Context, query string) *sql.Stmt {
	ps := &p.s.prepared
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if st, ok := ps.stmts[query]; ok {
		return st
	}
	st, err := p.s.db.PrepareContext(context.WithoutCancel(ctx), query)
	if err != nil {
		return nil
	}
	if ps.stmts == nil {
		ps.stmts = map[string]*sql.Stmt{}
	}
	ps.stmts[query] = st
	return st
}

// ExecContext runs query prepared.
func (p preparedDB) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := p.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return p.s.db.ExecContext(ctx, query, args...)
}

// QueryContext runs query prepared.
func (p preparedDB) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := p.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return p.s.db.QueryContext(ctx, query, args...)
}

// QueryRowContext runs query prepared.
func (p preparedDB) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := p.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return p.s.db.QueryRowContext(ctx, query, args...)
}
