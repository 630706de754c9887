package app

import (
	"context"
	"testing"

	"github.com/oneaccount/oneaccount/internal/queue"
	"github.com/oneaccount/oneaccount/internal/store/storetest"
)

// BenchmarkQueueService_TakeAndView issues kiosk tickets at DSI-HQ from
// parallel goroutines, each followed by a read of its place (what the
// API's POST /tickets answers): the live status is shared between the
// readers of one generation. The time per ticket includes the store's
// write and the status reads.
func BenchmarkQueueService_TakeAndView(b *testing.B) {
	for name, open := range storetest.Engines(b) {
		b.Run(name, func(b *testing.B) {
			w := newQueueWorld(b, open(b))
			w.svc.NearAt = 0
			ctx := context.Background()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					tk, err := w.svc.TakeKiosk(ctx, "DSI-HQ", "A", queue.Normal, "")
					if err != nil {
						b.Error(err)
						return
					}
					if _, err := w.svc.View(ctx, tk.ID); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.StopTimer()
			w.svc.Flush()
		})
	}
}

// BenchmarkQueueService_Call calls and completes tickets at eight
// counters in parallel, b.N tickets in all.
func BenchmarkQueueService_Call(b *testing.B) {
	for name, open := range storetest.Engines(b) {
		b.Run(name, func(b *testing.B) {
			w := newQueueWorld(b, open(b))
			w.svc.NearAt = 0
			ctx := context.Background()
			for range b.N {
				if _, err := w.svc.TakeKiosk(ctx, "DSI-HQ", "A", queue.Normal, ""); err != nil {
					b.Fatal(err)
				}
			}
			counters := make(chan string, 8)
			for i := 1; i <= 8; i++ {
				id := "DSI-HQ.DSI-0" + string(rune('0'+i))
				if _, err := w.svc.OpenCounter(ctx, w.actor("agent"), id); err != nil {
					b.Fatal(err)
				}
				counters <- id
			}
			b.ResetTimer()
			b.SetParallelism(1)
			b.RunParallel(func(pb *testing.PB) {
				c := <-counters
				defer func() { counters <- c }()
				for pb.Next() {
					tk, err := w.svc.CallNext(ctx, w.actor("agent"), c, "")
					if err != nil {
						b.Error(err)
						return
					}
					if _, err := w.svc.Complete(ctx, w.actor("agent"), tk.ID, "served"); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.StopTimer()
			w.svc.Flush()
		})
	}
}
