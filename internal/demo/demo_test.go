package demo

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/identity/password"
	"github.com/oneaccount/oneaccount/internal/notify"

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

func TestDemoAccountsOnce(t *testing.T) {
	s := storetest.SQLite(t)
	ctx := context.Background()
	ds, _ := refdata.Macao()
	if _, err := s.Import(ctx, ds); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	h, _ := password.NewHasher(password.Params{MemoryKiB: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}, 4)
	bl, _ := password.LoadBlocklist()
	sink := notify.NewDevSink(log, time.Now)
	svc := identity.NewService(identity.Deps{Store: s, Hasher: h, Policy: password.NewPolicy(bl),
		Sender: notify.NewSender(sink.Channels()...), Now: time.Now, Log: log}, identity.Config{})
	for range 2 {
		creds, err := Accounts(ctx, svc)
		if err != nil {
			t.Fatal(err)
		}
		if len(creds) != 2+5*5 {
			t.Fatalf("%d demo credentials, want 27", len(creds))
		}
	}
	a, err := s.AccountByUsername(ctx, "chan.tai.man@demo.oneaccount.mo")
	if err != nil || a.EffectiveLevel() != identity.Level2 {
		t.Fatalf("level-2 resident: %+v, %v", a, err)
	}
	orgs, err := svc.MyOrgs(ctx, a)
	if err != nil || len(orgs) != 1 {
		t.Fatalf("the resident's organisations = %v, %v; want the demo restaurant", orgs, err)
	}
	staff, err := s.StaffOf(ctx, "PSP")
	if err != nil || len(staff) != 5 {
		t.Errorf("PSP demo staff = %d, %v; want 5", len(staff), err)
	}
}
