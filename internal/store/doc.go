// Package store is the parent of the storage backends: sqlstore holds the
// SQL logic both engines share, sqlite and postgres hold each engine's
// hand-written SQL and migrations, and storetest is the conformance suite
// that every backend must pass.
package store
