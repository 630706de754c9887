package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/directory"
	"github.com/oneaccount/oneaccount/internal/lang"
)

// DirectoryQueries are the directory's statements. Column orders are fixed
// by the scan functions in this file; each statement's comment in the engine
// packages repeats them.
type DirectoryQueries struct {
	Entities, Entity, UpsertEntity                      string
	Services, ServicesOf, Service, UpsertService        string
	Branches, Branch, UpsertBranch                      string
	Hours, HoursOf, DeleteHours, InsertHours            string
	Counters, CountersOf, RetireCounters, UpsertCounter string
	BranchServices, BranchServicesOf                    string
	DeleteBranchServices, InsertBranchService           string
	Holidays, Holiday, UpsertHoliday, DeleteHoliday     string
	HolidaysOfYear                                      string
	Closures, InsertClosure, DeleteClosure              string
}

var _ directory.Store = (*Store)(nil)

func scanEntity(r interface{ Scan(...any) error }) (directory.Entity, error) {
	var e directory.Entity
	var roles string
	err := r.Scan(&e.Code, &e.Abbrev.ZhHant, &e.Abbrev.Pt, &e.Abbrev.En, &e.Name.ZhHant, &e.Name.Pt, &e.Name.En,
		&e.Summary.ZhHant, &e.Summary.Pt, &e.Summary.En, &e.Website, &e.Source, &roles, &e.Sort)
	if roles != "" {
		e.Roles = strings.Split(roles, ",")
	}
	return e, err
}

// Entities lists every entity in display order.
func (s *Store) Entities(ctx context.Context) ([]directory.Entity, error) {
	rows, err := s.db.QueryContext(ctx, s.q.Directory.Entities)
	if err != nil {
		return nil, fmt.Errorf("list entities: %w", err)
	}
	return collect(rows, func(r *sql.Rows) (directory.Entity, error) { return scanEntity(r) })
}

// Entity returns one entity.
func (s *Store) Entity(ctx context.Context, code string) (directory.Entity, error) {
	return s.entity(ctx, s.db, code)
}

func (s *Store) entity(ctx context.Context, q querier, code string) (directory.Entity, error) {
	e, err := scanEntity(q.QueryRowContext(ctx, s.q.Directory.Entity, code))
	if err != nil {
		return e, notFound(err, "entity", code)
	}
	return e, nil
}

// PutEntity creates or replaces an entity, reporting whether it changed.
func (s *Store) PutEntity(ctx context.Context, e directory.Entity) (changed bool, err error) {
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		changed, err = s.putEntity(ctx, tx, e)
		return err
	})
	return changed, err
}

func (s *Store) putEntity(ctx context.Context, tx *sql.Tx, e directory.Entity) (bool, error) {
	if err := e.Validate(); err != nil {
		return false, err
	}
	if old, err := s.entity(ctx, tx, e.Code); err == nil && same(old, e) {
		return false, nil
	} else if err != nil && apperr.CodeOf(err) != apperr.NotFound {
		return false, err
	}
	_, err := tx.ExecContext(ctx, s.q.Directory.UpsertEntity, e.Code, e.Abbrev.ZhHant, e.Abbrev.Pt, e.Abbrev.En,
		e.Name.ZhHant, e.Name.Pt, e.Name.En, e.Summary.ZhHant, e.Summary.Pt, e.Summary.En,
		e.Website, e.Source, strings.Join(e.Roles, ","), e.Sort, s.now().UTC())
	if err != nil {
		return false, fmt.Errorf("put entity %s: %w", e.Code, err)
	}
	return true, nil
}

func scanService(r interface{ Scan(...any) error }) (directory.Service, error) {
	var v directory.Service
	err := r.Scan(&v.Code, &v.Entity, &v.Name.ZhHant, &v.Name.Pt, &v.Name.En,
		&v.Description.ZhHant, &v.Description.Pt, &v.Description.En, &v.Counter, &v.Source, &v.Sort, &v.Level)
	return v, err
}

// Services lists the services of one entity, or all when entity is empty.
func (s *Store) Services(ctx context.Context, entity string) ([]directory.Service, error) {
	var rows *sql.Rows
	var err error
	if entity == "" {
		rows, err = s.db.QueryContext(ctx, s.q.Directory.Services)
	} else {
		rows, err = s.db.QueryContext(ctx, s.q.Directory.ServicesOf, entity)
	}
	if err != nil {
		return nil, fmt.Errorf("list services: %w", err)
	}
	return collect(rows, func(r *sql.Rows) (directory.Service, error) { return scanService(r) })
}

// Service returns one service.
func (s *Store) Service(ctx context.Context, code string) (directory.Service, error) {
	return s.service(ctx, s.db, code)
}

func (s *Store) service(ctx context.Context, q querier, code string) (directory.Service, error) {
	v, err := scanService(q.QueryRowContext(ctx, s.q.Directory.Service, code))
	if err != nil {
		return v, notFound(err, "service", code)
	}
	return v, nil
}

// PutService creates or replaces a service, reporting whether it changed.
func (s *Store) PutService(ctx context.Context, v directory.Service) (changed bool, err error) {
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		changed, err = s.putService(ctx, tx, v)
		return err
	})
	return changed, err
}

func (s *Store) putService(ctx context.Context, tx *sql.Tx, v directory.Service) (bool, error) {
	if err := v.Validate(); err != nil {
		return false, err
	}
	v.Level = max(v.Level, 1)
	if old, err := s.service(ctx, tx, v.Code); err == nil && same(old, v) {
		return false, nil
	} else if err != nil && apperr.CodeOf(err) != apperr.NotFound {
		return false, err
	}
	if _, err := s.entity(ctx, tx, v.Entity); err != nil {
		return false, apperr.Invalidf("entity", "unknown entity %q", v.Entity)
	}
	_, err := tx.ExecContext(ctx, s.q.Directory.UpsertService, v.Code, v.Entity, v.Name.ZhHant, v.Name.Pt, v.Name.En,
		v.Description.ZhHant, v.Description.Pt, v.Description.En, v.Counter, v.Source, v.Sort, max(v.Level, 1), s.now().UTC())
	if err != nil {
		return false, fmt.Errorf("put service %s: %w", v.Code, err)
	}
	return true, nil
}

// same reports whether two records are equal, treating nil and empty
// slices alike.
func same[T any](a, b T) bool {
	return reflect.DeepEqual(normalize(a), normalize(b))
}

func normalize(v any) any {
	switch x := v.(type) {
	case directory.Entity:
		if len(x.Roles) == 0 {
			x.Roles = nil
		}
		return x
	case directory.Branch:
		if len(x.Hours) == 0 {
			x.Hours = nil
		}
		if len(x.Counters) == 0 {
			x.Counters = nil
		}
		if len(x.Services) == 0 {
			x.Services = nil
		}
		return x
	}
	return v
}

func textArgs(t lang.Text) []any { return []any{t.ZhHant, t.Pt, t.En} }

func args(parts ...[]any) []any { return slices.Concat(parts...) }

// utc returns t in UTC, so stored times compare correctly as text in SQLite.
func utc(t time.Time) time.Time { return t.UTC() }
