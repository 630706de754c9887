package app

import (
	"context"
	"testing"

	"github.com/oneaccount/oneaccount/internal/queue"
)

func TestQueueService_MyTickets(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *queueWorld) {
		ctx := context.Background()
		ana := w.people["ana"]
		first := w.take(t, "ana")
		if _, err := w.svc.Cancel(ctx, &ana, first.ID); err != nil {
			t.Fatal(err)
		}
		w.take(t, "bob")
		second := w.take(t, "ana")
		vs, err := w.svc.MyTickets(ctx, ana)
		if err != nil || len(vs) != 2 {
			t.Fatalf("MyTickets = %+v, %v; want two tickets", vs, err)
		}
		if vs[0].Ticket.ID != second.ID || vs[0].Ahead != 1 || vs[1].Ticket.ID != first.ID || vs[1].Ticket.Status != queue.Cancelled {
			t.Errorf("MyTickets = %+v; want the active %s (one ahead) before the cancelled %s", vs, second.Number, first.Number)
		}
		if vs, err := w.svc.MyTickets(ctx, w.people["carol"]); err != nil || len(vs) != 0 {
			t.Errorf("carol's tickets = %+v, %v; want none", vs, err)
		}
	})
}
