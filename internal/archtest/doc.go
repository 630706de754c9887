// Package archtest holds tests that keep the architecture honest: domain
// packages stay free of HTTP, SQL, templates and stores, and every package
// and exported name is documented.
package archtest
