package clients

import "slices"

// The scopes a resident can release. Each names the claims it carries.
const (
	ScopeOpenID       = "openid"
	ScopeProfile      = "profile"
	ScopeEmail        = "email"
	ScopePhone        = "phone"
	ScopeIdentity     = "identity"
	ScopeOrganisation = "organisation"
)

// The scopes of machine clients, granted by client credentials. Every API
// route names the scope it needs.
const (
	ScopeDirectoryRead = "directory:read"
	ScopeMessagesSend  = "messages:send"
	ScopeAccountRead   = "account:read"
	// ScopeAppointments lets an app book, change and cancel the resident's
	// appointments.
	ScopeAppointments = "appointments"
	// ScopeTickets lets an app take, follow and cancel the resident's
	// queue tickets.
	ScopeTickets = "tickets"
)

// IdentityLevel is the level from which the identity scope (document
// number and date of birth) is released: the identity must have been
// verified in person.
const IdentityLevel = 2

// residentScopes are the scopes a resident consents to.
var residentScopes = []string{ScopeOpenID, ScopeProfile, ScopeEmail, ScopePhone, ScopeIdentity, ScopeOrganisation,
	ScopeAccountRead, ScopeAppointments, ScopeTickets}

// machineScopes are the scopes of client-credentials grants.
var machineScopes = []string{ScopeDirectoryRead, ScopeMessagesSend}

// ResidentScopes lists the scopes a resident can release, in order.
func ResidentScopes() []string { return slices.Clone(residentScopes) }

// MachineScopes lists the scopes a back-office system can hold.
func MachineScopes() []string { return slices.Clone(machineScopes) }

// IsResidentScope reports whether s is released by a resident.
func IsResidentScope(s string) bool { return slices.Contains(residentScopes, s) }

// IsMachineScope reports whether s is a client-credentials scope.
func IsMachineScope(s string) bool { return slices.Contains(machineScopes, s) }

// ScopeClaims lists the claims each resident scope releases.
var scopeClaims = map[string][]string{
	ScopeOpenID:       {"sub"},
	ScopeProfile:      {"name", "name#zh-Hant", "name#pt", "name#en", "locale"},
	ScopeEmail:        {"email", "email_verified"},
	ScopePhone:        {"phone_number", "phone_number_verified"},
	ScopeIdentity:     {"document_type", "document_number", "birthdate"},
	ScopeOrganisation: {"org_id", "org_name", "org_role"},
	ScopeAccountRead:  {},
	ScopeAppointments: {},
	ScopeTickets:      {},
}

// ClaimsOf lists the claims scope releases.
func ClaimsOf(scope string) []string { return slices.Clone(scopeClaims[scope]) }
