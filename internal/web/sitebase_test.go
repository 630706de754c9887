package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/oneaccount/oneaccount/internal/directory"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/identity/password"
	"github.com/oneaccount/oneaccount/internal/messages"
	"github.com/oneaccount/oneaccount/internal/notify"
	"github.com/oneaccount/oneaccount/internal/refdata"
	"github.com/oneaccount/oneaccount/internal/store/sqlstore"
	"github.com/oneaccount/oneaccount/internal/store/storetest"
)

// siteBase is what the appointment and queue test sites share: SQLite
// with the Macao directory, accounts with a fast hasher, the directory at
// a fixed time and the messages service.
type siteBase struct {
	st   *sqlstore.Store
	log  *slog.Logger
	sink *notify.DevSink
	ids  *identity.Service
	loc  *time.Location
	now  func() time.Time
	dir  *directory.Directory
	msgs *messages.Service
}

func newSiteBase(t *testing.T, at time.Time) siteBase {
	t.Helper()
	st := storetest.SQLite(t)
	ds, err := refdata.Macao()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Import(context.Background(), ds); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	h, err := password.NewHasher(password.Params{MemoryKiB: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}, 4)
	if err != nil {
		t.Fatal(err)
	}
	sink := notify.NewDevSink(log, time.Now)
	ids := identity.NewService(identity.Deps{Store: st, Hasher: h, Sender: sink, Now: time.Now, Log: log}, identity.Config{})
	loc, err := directory.LoadLocation(directory.TimeZone)
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return at }
	return siteBase{st: st, log: log, sink: sink, ids: ids, loc: loc, now: now, dir: directory.New(st, loc, now),
		msgs: messages.New(st, time.Now, nil)}
}

// orgSite is the base's accounts behind mux.
func (b siteBase) orgSite(mux http.Handler) *orgSite {
	return &orgSite{h: mux, svc: b.ids, st: b.st, sink: b.sink}
}
