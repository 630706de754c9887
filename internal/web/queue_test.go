package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/lang"
	"github.com/oneaccount/oneaccount/internal/queue"
)

// queueNow is Monday 2 March 2026, 10:00 in Macao: DSI-HQ is open.
var queueNow = time.Date(2026, 3, 2, 10, 0, 0, 0, time.FixedZone("MO", 8*3600))

// queueSite is the web layer with accounts and queue tickets over SQLite
// with the Macao directory. DSI-HQ has queues A and B (DSI); counter
// DSI-01 serves A, DSI-02 serves both.
type queueSite struct {
	*orgSite
	q *queue.Service
}

func newQueueSite(t *testing.T) *queueSite {
	t.Helper()
	ctx := context.Background()
	b := newSiteBase(t, queueNow)
	qs := queue.New(b.st, b.dir, b.msgs, nil, b.now, nil)
	name := lang.Text{ZhHant: "身份證明局", Pt: "Identificação", En: "Identification"}
	passports := lang.Text{ZhHant: "護照", Pt: "Passaportes", En: "Passports"}
	err := b.st.SaveQueues(ctx, "DSI-HQ", []queue.Queue{
		{Branch: "DSI-HQ", Code: "A", Entity: "DSI", Name: name, Services: []string{"DSI-BIR-RENEW"}, MaxWait: 45 * time.Minute},
		{Branch: "DSI-HQ", Code: "B", Entity: "DSI", Name: passports, Services: []string{"DSI-PASSPORT"}, MaxWait: 45 * time.Minute}},
		[]queue.Counter{
			{Branch: "DSI-HQ", Code: "DSI-01", Entity: "DSI", Queues: []string{"A"}, PriorityShare: 1, NormalShare: 2},
			{Branch: "DSI-HQ", Code: "DSI-02", Entity: "DSI", Queues: []string{"A", "B"}, PriorityShare: 1, NormalShare: 2},
		})
	if err != nil {
		t.Fatal(err)
	}
	w, err := New(Options{Directory: b.dir, Log: b.log, Identity: b.ids, Messages: b.msgs, Queue: qs})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	w.Mount(mux)
	return &queueSite{orgSite: b.orgSite(mux), q: qs}
}

// staffAs stores a signed-in staff member of entity with roles.
func (s *queueSite) staffAs(t *testing.T, name, entity string, roles ...identity.Role) *orgUser {
	t.Helper()
	return (&apptSite{orgSite: s.orgSite}).staffAs(t, name, entity, roles...)
}

var (
	kioskTicketRE = regexp.MustCompile(`^/kiosk/DSI-HQ/tickets/([A-Za-z0-9_-]+)\?lang=`)
	ticketRE      = regexp.MustCompile(`^/tickets/([A-Za-z0-9_-]+)\?taken=1$`)
)

// kioskTicket takes a kiosk ticket through the page and returns its ID.
func (s *queueSite) kioskTicket(t *testing.T, class, phone string) string {
	t.Helper()
	loc := location(t, s.do(t, nil, "POST", "/kiosk/DSI-HQ/tickets",
		url.Values{"queue": {"A"}, "class": {class}, "phone": {phone}, "lang": {"en"}}), "/kiosk/DSI-HQ/tickets/")
	m := kioskTicketRE.FindStringSubmatch(loc)
	if m == nil {
		t.Fatalf("kiosk ticket at %s", loc)
	}
	return m[1]
}

