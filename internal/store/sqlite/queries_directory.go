package sqlite

import "github.com/oneaccount/oneaccount/internal/store/sqlstore"

const entityCols = `code, abbrev_zh, abbrev_pt, abbrev_en, name_zh, name_pt, name_en,
	summary_zh, summary_pt, summary_en, website, source, roles, sort`

const serviceCols = `code, entity_code, name_zh, name_pt, name_en,
	description_zh, description_pt, description_en, counter, source, sort, required_level`

const branchCols = `code, operator_code, name_zh, name_pt, name_en, address_zh, address_pt, address_en,
	note_zh, note_pt, note_en, phone, source, closed, sort`

const holidayCols = `day, kind, name_zh, name_pt, name_en, obligatory, computed, closed_from`

var directoryQueries = sqlstore.DirectoryQueries{
	Entities: `SELECT ` + entityCols + ` FROM entities ORDER BY sort, code`,
	Entity:   `SELECT ` + entityCols + ` FROM entities WHERE code = ?`,
	UpsertEntity: `INSERT INTO entities (` + entityCols + `, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (code) DO UPDATE SET abbrev_zh = excluded.abbrev_zh, abbrev_pt = excluded.abbrev_pt,
		abbrev_en = excluded.abbrev_en, name_zh = excluded.name_zh, name_pt = excluded.name_pt,
		name_en = excluded.name_en, summary_zh = excluded.summary_zh, summary_pt = excluded.summary_pt,
		summary_en = excluded.summary_en, website = excluded.website, source = excluded.source,
		roles = excluded.roles, sort = excluded.sort, updated_at = excluded.updated_at`,

	Services:   `SELECT ` + serviceCols + ` FROM services ORDER BY entity_code, sort, code`,
	ServicesOf: `SELECT ` + serviceCols + ` FROM services WHERE entity_code = ? ORDER BY sort, code`,
	Service:    `SELECT ` + serviceCols + ` FROM services WHERE code = ?`,
	UpsertService: `INSERT INTO services (` + serviceCols + `, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (code) DO UPDATE SET entity_code = excluded.entity_code, name_zh = excluded.name_zh,
		name_pt = excluded.name_pt, name_en = excluded.name_en, description_zh = excluded.description_zh,
		description_pt = excluded.description_pt, description_en = excluded.description_en,
		counter = excluded.counter, source = excluded.source, sort = excluded.sort,
		required_level = excluded.required_level, updated_at = excluded.updated_at`,

	Branches: `SELECT ` + branchCols + ` FROM branches ORDER BY closed, sort, code`,
	Branch:   `SELECT ` + branchCols + ` FROM branches WHERE code = ?`,
	UpsertBranch: `INSERT INTO branches (` + branchCols + `, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (code) DO UPDATE SET operator_code = excluded.operator_code, name_zh = excluded.name_zh,
		name_pt = excluded.name_pt, name_en = excluded.name_en, address_zh = excluded.address_zh,
		address_pt = excluded.address_pt, address_en = excluded.address_en, note_zh = excluded.note_zh,
		note_pt = excluded.note_pt, note_en = excluded.note_en, phone = excluded.phone,
		source = excluded.source, closed = excluded.closed, sort = excluded.sort,
		updated_at = excluded.updated_at`,

	Hours:       `SELECT branch_code, weekday, opens, closes FROM branch_hours ORDER BY branch_code, weekday, opens`,
	HoursOf:     `SELECT branch_code, weekday, opens, closes FROM branch_hours WHERE branch_code = ? ORDER BY weekday, opens`,
	DeleteHours: `DELETE FROM branch_hours WHERE branch_code = ?`,
	InsertHours: `INSERT INTO branch_hours (branch_code, weekday, opens, closes) VALUES (?, ?, ?, ?)`,

	Counters: `SELECT branch_code, code, entity_code, name_zh, name_pt, name_en FROM counters
		WHERE active = 1 ORDER BY branch_code, position, code`,
	CountersOf: `SELECT branch_code, code, entity_code, name_zh, name_pt, name_en FROM counters
		WHERE active = 1 AND branch_code = ? ORDER BY position, code`,
	RetireCounters: `UPDATE counters SET active = 0 WHERE branch_code = ?`,
	UpsertCounter: `INSERT INTO counters (branch_code, code, entity_code, name_zh, name_pt, name_en, position, active)
		VALUES (?, ?, ?, ?, ?, ?, ?, 1)
		ON CONFLICT (branch_code, code) DO UPDATE SET entity_code = excluded.entity_code,
		name_zh = excluded.name_zh, name_pt = excluded.name_pt, name_en = excluded.name_en,
		position = excluded.position, active = 1`,

	BranchServices:       `SELECT branch_code, service_code FROM branch_services ORDER BY branch_code, position`,
	BranchServicesOf:     `SELECT branch_code, service_code FROM branch_services WHERE branch_code = ? ORDER BY position`,
	DeleteBranchServices: `DELETE FROM branch_services WHERE branch_code = ?`,
	InsertBranchService:  `INSERT INTO branch_services (branch_code, service_code, position) VALUES (?, ?, ?)`,

	Holidays: `SELECT ` + holidayCols + ` FROM holidays WHERE day BETWEEN ? AND ? ORDER BY day, kind`,
	Holiday:  `SELECT ` + holidayCols + ` FROM holidays WHERE day = ? AND kind = ?`,
	UpsertHoliday: `INSERT INTO holidays (` + holidayCols + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (day, kind) DO UPDATE SET name_zh = excluded.name_zh, name_pt = excluded.name_pt,
		name_en = excluded.name_en, obligatory = excluded.obligatory, computed = excluded.computed,
		closed_from = excluded.closed_from`,
	DeleteHoliday:  `DELETE FROM holidays WHERE day = ? AND kind = ?`,
	HolidaysOfYear: `SELECT day, kind FROM holidays WHERE day BETWEEN ? AND ?`,

	Closures: `SELECT id, branch_code, starts_at, ends_at, reason_zh, reason_pt, reason_en FROM closures
		WHERE ends_at > ? AND starts_at < ? AND (branch_code IS NULL OR branch_code = ?)
		ORDER BY starts_at, id`,
	InsertClosure: `INSERT INTO closures (branch_code, starts_at, ends_at, reason_zh, reason_pt, reason_en)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
	DeleteClosure: `DELETE FROM closures WHERE id = ?`,
}
