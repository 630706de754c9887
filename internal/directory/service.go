package directory

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/oneaccount/oneaccount/internal/lang"
)

// Directory is the directory's use-case layer over a Store: catalogue
// search, branch status and the working-day calendar.
type Directory struct {
	store Store
	loc   *time.Location
	now   func() time.Time
}

// New returns a Directory over store, reading times in loc, with now as its
// clock.
func New(store Store, loc *time.Location, now func() time.Time) *Directory {
	return &Directory{store: store, loc: loc, now: now}
}

// Store returns the underlying store.
func (d *Directory) Store() Store { return d.store }

// Location returns the directory's time zone.
func (d *Directory) Location() *time.Location { return d.loc }

// Now returns the current time in the directory's zone.
func (d *Directory) Now() time.Time { return d.now().In(d.loc) }

// Calendar loads the holidays and closures for branch (all branches when
// empty) between from and to, inclusive, and returns a Calendar over them.
func (d *Directory) Calendar(ctx context.Context, branch string, from, to Date) (*Calendar, error) {
	hs, err := d.store.Holidays(ctx, from, to)
	if err != nil {
		return nil, fmt.Errorf("calendar: %w", err)
	}
	cs, err := d.store.Closures(ctx, branch, from.In(d.loc), to.AddDays(1).In(d.loc))
	if err != nil {
		return nil, fmt.Errorf("calendar: %w", err)
	}
	return NewCalendar(d.loc, hs, cs), nil
}

// Statuses tells for each branch whether it is open now, loading the
// holidays once and each branch's closures.
func (d *Directory) Statuses(ctx context.Context, bs []Branch) ([]Status, error) {
	now := d.Now()
	today := DateOf(now)
	end := today.AddDays(horizon)
	hs, err := d.store.Holidays(ctx, today, end)
	if err != nil {
		return nil, fmt.Errorf("statuses: %w", err)
	}
	out := make([]Status, len(bs))
	for i, b := range bs {
		cs, err := d.store.Closures(ctx, b.Code, today.In(d.loc), end.AddDays(1).In(d.loc))
		if err != nil {
			return nil, fmt.Errorf("statuses: %w", err)
		}
		out[i] = NewCalendar(d.loc, hs, cs).StatusAt(b, now)
	}
	return out, nil
}

// BranchView is a branch with what its page shows.
type BranchView struct {
	Branch   Branch
	Status   Status
	Week     [7][]Hours
	Closures []Closure
	Holidays []Holiday
	Services []Service
	Entities []Entity
}

// upcomingDays is how far ahead a branch page lists closures and holidays.
const upcomingDays = 60

// BranchView loads a branch with its status now, its week's hours, and its
// closures and holidays in the coming 60 days.
func (d *Directory) BranchView(ctx context.Context, code string) (BranchView, error) {
	b, err := d.store.Branch(ctx, code)
	if err != nil {
		return BranchView{}, fmt.Errorf("branch view: %w", err)
	}
	now := d.Now()
	today := DateOf(now)
	end := today.AddDays(upcomingDays)
	cal, err := d.Calendar(ctx, code, today, end.AddDays(horizon))
	if err != nil {
		return BranchView{}, err
	}
	v := BranchView{Branch: b, Status: cal.StatusAt(b, now), Week: WeekHours(b)}
	v.Closures, err = d.store.Closures(ctx, code, now, end.In(d.loc))
	if err != nil {
		return BranchView{}, fmt.Errorf("branch view: %w", err)
	}
	for i := range v.Closures {
		v.Closures[i].Starts, v.Closures[i].Ends = v.Closures[i].Starts.In(d.loc), v.Closures[i].Ends.In(d.loc)
	}
	v.Holidays, err = d.store.Holidays(ctx, today, end)
	if err != nil {
		return BranchView{}, fmt.Errorf("branch view: %w", err)
	}
	v.Services, v.Entities, err = d.branchServices(ctx, b)
	return v, err
}

func (d *Directory) branchServices(ctx context.Context, b Branch) ([]Service, []Entity, error) {
	all, err := d.store.Services(ctx, "")
	if err != nil {
		return nil, nil, fmt.Errorf("branch services: %w", err)
	}
	var svcs []Service
	for _, s := range all {
		if slices.Contains(b.Services, s.Code) {
			svcs = append(svcs, s)
		}
	}
	ents, err := d.store.Entities(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("branch entities: %w", err)
	}
	codes := b.Entities()
	var out []Entity
	for _, e := range ents {
		if slices.Contains(codes, e.Code) {
			out = append(out, e)
		}
	}
	return svcs, out, nil
}

// CatalogueQuery filters the service catalogue.
type CatalogueQuery struct {
	// Text matches service and entity names in any language.
	Text string
	// Entity keeps only this entity's services.
	Entity string
}

// CatalogueEntry is one service in the catalogue with its entity.
type CatalogueEntry struct {
	Service Service
	Entity  Entity
}

// maxQuery bounds the search text, so a huge query costs nothing.
const maxQuery = 100

// Catalogue returns the services matching q, in entity then service order.
func (d *Directory) Catalogue(ctx context.Context, q CatalogueQuery) ([]CatalogueEntry, error) {
	ents, err := d.store.Entities(ctx)
	if err != nil {
		return nil, fmt.Errorf("catalogue: %w", err)
	}
	byCode := map[string]Entity{}
	for _, e := range ents {
		byCode[e.Code] = e
	}
	svcs, err := d.store.Services(ctx, q.Entity)
	if err != nil {
		return nil, fmt.Errorf("catalogue: %w", err)
	}
	text := strings.TrimSpace(q.Text)
	if len(text) > maxQuery {
		text = text[:maxQuery]
	}
	var out []CatalogueEntry
	for _, s := range svcs {
		e := byCode[s.Entity]
		if text != "" && !matches(text, s, e) {
			continue
		}
		out = append(out, CatalogueEntry{Service: s, Entity: e})
	}
	return out, nil
}

// matches reports whether every word of text appears in the service's or its
// entity's names, descriptions or codes, in any language.
func matches(text string, s Service, e Entity) bool {
	fields := []lang.Text{s.Name, s.Description, e.Name, e.Abbrev, {En: s.Code + " " + e.Code}}
	for word := range strings.FieldsSeq(text) {
		found := false
		for _, f := range fields {
			if f.Contains(word) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}
