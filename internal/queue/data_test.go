package queue_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oneaccount/oneaccount/internal/appointments"
	"github.com/oneaccount/oneaccount/internal/directory"
	"github.com/oneaccount/oneaccount/internal/queue"
	"github.com/oneaccount/oneaccount/internal/refdata"
)

func macao(t *testing.T) (directory.Dataset, map[string]directory.Entity, map[string]directory.Service) {
	t.Helper()
	ds, err := refdata.Macao()
	if err != nil {
		t.Fatal(err)
	}
	ents, svcs := map[string]directory.Entity{}, map[string]directory.Service{}
	for _, e := range ds.Entities {
		ents[e.Code] = e
	}
	for _, s := range ds.Services {
		svcs[s.Code] = s
	}
	return ds, ents, svcs
}

func TestQueuesFile(t *testing.T) {
	d, err := queue.ParseData(bytes.NewReader(refdata.QueuesYAML()))
	if err != nil {
		t.Fatal(err)
	}
	ds, ents, svcs := macao(t)
	i := slices.IndexFunc(ds.Branches, func(b directory.Branch) bool { return b.Code == "GSC-MORAIS" })
	qs, cs := d.Derive(ds.Branches[i], ents, svcs, appointments.BookableEntities())
	var got []string
	for _, q := range qs {
		got = append(got, q.Code+":"+q.Entity)
	}
	// PSP has counters there but is not in the pilot: no queue, no letter.
	if want := []string{"A:DSI", "B:DSF", "C:FSS", "D:DSAJ", "E:DSAT", "F:IAM"}; !slices.Equal(got, want) {
		t.Fatalf("GSC-MORAIS queues = %v, want %v", got, want)
	}
	a, c, dq := qs[0], qs[2], qs[3]
	if !slices.Contains(a.Services, "DSI-PASSPORT") || slices.Contains(a.Services, "DSF-TAX-PAYMENT") ||
		a.DailyQuota != 600 || a.LastRemote != "17:15" || a.MaxWait != 45*time.Minute || a.Name.En == "" {
		t.Errorf("queue A = %+v", a)
	}
	if dq.MaxWait != 60*time.Minute {
		t.Errorf("DSAJ's queue ages at %v, want the entity's 60 min", dq.MaxWait)
	}
	if len(cs) != 8+4+4+3+3+4 {
		t.Errorf("got %d counters, want the 26 of the pilot entities", len(cs))
	}
	for _, k := range cs {
		want := map[string]string{"DSI": "A", "DSF": "B", "FSS": "C", "DSAJ": "D", "DSAT": "E", "IAM": "F"}[k.Entity]
		if !slices.Equal(k.Queues, []string{want}) || k.Branch != "GSC-MORAIS" {
			t.Errorf("counter %s of %s serves %v, want [%s]", k.Code, k.Entity, k.Queues, want)
		}
		ratio := [2]int{k.PriorityShare, k.NormalShare}
		if wantRatio := map[bool][2]int{true: {1, 1}, false: {1, 2}}[k.Entity == "FSS"]; ratio != wantRatio {
			t.Errorf("counter %s ratio %v, want %v", k.Code, ratio, wantRatio)
		}
	}
	if c.Entity != "FSS" || !slices.Contains(c.Services, "FSS-OLD-AGE-PENSION") {
		t.Errorf("queue C = %+v", c)
	}
}

// TestEveryBranchDerives: every open branch with pilot counters gets one
// queue per pilot entity, each covering services, and closed branches
// get none.
func TestEveryBranchDerives(t *testing.T) {
	d, err := queue.ParseData(bytes.NewReader(refdata.QueuesYAML()))
	if err != nil {
		t.Fatal(err)
	}
	ds, ents, svcs := macao(t)
	pilot := appointments.BookableEntities()
	n := 0
	for _, b := range ds.Branches {
		qs, cs := d.Derive(b, ents, svcs, pilot)
		if b.Closed {
			if len(qs)+len(cs) > 0 {
				t.Errorf("closed branch %s got %d queues", b.Code, len(qs))
			}
			continue
		}
		for i, q := range qs {
			n++
			if q.Code != string(queue.Letters[i]) || len(q.Services) == 0 {
				t.Errorf("%s queue %d: code %s, services %v", b.Code, i, q.Code, q.Services)
			}
		}
		for _, c := range cs {
			if !slices.Contains(pilot, c.Entity) {
				t.Errorf("%s counter %s of %s outside the pilot", b.Code, c.Code, c.Entity)
			}
		}
	}
	if n < 10 {
		t.Errorf("only %d queues derived across Macao's branches", n)
	}
}

func TestParseDataStrict(t *testing.T) {
	for _, bad := range []string{
		"defaults: {max_wait: 5}",
		"defaults: {max_wait_minutes: -1}",
		"rule: {near_at: -3}",
		"branches: {X: {last_remote: '25:00'}}",
		"entities: {DSI: {priority_share: 1000}}",
		"queues: {}",
	} {
		if _, err := queue.ParseData(strings.NewReader(bad)); err == nil {
			t.Errorf("ParseData(%q) accepted it", bad)
		}
	}
	d, err := queue.ParseData(strings.NewReader(""))
	if err != nil {
		t.Fatalf("an empty file: %v", err)
	}
	s := queue.New(nil, nil, nil, nil, nil, nil)
	rule, near, stop := s.Rule, s.NearAt, s.RemoteStop
	d.Configure(s)
	if s.Rule != rule || s.NearAt != near || s.RemoteStop != stop {
		t.Errorf("an empty file changed the service's defaults: %+v", s.Rule)
	}
	full, _ := queue.ParseData(bytes.NewReader(refdata.QueuesYAML()))
	full.Configure(s)
	if s.Rule.MaxWait != 45*time.Minute || s.Rule.Early != 15*time.Minute || s.NearAt != 3 || s.RemoteStop != 30*time.Minute {
		t.Errorf("Configure from the file: rule %+v near %d stop %v", s.Rule, s.NearAt, s.RemoteStop)
	}
}

// FuzzParseData: the settings file is outside input; parsing never
// panics and what parses derives queues with valid letters.
func FuzzParseData(f *testing.F) {
	f.Add(string(refdata.QueuesYAML()))
	f.Add("defaults: {priority_share: 0, normal_share: 0}")
	f.Add("branches: {B: {last_remote: '9:5'}}")
	b := directory.Branch{Code: "B", Counters: []directory.Counter{{Code: "E-01", Entity: "E"}, {Code: "F-01", Entity: "F"}},
		Services: []string{"S"}}
	svcs := map[string]directory.Service{"S": {Code: "S", Entity: "E", Counter: true}}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := queue.ParseData(strings.NewReader(s))
		if err != nil {
			return
		}
		qs, cs := d.Derive(b, nil, svcs, []string{"E", "F"})
		if len(qs) != 2 || len(cs) != 2 || qs[0].Code != "A" || qs[1].Code != "B" || qs[0].MaxWait < 0 {
			t.Fatalf("Derive = %+v, %+v", qs, cs)
		}
	})
}
