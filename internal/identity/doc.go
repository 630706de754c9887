// Package identity is the "one account": resident and staff accounts,
// registration with proved contacts, sign-in with a password and a second
// factor, server-side sessions, throttling that an attacker cannot turn into
// a lockout, assurance levels, staff roles with their permission checks, and
// organisations a person may act for.
//
// Every rule lives here; handlers only translate HTTP to these calls, and the
// store only keeps what it is told, enforcing uniqueness and single use in
// the database.
package identity
