-- +goose Up
-- Each node keeps the sessions it has just read in memory for a few
-- seconds (sqlstore's session cache). These triggers tell every node,
-- through NOTIFY at commit, which account's sessions, account row, staff
-- roles or passkeys changed, whoever changed them (a node, a sweep, an
-- operator in psql), so each forgets what it held of that account. The
-- channel is oneaccount_auth, with the schema's name after it outside
-- public (postgres.sessionChannel); the payload is the account ID.

-- +goose StatementBegin
CREATE FUNCTION oneaccount_auth_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    channel TEXT := left('oneaccount_auth' ||
        CASE WHEN TG_TABLE_SCHEMA = 'public' THEN '' ELSE '_' || TG_TABLE_SCHEMA END, 63);
    before TEXT;
    after TEXT;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        before := to_jsonb(OLD) ->> TG_ARGV[0];
        PERFORM pg_notify(channel, before);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        after := to_jsonb(NEW) ->> TG_ARGV[0];
        IF after IS DISTINCT FROM before THEN
            PERFORM pg_notify(channel, after);
        END IF;
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER accounts_auth_changed AFTER UPDATE OR DELETE ON accounts
    FOR EACH ROW EXECUTE FUNCTION oneaccount_auth_changed('id');
CREATE TRIGGER sessions_auth_changed AFTER UPDATE OR DELETE ON sessions
    FOR EACH ROW EXECUTE FUNCTION oneaccount_auth_changed('account_id');
CREATE TRIGGER staff_roles_auth_changed AFTER INSERT OR UPDATE OR DELETE ON staff_roles
    FOR EACH ROW EXECUTE FUNCTION oneaccount_auth_changed('account_id');
CREATE TRIGGER passkeys_auth_changed AFTER INSERT OR DELETE ON passkeys
    FOR EACH ROW EXECUTE FUNCTION oneaccount_auth_changed('account_id');

-- +goose Down
DROP TRIGGER passkeys_auth_changed ON passkeys;
DROP TRIGGER staff_roles_auth_changed ON staff_roles;
DROP TRIGGER sessions_auth_changed ON sessions;
DROP TRIGGER accounts_auth_changed ON accounts;
DROP FUNCTION oneaccount_auth_changed();
