package notify

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oneaccount/oneaccount/internal/lang"
)

// tick returns a clock that advances one second per call.
func tick() func() time.Time {
	t := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	return func() time.Time {
		t = t.Add(time.Second)
		return t
	}
}

func TestDevSinkKeepsNewestFirst(t *testing.T) {
	sink := NewDevSink(nil, tick())
	s := NewSender(sink.Channels()...)
	for i := range 3 {
		m := Message{Kind: Email, To: fmt.Sprintf("p%d@example.mo", i), Text: fmt.Sprint(i)}
		if err := s.Send(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Send(context.Background(), Message{Kind: SMS, To: "+85366123456", Text: "sms"}); err != nil {
		t.Fatal(err)
	}
	got := sink.Messages()
	want := []string{"sms", "2", "1", "0"}
	if len(got) != len(want) {
		t.Fatalf("got %d messages, want %d", len(got), len(want))
	}
	for i, w := range want {
		if got[i].Text != w {
			t.Errorf("Messages()[%d].Text = %q, want %q", i, got[i].Text, w)
		}
		if i > 0 && !got[i].At.Before(got[i-1].At) {
			t.Errorf("message %d at %v is not older than message %d at %v", i, got[i].At, i-1, got[i-1].At)
		}
	}
}

func TestDevSinkDropsOldest(t *testing.T) {
	sink := NewDevSink(nil, tick())
	total := DevSinkSize + 25
	for i := range total {
		_ = sink.Send(context.Background(), Message{Kind: SMS, To: "+85366123456", Text: fmt.Sprint(i)})
	}
	got := sink.Messages()
	if len(got) != DevSinkSize {
		t.Fatalf("kept %d, want %d", len(got), DevSinkSize)
	}
	if got[0].Text != fmt.Sprint(total-1) || got[DevSinkSize-1].Text != fmt.Sprint(total-DevSinkSize) {
		t.Errorf("kept %q..%q, want %d..%d", got[0].Text, got[DevSinkSize-1].Text, total-1, total-DevSinkSize)
	}
}

func TestDevSinkLast(t *testing.T) {
	sink := NewDevSink(nil, tick())
	ctx := context.Background()
	_ = sink.Send(ctx, Message{Kind: Email, To: "ana@example.mo", Text: "code 111111"})
	_ = sink.Send(ctx, Message{Kind: Email, To: "rui@example.mo", Text: "code 222222"})
	_ = sink.Send(ctx, Message{Kind: Email, To: "Ana@Example.mo", Text: "code 333333"})

	got, ok := sink.Last("ana@example.mo")
	if !ok || got.Text != "code 333333" {
		t.Errorf("Last(ana) = %+v, %v; want the newest, code 333333", got, ok)
	}
	if _, ok := sink.Last("nobody@example.mo"); ok {
		t.Error("Last(nobody) found a message")
	}
}

func TestDevSinkLogsBody(t *testing.T) {
	var buf bytes.Buffer
	sink := NewDevSink(slog.New(slog.NewJSONHandler(&buf, nil)), tick())
	m := Message{Kind: SMS, To: "+85366123456", Subject: "登入", Text: "驗證碼 654321", Lang: lang.ZhHant}
	if err := sink.Channel(SMS).Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{`"level":"INFO"`, "+85366123456", "登入", "驗證碼 654321"} {
		if !strings.Contains(out, want) {
			t.Errorf("log %s lacks %s", out, want)
		}
	}
}

func TestDevSinkConcurrent(t *testing.T) {
	sink := NewDevSink(nil, time.Now)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				_ = sink.Send(context.Background(), Message{Kind: Email, To: fmt.Sprintf("g%d@example.mo", g), Text: fmt.Sprint(i)})
				_ = sink.Messages()
				_, _ = sink.Last("g0@example.mo")
			}
		})
	}
	wg.Wait()
	if n := len(sink.Messages()); n != DevSinkSize {
		t.Errorf("kept %d, want %d", n, DevSinkSize)
	}
}

func TestDevSinkChannelKinds(t *testing.T) {
	sink := NewDevSink(nil, nil)
	var kinds []Kind
	for _, c := range sink.Channels() {
		kinds = append(kinds, c.Kind())
	}
	if fmt.Sprint(kinds) != fmt.Sprint(Kinds()) {
		t.Errorf("channel kinds %v, want %v", kinds, Kinds())
	}
}
