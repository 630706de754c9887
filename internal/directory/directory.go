package directory

import (
	"context"
	"time"

	"github.com/oneaccount/oneaccount/internal/lang"
)

// Entity is a government entity: a bureau, fund, institute or police force.
type Entity struct {
	// Code is the short, stable, upper-case identifier, such as "DSI".
	Code string `json:"code"`
	// Abbrev is the abbreviation people know, which may differ from Code
	// (PSP's official abbreviation is CPSP).
	Abbrev  lang.Text `json:"abbreviation"`
	Name    lang.Text `json:"name"`
	Summary lang.Text `json:"summary"`
	Website string    `json:"website,omitempty"`
	Source  string    `json:"source,omitempty"`
	// Roles lists what the entity does on the platform: "counter",
	// "employment", "licensing", "consulted".
	Roles []string `json:"roles"`
	// Sort orders entities in lists; lower first.
	Sort int `json:"-"`
}

// Service is something an entity does for the public at a counter or online.
type Service struct {
	// Code is stable and globally unique, such as "DSI-BIR-RENEW".
	Code        string    `json:"code"`
	Entity      string    `json:"entity"`
	Name        lang.Text `json:"name"`
	Description lang.Text `json:"description"`
	// Counter reports whether the service is served at counters, where
	// appointments and queue tickets apply.
	Counter bool `json:"counter"`
	// Level is the account assurance level the service requires online:
	// 1 (contacts proved), 2 (identity verified in person) or 3 (level 2
	// and a passkey). Zero means level 1.
	Level  int    `json:"level"`
	Source string `json:"source,omitempty"`
	Sort   int    `json:"-"`
}

// Branch is a service point: an office, or a Government Services Centre
// hosting counters of many entities.
type Branch struct {
	Code string `json:"code"`
	// Operator is the entity that runs the premises (IAM for the Government
	// Services Centres).
	Operator string    `json:"operator"`
	Name     lang.Text `json:"name"`
	Address  lang.Text `json:"address"`
	Phone    string    `json:"phone,omitempty"`
	Hours    []Hours   `json:"hours"`
	Counters []Counter `json:"counters"`
	// Services lists the codes of services offered here.
	Services []string `json:"services"`
	// Note is a public remark, such as the date the branch closed for good.
	Note   lang.Text `json:"note"`
	Source string    `json:"source,omitempty"`
	// Closed marks a branch that no longer serves the public; it is kept so
	// old references still resolve.
	Closed bool `json:"closed"`
	Sort   int  `json:"-"`
}

// Entities returns the codes of the entities with counters at the branch, in
// first-seen order.
func (b Branch) Entities() []string {
	var out []string
	seen := map[string]bool{}
	for _, c := range b.Counters {
		if !seen[c.Entity] {
			seen[c.Entity] = true
			out = append(out, c.Entity)
		}
	}
	return out
}

// Hours is one opening interval on one weekday, in Asia/Macau local time.
// A weekday with a lunch closure has two intervals.
type Hours struct {
	Weekday time.Weekday `json:"weekday"`
	Opens   ClockTime    `json:"opens"`
	Closes  ClockTime    `json:"closes"`
}

// Counter is one serving position at a branch, belonging to one entity.
type Counter struct {
	Code   string    `json:"code"`
	Entity string    `json:"entity"`
	Name   lang.Text `json:"name"`
}

// HolidayKind distinguishes the three kinds of day on which counters close.
type HolidayKind string

// The kinds of holiday.
const (
	// PublicHoliday is a day in the public-holiday order.
	PublicHoliday HolidayKind = "public"
	// Exemption is a day (or afternoon) public servants are exempted from
	// work.
	Exemption HolidayKind = "exemption"
	// Compensatory is a public servants' compensatory rest day.
	Compensatory HolidayKind = "compensatory"
)

// Holiday is a day on which government counters close, wholly or from a time.
type Holiday struct {
	Date Date        `json:"date"`
	Kind HolidayKind `json:"kind"`
	Name lang.Text   `json:"name"`
	// Obligatory marks the obligatory holidays for private employers.
	Obligatory bool `json:"obligatory"`
	// Computed marks a date derived by rule rather than published; an
	// official list replaces it.
	Computed bool `json:"computed"`
	// ClosedFrom, when set, closes counters only from that time (an
	// afternoon exemption); zero closes the whole day.
	ClosedFrom ClockTime `json:"closedFrom,omitzero"`
}

// Closure is a one-off closure of one branch, or of every branch when Branch
// is empty, for example a typhoon signal 8.
type Closure struct {
	ID     int64     `json:"id"`
	Branch string    `json:"branch,omitempty"`
	Starts time.Time `json:"starts"`
	Ends   time.Time `json:"ends"`
	Reason lang.Text `json:"reason"`
}

// Store is what the directory needs from storage. Implementations live in
// the store packages and pass store/storetest.
type Store interface {
	Entities(ctx context.Context) ([]Entity, error)
	Entity(ctx context.Context, code string) (Entity, error)
	Services(ctx context.Context, entity string) ([]Service, error)
	Service(ctx context.Context, code string) (Service, error)
	// Branches lists branches; with entity set, only those with a counter
	// of that entity or run by it.
	Branches(ctx context.Context, entity string) ([]Branch, error)
	Branch(ctx context.Context, code string) (Branch, error)
	Holidays(ctx context.Context, from, to Date) ([]Holiday, error)
	// Closures lists closures of the branch (and of all branches) that end
	// after from and start before to.
	Closures(ctx context.Context, branch string, from, to time.Time) ([]Closure, error)

	PutEntity(ctx context.Context, e Entity) (changed bool, err error)
	PutService(ctx context.Context, s Service) (changed bool, err error)
	PutBranch(ctx context.Context, b Branch) (changed bool, err error)
	PutHoliday(ctx context.Context, h Holiday) (changed bool, err error)
	DeleteHoliday(ctx context.Context, d Date, kind HolidayKind) error
	AddClosure(ctx context.Context, c Closure) (Closure, error)
	DeleteClosure(ctx context.Context, id int64) error

	// Import writes the dataset in one transaction: records are upserted,
	// and holidays of a year the dataset covers that it does not list are
	// deleted. Importing the same dataset twice changes nothing the second
	// time.
	Import(ctx context.Context, d Dataset) (ImportResult, error)
}

// ImportResult counts the records an import inserted or changed.
type ImportResult struct {
	Entities, Services, Branches, Holidays, HolidaysRemoved int
}

// Changed reports whether the import changed anything.
func (r ImportResult) Changed() bool {
	return r.Entities+r.Services+r.Branches+r.Holidays+r.HolidaysRemoved > 0
}
