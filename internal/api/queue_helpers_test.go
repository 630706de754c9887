package api

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/oneaccount/oneaccount/internal/audit"
	"github.com/oneaccount/oneaccount/internal/directory"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/identity/contact"
	"github.com/oneaccount/oneaccount/internal/lang"
	"github.com/oneaccount/oneaccount/internal/messages"
	"github.com/oneaccount/oneaccount/internal/queue"
	"github.com/oneaccount/oneaccount/internal/realtime"
	"github.com/oneaccount/oneaccount/internal/store/sqlstore"
)

// testQueues are DSI-HQ's queues in the tests: A for identity cards, B
// for passports with a daily quota of one remote ticket.
func testQueues() ([]queue.Queue, []queue.Counter) {
	qs := []queue.Queue{
		{Branch: "DSI-HQ", Code: "A", Entity: "DSI", Name: lang.Text{ZhHant: "身份證", Pt: "BIR", En: "Identity cards"},
			Services: []string{"DSI-BIR-FIRST", "DSI-BIR-RENEW"}, MaxWait: 45 * time.Minute},
		{Branch: "DSI-HQ", Code: "B", Entity: "DSI", Name: lang.Text{ZhHant: "護照", Pt: "Passaporte", En: "Passports"},
			Services: []string{"DSI-PASSPORT"}, DailyQuota: 1, MaxWait: 45 * time.Minute},
	}
	cs := []queue.Counter{
		{Branch: "DSI-HQ", Code: "DSI-01", Entity: "DSI", Name: lang.Text{ZhHant: "1號櫃檯", Pt: "Balcão 1", En: "Counter 1"},
			Queues: []string{"A", "B"}, PriorityShare: 1, NormalShare: 2},
		{Branch: "DSI-HQ", Code: "DSI-02", Entity: "DSI", Name: lang.Text{ZhHant: "2號櫃檯", Pt: "Balcão 2", En: "Counter 2"},
			Queues: []string{"A"}, PriorityShare: 1, NormalShare: 2},
	}
	return qs, cs
}

// setQueue turns the queue routes on over st, with DSI-HQ's test queues
// and a broker for live events.
func setQueue(t testing.TB, a *API, st *sqlstore.Store, dir *directory.Directory, clock func() time.Time) *realtime.Broker {
	t.Helper()
	qs, cs := testQueues()
	if err := st.SaveQueues(context.Background(), "DSI-HQ", qs, cs); err != nil {
		t.Fatalf("save queues: %v", err)
	}
	live := realtime.NewBroker(realtime.Options{})
	t.Cleanup(live.Shutdown)
	// The queue's clock moves a second at every reading, so tickets are
	// issued and called in a definite order.
	var tick atomic.Int64
	ticking := func() time.Time { return clock().Add(time.Duration(tick.Add(1)) * time.Second) }
	a.SetQueue(queue.New(st, dir, messages.New(st, clock, nil), live, ticking, nil))
	a.SetLive(live)
	return live
}

// people are the accounts of the queue scenarios, signed in by the test
// cookie "who" (the fake authenticator below) or, for bearer tokens, by
// "Authorization: Bearer NAME SCOPE".
type people map[string]identity.Account

// newPeople stores residents ana, bob, carol and dan, DSI counter agent
// agent and DSAT counter agent dsat, and signs requests in by name.
func newPeople(t testing.TB, a *API, st *sqlstore.Store) people {
	t.Helper()
	p := people{}
	add := func(name string, kind identity.Kind, entity string, roles ...identity.Role) {
		now := time.Now()
		acct, err := st.CreateAccount(context.Background(), identity.Account{ID: identity.NewID(), Kind: kind,
			NameLatin: name, Email: contact.Email(name + "@example.mo"), PasswordHash: "x", Entity: entity, Roles: roles,
			Assurance: identity.Level2, Lang: lang.En, CreatedAt: now, UpdatedAt: now}, audit.Event{})
		if err != nil {
			t.Fatalf("create %s: %v", name, err)
		}
		p[name] = acct
	}
	for _, n := range []string{"ana", "bob", "carol", "dan"} {
		add(n, identity.Resident, "")
	}
	add("agent", identity.Staff, "DSI", identity.CounterAgent)
	add("dsat", identity.Staff, "DSAT", identity.CounterAgent)
	a.SetAuthenticator(func(r *http.Request) (identity.Account, error) {
		c, err := r.Cookie("who")
		if err != nil {
			return identity.Account{}, identity.ErrNoSession
		}
		acct, ok := p[c.Value]
		if !ok {
			return identity.Account{}, identity.ErrNoSession
		}
		return acct, nil
	})
	a.SetAccountLoader(func(_ *http.Request, id string) (identity.Account, error) {
		for _, acct := range p {
			if acct.ID == id {
				return acct, nil
			}
		}
		return identity.Account{}, identity.ErrNoSession
	})
	a.SetTokenVerifier(func(r *http.Request) (Caller, bool, error) {
		name, scope, ok := strings.Cut(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "), " ")
		if !ok {
			return Caller{}, false, nil
		}
		return Caller{AccountID: p[name].ID, Scopes: []string{scope}}, true, nil
	})
	return p
}

// call is one request of a scenario: who sends it (a name, "" for nobody),
// and an optional JSON body and headers.
type call struct {
	who, method, target string
	body                any
	header              map[string]string
}

// send sends c through h.
func send(t *testing.T, h http.Handler, c call) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, c.request())
	return rec
}

func (c call) request() *http.Request {
	var rd *bytes.Reader
	switch b := c.body.(type) {
	case nil:
		rd = bytes.NewReader(nil)
	case string:
		rd = bytes.NewReader([]byte(b))
	default:
		raw, _ := json.Marshal(b)
		rd = bytes.NewReader(raw)
	}
	req := httptest.NewRequest(c.method, c.target, rd)
	req.Header.Set("Content-Type", "application/json")
	if c.who != "" {
		req.AddCookie(&http.Cookie{Name: "who", Value: c.who})
	}
	for k, v := range c.header {
		req.Header.Set(k, v)
	}
	return req
}

// documented validates answers against the OpenAPI document: the schema
// it gives for the request's route, the status and the content type.
type documented struct {
	a   *API
	doc map[string]any
	c   *jsonschema.Compiler
}

func newDocumented(t *testing.T, a *API) documented {
	doc := loadDoc(t)
	return documented{a: a, doc: doc, c: newCompiler(t, doc)}
}

// send sends c through h and validates the answer against the document.
func (d documented) send(t *testing.T, h http.Handler, c call) *httptest.ResponseRecorder {
	t.Helper()
	req := c.request()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	_, pattern := d.a.known.Handler(c.request())
	method, path, ok := strings.Cut(pattern, " ")
	if !ok {
		t.Fatalf("%s %s matches no route", c.method, c.target)
	}
	schema := responseSchema(t, d.c, d.doc, Route{Method: method, Path: path}, rec.Code, mediaType(t, rec.Header()))
	validate(t, schema, rec.Body.Bytes(), c.method+" "+c.target)
	return rec
}
