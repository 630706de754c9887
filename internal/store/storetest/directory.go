package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/directory"
	"github.com/oneaccount/oneaccount/internal/lang"
)

func txt(s string) lang.Text { return lang.Text{ZhHant: s + "（中）", Pt: s + " (pt)", En: s} }

func sampleDataset() directory.Dataset {
	return directory.Dataset{
		Entities: []directory.Entity{
			{Code: "AAA", Abbrev: txt("AAA"), Name: txt("Alpha Bureau"), Roles: []string{"counter"}, Sort: 0},
			{Code: "BBB", Abbrev: txt("BBB"), Name: txt("Beta Fund"), Roles: []string{"counter", "licensing"}, Sort: 1},
		},
		Services: []directory.Service{
			{Code: "AAA-ONE", Entity: "AAA", Name: txt("Alpha one"), Description: txt("First"), Counter: true, Level: 1},
			{Code: "AAA-TWO", Entity: "AAA", Name: txt("Alpha two"), Sort: 1, Level: 2},
			{Code: "BBB-ONE", Entity: "BBB", Name: txt("Beta one"), Counter: true, Level: 1},
		},
		Branches: []directory.Branch{{
			Code: "CENTRE", Operator: "AAA", Name: txt("Centre"), Address: txt("1 Main Street"),
			Hours: []directory.Hours{
				{Weekday: time.Monday, Opens: 540, Closes: 780}, {Weekday: time.Monday, Opens: 870, Closes: 1065},
				{Weekday: time.Friday, Opens: 540, Closes: 1050},
			},
			Counters: []directory.Counter{directory.NewCounter("AAA", 1), directory.NewCounter("BBB", 1)},
			Services: []string{"AAA-ONE", "BBB-ONE"},
		}},
		Holidays: []directory.Holiday{
			{Date: date("2026-01-01"), Kind: directory.PublicHoliday, Name: txt("New Year"), Obligatory: true},
			{Date: date("2026-02-16"), Kind: directory.Exemption, Name: txt("Eve"), ClosedFrom: 780},
		},
		Years: []int{2026},
	}
}

