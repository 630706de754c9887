-- +goose Up
-- The assurance level a service requires online (1, 2 or 3).
ALTER TABLE services ADD COLUMN required_level INTEGER NOT NULL DEFAULT 1 CHECK (required_level BETWEEN 1 AND 3);

-- +goose Down
ALTER TABLE services DROP COLUMN required_level;
