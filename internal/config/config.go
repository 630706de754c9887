// Package config reads the platform's settings from command-line flags and
// ONEACCOUNT_* environment variables (a flag wins over its variable) and
// validates them. A bad value is reported in one line naming the setting.
package config

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Config is every setting of the binary.
type Config struct {
	Addr            string
	DB              string
	BaseURL         *url.URL
	Demo            bool
	AutoMigrate     bool
	LogLevel        slog.Level
	ShutdownTimeout time.Duration
	// SessionIdle and SessionMax bound sessions (NIST SP 800-63B AAL2).
	SessionIdle time.Duration
	SessionMax  time.Duration
	// SMSFallback lets residents use SMS codes as a second factor.
	SMSFallback bool
	// HashConcurrency caps concurrent Argon2id computations (19 MiB each).
	HashConcurrency int
	// SMTPURL configures email: smtp://user:pass@host:port?from=ADDR&tls=starttls|tls|none.
	SMTPURL *url.URL
	// SMSURL and SMSToken configure the SMS provider adapter.
	SMSURL   *url.URL
	SMSToken string
	// MessagesRate is how many messages per second each client may send
	// through the API, on each node.
	MessagesRate float64
	// MaxStreams bounds the live event streams (server-sent events) one
	// node serves at once; past it a stream is refused with 503.
	MaxStreams int
	// KeyEncryptionKey (32 bytes) seals the OpenID provider's private
	// signing keys in the database. Unset, it is nil, except with --demo,
	// where it is DemoKeyEncryptionKey.
	KeyEncryptionKey []byte
}

// Engine returns "sqlite" or "postgres", from DB.
func (c Config) Engine() string {
	if strings.HasPrefix(c.DB, "sqlite:") {
		return "sqlite"
	}
	return "postgres"
}

// SQLitePath returns the file path of a sqlite: DB setting.
func (c Config) SQLitePath() string { return strings.TrimPrefix(c.DB, "sqlite:") }

// KeyEncryptionKeyIsDemo reports whether the key-encryption key is the
// public demo key, so the app can warn that signing keys are not secret.
func (c Config) KeyEncryptionKeyIsDemo() bool {
	return c.KeyEncryptionKey != nil && bytes.Equal(c.KeyEncryptionKey, DemoKeyEncryptionKey())
}

// DemoKeyEncryptionKey returns the key-encryption key used with --demo when
// none is set: SHA-256 of "oneaccount demo key-encryption key". It is
// public, so it protects nothing.
func DemoKeyEncryptionKey() []byte {
	k := sha256.Sum256([]byte("oneaccount demo key-encryption key"))
	return k[:]
}

// Secure reports whether the public URL is HTTPS, so cookies get the
// __Host- prefix and responses carry HSTS.
func (c Config) Secure() bool { return c.BaseURL != nil && c.BaseURL.Scheme == "https" }

// setting describes one setting for flags, environment and help.
type setting struct {
	flag, env, def, usage string
	parse                 func(c *Config, v string) error
}