func date(s string) directory.Date {
	d, err := directory.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func testDirectory(t *testing.T, open Opener) {
	tests := map[string]func(*testing.T, directory.Store){
		"ImportRoundTrip":     testImportRoundTrip,
		"ImportIsIdempotent":  testImportIdempotent,
		"ImportReplacesYear":  testImportReplacesYear,
		"PutEntity":           testPutEntity,
		"ServiceNeedsEntity":  testServiceNeedsEntity,
		"BranchCounters":      testBranchCounters,
		"BranchesByEntity":    testBranchesByEntity,
		"Holidays":            testHolidays,
		"Closures":            testClosures,
		"ConcurrentPutBranch": testConcurrentPutBranch,
	}
	runEach(t, open, tests)
}

func mustImport(t *testing.T, s directory.Store, d directory.Dataset) directory.ImportResult {
	t.Helper()
	res, err := s.Import(context.Background(), d)
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	return res
}

func testImportRoundTrip(t *testing.T, s directory.Store) {
	ctx := context.Background()
	d := sampleDataset()
	res := mustImport(t, s, d)
	want := directory.ImportResult{Entities: 2, Services: 3, Branches: 1, Holidays: 2}
	if res != want {
		t.Errorf("Import = %+v, want %+v", res, want)
	}
	ents, err := s.Entities(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(d.Entities, ents); diff != "" {
		t.Errorf("Entities mismatch (-want +got):\n%s", diff)
	}
	b, err := s.Branch(ctx, "CENTRE")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(d.Branches[0], b); diff != "" {
		t.Errorf("Branch mismatch (-want +got):\n%s", diff)
	}
	hs, err := s.Holidays(ctx, date("2026-01-01"), date("2026-12-31"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(d.Holidays, hs); diff != "" {
		t.Errorf("Holidays mismatch (-want +got):\n%s", diff)
	}
	svcs, err := s.Services(ctx, "AAA")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(d.Services[:2], svcs); diff != "" {
		t.Errorf("Services(AAA) mismatch (-want +got):\n%s", diff)
	}
}

func testImportIdempotent(t *testing.T, s directory.Store) {
	mustImport(t, s, sampleDataset())
	if res := mustImport(t, s, sampleDataset()); res.Changed() {
		t.Errorf("second Import changed %+v, want nothing", res)
	}
	d := sampleDataset()
	d.Entities[1].Name.Pt = "Fundo Beta"
	if res := mustImport(t, s, d); res != (directory.ImportResult{Entities: 1}) {
		t.Errorf("Import after a rename = %+v, want one entity changed", res)
	}
}

func testImportReplacesYear(t *testing.T, s directory.Store) {
	ctx := context.Background()
	mustImport(t, s, sampleDataset())
	computed := directory.Holiday{Date: date("2027-02-06"), Kind: directory.PublicHoliday, Name: txt("LNY"), Computed: true}
	if _, err := s.PutHoliday(ctx, computed); err != nil {
		t.Fatal(err)
	}
	official := sampleDataset()
	official.Holidays = []directory.Holiday{{Date: date("2027-02-07"), Kind: directory.PublicHoliday, Name: txt("LNY")}}
	official.Years = []int{2027}
	res := mustImport(t, s, official)
	if res.Holidays != 1 || res.HolidaysRemoved != 1 {
		t.Errorf("Import of official 2027 = %+v, want 1 added and 1 removed", res)
	}
	hs, err := s.Holidays(ctx, date("2026-01-01"), date("2027-12-31"))
	if err != nil {
		t.Fatal(err)
	}
	if len(hs) != 3 || hs[2].Date != date("2027-02-07") || hs[2].Computed {
		t.Errorf("Holidays = %+v, want 2026 kept and 2027 replaced by the official day", hs)
	}
}

func testPutEntity(t *testing.T, s directory.Store) {
	ctx := context.Background()
	e := sampleDataset().Entities[0]
	if changed, err := s.PutEntity(ctx, e); err != nil || !changed {
		t.Fatalf("PutEntity(new) = %v, %v; want changed", changed, err)
	}
	if changed, err := s.PutEntity(ctx, e); err != nil || changed {
		t.Errorf("PutEntity(same) = %v, %v; want unchanged", changed, err)
	}
	e.Name.En = "Alpha Services Bureau"
	if changed, err := s.PutEntity(ctx, e); err != nil || !changed {
		t.Errorf("PutEntity(renamed) = %v, %v; want changed", changed, err)
	}
	got, err := s.Entity(ctx, "AAA")
	if err != nil || got.Name.En != "Alpha Services Bureau" {
		t.Errorf("Entity(AAA) = %+v, %v", got, err)
	}
	if _, err := s.Entity(ctx, "NOPE"); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("Entity(NOPE) error = %v, want not_found", err)
	}
	e.Name.Pt = ""
	if _, err := s.PutEntity(ctx, e); apperr.CodeOf(err) != apperr.Invalid {
		t.Errorf("PutEntity without pt name error = %v, want invalid", err)
	}
}

func testServiceNeedsEntity(t *testing.T, s directory.Store) {
	v := directory.Service{Code: "X-ONE", Entity: "XXX", Name: txt("X")}
	if _, err := s.PutService(context.Background(), v); apperr.CodeOf(err) != apperr.Invalid {
		t.Errorf("PutService(unknown entity) error = %v, want invalid", err)
	}
	if _, err := s.Service(context.Background(), "X-ONE"); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("Service after a refused put: %v, want not_found", err)
	}
}

func testBranchCounters(t *testing.T, s directory.Store) {
	ctx := context.Background()
	mustImport(t, s, sampleDataset())
	b := sampleDataset().Branches[0]
	b.Counters = b.Counters[:1]
	b.Hours = b.Hours[2:]
	if changed, err := s.PutBranch(ctx, b); err != nil || !changed {
		t.Fatalf("PutBranch = %v, %v", changed, err)
	}
	got, err := s.Branch(ctx, b.Code)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(b, got); diff != "" {
		t.Errorf("Branch after removing a counter (-want +got):\n%s", diff)
	}
	b.Counters = sampleDataset().Branches[0].Counters
	if _, err := s.PutBranch(ctx, b); err != nil {
		t.Fatalf("PutBranch restoring a counter: %v", err)
	}
	if got, _ := s.Branch(ctx, b.Code); len(got.Counters) != 2 {
		t.Errorf("restored counters = %+v, want 2", got.Counters)
	}
	b.Hours = []directory.Hours{{Weekday: time.Monday, Opens: 600, Closes: 540}}
	if _, err := s.PutBranch(ctx, b); apperr.CodeOf(err) != apperr.Invalid {
		t.Errorf("PutBranch(closing before opening) error = %v, want invalid", err)
	}
}

func testBranchesByEntity(t *testing.T, s directory.Store) {
	ctx := context.Background()
	d := sampleDataset()
	d.Branches = append(d.Branches, directory.Branch{Code: "BETA-HQ", Operator: "BBB", Name: txt("Beta HQ"),
		Address: txt("2 Side Street"), Counters: []directory.Counter{directory.NewCounter("BBB", 1)}})
	mustImport(t, s, d)
	for entity, want := range map[string]int{"": 2, "AAA": 1, "BBB": 2, "ZZZ": 0} {
		bs, err := s.Branches(ctx, entity)
		if err != nil {
			t.Fatal(err)
		}
		if len(bs) != want {
			t.Errorf("Branches(%q) = %d branches, want %d", entity, len(bs), want)
		}
	}
}

func testHolidays(t *testing.T, s directory.Store) {
	ctx := context.Background()
	mustImport(t, s, sampleDataset())
	hs, err := s.Holidays(ctx, date("2026-02-01"), date("2026-02-28"))
	if err != nil {
		t.Fatal(err)
	}
	if len(hs) != 1 || hs[0].ClosedFrom != 780 {
		t.Errorf("Holidays(Feb) = %+v, want the afternoon exemption", hs)
	}
	if err := s.DeleteHoliday(ctx, date("2026-02-16"), directory.Exemption); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteHoliday(ctx, date("2026-02-16"), directory.Exemption); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("second DeleteHoliday error = %v, want not_found", err)
	}
}

func testClosures(t *testing.T, s directory.Store) {
	ctx := context.Background()
	mustImport(t, s, sampleDataset())
	loc, _ := directory.LoadLocation(directory.TimeZone)
	at := func(h int) time.Time { return time.Date(2026, 3, 6, h, 0, 0, 0, loc) }
	mine, err := s.AddClosure(ctx, directory.Closure{Branch: "CENTRE", Starts: at(10), Ends: at(11), Reason: txt("Works")})
	if err != nil {
		t.Fatal(err)
	}
	all, err := s.AddClosure(ctx, directory.Closure{Starts: at(15), Ends: at(24), Reason: txt("Typhoon")})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Closures(ctx, "CENTRE", at(0), at(24))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != mine.ID || !got[0].Starts.Equal(at(10)) || got[1].Branch != "" {
		t.Errorf("Closures(CENTRE) = %+v, want its own and the global one", got)
	}
	if got, _ := s.Closures(ctx, "OTHER", at(0), at(24)); len(got) != 1 || got[0].ID != all.ID {
		t.Errorf("Closures(OTHER) = %+v, want only the global one", got)
	}
	if got, _ := s.Closures(ctx, "CENTRE", at(11), at(15)); len(got) != 0 {
		t.Errorf("Closures between them = %+v, want none (ends are exclusive)", got)
	}
	if _, err := s.AddClosure(ctx, directory.Closure{Branch: "NOPE", Starts: at(1), Ends: at(2), Reason: txt("x")}); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("AddClosure(unknown branch) error = %v, want not_found", err)
	}
	if err := s.DeleteClosure(ctx, mine.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteClosure(ctx, mine.ID); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("second DeleteClosure error = %v, want not_found", err)
	}
}

// testConcurrentPutBranch races writers on one branch: every write must
// succeed (no "database is locked"), and the result must be exactly one of
// the writes, never a mix of two.
func testConcurrentPutBranch(t *testing.T, s directory.Store) {
	ctx := context.Background()
	mustImport(t, s, sampleDataset())
	const writers = 12
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := sampleDataset().Branches[0]
			b.Phone = fmt.Sprint(i)
			b.Counters = nil
			for n := range i + 1 {
				b.Counters = append(b.Counters, directory.NewCounter("AAA", n+1))
			}
			if _, err := s.PutBranch(ctx, b); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent PutBranch: %v", err)
	}
	got, err := s.Branch(ctx, "CENTRE")
	if err != nil {
		t.Fatal(err)
	}
	var i int
	if _, err := fmt.Sscan(got.Phone, &i); err != nil || len(got.Counters) != i+1 {
		t.Errorf("branch after the race has phone %q and %d counters: a mix of two writes", got.Phone, len(got.Counters))
	}
}
