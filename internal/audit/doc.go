// Package audit is the append-only, hash-chained record of security-relevant
// actions: sign-ins and their failures, factor and contact changes,
// verifications, role changes, and every staff view of a resident's record.
//
// Each Event names the person who acted (Actor, with their entity and role
// when they are staff) and the organisation they acted for (Org), the
// account whose data is concerned (Subject), and why (Purpose). Events are
// numbered 1, 2, 3, ... by the store; each carries the hash of the one before
// it (Prev) and its own Hash over a canonical encoding (see Hash), so that
// editing or deleting any stored row breaks the chain at that row. The store
// also keeps a Head (last Seq and Hash) updated in the same transaction, so
// deleting the newest rows is detected too. VerifyAll walks the whole chain.
//
// The package is domain code: storage is behind the Store interface.
package audit
