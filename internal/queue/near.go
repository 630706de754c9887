package queue

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/jobs"
	"github.com/oneaccount/oneaccount/internal/lang"
	"github.com/oneaccount/oneaccount/internal/messages"
	"github.com/oneaccount/oneaccount/internal/notify"
)

// The job kinds of the notices a ticket's holder gets.
const (
	// NearJob tells the holder their turn is near (once per ticket).
	NearJob = "queue.near"
	// CalledJob tells the holder their number is called (each call).
	CalledJob = "queue.called"
)

// NoticeRef is the payload of a notice job.
type NoticeRef struct {
	ID string `json:"id"`
}

// markNear marks the tickets within NearAt of the front of each queue
// that have someone to tell and were not told yet; MarkNear writes each
// one's NearJob in the same transaction, so the notice goes once.
func (s *Service) markNear(ctx context.Context, branch string, sn *snapshot) {
	if s.NearAt <= 0 {
		return
	}
	woke := false
	for _, order := range sn.orders {
		for _, k := range order[:min(len(order), s.NearAt)] {
			t := sn.tickets[k]
			if t.NearSent || t.AccountID == "" && t.Phone == "" || s.nearMarked(branch, t.ID, false) {
				continue
			}
			j, err := jobs.New(NearJob, NearJob+":"+t.ID, NoticeRef{ID: t.ID}, s.now())
			if err != nil {
				continue
			}
			ok, err := s.store.MarkNear(ctx, t.ID, []jobs.Job{j})
			if err != nil {
				s.logf(ctx, "queue: near notice not scheduled", "ticket", t.ID, "err", err)
				continue
			}
			s.nearMarked(branch, t.ID, true)
			woke = woke || ok
		}
	}
	if woke {
		s.wake()
	}
}

// nearMarked reports whether this node marked ticket id near, and with
// set records that it did.
func (s *Service) nearMarked(branch, id string, set bool) bool {
	s.live.mu.Lock()
	defer s.live.mu.Unlock()
	bl := s.live.branch(branch)
	if set {
		if len(bl.near) > 10000 {
			clear(bl.near)
		}
		bl.near[id] = true
	}
	return bl.near[id]
}

// calledJobs are the notices of the calls in evs: one per call of a
// ticket whose holder can be told.
func (s *Service) calledJobs(called []Ticket) []jobs.Job {
	var js []jobs.Job
	for _, t := range called {
		if t.AccountID == "" && t.Phone == "" {
			continue
		}
		j, err := jobs.New(CalledJob, fmt.Sprintf("%s:%s:%d", CalledJob, t.ID, t.Recalls), NoticeRef{ID: t.ID}, s.now())
		if err == nil {
			js = append(js, j)
		}
	}
	return js
}

// HandleNotice is the jobs.Handler of NearJob and CalledJob: a message in
// the holder's inbox (and their channels) for account tickets, an SMS for
// kiosk tickets with a phone. A notice that no longer applies (the ticket
// moved on, or its day is over) is dropped.
func (s *Service) HandleNotice(ctx context.Context, j jobs.Job) error {
	var ref NoticeRef
	if err := json.Unmarshal(j.Payload, &ref); err != nil {
		return jobs.Permanent(fmt.Errorf("notice payload: %w", err))
	}
	t, err := s.store.Ticket(ctx, ref.ID)
	if apperr.CodeOf(err) == apperr.NotFound {
		return nil
	}
	if err != nil {
		return err
	}
	want := map[string]Status{NearJob: Waiting, CalledJob: Called}[j.Kind]
	if t.Status != want || t.Day != s.today() {
		return nil
	}
	n, err := s.notice(ctx, j.Kind, t)
	if err != nil {
		return err
	}
	if t.AccountID != "" && s.msgs != nil {
		m := messages.Message{AccountID: t.AccountID, Sender: messages.Platform, Category: messages.Queue,
			Title: n.title, Body: n.body, Link: "/tickets/" + t.ID, Dedupe: j.DedupeKey}
		if _, err := s.msgs.Send(ctx, m); err != nil {
			return err
		}
	}
	if t.Phone != "" && s.SMS != nil {
		err := s.SMS.Send(ctx, notify.Message{Kind: notify.SMS, To: t.Phone, Lang: lang.ZhHant, Category: string(messages.Queue),
			Text: n.sms(), DedupeKey: j.DedupeKey})
		if notify.Permanent(err) {
			return jobs.Permanent(err)
		}
		return err
	}
	return nil
}

// noticeText is a notice in the three languages.
type noticeText struct{ title, body lang.Text }

// sms is the notice as one text message in the three languages: a kiosk
// visitor chose no language.
func (n noticeText) sms() string {
	return n.body.ZhHant + "\n" + n.body.Pt + "\n" + n.body.En
}

// notice writes the near or called notice of t.
func (s *Service) notice(ctx context.Context, kind string, t Ticket) (noticeText, error) {
	b, err := s.branch(ctx, t.Branch)
	if err != nil {
		return noticeText{}, err
	}
	num := t.Number
	if kind == NearJob {
		return noticeText{
			title: lang.Text{ZhHant: "快將輪到您：" + num, Pt: "Está quase na sua vez: " + num, En: "Your turn is near: " + num},
			body: lang.Text{
				ZhHant: "您在" + b.Name.In(lang.ZhHant) + "的輪候號碼 " + num + " 快將被召喚。請返回等候區並留意顯示屏。",
				Pt:     "A sua senha " + num + " em " + b.Name.In(lang.Pt) + " vai ser chamada em breve. Volte à sala de espera e siga o ecrã.",
				En:     "Your ticket " + num + " at " + b.Name.In(lang.En) + " will be called soon. Please come back to the waiting area and watch the screen."},
		}, nil
	}
	counter := s.counterName(ctx, t.Branch, t.Counter)
	return noticeText{
		title: lang.Text{ZhHant: "請前往櫃檯：" + num, Pt: "Dirija-se ao balcão: " + num, En: "Please go to the counter: " + num},
		body: lang.Text{
			ZhHant: "輪候號碼 " + num + " 請前往" + counter.In(lang.ZhHant) + "。",
			Pt:     "A senha " + num + " é chamada ao " + counter.In(lang.Pt) + ".",
			En:     "Ticket " + num + " is called to " + counter.In(lang.En) + "."},
	}, nil
}

// counterName is a counter's name, its code when unknown.
func (s *Service) counterName(ctx context.Context, branch, code string) lang.Text {
	cs, err := s.profiles(ctx, branch)
	if err == nil {
		if i := slices.IndexFunc(cs, func(c CounterState) bool { return c.Code == code }); i >= 0 && cs[i].Name.En != "" {
			return cs[i].Name
		}
	}
	return lang.Text{ZhHant: code, Pt: code, En: code}
}
