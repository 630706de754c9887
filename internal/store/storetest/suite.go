package storetest

import "testing"

// Run runs the whole conformance suite against the backend open returns.
// Every subtest gets its own fresh store and runs in parallel.
func Run(t *testing.T, open Opener) {
	t.Run("Directory", func(t *testing.T) { testDirectory(t, open) })
	t.Run("Audit", func(t *testing.T) { testAudit(t, open) })
	t.Run("Identity", func(t *testing.T) { testIdentity(t, open) })
	t.Run("SessionCache", func(t *testing.T) { testSessionCache(t, open) })
	t.Run("Org", func(t *testing.T) { testOrg(t, open) })
	t.Run("Passkey", func(t *testing.T) { testPasskey(t, open) })
	t.Run("Keys", func(t *testing.T) { testKeys(t, open) })
	t.Run("OIDC", func(t *testing.T) { testOIDC(t, open) })
	t.Run("Jobs", func(t *testing.T) { testJobs(t, open) })
	t.Run("Appointments", func(t *testing.T) { testAppointments(t, open) })
	t.Run("Push", func(t *testing.T) { testPush(t, open) })
	t.Run("Queue", func(t *testing.T) { testQueue(t, open) })
}

// runEach runs every test in parallel, each on its own fresh store.
func runEach[S any](t *testing.T, open Opener, tests map[string]func(*testing.T, S)) {
	for name, fn := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var s any = open(t)
			fn(t, s.(S))
		})
	}
}
