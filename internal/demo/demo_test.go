package demo

import (
	"context"
	"testing"
	"time"

	"github.com/oneaccount/oneaccount/internal/directory"
	"github.com/oneaccount/oneaccount/internal/refdata"
	"github.com/oneaccount/oneaccount/internal/store/storetest"
)

func TestLoadTwiceAddsOneClosure(t *testing.T) {
	s := storetest.SQLite(t)
	ctx := context.Background()
	ds, err := refdata.Macao()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Import(ctx, ds); err != nil {
		t.Fatal(err)
	}
	loc, _ := directory.LoadLocation(directory.TimeZone)
	now := time.Date(2026, 12, 18, 10, 0, 0, 0, loc) // Friday before the SAR holidays
	dir := directory.New(s, loc, func() time.Time { return now })
	for range 2 {
		if err := Load(ctx, dir); err != nil {
			t.Fatal(err)
		}
	}
	cs, err := s.Closures(ctx, "DSI-HQ", now, now.AddDate(0, 0, 60))
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 1 {
		t.Fatalf("closures after two loads = %d, want 1", len(cs))
	}
	// Five working days after Fri 18 Dec: 23, 28, 29, 30, 31 (21 is a
	// compensatory rest day, 22, 24 and 25 are holidays).
	if got := directory.DateOf(cs[0].Starts.In(loc)); got.String() != "2026-12-31" {
		t.Errorf("demo closure on %s, want 2026-12-31", got)
	}
}
