package config

import (
	"bytes"
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