func TestKioskTicketPages(t *testing.T) {
	s := newQueueSite(t)
	expect(t, "kiosk home", s.do(t, nil, "GET", "/kiosk/DSI-HQ", nil), http.StatusOK,
		`<html lang="en"`, `href="/kiosk/DSI-HQ/take?queue=A&amp;lang=en"`, "Identification", "0 people waiting",
		`href="/kiosk/DSI-HQ?lang=pt"`, `lang="zh-Hant"`)
	expect(t, "kiosk in Chinese", s.do(t, nil, "GET", "/kiosk/DSI-HQ?lang=zh-Hant", nil), http.StatusOK,
		`<html lang="zh-Hant"`, "請取籌", `data-idle="90"`)
	expect(t, "options", s.do(t, nil, "GET", "/kiosk/DSI-HQ/take?queue=A&lang=pt", nil), http.StatusOK,
		`<html lang="pt"`, "Precisa de prioridade?", `value="elderly"`, `name="phone"`, `name="lang" value="pt"`)
	expect(t, "unknown queue", s.do(t, nil, "GET", "/kiosk/DSI-HQ/take?queue=Z", nil), http.StatusNotFound)
	expect(t, "branch without queues", s.do(t, nil, "GET", "/kiosk/DSAT-HQ", nil), http.StatusNotFound)
	expect(t, "bad phone", s.do(t, nil, "POST", "/kiosk/DSI-HQ/tickets",
		url.Values{"queue": {"A"}, "class": {"normal"}, "phone": {"12"}, "lang": {"en"}}), http.StatusUnprocessableEntity,
		`href="#phone"`, "Enter a mobile number of 8 digits")

	id := s.kioskTicket(t, "elderly", "6612 3456")
	v, err := s.q.View(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if v.Ticket.Source != queue.Kiosk || v.Ticket.Class != queue.Elderly || v.Ticket.Phone != "+85366123456" {
		t.Errorf("kiosk ticket %+v", v.Ticket)
	}
	expect(t, "printable ticket", s.do(t, nil, "GET", "/kiosk/DSI-HQ/tickets/"+id+"?lang=en", nil), http.StatusOK,
		`id="ticket-number">A001<`, `src="data:image/png;base64,`, `href="http://example.com/tickets/`+id+`"`,
		"Aged 65 or over", "Show the staff a document", "We will send you an SMS", `href="/static/queue.css?v=`)
	// The ticket's page is reached by its ID alone, signed in or not.
	expect(t, "ticket page", s.do(t, nil, "GET", "/tickets/"+id, nil), http.StatusOK, "A001", "People ahead of you",
		`data-events="/api/v1/branches/DSI-HQ/queue/events"`, `data-number="A001"`, `href="/tickets/`+id+`"`,
		`action="/tickets/`+id+`/cancel"`)
	bo := s.person(t, "bo", identity.Level1)
	expect(t, "ticket page, signed in", s.do(t, bo, "GET", "/tickets/"+id, nil), http.StatusOK, "A001")
	expect(t, "through another branch's kiosk", s.do(t, nil, "GET", "/kiosk/DSAT-HQ/tickets/"+id, nil), http.StatusNotFound)
	expect(t, "unknown ticket", s.do(t, nil, "GET", "/tickets/nope", nil), http.StatusNotFound)

	location(t, s.do(t, nil, "POST", "/tickets/"+id+"/cancel", url.Values{}), "/tickets/"+id+"?cancelled=1")
	expect(t, "cancelled", s.do(t, nil, "GET", "/tickets/"+id+"?cancelled=1", nil), http.StatusOK,
		"Your ticket is cancelled.", "Cancelled")
}

func TestRemoteTicketOfAnotherResidentIsNotFound(t *testing.T) {
	s := newQueueSite(t)
	ana, bo := s.person(t, "ana", identity.Level1), s.person(t, "bo", identity.Level1)

	body := expect(t, "take page", s.do(t, ana, "GET", "/branches/DSI-HQ/tickets", nil), http.StatusOK,
		`action="/branches/DSI-HQ/tickets"`, `name="queue"`, `value="A"`)
	m := regexp.MustCompile(`name="idem" value="([^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("the form has no idem field")
	}
	expect(t, "take page signed out", s.do(t, nil, "GET", "/branches/DSI-HQ/tickets", nil), http.StatusOK,
		`href="/login?next=%2Fbranches%2FDSI-HQ%2Ftickets"`)
	location(t, s.do(t, nil, "POST", "/branches/DSI-HQ/tickets", url.Values{"queue": {"A"}}), "/login?next=")
	expect(t, "no queue chosen", s.do(t, ana, "POST", "/branches/DSI-HQ/tickets", url.Values{}), http.StatusUnprocessableEntity,
		`href="#queue"`, "Choose a queue")

	form := url.Values{"queue": {"A"}, "idem": {m[1]}}
	loc := location(t, s.do(t, ana, "POST", "/branches/DSI-HQ/tickets", form), "/tickets/")
	tm := ticketRE.FindStringSubmatch(loc)
	if tm == nil {
		t.Fatalf("took a ticket to %s", loc)
	}
	id := tm[1]
	// The same form sent twice takes one ticket.
	if again := location(t, s.do(t, ana, "POST", "/branches/DSI-HQ/tickets", form), "/tickets/"); again != loc {
		t.Errorf("the second submission went to %s, want %s", again, loc)
	}
	expect(t, "a second ticket", s.do(t, ana, "POST", "/branches/DSI-HQ/tickets", url.Values{"queue": {"A"}}),
		http.StatusConflict, "You already have a ticket at this service point")

	expect(t, "ana's ticket", s.do(t, ana, "GET", loc, nil), http.StatusOK, "You have a ticket", "A001", "You are next")
	for _, u := range []*orgUser{bo, nil} {
		expect(t, "someone else's ticket", s.do(t, u, "GET", "/tickets/"+id, nil), http.StatusNotFound)
		expect(t, "someone else cancels", s.do(t, u, "POST", "/tickets/"+id+"/cancel", url.Values{}), http.StatusNotFound)
	}
	expect(t, "through the kiosk", s.do(t, nil, "GET", "/kiosk/DSI-HQ/tickets/"+id, nil), http.StatusNotFound)
	if v, err := s.q.Mine(context.Background(), ana.Account, id); err != nil || v.Ticket.Status != queue.Waiting {
		t.Fatalf("after bo's tries ana's ticket is %+v (%v)", v.Ticket, err)
	}
	location(t, s.do(t, ana, "POST", "/tickets/"+id+"/cancel", url.Values{}), "/tickets/"+id+"?cancelled=1")
	if v, err := s.q.Mine(context.Background(), ana.Account, id); err != nil || v.Ticket.Status != queue.Cancelled {
		t.Fatalf("after cancelling ana's ticket is %+v (%v)", v.Ticket, err)
	}
}

func TestWorkstation(t *testing.T) {
	s := newQueueSite(t)
	agent := s.staffAs(t, "agent", "DSI", identity.CounterAgent)
	dsat := s.staffAs(t, "dsat", "DSAT", identity.CounterAgent)
	ana := s.person(t, "ana", identity.Level1)
	ws := "/staff/counters/DSI-HQ.DSI-01"

	expect(t, "landing", s.do(t, agent, "GET", "/staff/counters", nil), http.StatusOK, `href="/staff/counters/DSI-HQ.DSI-01"`,
		`href="/staff/queue-stats/DSI-HQ"`, `href="/board/DSI-HQ"`)
	if body := expect(t, "DSAT landing", s.do(t, dsat, "GET", "/staff/counters", nil), http.StatusOK); strings.Contains(body, "DSI-HQ.DSI-01") {
		t.Error("the DSAT agent's landing offers a DSI counter")
	}
	expect(t, "closed counter", s.do(t, agent, "GET", ws, nil), http.StatusOK, "Closed", `action="`+ws+`/open"`, "Keyboard shortcuts")
	if rec := s.do(t, dsat, "GET", ws, nil); rec.Code != http.StatusForbidden && rec.Code != http.StatusNotFound {
		t.Errorf("DSAT agent's workstation: %d, want 403 or 404", rec.Code)
	}
	if rec := s.do(t, dsat, "POST", ws+"/open", url.Values{}); rec.Code != http.StatusForbidden && rec.Code != http.StatusNotFound {
		t.Errorf("DSAT agent opens: %d, want 403 or 404", rec.Code)
	}
	expect(t, "resident", s.do(t, ana, "GET", ws, nil), http.StatusForbidden)
	location(t, s.do(t, nil, "GET", ws, nil), "/login?next=")
	expect(t, "unknown counter", s.do(t, agent, "GET", "/staff/counters/DSI-HQ.NOPE", nil), http.StatusNotFound)

	location(t, s.do(t, agent, "POST", ws+"/open", url.Values{}), ws+"?done=open")
	expect(t, "nobody waiting", s.do(t, agent, "POST", ws+"/call-next", url.Values{}), http.StatusConflict,
		"Nobody is waiting in this counter", `data-key="n"`)

	first := s.kioskTicket(t, "normal", "")
	second := s.kioskTicket(t, "pregnant", "")
	expect(t, "waiting list", s.do(t, agent, "GET", ws, nil), http.StatusOK, "A001", "A002", "To check",
		`id="ws-lists" data-events="/api/v1/branches/DSI-HQ/queue/events"`)
	loc := location(t, s.do(t, agent, "POST", ws+"/call-next", url.Values{}), ws+"?done=call-next&number=")
	called := loc[strings.LastIndex(loc, "=")+1:]
	expect(t, "called", s.do(t, agent, "GET", loc, nil), http.StatusOK, called+" called.", `id="current-number">`+called+`<`,
		`data-key="r"`, `data-key="m"`, `data-key="c"`, `aria-keyshortcuts="C"`, `id="complete-next"`,
		`formaction="`+ws+`/call-next"`)
	id := first
	if called == "A002" {
		id = second
	}
	expect(t, "the ticket page says where to go", s.do(t, nil, "GET", "/tickets/"+id, nil), http.StatusOK,
		"It is your turn", "Please go to Counter 1 (DSI).")
	location(t, s.do(t, agent, "POST", ws+"/tickets/"+id+"/recall", url.Values{}), ws+"?done=recall")
	expect(t, "busy", s.do(t, agent, "POST", ws+"/call-next", url.Values{}), http.StatusConflict, "Finish the current ticket")
	// Staff of another entity cannot act on the ticket.
	if rec := s.do(t, dsat, "POST", ws+"/tickets/"+id+"/complete", url.Values{"outcome": {"served"}}); rec.Code != http.StatusForbidden && rec.Code != http.StatusNotFound {
		t.Errorf("DSAT agent completes: %d, want 403 or 404", rec.Code)
	}
	// "Complete and call next": one press finishes this visit and calls
	// the other ticket.
	location(t, s.do(t, agent, "POST", ws+"/call-next", url.Values{"outcome": {"served"}}), ws+"?done=call-next")
	expect(t, "finished", s.do(t, nil, "GET", "/tickets/"+id, nil), http.StatusOK, "Your visit is finished")
	expect(t, "unknown action", s.do(t, agent, "POST", ws+"/tickets/"+id+"/explode", url.Values{}), http.StatusNotFound)

	// The other ticket: confirm its class, set it aside and call it back,
	// then mark it missed and put it back in the queue.
	other := second
	if id == second {
		other = first
	}
	tb := ws + "/tickets/" + other
	location(t, s.do(t, agent, "POST", tb+"/class", url.Values{"class": {"elderly"}}), ws+"?done=class")
	if v, _ := s.q.View(context.Background(), other); v.Ticket.Class != queue.Elderly || !v.Ticket.ClassConfirmed {
		t.Errorf("after confirming, the class is %s (confirmed %v)", v.Ticket.Class, v.Ticket.ClassConfirmed)
	}
	location(t, s.do(t, agent, "POST", tb+"/park", url.Values{}), ws+"?done=park")
	expect(t, "parked", s.do(t, agent, "GET", ws, nil), http.StatusOK, `id="parked-title"`, `action="`+tb+`/resume"`)
	expect(t, "the ticket page while parked", s.do(t, nil, "GET", "/tickets/"+other, nil), http.StatusOK, "set your ticket aside")
	location(t, s.do(t, agent, "POST", tb+"/resume", url.Values{}), ws+"?done=resume")
	location(t, s.do(t, agent, "POST", tb+"/no-show", url.Values{}), ws+"?done=no-show")
	expect(t, "missed", s.do(t, agent, "GET", ws, nil), http.StatusOK, `id="missed-title"`, `action="`+tb+`/reinstate"`)
	expect(t, "the ticket page when missed", s.do(t, nil, "GET", "/tickets/"+other, nil), http.StatusOK, "You were called but did not come")
	location(t, s.do(t, agent, "POST", tb+"/reinstate", url.Values{}), ws+"?done=reinstate")
	expect(t, "back in the queue", s.do(t, agent, "GET", ws, nil), http.StatusOK, `id="waiting-count">1<`)
	expect(t, "a refused action", s.do(t, agent, "POST", tb+"/complete", url.Values{}), http.StatusConflict, "This ticket cannot do that now")

	// Transferred to B, it leaves DSI-01's list (which serves only A).
	location(t, s.do(t, agent, "POST", ws+"/call-next", url.Values{}), ws+"?done=call-next")
	expect(t, "transfer offered", s.do(t, agent, "GET", ws, nil), http.StatusOK, `action="`+tb+`/transfer"`, `<option value="B">B – Passports</option>`)
	location(t, s.do(t, agent, "POST", tb+"/transfer", url.Values{"queue": {"B"}}), ws+"?done=transfer")
	if v, _ := s.q.View(context.Background(), other); v.Ticket.Queue != "B" {
		t.Errorf("after the transfer the ticket is in queue %s", v.Ticket.Queue)
	}
	expect(t, "after the transfer", s.do(t, agent, "GET", ws, nil), http.StatusOK, `id="waiting-count">0<`)
	expect(t, "the ticket page after the transfer", s.do(t, nil, "GET", "/tickets/"+other, nil), http.StatusOK, "Passports")
	location(t, s.do(t, agent, "POST", ws+"/close", url.Values{}), ws+"?done=close")
}

func TestQueueStatusBoardAndStats(t *testing.T) {
	s := newQueueSite(t)
	s.kioskTicket(t, "normal", "")
	agent := s.staffAs(t, "agent", "DSI", identity.CounterAgent)
	dsat := s.staffAs(t, "dsat", "DSAT", identity.CounterAgent)
	ws := "/staff/counters/DSI-HQ.DSI-02"
	location(t, s.do(t, agent, "POST", ws+"/open", url.Values{}), ws)
	location(t, s.do(t, agent, "POST", ws+"/call-next", url.Values{}), ws)

	expect(t, "branch page", s.do(t, nil, "GET", "/branches/DSI-HQ", nil), http.StatusOK,
		`href="/branches/DSI-HQ/tickets"`, `href="/branches/DSI-HQ/queue"`)
	if body := s.do(t, nil, "GET", "/branches/DSAT-HQ", nil).Body.String(); strings.Contains(body, "/tickets\"") {
		t.Error("a branch without queues offers tickets")
	}
	expect(t, "live status", s.do(t, nil, "GET", "/branches/DSI-HQ/queue", nil), http.StatusOK,
		`data-queue="A"`, `data-field="now_serving">A001<`, `data-field="waiting">0<`, "No wait")
	body := expect(t, "board", s.do(t, nil, "GET", "/board/DSI-HQ", nil), http.StatusOK,
		`class="oa-board__number">A001<`, "Counter 2 (DSI)", "DSI 2號櫃檯", "Balcão 2 (DSI)", `id="board-fullscreen"`)
	m := regexp.MustCompile(`(?s)<script type="application/json" id="board-data">(.*?)</script>`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("the board has no data for its script")
	}
	var sc boardScript
	if err := json.Unmarshal([]byte(m[1]), &sc); err != nil {
		t.Fatalf("board data %q: %v", m[1], err)
	}
	if sc.Say[lang.ZhHant] != "請{number}號到{counter}" || sc.Counters["DSI-02"][lang.Pt] != "Balcão 2 (DSI)" {
		t.Errorf("board data %+v", sc)
	}

	stats := "/staff/queue-stats/DSI-HQ?day=2026-03-02"
	expect(t, "stats", s.do(t, agent, "GET", stats, nil), http.StatusOK, `<svg class="oa-chart"`, `role="img"`,
		"Identification: tickets by hour", "Identification by hour", `href="/staff/queue-stats/DSI-HQ?day=2026-03-02&amp;format=csv"`)
	rec := s.do(t, agent, "GET", stats+"&format=csv", nil)
	csvBody := expect(t, "csv", rec, http.StatusOK, strings.Join(statsHeader, ","), "DSI-HQ,A,2026-03-02,all,1,")
	if cd := rec.Header().Get("Content-Disposition"); cd != `attachment; filename="queue-stats-DSI-HQ-2026-03-02.csv"` {
		t.Errorf("Content-Disposition %q\n%s", cd, csvBody)
	}
	expect(t, "DSAT stats", s.do(t, dsat, "GET", stats, nil), http.StatusForbidden)
	expect(t, "bad day", s.do(t, agent, "GET", "/staff/queue-stats/DSI-HQ?day=2026-02-30", nil), http.StatusBadRequest)

	rec = s.do(t, nil, "GET", "/open-data/queue/2026-03-02.json", nil)
	var od openDay
	if err := json.Unmarshal(rec.Body.Bytes(), &od); err != nil || rec.Code != http.StatusOK || od.Day != "2026-03-02" || len(od.Queues) == 0 {
		t.Fatalf("open data: %d %v %+v", rec.Code, err, od)
	}
	if strings.Contains(rec.Body.String(), "+853") || strings.Contains(rec.Body.String(), "account") {
		t.Error("the open data carries personal data")
	}
	for _, p := range []string{"/open-data/queue/2026-03-03.json", "/open-data/queue/2026-03-02", "/open-data/queue/yesterday.json"} {
		if rec := s.do(t, nil, "GET", p, nil); rec.Code != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", p, rec.Code)
		}
	}
}

func TestQueueTicketsCardAndHeldTicket(t *testing.T) {
	s := newQueueSite(t)
	ana, bo := s.person(t, "ana", identity.Level1), s.person(t, "bo", identity.Level1)
	take := func(u *orgUser) string {
		t.Helper()
		m := ticketRE.FindStringSubmatch(location(t, s.do(t, u, "POST", "/branches/DSI-HQ/tickets", url.Values{"queue": {"A"}}), "/tickets/"))
		if m == nil {
			t.Fatal("no ticket taken")
		}
		return m[1]
	}
	if body := expect(t, "no ticket yet", s.do(t, ana, "GET", "/dashboard", nil), http.StatusOK); strings.Contains(body, "Your queue tickets") {
		t.Error("the card shows without a ticket")
	}
	anas, bos := take(ana), take(bo)
	body := expect(t, "ana's card", s.do(t, ana, "GET", "/dashboard", nil), http.StatusOK,
		"Your queue tickets", `href="/tickets/`+anas+`"`, "Ticket A001", "Identification", "You are next")
	if strings.Contains(body, bos) || strings.Contains(body, "A002") {
		t.Error("ana's card lists bo's ticket")
	}
	body = expect(t, "bo's card", s.do(t, bo, "GET", "/dashboard", nil), http.StatusOK,
		`href="/tickets/`+bos+`"`, "Ticket A002", "1 person ahead of you")
	if strings.Contains(body, anas) {
		t.Error("bo's card lists ana's ticket")
	}
	expect(t, "a second ticket links to the first", s.do(t, ana, "POST", "/branches/DSI-HQ/tickets", url.Values{"queue": {"B"}}),
		http.StatusConflict, "You already have a ticket at this service point", `href="/tickets/`+anas+`"`, "See the ticket you hold")

	location(t, s.do(t, ana, "POST", "/tickets/"+anas+"/cancel", url.Values{}), "/tickets/")
	if body := expect(t, "after cancelling", s.do(t, ana, "GET", "/dashboard", nil), http.StatusOK); strings.Contains(body, "Your queue tickets") {
		t.Error("the card lists a cancelled ticket")
	}
}

// TestKioskRateLimit: one screen takes its burst of tickets, then is
// told to wait (429, Retry-After, in the kiosk's language) and no ticket
// is issued.
func TestKioskRateLimit(t *testing.T) {
	s := newQueueSite(t)
	for range kioskBurst {
		s.kioskTicket(t, "normal", "")
	}
	rec := s.do(t, nil, "POST", "/kiosk/DSI-HQ/tickets", url.Values{"queue": {"A"}, "class": {"normal"}, "lang": {"pt"}})
	expect(t, "one ticket too many", rec, http.StatusTooManyRequests, "Este ecrã emitiu muitas senhas")
	if ra := rec.Header().Get("Retry-After"); ra == "" || ra == "0" {
		t.Errorf("Retry-After %q", ra)
	}
	st, err := s.q.Status(context.Background(), "DSI-HQ")
	if err != nil {
		t.Fatal(err)
	}
	if w := st.Queues[0].Waiting; w != kioskBurst {
		t.Errorf("%d waiting after the refusal, want %d", w, kioskBurst)
	}
}
