-- +goose Up
CREATE TABLE entities (
    code        TEXT PRIMARY KEY,
    abbrev_zh   TEXT NOT NULL,
    abbrev_pt   TEXT NOT NULL,
    abbrev_en   TEXT NOT NULL,
    name_zh     TEXT NOT NULL,
    name_pt     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    summary_zh  TEXT NOT NULL DEFAULT '',
    summary_pt  TEXT NOT NULL DEFAULT '',
    summary_en  TEXT NOT NULL DEFAULT '',
    website     TEXT NOT NULL DEFAULT '',
    source      TEXT NOT NULL DEFAULT '',
    roles       TEXT NOT NULL DEFAULT '',
    sort        INTEGER NOT NULL DEFAULT 0,
    updated_at  TIMESTAMP NOT NULL
);

CREATE TABLE services (
    code            TEXT PRIMARY KEY,
    entity_code     TEXT NOT NULL REFERENCES entities (code) ON UPDATE CASCADE,
    name_zh         TEXT NOT NULL,
    name_pt         TEXT NOT NULL,
    name_en         TEXT NOT NULL,
    description_zh  TEXT NOT NULL DEFAULT '',
    description_pt  TEXT NOT NULL DEFAULT '',
    description_en  TEXT NOT NULL DEFAULT '',
    counter         INTEGER NOT NULL DEFAULT 0 CHECK (counter IN (0, 1)),
    source          TEXT NOT NULL DEFAULT '',
    sort            INTEGER NOT NULL DEFAULT 0,
    updated_at      TIMESTAMP NOT NULL
);
CREATE INDEX services_entity ON services (entity_code);

CREATE TABLE branches (
    code            TEXT PRIMARY KEY,
    operator_code   TEXT NOT NULL REFERENCES entities (code) ON UPDATE CASCADE,
    name_zh         TEXT NOT NULL,
    name_pt         TEXT NOT NULL,
    name_en         TEXT NOT NULL,
    address_zh      TEXT NOT NULL,
    address_pt      TEXT NOT NULL,
    address_en      TEXT NOT NULL,
    note_zh         TEXT NOT NULL DEFAULT '',
    note_pt         TEXT NOT NULL DEFAULT '',
    note_en         TEXT NOT NULL DEFAULT '',
    phone           TEXT NOT NULL DEFAULT '',
    source          TEXT NOT NULL DEFAULT '',
    closed          INTEGER NOT NULL DEFAULT 0 CHECK (closed IN (0, 1)),
    sort            INTEGER NOT NULL DEFAULT 0,
    updated_at      TIMESTAMP NOT NULL
);

CREATE TABLE branch_hours (
    branch_code  TEXT NOT NULL REFERENCES branches (code) ON DELETE CASCADE ON UPDATE CASCADE,
    weekday      INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    opens        INTEGER NOT NULL CHECK (opens BETWEEN 0 AND 1440),
    closes       INTEGER NOT NULL CHECK (closes BETWEEN 0 AND 1440),
    CHECK (opens < closes),
    PRIMARY KEY (branch_code, weekday, opens)
);

CREATE TABLE counters (
    branch_code  TEXT NOT NULL REFERENCES branches (code) ON DELETE CASCADE ON UPDATE CASCADE,
    code         TEXT NOT NULL,
    entity_code  TEXT NOT NULL REFERENCES entities (code) ON UPDATE CASCADE,
    name_zh      TEXT NOT NULL,
    name_pt      TEXT NOT NULL,
    name_en      TEXT NOT NULL,
    position     INTEGER NOT NULL DEFAULT 0,
    active       INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    PRIMARY KEY (branch_code, code)
);

CREATE TABLE branch_services (
    branch_code   TEXT NOT NULL REFERENCES branches (code) ON DELETE CASCADE ON UPDATE CASCADE,
    service_code  TEXT NOT NULL REFERENCES services (code) ON DELETE CASCADE ON UPDATE CASCADE,
    position      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (branch_code, service_code)
);

CREATE TABLE holidays (
    day          TEXT NOT NULL CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    kind         TEXT NOT NULL CHECK (kind IN ('public', 'exemption', 'compensatory')),
    name_zh      TEXT NOT NULL,
    name_pt      TEXT NOT NULL,
    name_en      TEXT NOT NULL,
    obligatory   INTEGER NOT NULL DEFAULT 0 CHECK (obligatory IN (0, 1)),
    computed     INTEGER NOT NULL DEFAULT 0 CHECK (computed IN (0, 1)),
    closed_from  INTEGER NOT NULL DEFAULT 0 CHECK (closed_from BETWEEN 0 AND 1440),
    PRIMARY KEY (day, kind)
);

CREATE TABLE closures (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    branch_code  TEXT REFERENCES branches (code) ON DELETE CASCADE ON UPDATE CASCADE,
    starts_at    TIMESTAMP NOT NULL,
    ends_at      TIMESTAMP NOT NULL,
    reason_zh    TEXT NOT NULL,
    reason_pt    TEXT NOT NULL,
    reason_en    TEXT NOT NULL,
    CHECK (starts_at < ends_at)
);
CREATE INDEX closures_span ON closures (ends_at, starts_at);

-- +goose Down
DROP TABLE closures;
DROP TABLE holidays;
DROP TABLE branch_services;
DROP TABLE counters;
DROP TABLE branch_hours;
DROP TABLE branches;
DROP TABLE services;
DROP TABLE entities;
