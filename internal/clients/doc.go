// Package clients is the registry of relying parties: the e-services and
// back-office systems of government entities that sign residents in through
// the OpenID provider or call the API with their own credentials. It holds
// the rules of registration (redirect URIs, scopes with their purposes, the
// assurance level a client needs, FAPI), the residents' consents, the
// pairwise subject identifiers and which claims each scope releases. The
// protocol itself lives in package oidc.
package clients
