package storetest

import "testing"

// Run runs the whole conformance suite against the backend open returns.
// Every subtest gets its own fresh store and runs in parallel.
func Run(t *testing.T, open Opener) {
	t.Run("Directory", func(t *testing.T) { testDirectory(t, open) })
	t.Run("Audit", func(t *testing.T) { testAudit(t, open) })
	t.Run("Identity", func(t *testing.T) { testIdentity(t, open) })
	t.Run("Org", func(t *testing.T) { testOrg(t, open) })
	t.Run("Passkey", func(t *testing.T) { testPasskey(t, open) })
}
