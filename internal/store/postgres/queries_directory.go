package postgres

import "github.com/oneaccount/oneaccount/internal/store/sqlstore"

const entityCols = `code, abbrev_zh, abbrev_pt, abbrev_en, name_zh, name_pt, name_en,
	summary_zh, summary_pt, summary_en, website, source, roles, sort`

const serviceCols = `code, entity_code, name_zh, name_pt, name_en,
	description_zh, description_pt, description_en, counter, source, sort, required_level`

const branchCols = `code, operator_code, name_zh, name_pt, name_en, address_zh, address_pt, address_en,
	note_zh, note_pt, note_en, phone, source, closed, sort`

const holidayCols = `day, kind, name_zh, name_pt, name_en, obligatory, computed, closed_from`

const holidaySelect = `to_char(day, 'YYYY-MM-DD'), kind, name_zh, name_pt, name_en, obligatory, computed, closed_from`

var directoryQueries = sqlstore.DirectoryQueries{
	Entities: `SELECT ` + entityCols + ` FROM entities ORDER BY sort, code`,
	Entity:   `SELECT ` + entityCols + ` FROM entities WHERE code = $1`,
	UpsertEntity: `INSERT INTO entities (` + entityCols + `, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
		ON CONFLICT (code) DO UPDATE SET abbrev_zh = excluded.abbrev_zh, abbrev_pt = excluded.abbrev_pt,
		abbrev_en = excluded.abbrev_en, name_zh = excluded.name_zh, name_pt = excluded.name_pt,
		name_en = excluded.name_en, summary_zh = excluded.summary_zh, summary_pt = excluded.summary_pt,
		summary_en = excluded.summary_en, website = excluded.website, source = excluded.source,
		roles = excluded.roles, sort = excluded.sort, updated_at = excluded.updated_at`,

	Services:   `SELECT ` + serviceCols + ` FROM services ORDER BY entity_code, sort, code`,
	ServicesOf: `SELECT ` + serviceCols + ` FROM services WHERE entity_code = $1 ORDER BY sort, code`,
	Service:    `SELECT ` + serviceCols + ` FROM services WHERE code = $1`,
	UpsertService: `INSERT INTO services (` + serviceCols + `, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
		ON CONFLICT (code) DO UPDATE SET entity_code = excluded.entity_code, name_zh = excluded.name_zh,
		name_pt = excluded.name_pt, name_en = excluded.name_en, description_zh = excluded.description_zh,
		description_pt = excluded.description_pt, description_en = excluded.description_en,
		counter = excluded.counter, source = excluded.source, sort = excluded.sort,
		required_level = excluded.required_level, updated_at = excluded.updated_at`,

	Branches: `SELECT ` + branchCols + ` FROM branches ORDER BY closed, sort, code`,
	Branch:   `SELECT ` + branchCols + ` FROM branches WHERE code = $1`,
	UpsertBranch: `INSERT INTO branches (` + branchCols + `, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
		ON CONFLICT (code) DO UPDATE SET operator_code = excluded.operator_code, name_zh = excluded.name_zh,
		name_pt = excluded.name_pt, name_en = excluded.name_en, address_zh = excluded.address_zh,
		address_pt = excluded.address_pt, address_en = excluded.address_en, note_zh = excluded.note_zh,
		note_pt = excluded.note_pt, note_en = excluded.note_en, phone = excluded.phone,
		source = excluded.source, closed = excluded.closed, sort = excluded.sort,
		updated_at = excluded.updated_at`,

	Hours:       `SELECT branch_code, weekday, opens, closes FROM branch_hours ORDER BY branch_code, weekday, opens`,
	HoursOf:     `SELECT branch_code, weekday, opens, closes FROM branch_hours WHERE branch_code = $1 ORDER BY weekday, opens`,
	DeleteHours: `DELETE FROM branch_hours WHERE branch_code = $1`,
	InsertHours: `INSERT INTO branch_hours (branch_code, weekday, opens, closes) VALUES ($1, $2, $3, $4)`,

	Counters: `SELECT branch_code, code, entity_code, name_zh, name_pt, name_en FROM counters
		WHERE active ORDER BY branch_code, position, code`,
	CountersOf: `SELECT branch_code, code, entity_code, name_zh, name_pt, name_en FROM counters
		WHERE active AND branch_code = $1 ORDER BY position, code`,
	RetireCounters: `UPDATE counters SET active = FALSE WHERE branch_code = $1`,
	UpsertCounter: `INSERT INTO counters (branch_code, code, entity_code, name_zh, name_pt, name_en, position, active)
		VALUES ($1, $2, $3, $4, $5, $6, $7, TRUE)
		ON CONFLICT (branch_code, code) DO UPDATE SET entity_code = excluded.entity_code,
		name_zh = excluded.name_zh, name_pt = excluded.name_pt, name_en = excluded.name_en,
		position = excluded.position, active = TRUE`,

	BranchServices:       `SELECT branch_code, service_code FROM branch_services ORDER BY branch_code, position`,
	BranchServicesOf:     `SELECT branch_code, service_code FROM branch_services WHERE branch_code = $1 ORDER BY position`,
	DeleteBranchServices: `DELETE FROM branch_services WHERE branch_code = $1`,
	InsertBranchService:  `INSERT INTO branch_services (branch_code, service_code, position) VALUES ($1, $2, $3)`,

	Holidays: `SELECT ` + holidaySelect + ` FROM holidays WHERE day BETWEEN $1::date AND $2::date ORDER BY day, kind`,
	Holiday:  `SELECT ` + holidaySelect + ` FROM holidays WHERE day = $1::date AND kind = $2`,
	UpsertHoliday: `INSERT INTO holidays (` + holidayCols + `) VALUES ($1::date, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (day, kind) DO UPDATE SET name_zh = excluded.name_zh, name_pt = excluded.name_pt,
		name_en = excluded.name_en, obligatory = excluded.obligatory, computed = excluded.computed,
		closed_from = excluded.closed_from`,
	DeleteHoliday:  `DELETE FROM holidays WHERE day = $1::date AND kind = $2`,
	HolidaysOfYear: `SELECT to_char(day, 'YYYY-MM-DD'), kind FROM holidays WHERE day BETWEEN $1::date AND $2::date`,

	Closures: `SELECT id, branch_code, starts_at, ends_at, reason_zh, reason_pt, reason_en FROM closures
		WHERE ends_at > $1 AND starts_at < $2 AND (branch_code IS NULL OR branch_code = $3)
		ORDER BY starts_at, id`,
	InsertClosure: `INSERT INTO closures (branch_code, starts_at, ends_at, reason_zh, reason_pt, reason_en)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
	DeleteClosure: `DELETE FROM closures WHERE id = $1`,
}
