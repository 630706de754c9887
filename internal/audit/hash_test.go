package audit

import (
	"strings"
	"testing"
	"time"
)

func sample() Event {
	return Event{
		Seq: 7, At: time.Date(2026, 3, 1, 9, 30, 0, 123456000, time.UTC), Action: RecordViewed,
		Actor: "staff-1", ActorEntity: "DSI", ActorRole: "counter", Org: "", Subject: "res-9",
		Purpose: "renew ID card", IP: "203.0.113.5", UserAgent: "Firefox",
		Detail: map[string]string{"a": "1", "b": "2", "c": "3"},
	}
}

func TestHashIsDeterministic(t *testing.T) {
	e := sample()
	h := Hash("prev", e)
	if len(h) != 64 || strings.ToLower(h) != h {
		t.Fatalf("Hash = %q, want 64 lower-case hex digits", h)
	}
	// Maps built in another order, and a non-UTC zone for the same instant.
	other := sample()
	other.Detail = map[string]string{}
	for _, k := range []string{"c", "a", "b"} {
		other.Detail[k] = e.Detail[k]
	}
	other.At = e.At.In(time.FixedZone("MO", 8*3600))
	other.Prev, other.Hash = "ignored", "ignored"
	for range 20 {
		if got := Hash("prev", other); got != h {
			t.Fatalf("Hash changed with map order or zone: %s != %s", got, h)
		}
	}
	if Hash("", Event{Detail: map[string]string{}}) != Hash("", Event{}) {
		t.Error("an empty Detail and a nil one hash differently")
	}
}

func TestHashCoversEveryField(t *testing.T) {
	base := Hash("prev", sample())
	changes := map[string]func(*Event){
		"seq":        func(e *Event) { e.Seq++ },
		"at":         func(e *Event) { e.At = e.At.Add(time.Microsecond) },
		"action":     func(e *Event) { e.Action = SignIn },
		"actor":      func(e *Event) { e.Actor = "staff-2" },
		"entity":     func(e *Event) { e.ActorEntity = "DSAL" },
		"role":       func(e *Event) { e.ActorRole = "admin" },
		"org":        func(e *Event) { e.Org = "org-1" },
		"subject":    func(e *Event) { e.Subject = "res-8" },
		"purpose":    func(e *Event) { e.Purpose = "curiosity" },
		"ip":         func(e *Event) { e.IP = "203.0.113.6" },
		"user agent": func(e *Event) { e.UserAgent = "curl" },
		"detail":     func(e *Event) { e.Detail["b"] = "x" },
		"detail key": func(e *Event) { e.Detail["d"] = "" },
		// Moving bytes between adjacent fields must change the hash.
		"boundary": func(e *Event) { e.Actor, e.ActorEntity = "staff-1D", "SI" },
		"kv swap":  func(e *Event) { e.Detail = map[string]string{"a": "1", "b": "2", "c3": ""} },
	}
	for name, change := range changes {
		e := sample()
		change(&e)
		if Hash("prev", e) == base {
			t.Errorf("changing %s leaves the hash unchanged", name)
		}
	}
	if Hash("prev2", sample()) == base {
		t.Error("prev is not hashed")
	}
}

func TestSealNormalizes(t *testing.T) {
	e := sample()
	e.At = time.Date(2026, 3, 1, 17, 30, 0, 123456789, time.FixedZone("MO", 8*3600))
	e.UserAgent = "bad\xff\x00" + strings.Repeat("é", MaxField)
	e.Detail = map[string]string{}
	s := Seal(e, 3, "abc")
	if s.Seq != 3 || s.Prev != "abc" || s.Hash != Hash("abc", s) {
		t.Fatalf("Seal numbering: %+v", s)
	}
	if s.At.Location() != time.UTC || s.At.Nanosecond() != 123456000 {
		t.Errorf("At = %v, want UTC to the microsecond", s.At)
	}
	if s.Detail != nil {
		t.Errorf("empty Detail kept as %#v", s.Detail)
	}
	if len(s.UserAgent) > MaxField || !strings.HasPrefix(s.UserAgent, "bad\uFFFD\uFFFDé") || strings.ContainsRune(s.UserAgent, 0) {
		t.Errorf("UserAgent not cleaned: %q...", s.UserAgent[:12])
	}
}

func TestValidate(t *testing.T) {
	ok := []Event{{Action: SignIn}, {Action: "case.step_2"}, sample()}
	for _, e := range ok {
		if err := e.Validate(); err != nil {
			t.Errorf("Validate(%s) = %v", e.Action, err)
		}
	}
	noPurpose := sample()
	noPurpose.Purpose = " "
	bad := []Event{{}, {Action: "Sign In"}, {Action: strings.Repeat("a", MaxAction+1)}, {Action: RecordViewed}, noPurpose}
	for _, e := range bad {
		if err := e.Validate(); err == nil {
			t.Errorf("Validate(%q) accepted", e.Action)
		}
	}
}
