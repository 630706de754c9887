package web

import (
	"context"

	"github.com/oneaccount/oneaccount/internal/dashboard"
	"github.com/oneaccount/oneaccount/internal/directory"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/lang"
	"github.com/oneaccount/oneaccount/internal/queue"
)

// orderQueueTickets places the queue tickets card (see dashboard.go).
const orderQueueTickets = 30

// ticketCardRow is one of the resident's active tickets on the card.
type ticketCardRow struct {
	View       queue.TicketView
	BranchName lang.Text
	// Waiting shows the people ahead; otherwise the card names the
	// status (called, set aside).
	Waiting bool
}

// ticketCardData is the queue tickets card.
type ticketCardData struct {
	Tickets []ticketCardRow
}

// QueueTicketsCard is the dashboard card of a resident's active queue
// tickets of today, each with its number, branch, people ahead and a
// link to its page, so a resident who closed the ticket's page finds it
// again. A resident without an active ticket sees no card. The web layer
// registers it itself when Options.Queue is set.
func QueueTicketsCard(s *queue.Service, dir *directory.Directory) dashboard.Card {
	return dashboard.Card{Key: "queue-tickets", Order: orderQueueTickets, Title: "queue.card_title",
		Template: "queue-tickets", Load: func(ctx context.Context, a identity.Account) (any, bool, error) {
			if a.Kind != identity.Resident {
				return nil, false, nil
			}
			vs, err := s.MyTickets(ctx, a)
			if err != nil {
				return nil, false, err
			}
			var d ticketCardData
			for _, v := range vs {
				if !v.Ticket.Status.Active() {
					continue
				}
				row := ticketCardRow{View: v, Waiting: v.Ticket.Status == queue.Waiting,
					BranchName: lang.Text{ZhHant: v.Ticket.Branch, Pt: v.Ticket.Branch, En: v.Ticket.Branch}}
				if b, err := dir.Store().Branch(ctx, v.Ticket.Branch); err == nil {
					row.BranchName = b.Name
				}
				d.Tickets = append(d.Tickets, row)
			}
			return d, len(d.Tickets) > 0, nil
		}}
}

// heldTicket is the ID of the resident's active ticket at branch today,
// or "" when none is found: the take page links to it when a second
// ticket is refused.
func (w *Web) heldTicket(ctx context.Context, a identity.Account, branch string) string {
	vs, err := w.opt.Queue.MyTickets(ctx, a)
	if err != nil {
		return ""
	}
	for _, v := range vs {
		if v.Ticket.Branch == branch && v.Ticket.Status.Active() {
			return v.Ticket.ID
		}
	}
	return ""
}
