package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/oidc"
	"github.com/oneaccount/oneaccount/internal/store/sqlstore"
)

// testOIDC checks the OpenID provider's storage: the handles of
// authorization sessions, refresh rotation with reuse detection under a
// race, single-use JWT IDs, and group-committed grants.
func testOIDC(t *testing.T, open Opener) {
	runEach(t, open, map[string]func(*testing.T, *sqlstore.Store){
		"AuthnHandles":         testAuthnHandles,
		"RefreshReuse":         testRefreshReuse,
		"RacingRotations":      testRacingRotations,
		"JTIOnce":              testJTIOnce,
		"GroupCommittedGrants": testGroupCommittedGrants,
	})
}

func grantRow(id string) oidc.GrantRow {
	now := time.Now().UTC().Truncate(time.Second)
	return oidc.GrantRow{ID: id, TokenID: "tok-" + id, RefreshTokenID: "rt-" + id, ClientID: "c", Data: []byte(`{}`),
		CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
}

func testAuthnHandles(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	r := oidc.AuthnRow{ID: "a1", PARID: "par-1", Data: []byte(`{"x":1}`), ExpiresAt: time.Now().Add(time.Minute)}
	if err := s.SaveAuthnSession(ctx, r); err != nil {
		t.Fatal(err)
	}
	if got, err := s.AuthnSessionBy(ctx, "par_id", "par-1"); err != nil || got.ID != "a1" {
		t.Fatalf("by par_id: %v %v", got, err)
	}
	// The PAR handle is replaced by a callback ID: the old handle is gone.
	r.PARID, r.CallbackID = "", "cb-1"
	if err := s.SaveAuthnSession(ctx, r); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AuthnSessionBy(ctx, "par_id", "par-1"); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("old PAR handle still finds the session: %v", err)
	}
	if got, err := s.AuthnSessionBy(ctx, "callback_id", "cb-1"); err != nil || got.ID != "a1" {
		t.Fatalf("by callback_id: %v %v", got, err)
	}
	if _, err := s.AuthnSessionBy(ctx, "id; DROP TABLE x", "v"); err == nil {
		t.Error("an unknown handle column was accepted")
	}
	if err := s.DeleteAuthnSession(ctx, "a1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AuthnSessionBy(ctx, "callback_id", "cb-1"); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("deleted session found: %v", err)
	}
}

func testRefreshReuse(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	g := grantRow("g1")
	if err := s.SaveGrant(ctx, g, ""); err != nil {
		t.Fatal(err)
	}
	next := g
	next.RefreshTokenID, next.TokenID = "rt-g1-2", "tok-g1-2"
	if err := s.SaveGrant(ctx, next, g.RefreshTokenID); err != nil {
		t.Fatalf("rotate: %v", err)
	}
	if got, err := s.GrantByRefreshID(ctx, "rt-g1-2"); err != nil || got.TokenID != "tok-g1-2" {
		t.Fatalf("new refresh token: %v %v", got, err)
	}
	if _, err := s.GrantByRefreshID(ctx, g.RefreshTokenID); !errors.Is(err, oidc.ErrRefreshReuse) {
		t.Fatalf("spent refresh token: %v, want ErrRefreshReuse", err)
	}
	if _, err := s.GrantByRefreshID(ctx, "rt-g1-2"); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("the family survived reuse: %v", err)
	}
}

func testRacingRotations(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	g := grantRow("g2")
	if err := s.SaveGrant(ctx, g, ""); err != nil {
		t.Fatal(err)
	}
	const n = 16
	var ok, reused atomic.Int32
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			next := g
			next.RefreshTokenID, next.TokenID = fmt.Sprintf("rt-%d", i), fmt.Sprintf("tok-%d", i)
			switch err := s.SaveGrant(ctx, next, g.RefreshTokenID); {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, oidc.ErrRefreshReuse):
				reused.Add(1)
			default:
				t.Errorf("rotation: %v", err)
			}
		}()
	}
	wg.Wait()
	if ok.Load() != 1 || reused.Load() != n-1 {
		t.Fatalf("%d rotations won and %d saw reuse; want 1 and %d", ok.Load(), reused.Load(), n-1)
	}
	if _, err := s.GrantByTokenID(ctx, g.TokenID); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("grant survived concurrent reuse: %v", err)
	}
}

func testJTIOnce(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	var ok atomic.Int32
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := s.UseJTI(ctx, "jti-1", time.Now().Add(time.Minute))
			if err == nil {
				ok.Add(1)
			} else if apperr.CodeOf(err) != apperr.Conflict {
				t.Errorf("use jti: %v", err)
			}
		}()
	}
	wg.Wait()
	if ok.Load() != 1 {
		t.Fatalf("one JWT ID was accepted %d times", ok.Load())
	}
}

func testGroupCommittedGrants(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	const n = 200
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g := grantRow(fmt.Sprintf("gc-%d", i))
			if i == 7 {
				g.TokenID = "tok-gc-8" // collides with grant 8: one of the two must fail alone
			}
			errs[i] = s.SaveGrant(ctx, g, "")
		}()
	}
	wg.Wait()
	failed := 0
	for i, err := range errs {
		if err != nil {
			failed++
			if i != 7 && i != 8 {
				t.Errorf("grant %d failed: %v", i, err)
			}
			continue
		}
		want := fmt.Sprintf("tok-gc-%d", i)
		if i == 7 {
			want = "tok-gc-8"
		}
		if got, err := s.GrantByTokenID(ctx, want); err != nil || got.ID != fmt.Sprintf("gc-%d", i) {
			t.Errorf("grant %d acknowledged but not stored: %v", i, err)
		}
	}
	if failed != 1 {
		t.Errorf("%d grants failed, want exactly the one with a duplicate token ID", failed)
	}
}
