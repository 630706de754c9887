package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/directory"
)

func scanBranch(r interface{ Scan(...any) error }) (directory.Branch, error) {
	var b directory.Branch
	err := r.Scan(&b.Code, &b.Operator, &b.Name.ZhHant, &b.Name.Pt, &b.Name.En,
		&b.Address.ZhHant, &b.Address.Pt, &b.Address.En, &b.Note.ZhHant, &b.Note.Pt, &b.Note.En,
		&b.Phone, &b.Source, &b.Closed, &b.Sort)
	return b, err
}

// Branches lists branches in display order; with entity set, only those run
// by it or with a counter of it.
func (s *Store) Branches(ctx context.Context, entity string) ([]directory.Branch, error) {
	rows, err := s.db.QueryContext(ctx, s.q.Directory.Branches)
	if err != nil {
		return nil, fmt.Errorf("list branches: %w", err)
	}
	all, err := collect(rows, func(r *sql.Rows) (directory.Branch, error) { return scanBranch(r) })
	if err != nil {
		return nil, err
	}
	hours, counters, services, err := s.branchChildren(ctx, s.db, "")
	if err != nil {
		return nil, err
	}
	var out []directory.Branch
	for _, b := range all {
		b.Hours, b.Counters, b.Services = hours[b.Code], counters[b.Code], services[b.Code]
		if entity == "" || b.Operator == entity || hasEntity(b, entity) {
			out = append(out, b)
		}
	}
	return out, nil
}

func hasEntity(b directory.Branch, entity string) bool {
	for _, c := range b.Counters {
		if c.Entity == entity {
			return true
		}
	}
	return false
}

// Branch returns one branch with its hours, counters and services.
func (s *Store) Branch(ctx context.Context, code string) (directory.Branch, error) {
	return s.branch(ctx, s.db, code)
}

func (s *Store) branch(ctx context.Context, q querier, code string) (directory.Branch, error) {
	b, err := scanBranch(q.QueryRowContext(ctx, s.q.Directory.Branch, code))
	if err != nil {
		return b, notFound(err, "branch", code)
	}
	hours, counters, services, err := s.branchChildren(ctx, q, code)
	if err != nil {
		return b, err
	}
	b.Hours, b.Counters, b.Services = hours[code], counters[code], services[code]
	return b, nil
}

// branchChildren loads hours, active counters and services, keyed by branch
// code, for one branch or (code == "") all of them.
func (s *Store) branchChildren(ctx context.Context, q querier, code string) (
	map[string][]directory.Hours, map[string][]directory.Counter, map[string][]string, error) {
	d := s.q.Directory
	hours := map[string][]directory.Hours{}
	err := eachRow(ctx, q, pick(code, d.Hours, d.HoursOf), code, func(r *sql.Rows) error {
		var b string
		var h directory.Hours
		err := r.Scan(&b, &h.Weekday, &h.Opens, &h.Closes)
		hours[b] = append(hours[b], h)
		return err
	})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("branch hours: %w", err)
	}
	counters := map[string][]directory.Counter{}
	err = eachRow(ctx, q, pick(code, d.Counters, d.CountersOf), code, func(r *sql.Rows) error {
		var b string
		var c directory.Counter
		err := r.Scan(&b, &c.Code, &c.Entity, &c.Name.ZhHant, &c.Name.Pt, &c.Name.En)
		counters[b] = append(counters[b], c)
		return err
	})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("branch counters: %w", err)
	}
	services := map[string][]string{}
	err = eachRow(ctx, q, pick(code, d.BranchServices, d.BranchServicesOf), code, func(r *sql.Rows) error {
		var b, sv string
		err := r.Scan(&b, &sv)
		services[b] = append(services[b], sv)
		return err
	})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("branch services: %w", err)
	}
	return hours, counters, services, nil
}

// pick returns all when code is empty, else one.
func pick(code, all, one string) string {
	if code == "" {
		return all
	}
	return one
}

// eachRow runs query (with code as its argument when set) and calls fn for
// every row.
func eachRow(ctx context.Context, q querier, query, code string, fn func(*sql.Rows) error) error {
	var rows *sql.Rows
	var err error
	if code == "" {
		rows, err = q.QueryContext(ctx, query)
	} else {
		rows, err = q.QueryContext(ctx, query, code)
	}
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// PutBranch creates or replaces a branch with its hours, counters and
// services, reporting whether anything changed. Counters no longer listed are
// retired, not deleted, so past tickets still name them.
func (s *Store) PutBranch(ctx context.Context, b directory.Branch) (changed bool, err error) {
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		changed, err = s.putBranch(ctx, tx, b)
		return err
	})
	return changed, err
}