var settings = []setting{
	{"addr", "ONEACCOUNT_ADDR", "127.0.0.1:8080", "address to listen on, host:port", parseAddr},
	{"db", "ONEACCOUNT_DB", "sqlite:data/oneaccount.db", "database: sqlite:PATH or postgres://USER@HOST/DB", parseDB},
	{"base-url", "ONEACCOUNT_BASE_URL", "http://localhost:8080", "public URL of the site, http(s)://host[:port]", parseBaseURL},
	{"demo", "ONEACCOUNT_DEMO", "false", "load demo data (never in production)", boolInto(func(c *Config) *bool { return &c.Demo })},
	{"auto-migrate", "ONEACCOUNT_AUTO_MIGRATE", "true", "apply database migrations when serve starts", boolInto(func(c *Config) *bool { return &c.AutoMigrate })},
	{"log-level", "ONEACCOUNT_LOG_LEVEL", "info", "log level: debug, info, warn or error", parseLogLevel},
	{"shutdown-timeout", "ONEACCOUNT_SHUTDOWN_TIMEOUT", "20s", "how long in-flight requests may finish after SIGTERM", parseShutdown},
	{"session-idle", "ONEACCOUNT_SESSION_IDLE", "30m", "a session ends after this long without activity", durationInto(func(c *Config) *time.Duration { return &c.SessionIdle })},
	{"session-max", "ONEACCOUNT_SESSION_MAX", "12h", "a session ends this long after sign-in, active or not", durationInto(func(c *Config) *time.Duration { return &c.SessionMax })},
	{"sms-fallback", "ONEACCOUNT_SMS_FALLBACK", "false", "allow SMS codes as a second factor (a restricted authenticator)", boolInto(func(c *Config) *bool { return &c.SMSFallback })},
	{"hash-concurrency", "ONEACCOUNT_HASH_CONCURRENCY", "4", "password hashes computed at once (19 MiB each); more wait", parseHashConcurrency},
	{"smtp-url", "ONEACCOUNT_SMTP_URL", "", "email relay: smtp://USER:PASS@HOST:PORT?from=ADDR&tls=starttls|tls|none", urlInto("smtp", func(c *Config) **url.URL { return &c.SMTPURL })},
	{"sms-url", "ONEACCOUNT_SMS_URL", "", "SMS provider adapter endpoint, https://...", urlInto("https", func(c *Config) **url.URL { return &c.SMSURL })},
	{"sms-token", "ONEACCOUNT_SMS_TOKEN", "", "bearer token for the SMS provider (never printed)", func(c *Config, v string) error { c.SMSToken = v; return nil }},
	{"messages-rate", "ONEACCOUNT_MESSAGES_RATE", "50", "messages per second each entity client may send through the API (per node)", parseMessagesRate},
	{"max-streams", "ONEACCOUNT_MAX_STREAMS", "20000", "live event streams (boards, ticket pages) one node serves at once (about 33 KiB each)", parseMaxStreams},
	{"key-encryption-key", "ONEACCOUNT_KEY_ENCRYPTION_KEY", "", "base64 of 32 random bytes sealing the OpenID signing keys (never printed; required unless --demo)", parseKEK},
}

// ErrHelp is returned when --help was asked for; the help has been printed.
var ErrHelp = flag.ErrHelp

// UsageError is a bad setting or argument; the binary exits with status 2.
type UsageError struct{ Msg string }

// Error implements error.
func (e *UsageError) Error() string { return e.Msg }

// Load reads the settings from args (the flags after the command name) and
// the environment, returning the config and the remaining arguments. Help
// and errors go to stderr.
func Load(command string, args []string, getenv func(string) string, stderr io.Writer) (Config, []string, error) {
	return LoadWith(command, args, getenv, stderr, nil)
}

// LoadWith is Load with a command's own flags, registered by extra on the
// same flag set, so they may be mixed with the settings in any order.
func LoadWith(command string, args []string, getenv func(string) string, stderr io.Writer, extra func(*flag.FlagSet)) (Config, []string, error) {
	fs := flag.NewFlagSet("oneaccount "+command, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	if extra != nil {
		extra(fs)
	}
	values := make([]*value, len(settings))
	for i, s := range settings {
		values[i] = &value{s: s.def, isBool: s.def == "true" || s.def == "false"}
		if v := getenv(s.env); v != "" {
			values[i].s = v
		}
		fs.Var(values[i], s.flag, s.usage)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			PrintHelp(stderr)
			return Config{}, nil, ErrHelp
		}
		return Config{}, nil, &UsageError{Msg: err.Error()}
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var c Config
	for i, s := range settings {
		if err := s.parse(&c, values[i].s); err != nil {
			name := "--" + s.flag
			if !set[s.flag] && getenv(s.env) != "" {
				name = s.env
			}
			return Config{}, nil, &UsageError{Msg: fmt.Sprintf("%s: %v", name, err)}
		}
	}
	if c.KeyEncryptionKey == nil && c.Demo {
		c.KeyEncryptionKey = DemoKeyEncryptionKey()
	}
	return c, fs.Args(), nil
}

// value is a flag's raw text, parsed after all flags are read so errors can
// name the flag or the variable that gave it. Boolean settings may be given
// bare (--demo).
type value struct {
	s      string
	isBool bool
}

func (v *value) String() string {
	if v == nil {
		return ""
	}
	return v.s
}

func (v *value) Set(s string) error { v.s = s; return nil }

func (v *value) IsBoolFlag() bool { return v.isBool }

// PrintHelp lists the commands and every setting.
func PrintHelp(w io.Writer) {
	fmt.Fprint(w, `Usage: oneaccount [command] [flags]

Commands:
  serve                    run the web server (the default)
  migrate                  apply database migrations and exit
  directory import FILE    load a directory data file (YAML); running it again changes nothing
  users create             create a resident: --email E --phone P --password PW --name N [--assurance 1|2|3] [--json]
  staff create             create staff: --entity CODE --role ROLE[,ROLE] --email E --password PW [--name N] [--json]
                           (prints the staff member's TOTP secret as an otpauth:// URI)
  audit verify             check the audit log's hash chain; exits 1 naming the first bad event
  keys rotate [--alg A]    add an OpenID signing key (ES256 or RS256, default ES256); it signs after 10 minutes
  keys list                list the OpenID signing keys and their states

Settings (a flag wins over its environment variable):
`)
	for _, s := range settings {
		fmt.Fprintf(w, "  --%-18s %-30s %s (default %q)\n", s.flag, s.env, s.usage, s.def)
	}
}

func parseAddr(c *Config, v string) error {
	host, port, err := net.SplitHostPort(v)
	if err != nil {
		return fmt.Errorf("%q is not host:port", v)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("%q: port must be 0 to 65535", v)
	}
	_ = host
	c.Addr = v
	return nil
}

func parseDB(c *Config, v string) error {
	switch {
	case strings.HasPrefix(v, "sqlite:") && len(v) > len("sqlite:"):
	case strings.HasPrefix(v, "postgres://"), strings.HasPrefix(v, "postgresql://"):
		if _, err := url.Parse(v); err != nil {
			return errors.New("not a valid postgres:// URL")
		}
	default:
		return errors.New("want sqlite:PATH or postgres://USER@HOST/DB")
	}
	c.DB = v
	return nil
}

func parseBaseURL(c *Config, v string) error {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q: want an absolute http(s) URL", v)
	}
	if u.Path != "" && u.Path != "/" || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("%q: want no path, query or fragment", v)
	}
	u.Path = ""
	c.BaseURL = u
	return nil
}

