package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/push"
	"github.com/oneaccount/oneaccount/internal/store/sqlstore"
)

func testPush(t *testing.T, open Opener) {
	tests := map[string]func(*testing.T, *sqlstore.Store){
		"AddList":                 testPushAddList,
		"ResubscribeMovesAccount": testPushMove,
		"DeleteOnlyOwn":           testPushDeleteOwn,
		"DeleteByEndpoint":        testPushDeleteByEndpoint,
	}
	runEach(t, open, tests)
}

// pushSub returns a subscription of account for endpoint n, made i minutes
// after pkNow.
func pushSub(account, n string, i int) push.Subscription {
	return push.Subscription{ID: "sub-" + account + "-" + n, AccountID: account,
		Endpoint: "https://push.example.net/send/" + n, P256dh: "p256dh-" + n, Auth: "auth-" + n,
		UserAgent: "Browser " + n, CreatedAt: pkNow.Add(time.Duration(i) * time.Minute)}
}

func addPush(t *testing.T, s *sqlstore.Store, subs ...push.Subscription) {
	t.Helper()
	for _, p := range subs {
		if err := s.AddPushSubscription(context.Background(), p); err != nil {
			t.Fatalf("AddPushSubscription(%s): %v", p.Endpoint, err)
		}
	}
}

func wantPush(t *testing.T, s *sqlstore.Store, account string, want ...push.Subscription) {
	t.Helper()
	got, err := s.PushSubscriptions(context.Background(), account)
	if err != nil {
		t.Fatalf("PushSubscriptions(%s): %v", account, err)
	}
	if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
		t.Errorf("PushSubscriptions(%s) mismatch (-want +got):\n%s", account, diff)
	}
}

func testPushAddList(t *testing.T, s *sqlstore.Store) {
	pkAccount(t, s, "acct1")
	pkAccount(t, s, "acct2")
	wantPush(t, s, "acct1")
	b, a, other := pushSub("acct1", "b", 0), pushSub("acct1", "a", 1), pushSub("acct2", "c", 2)
	addPush(t, s, b, a, other)
	wantPush(t, s, "acct1", b, a)
	wantPush(t, s, "acct2", other)
}

func testPushMove(t *testing.T, s *sqlstore.Store) {
	pkAccount(t, s, "acct1")
	pkAccount(t, s, "acct2")
	first := pushSub("acct1", "shared", 0)
	addPush(t, s, first, pushSub("acct1", "kept", 1))
	again := push.Subscription{ID: "sub-new", AccountID: "acct2", Endpoint: first.Endpoint, P256dh: "p256dh-new",
		Auth: "auth-new", UserAgent: "Browser new", CreatedAt: pkNow.Add(5 * time.Minute)}
	addPush(t, s, again)
	wantPush(t, s, "acct1", pushSub("acct1", "kept", 1))
	moved := again
	moved.ID = first.ID // the row is updated in place
	wantPush(t, s, "acct2", moved)
}

func testPushDeleteOwn(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	pkAccount(t, s, "acct1")
	pkAccount(t, s, "acct2")
	mine, theirs := pushSub("acct1", "a", 0), pushSub("acct2", "b", 1)
	addPush(t, s, mine, theirs)
	wantCode(t, "delete another account's subscription", s.DeletePushSubscription(ctx, "acct1", theirs.Endpoint),
		apperr.NotFound)
	wantPush(t, s, "acct2", theirs)
	if err := s.DeletePushSubscription(ctx, "acct1", mine.Endpoint); err != nil {
		t.Fatalf("DeletePushSubscription: %v", err)
	}
	wantPush(t, s, "acct1")
	wantCode(t, "delete it twice", s.DeletePushSubscription(ctx, "acct1", mine.Endpoint), apperr.NotFound)
}

func testPushDeleteByEndpoint(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	pkAccount(t, s, "acct1")
	gone, kept := pushSub("acct1", "gone", 0), pushSub("acct1", "kept", 1)
	addPush(t, s, gone, kept)
	for range 2 { // the second finds nothing, without error
		if err := s.DeletePushSubscriptionByEndpoint(ctx, gone.Endpoint); err != nil {
			t.Fatalf("DeletePushSubscriptionByEndpoint: %v", err)
		}
	}
	wantPush(t, s, "acct1", kept)
}
