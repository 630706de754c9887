package identity

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"time"
)

// SessionState tells a half-signed-in session (password done, second factor
// pending) from a full one.
type SessionState string

// The session states.
const (
	StateMFA    SessionState = "mfa"
	StateActive SessionState = "active"
)

// Session is a server-side session. Only the hash of its token is stored.
type Session struct {
	IDHash    string
	AccountID string
	State     SessionState
	// AMR lists the authentication methods used: pwd, otp, sms, hwk, rec.
	AMR []string
	// ActingOrg is the organisation the person acts for, "" for themselves.
	ActingOrg  string
	IP         string
	UserAgent  string
	CreatedAt  time.Time
	AuthAt     time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
}

// SessionPolicy holds the session lifetimes.
type SessionPolicy struct {
	Idle     time.Duration
	Absolute time.Duration
	// MFAWindow is how long a half-signed-in session waits for the second
	// factor.
	MFAWindow time.Duration
	// TouchEvery limits how often activity is written, so reading a page
	// does not always cost a write.
	TouchEvery time.Duration
}

// DefaultSessionPolicy follows NIST SP 800-63B at AAL2: 30 minutes idle, 12
// hours in all.
var DefaultSessionPolicy = SessionPolicy{Idle: 30 * time.Minute, Absolute: 12 * time.Hour,
	MFAWindow: 5 * time.Minute, TouchEvery: time.Minute}

// Expired reports whether s is no longer valid at now.
func (p SessionPolicy) Expired(s Session, now time.Time) bool {
	if !now.Before(s.ExpiresAt) {
		return true
	}
	if s.State == StateMFA {
		return !now.Before(s.CreatedAt.Add(p.MFAWindow))
	}
	return !now.Before(s.LastSeenAt.Add(p.Idle))
}

// NewToken returns a random token with 256 bits of entropy, URL-safe.
func NewToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// HashToken returns the stored form of a token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// NewID returns a random, lower-case identifier of 128 bits.
func NewID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

// DeviceLabel turns a User-Agent into a short label such as "Chrome on
// Android" for the sessions list.
func DeviceLabel(ua string) string {
	browser := "Browser"
	for _, b := range []struct{ key, name string }{
		{"Edg/", "Edge"}, {"OPR/", "Opera"}, {"Chrome/", "Chrome"}, {"Chromium/", "Chromium"},
		{"Firefox/", "Firefox"}, {"Safari/", "Safari"}, {"curl/", "curl"},
	} {
		if strings.Contains(ua, b.key) {
			browser = b.name
			break
		}
	}
	for _, o := range []struct{ key, name string }{
		{"Android", "Android"}, {"iPhone", "iPhone"}, {"iPad", "iPad"}, {"Windows", "Windows"},
		{"Mac OS X", "macOS"}, {"CrOS", "ChromeOS"}, {"Linux", "Linux"},
	} {
		if strings.Contains(ua, o.key) {
			return browser + " · " + o.name
		}
	}
	return browser
}
