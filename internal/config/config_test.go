package config

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaults(t *testing.T) {
	c, rest, err := Load("serve", nil, env(nil), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:8080" || c.DB != "sqlite:data/oneaccount.db" || c.BaseURL.String() != "http://localhost:8080" ||
		c.Demo || !c.AutoMigrate || c.Engine() != "sqlite" || c.SQLitePath() != "data/oneaccount.db" || len(rest) != 0 {
		t.Errorf("defaults = %+v, rest %v", c, rest)
	}
}

func TestFlagWinsOverEnv(t *testing.T) {
	e := env(map[string]string{"ONEACCOUNT_ADDR": "0.0.0.0:9000", "ONEACCOUNT_DB": "postgres://u@h/db", "ONEACCOUNT_DEMO": "true"})
	c, _, err := Load("serve", []string{"--addr", "127.0.0.1:7000", "--auto-migrate=false"}, e, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:7000" || c.DB != "postgres://u@h/db" || !c.Demo || c.Engine() != "postgres" || c.AutoMigrate {
		t.Errorf("config = %+v", c)
	}
}

func TestBadValuesNameTheSetting(t *testing.T) {
	tests := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"--addr", "nope"}, nil, "--addr:"},
		{nil, map[string]string{"ONEACCOUNT_ADDR": "nope"}, "ONEACCOUNT_ADDR:"},
		{[]string{"--db", "mysql://x"}, nil, "--db:"},
		{[]string{"--base-url", "ftp://x"}, nil, "--base-url:"},
		{[]string{"--base-url", "https://x/path"}, nil, "--base-url:"},
		{nil, map[string]string{"ONEACCOUNT_DEMO": "maybe"}, "ONEACCOUNT_DEMO:"},
		{[]string{"--log-level", "loud"}, nil, "--log-level:"},
		{[]string{"--shutdown-timeout", "-1s"}, nil, "--shutdown-timeout:"},
		{[]string{"--nonsense"}, nil, "nonsense"},
		{[]string{"--session-idle", "5s"}, nil, "--session-idle:"},
		{[]string{"--hash-concurrency", "0"}, nil, "--hash-concurrency:"},
		{[]string{"--smtp-url", "http://x"}, nil, "--smtp-url:"},
		{nil, map[string]string{"ONEACCOUNT_SMS_URL": "ftp://x"}, "ONEACCOUNT_SMS_URL:"},
	}
	for _, tt := range tests {
		_, _, err := Load("serve", tt.args, env(tt.env), &bytes.Buffer{})
		var ue *UsageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("Load(%v, %v) error = %v, want a one-line usage error naming %q", tt.args, tt.env, err, tt.want)
		}
	}
}

func TestHelpListsEverySetting(t *testing.T) {
	var out bytes.Buffer
	if _, _, err := Load("serve", []string{"--help"}, env(nil), &out); !errors.Is(err, ErrHelp) {
		t.Fatalf("Load(--help) error = %v", err)
	}
	for _, s := range settings {
		if !strings.Contains(out.String(), "--"+s.flag) || !strings.Contains(out.String(), s.env) {
			t.Errorf("help lacks %s / %s", s.flag, s.env)
		}
	}
}

func TestBareBoolFlag(t *testing.T) {
	c, rest, err := Load("serve", []string{"--demo", "extra"}, env(nil), &bytes.Buffer{})
	if err != nil || !c.Demo || len(rest) != 1 {
		t.Errorf("Load(--demo extra) = %+v, %v, %v", c, rest, err)
	}
}

func TestKeyEncryptionKey(t *testing.T) {
	key := bytes.Repeat([]byte{0xfb}, 32) // encodes differently in std and URL base64
	std, rawURL := base64.StdEncoding.EncodeToString(key), base64.RawURLEncoding.EncodeToString(key)
	demo := sha256.Sum256([]byte("oneaccount demo key-encryption key"))
	tests := []struct {
		name     string
		args     []string
		env      map[string]string
		want     []byte
		wantDemo bool
	}{
		{"unset", nil, nil, nil, false},
		{"std base64 flag", []string{"--key-encryption-key", std}, nil, key, false},
		{"raw URL base64 env", nil, map[string]string{"ONEACCOUNT_KEY_ENCRYPTION_KEY": rawURL}, key, false},
		{"demo without a key", []string{"--demo"}, nil, demo[:], true},
		{"demo with a key", []string{"--demo", "--key-encryption-key", std}, nil, key, false},
	}
	for _, tt := range tests {
		c, _, err := Load("serve", tt.args, env(tt.env), &bytes.Buffer{})
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if !bytes.Equal(c.KeyEncryptionKey, tt.want) || (tt.want == nil) != (c.KeyEncryptionKey == nil) ||
			c.KeyEncryptionKeyIsDemo() != tt.wantDemo {
			t.Errorf("%s: key %x (demo %v), want %x (demo %v)", tt.name, c.KeyEncryptionKey, c.KeyEncryptionKeyIsDemo(),
				tt.want, tt.wantDemo)
		}
	}
}

func TestBadKeyEncryptionKeyIsNotEchoed(t *testing.T) {
	for _, v := range []string{
		base64.StdEncoding.EncodeToString(make([]byte, 31)),
		base64.StdEncoding.EncodeToString(make([]byte, 33)),
		"not*base64*at*all-secret",
	} {
		for _, tc := range []struct {
			args []string
			env  map[string]string
			name string
		}{
			{[]string{"--key-encryption-key", v}, nil, "--key-encryption-key:"},
			{nil, map[string]string{"ONEACCOUNT_KEY_ENCRYPTION_KEY": v}, "ONEACCOUNT_KEY_ENCRYPTION_KEY:"},
		} {
			_, _, err := Load("serve", tc.args, env(tc.env), &bytes.Buffer{})
			var ue *UsageError
			if !errors.As(err, &ue) || !strings.HasPrefix(err.Error(), tc.name) || strings.Contains(err.Error(), "\n") ||
				strings.Contains(err.Error(), v) {
				t.Errorf("key %q: error = %v; want one line naming %s, without the value", v, err, tc.name)
			}
		}
	}
}