func (s *Store) putBranch(ctx context.Context, tx *sql.Tx, b directory.Branch) (bool, error) {
	if err := b.Validate(); err != nil {
		return false, err
	}
	if old, err := s.branch(ctx, tx, b.Code); err == nil && same(old, b) {
		return false, nil
	} else if err != nil && apperr.CodeOf(err) != apperr.NotFound {
		return false, err
	}
	if _, err := s.entity(ctx, tx, b.Operator); err != nil {
		return false, apperr.Invalidf("operator", "unknown entity %q", b.Operator)
	}
	d := s.q.Directory
	_, err := tx.ExecContext(ctx, d.UpsertBranch, args([]any{b.Code, b.Operator}, textArgs(b.Name),
		textArgs(b.Address), textArgs(b.Note), []any{b.Phone, b.Source, b.Closed, b.Sort, s.now().UTC()})...)
	if err != nil {
		return false, fmt.Errorf("put branch %s: %w", b.Code, err)
	}
	if err := s.putBranchChildren(ctx, tx, b); err != nil {
		return false, fmt.Errorf("put branch %s: %w", b.Code, err)
	}
	return true, nil
}

func (s *Store) putBranchChildren(ctx context.Context, tx *sql.Tx, b directory.Branch) error {
	d := s.q.Directory
	if _, err := tx.ExecContext(ctx, d.DeleteHours, b.Code); err != nil {
		return err
	}
	for _, h := range b.Hours {
		if _, err := tx.ExecContext(ctx, d.InsertHours, b.Code, int(h.Weekday), int(h.Opens), int(h.Closes)); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, d.RetireCounters, b.Code); err != nil {
		return err
	}
	for i, c := range b.Counters {
		if _, err := tx.ExecContext(ctx, d.UpsertCounter, args([]any{b.Code, c.Code, c.Entity},
			textArgs(c.Name), []any{i})...); err != nil {
			return fmt.Errorf("counter %s: %w", c.Code, err)
		}
	}
	if _, err := tx.ExecContext(ctx, d.DeleteBranchServices, b.Code); err != nil {
		return err
	}
	for i, sv := range b.Services {
		if _, err := tx.ExecContext(ctx, d.InsertBranchService, b.Code, sv, i); err != nil {
			return fmt.Errorf("service %s: %w", sv, err)
		}
	}
	return nil
}

func scanClosure(r *sql.Rows) (directory.Closure, error) {
	var c directory.Closure
	var branch sql.NullString
	err := r.Scan(&c.ID, &branch, &c.Starts, &c.Ends, &c.Reason.ZhHant, &c.Reason.Pt, &c.Reason.En)
	c.Branch = branch.String
	return c, err
}

// Closures lists closures of branch, and of all branches, overlapping
// [from, to).
func (s *Store) Closures(ctx context.Context, branch string, from, to time.Time) ([]directory.Closure, error) {
	rows, err := s.hot().QueryContext(ctx, s.q.Directory.Closures, utc(from), utc(to), branch)
	if err != nil {
		return nil, fmt.Errorf("list closures: %w", err)
	}
	return collect(rows, scanClosure)
}

// AddClosure records a closure and returns it with its ID.
func (s *Store) AddClosure(ctx context.Context, c directory.Closure) (directory.Closure, error) {
	if err := c.Validate(); err != nil {
		return c, err
	}
	var branch sql.NullString
	if c.Branch != "" {
		branch = sql.NullString{String: c.Branch, Valid: true}
		if _, err := s.Branch(ctx, c.Branch); err != nil {
			return c, err
		}
	}
	err := s.db.QueryRowContext(ctx, s.q.Directory.InsertClosure, args([]any{branch, utc(c.Starts), utc(c.Ends)},
		textArgs(c.Reason))...).Scan(&c.ID)
	if err != nil {
		return c, fmt.Errorf("add closure: %w", err)
	}
	return c, nil
}

// DeleteClosure removes a closure.
func (s *Store) DeleteClosure(ctx context.Context, id int64) error {
	res, err := s.db.ExecContext(ctx, s.q.Directory.DeleteClosure, id)
	if err != nil {
		return fmt.Errorf("delete closure %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.NotFoundf("closure %d not found", id)
	}
	return nil
}
