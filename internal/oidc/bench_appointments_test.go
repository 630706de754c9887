package oidc_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oneaccount/oneaccount/internal/appointments"
	"github.com/oneaccount/oneaccount/internal/directory"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/store/storetest"
)

// BenchmarkBookings measures bookings through POST /api/v1/appointments
// with 64 concurrent residents, each with its own session: spread over
// every slot of the next 30 days, or all on one hot slot. The service's
// rules are opened up for the benchmark (many places, no per-person
// limits) so that every request books.
//
//	go test ./internal/oidc -run XXX -bench Bookings -benchtime 5000x
func BenchmarkBookings(b *testing.B) {
	for _, hot := range []bool{false, true} {
		name := map[bool]string{false: "spread", true: "hot"}[hot]
		b.Run(name+"/sqlite", func(b *testing.B) {
			benchBookings(b, newEnv(b, "sqlite:"+filepath.Join(b.TempDir(), "bench.db")), hot)
		})
		b.Run(name+"/postgres", func(b *testing.B) { benchBookings(b, newEnv(b, storetest.FreshSchema(b)), hot) })
	}
}

func benchBookings(b *testing.B, e *env, hot bool) {
	ctx := context.Background()
	r := appointments.DefaultRules("DSI-HQ", "DSI-BIR-RENEW", 1)
	r.Places, r.OnePerService, r.MaxPerDay, r.NoShow.Enabled = 100, false, 0, false
	if hot {
		r.Places = 100000
	}
	if err := e.app.Store().SetAppointmentRules(ctx, r, "bench", time.Now()); err != nil {
		b.Fatal(err)
	}
	loc := e.app.Directory().Location()
	today := directory.DateOf(time.Now().In(loc))
	var starts []string
	for d := today.AddDays(1); len(starts) < 2000 && d.Before(today.AddDays(31)); d = d.AddDays(1) {
		slots, _, err := e.app.Appointments().DaySlots(ctx, "DSI-HQ", "DSI-BIR-RENEW", d)
		if err != nil {
			b.Fatal(err)
		}
		for _, s := range slots {
			starts = append(starts, s.Start.Format(time.RFC3339))
		}
	}
	if len(starts) == 0 {
		b.Fatal("no slots")
	}
	const n = 64
	clients := make([]*http.Client, n)
	for i := range clients {
		_, br := e.resident(identity.Level2)
		jar, _ := cookiejar.New(nil)
		jar.SetCookies(br.base, br.c.Jar.Cookies(br.base))
		clients[i] = &http.Client{Jar: jar, Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	}
	var next, failed atomic.Int64
	var worker atomic.Int64
	run := func() {
		c := clients[worker.Add(1)-1]
		for {
			i := next.Add(1)
			if i > int64(b.N) {
				return
			}
			start := starts[0]
			if !hot {
				start = starts[int(i)%len(starts)]
			}
			body, _ := json.Marshal(map[string]string{"branch": "DSI-HQ", "service": "DSI-BIR-RENEW", "start": start})
			req, _ := http.NewRequest(http.MethodPost, e.issuer+"/api/v1/appointments", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			resp, err := c.Do(req)
			if err != nil {
				failed.Add(1)
				continue
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusCreated {
				failed.Add(1)
			}
		}
	}
	b.ResetTimer()
	t0 := time.Now()
	done := make(chan struct{}, n)
	for range n {
		go func() { run(); done <- struct{}{} }()
	}
	for range n {
		<-done
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/time.Since(t0).Seconds(), "bookings/s")
	if f := failed.Load(); f > 0 {
		b.Fatalf("%d of %d bookings failed", f, b.N)
	}
	_ = fmt.Sprint
}
