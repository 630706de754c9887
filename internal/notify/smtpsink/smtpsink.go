// Package smtpsink is a real SMTP server for tests and benchmarks: it
// listens on 127.0.0.1, accepts every message (or refuses the next few
// with a temporary failure, on request) and keeps what it received.
package smtpsink

import (
	"bytes"
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	smtp "github.com/emersion/go-smtp"
)

// Mail is one message the sink accepted.
type Mail struct {
	From string
	To   []string
	Data []byte
}

// Sink is a running SMTP server.
type Sink struct {
	// Host and Port are where it listens.
	Host string
	Port int

	mu       sync.Mutex
	mails    []Mail
	failNext int
	failAll  bool
	arrived  chan struct{}
}

// Start starts a sink that stops when tb ends.
func Start(tb testing.TB) *Sink {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	s := &Sink{Host: "127.0.0.1", Port: l.Addr().(*net.TCPAddr).Port, arrived: make(chan struct{}, 1)}
	srv := smtp.NewServer(s)
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.MaxMessageBytes = 4 << 20
	srv.ErrorLog = discard{}
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := srv.Serve(l); err != nil && !errors.Is(err, smtp.ErrServerClosed) && !errors.Is(err, net.ErrClosed) {
			tb.Errorf("smtp sink: %v", err)
		}
	})
	tb.Cleanup(func() {
		_ = srv.Close()
		_ = l.Close()
		wg.Wait()
	})
	return s
}

// FailNext makes the next n messages fail with 451 (try again later).
func (s *Sink) FailNext(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext = n
}

// FailAll makes every message fail with 451 until turned off.
func (s *Sink) FailAll(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failAll = on
}

// Mails returns what the sink accepted so far.
func (s *Sink) Mails() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.mails...)
}

// Count is how many messages the sink accepted.
func (s *Sink) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.mails)
}

// WaitFor waits until n messages arrived or d passed, reporting whether
// they did.
func (s *Sink) WaitFor(n int, d time.Duration) bool {
	deadline := time.After(d)
	for s.Count() < n {
		select {
		case <-s.arrived:
		case <-deadline:
			return s.Count() >= n
		}
	}
	return true
}

// NewSession implements smtp.Backend.
func (s *Sink) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{s: s}, nil }

type session struct {
	s *Sink
	m Mail
}

func (x *session) Mail(from string, _ *smtp.MailOptions) error { x.m.From = from; return nil }
func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.m.To = append(x.m.To, to)
	return nil
}

func (x *session) Data(r io.Reader) error {
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, r); err != nil {
		return err
	}
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	if x.s.failAll || x.s.failNext > 0 {
		if x.s.failNext > 0 {
			x.s.failNext--
		}
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	x.m.Data = buf.Bytes()
	x.s.mails = append(x.s.mails, x.m)
	select {
	case x.s.arrived <- struct{}{}:
	default:
	}
	return nil
}

func (x *session) Reset()        { x.m = Mail{} }
func (x *session) Logout() error { return nil }

type discard struct{}

func (discard) Printf(string, ...any) {}
func (discard) Println(...any)        {}