func boolInto(field func(*Config) *bool) func(*Config, string) error {
	return func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("%q: want true or false", v)
		}
		*field(c) = b
		return nil
	}
}

func parseLogLevel(c *Config, v string) error {
	if err := c.LogLevel.UnmarshalText([]byte(v)); err != nil {
		return fmt.Errorf("%q: want debug, info, warn or error", v)
	}
	return nil
}

func durationInto(field func(*Config) *time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Minute || d > 30*24*time.Hour {
			return fmt.Errorf("%q: want a duration such as 30m or 12h, from 1m to 720h", v)
		}
		*field(c) = d
		return nil
	}
}

func parseHashConcurrency(c *Config, v string) error {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 256 {
		return fmt.Errorf("%q: want a number from 1 to 256", v)
	}
	c.HashConcurrency = n
	return nil
}

func parseMaxStreams(c *Config, v string) error {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 1_000_000 {
		return fmt.Errorf("%q: want a number from 1 to 1000000", v)
	}
	c.MaxStreams = n
	return nil
}

// urlInto parses an optional URL whose scheme starts with prefix.
func urlInto(prefix string, field func(*Config) **url.URL) func(*Config, string) error {
	return func(c *Config, v string) error {
		if v == "" {
			return nil
		}
		u, err := url.Parse(v)
		if err != nil || !strings.HasPrefix(u.Scheme, prefix) || u.Host == "" {
			return fmt.Errorf("want a %s URL with a host", prefix)
		}
		*field(c) = u
		return nil
	}
}

// parseKEK decodes a key-encryption key: standard or unpadded URL-safe
// base64 of exactly 32 bytes. The value is a secret: errors never echo it.
func parseKEK(c *Config, v string) error {
	if v == "" {
		return nil
	}
	k, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		k, err = base64.RawURLEncoding.DecodeString(v)
	}
	if err != nil || len(k) != 32 {
		return errors.New("want 32 random bytes in base64 (such as the output of `openssl rand -base64 32`)")
	}
	c.KeyEncryptionKey = k
	return nil
}

func parseShutdown(c *Config, v string) error {
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 || d > 10*time.Minute {
		return fmt.Errorf("%q: want a duration such as 20s, at most 10m", v)
	}
	c.ShutdownTimeout = d
	return nil
}

func parseMessagesRate(c *Config, v string) error {
	n, err := strconv.ParseFloat(v, 64)
	if err != nil || n <= 0 || n > 100000 || n != n {
		return fmt.Errorf("want a number of messages per second between 0 and 100000, got %q", v)
	}
	c.MessagesRate = n
	return nil
}
