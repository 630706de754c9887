package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/directory"
)

func scanHoliday(r interface{ Scan(...any) error }) (directory.Holiday, error) {
	var h directory.Holiday
	var day string
	err := r.Scan(&day, &h.Kind, &h.Name.ZhHant, &h.Name.Pt, &h.Name.En, &h.Obligatory, &h.Computed, &h.ClosedFrom)
	if err != nil {
		return h, err
	}
	h.Date, err = directory.ParseDate(day)
	return h, err
}

// Holidays lists holidays between from and to, inclusive, in date order.
func (s *Store) Holidays(ctx context.Context, from, to directory.Date) ([]directory.Holiday, error) {
	rows, err := s.db.QueryContext(ctx, s.q.Directory.Holidays, from.String(), to.String())
	if err != nil {
		return nil, fmt.Errorf("list holidays: %w", err)
	}
	return collect(rows, func(r *sql.Rows) (directory.Holiday, error) { return scanHoliday(r) })
}

// PutHoliday creates or replaces the holiday of a kind on a date.
func (s *Store) PutHoliday(ctx context.Context, h directory.Holiday) (changed bool, err error) {
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		changed, err = s.putHoliday(ctx, tx, h)
		return err
	})
	return changed, err
}

func (s *Store) putHoliday(ctx context.Context, tx *sql.Tx, h directory.Holiday) (bool, error) {
	if err := h.Validate(); err != nil {
		return false, err
	}
	old, err := scanHoliday(tx.QueryRowContext(ctx, s.q.Directory.Holiday, h.Date.String(), string(h.Kind)))
	if err == nil && old == h {
		return false, nil
	}
	if err != nil && err != sql.ErrNoRows {
		return false, fmt.Errorf("get holiday %s: %w", h.Date, err)
	}
	_, err = tx.ExecContext(ctx, s.q.Directory.UpsertHoliday, args([]any{h.Date.String(), string(h.Kind)},
		textArgs(h.Name), []any{h.Obligatory, h.Computed, int(h.ClosedFrom)})...)
	if err != nil {
		return false, fmt.Errorf("put holiday %s: %w", h.Date, err)
	}
	return true, nil
}

// DeleteHoliday removes the holiday of a kind on a date.
func (s *Store) DeleteHoliday(ctx context.Context, d directory.Date, kind directory.HolidayKind) error {
	res, err := s.db.ExecContext(ctx, s.q.Directory.DeleteHoliday, d.String(), string(kind))
	if err != nil {
		return fmt.Errorf("delete holiday %s: %w", d, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.NotFoundf("holiday %s %s not found", d, kind)
	}
	return nil
}

// Import writes a dataset in one transaction. See directory.Store.
func (s *Store) Import(ctx context.Context, d directory.Dataset) (directory.ImportResult, error) {
	if err := d.Validate(); err != nil {
		return directory.ImportResult{}, err
	}
	var res directory.ImportResult
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res = directory.ImportResult{}
		for _, e := range d.Entities {
			if err := count(&res.Entities)(s.putEntity(ctx, tx, e)); err != nil {
				return err
			}
		}
		for _, v := range d.Services {
			if err := count(&res.Services)(s.putService(ctx, tx, v)); err != nil {
				return err
			}
		}
		for _, b := range d.Branches {
			if err := count(&res.Branches)(s.putBranch(ctx, tx, b)); err != nil {
				return err
			}
		}
		return s.importHolidays(ctx, tx, d, &res)
	})
	if err != nil {
		return directory.ImportResult{}, fmt.Errorf("import: %w", err)
	}
	return res, nil
}

func (s *Store) importHolidays(ctx context.Context, tx *sql.Tx, d directory.Dataset, res *directory.ImportResult) error {
	type key struct {
		day  string
		kind directory.HolidayKind
	}
	listed := map[key]bool{}
	for _, h := range d.Holidays {
		listed[key{h.Date.String(), h.Kind}] = true
		if err := count(&res.Holidays)(s.putHoliday(ctx, tx, h)); err != nil {
			return err
		}
	}
	for _, y := range d.Years {
		rows, err := tx.QueryContext(ctx, s.q.Directory.HolidaysOfYear, fmt.Sprintf("%04d-01-01", y), fmt.Sprintf("%04d-12-31", y))
		if err != nil {
			return fmt.Errorf("holidays of %d: %w", y, err)
		}
		existing, err := collect(rows, func(r *sql.Rows) (key, error) {
			var k key
			return k, r.Scan(&k.day, &k.kind)
		})
		if err != nil {
			return err
		}
		for _, k := range existing {
			if listed[k] {
				continue
			}
			if _, err := tx.ExecContext(ctx, s.q.Directory.DeleteHoliday, k.day, string(k.kind)); err != nil {
				return fmt.Errorf("remove holiday %s: %w", k.day, err)
			}
			res.HolidaysRemoved++
		}
	}
	return nil
}

// count returns a function that adds a put's "changed" to *n.
func count(n *int) func(bool, error) error {
	return func(changed bool, err error) error {
		if changed {
			*n++
		}
		return err
	}
}
