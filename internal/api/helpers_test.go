package api

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/oneaccount/oneaccount/internal/appointments"
	"github.com/oneaccount/oneaccount/internal/directory"
	"github.com/oneaccount/oneaccount/internal/lang"
	"github.com/oneaccount/oneaccount/internal/messages"
	"github.com/oneaccount/oneaccount/internal/refdata"
	"github.com/oneaccount/oneaccount/internal/store/sqlstore"
	"github.com/oneaccount/oneaccount/internal/store/storetest"
)

// testNow is Tuesday 1 December 2026, 10:00 in Macao: a working day with
// holidays (8, 20-25 December) in the coming weeks.
func testNow(t testing.TB) time.Time {
	return time.Date(2026, 12, 1, 10, 0, 0, 0, macau(t))
}

func macau(t testing.TB) *time.Location {
	t.Helper()
	loc, err := directory.LoadLocation(directory.TimeZone)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// newTestAPI returns the API over a fresh SQLite store loaded with the Macao
// reference data, with the clock at testNow, and the mux it is mounted on.
// GSC-ISLANDS is shut by a closure in force; every branch closes for a
// typhoon on 10 December.
func newTestAPI(t testing.TB) (*API, http.Handler) {
	t.Helper()
	a, h, _ := newTestAPIStore(t)
	return a, h
}

// newTestAPIStore is newTestAPI that also returns the store. The queue
// routes are on, with DSI-HQ's test queues (testQueues).
func newTestAPIStore(t testing.TB) (*API, http.Handler, *sqlstore.Store) {
	t.Helper()
	ctx := context.Background()
	st := storetest.SQLite(t)
	ds, err := refdata.Macao()
	if err != nil {
		t.Fatalf("reference data: %v", err)
	}
	if _, err := st.Import(ctx, ds); err != nil {
		t.Fatalf("import: %v", err)
	}
	now := testNow(t)
	closures := []directory.Closure{
		{Branch: "GSC-ISLANDS", Starts: now.Add(-time.Hour), Ends: now.Add(3 * time.Hour),
			Reason: lang.Text{ZhHant: "系統維修", Pt: "Manutenção", En: "System maintenance"}},
		{Starts: now.AddDate(0, 0, 9), Ends: now.AddDate(0, 0, 9).Add(8 * time.Hour),
			Reason: lang.Text{ZhHant: "八號風球", Pt: "Sinal n.º 8", En: "Typhoon signal 8"}},
	}
	for _, c := range closures {
		if _, err := st.AddClosure(ctx, c); err != nil {
			t.Fatalf("add closure: %v", err)
		}
	}
	dir := directory.New(st, macau(t), func() time.Time { return now })
	a := New(dir, slog.New(slog.NewTextHandler(t.Output(), nil)))
	clock := func() time.Time { return now }
	if err := st.SetAppointmentRules(ctx, appointments.DefaultRules("DSI-HQ", "DSI-BIR-RENEW", 2), "test", now); err != nil {
		t.Fatalf("rules: %v", err)
	}
	a.SetAppointments(appointments.New(st, dir, messages.New(st, clock, nil), clock, nil))
	setQueue(t, a, st, dir, clock)
	return a, mount(a), st
}

// mount mounts a on a mux that, like the application's, also serves pages
// at "/", so the API's fallback must win under /api/v1.
func mount(a *API) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("/", http.NotFoundHandler())
	a.Mount(mux)
	return mux
}

// do sends one request through h.
func do(h http.Handler, method, target string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	return rec
}

// decode unmarshals a response body into T, failing the test on error.
func decode[T any](t *testing.T, body []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("decode %T: %v\n%s", v, err, body)
	}
	return v
}
