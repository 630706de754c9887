package messages_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/oneaccount/oneaccount/internal/lang"
	"github.com/oneaccount/oneaccount/internal/messages"
	"github.com/oneaccount/oneaccount/internal/store/storetest"
)

// BenchmarkRelay measures the delivery relay: b.N messages already in the
// inbox with their email jobs, drained by one runner (claims of 32, sent
// in parallel) to a real SMTP server on loopback. Only email is on, so
// every job is one SMTP transaction.
//
//	go test ./internal/messages -run XXX -bench Relay -benchtime 2000x
func BenchmarkRelay(b *testing.B) {
	for name, open := range storetest.Engines(b) {
		b.Run(name, func(b *testing.B) {
			w := newWorld(b, open(b))
			ctx := context.Background()
			a := w.resident(b, lang.En)
			for _, ch := range []messages.Channel{messages.SMS, messages.Push} {
				if err := w.svc.SetPreference(ctx, a, messages.General, ch, false); err != nil {
					b.Fatal(err)
				}
			}
			for i := range b.N {
				m := note(a, messages.General)
				m.Dedupe = fmt.Sprint("bench-", i)
				if _, err := w.svc.Send(ctx, m); err != nil {
					b.Fatal(err)
				}
			}
			b.ResetTimer()
			start := time.Now()
			w.drain(b)
			for w.sink.Count() < b.N {
				if n, err := w.runner.RunOnce(ctx); err != nil || n == 0 {
					break
				}
			}
			b.StopTimer()
			if got := w.sink.Count(); got != b.N {
				b.Fatalf("delivered %d of %d", got, b.N)
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "emails/s")
		})
	}
}
