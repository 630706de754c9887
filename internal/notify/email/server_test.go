package email

import (
	"bytes"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	smtp "github.com/emersion/go-smtp"
)

// envelope is one message the test server accepted.
type envelope struct {
	From string
	To   []string
	Data []byte
	User string // the authenticated user, if any
}

// testServer is a real SMTP server on 127.0.0.1 that records what it gets.
type testServer struct {
	Addr string
	Port int

	// Set before the first connection:
	refuse   string      // a recipient answered 550
	user     string      // when set, AUTH PLAIN with user/pass is required
	pass     string      //
	tls      *tls.Config // when set, STARTTLS is offered
	implicit bool        // with tls: TLS from the first byte instead
	received chan envelope
}

// startServer starts a server configured by opts and stops it when the test
// ends.
func startServer(t *testing.T, opts ...func(*testServer)) *testServer {
	t.Helper()
	ts := &testServer{received: make(chan envelope, 4)}
	for _, o := range opts {
		o(ts)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts.Addr = l.Addr().String()
	ts.Port = l.Addr().(*net.TCPAddr).Port
	s := smtp.NewServer(ts)
	s.Domain = "localhost"
	s.ReadTimeout, s.WriteTimeout = 5*time.Second, 5*time.Second
	s.MaxMessageBytes = 1 << 20
	s.AllowInsecureAuth = true
	s.TLSConfig = ts.tls
	if ts.implicit {
		l = tls.NewListener(l, ts.tls)
	}
	s.ErrorLog = discardLogger{}
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := s.Serve(l); err != nil && !errors.Is(err, smtp.ErrServerClosed) && !errors.Is(err, net.ErrClosed) {
			t.Errorf("smtp server: %v", err)
		}
	})
	t.Cleanup(func() {
		_ = s.Close()
		_ = l.Close() // Close misses a listener Serve has not registered yet
		wg.Wait()
	})
	return ts
}

// next returns the next accepted envelope or fails after a while.
func (ts *testServer) next(t *testing.T) envelope {
	t.Helper()
	select {
	case e := <-ts.received:
		return e
	case <-time.After(5 * time.Second):
		t.Fatal("the server received nothing")
		return envelope{}
	}
}

// NewSession implements smtp.Backend.
func (ts *testServer) NewSession(*smtp.Conn) (smtp.Session, error) {
	return &session{srv: ts}, nil
}

type session struct {
	srv *testServer
	env envelope
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if s.srv.user == "" || user != s.srv.user || pass != s.srv.pass {
			return smtp.ErrAuthFailed
		}
		s.env.User = user
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.srv.user != "" && s.env.User == "" {
		return smtp.ErrAuthRequired
	}
	s.env.From = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if strings.EqualFold(to, s.srv.refuse) {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	}
	s.env.To = append(s.env.To, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, r); err != nil {
		return err
	}
	s.env.Data = buf.Bytes()
	s.srv.received <- s.env
	return nil
}

func (s *session) Reset() { s.env = envelope{User: s.env.User} }

func (s *session) Logout() error { return nil }

type discardLogger struct{}

func (discardLogger) Printf(string, ...any) {}
func (discardLogger) Println(...any)        {}
