-- XefAI Gateway on PostgreSQL: exactly what the gateway role may do with each table. Run by the owner role (or a
-- superuser) after every migration, that is after the first gateway start on a new or upgraded schema:
--
--   psql -X -v ON_ERROR_STOP=1 -d xefai -U xefai_owner -v gateway_role=xefai_gateway -f deploy/postgres/grants.sql
--
-- roles.sql runs it too, and so does the gateway: it embeds this file and runs the DO block below, as the owner, at
-- the end of every migration it makes under a MigrationConnectionString (the role comes from the setting below).
-- Idempotent: it first revokes everything the gateway role holds on the schema's tables and sequences, then grants
-- only what is below, on the tables that exist. Until it has run on a new schema the gateway fails closed: its
-- appends and /readyz fail with "permission denied", and both recover, without a restart, once it has.
--
-- Why a script after the migration rather than ALTER DEFAULT PRIVILEGES: default privileges are per object type,
-- the same for every table, so they cannot give INSERT without UPDATE on audit_records yet UPDATE on audit_chains,
-- and they cannot name columns.
\set ON_ERROR_STOP on

\if :{?gateway_role}
\else
\set gateway_role xefai_gateway
\endif

-- psql does not substitute variables inside a DO block's body; a session setting carries the role name in.
SELECT set_config('xefai.gateway_role', :'gateway_role', false) AS gateway_role;

DO $$
DECLARE
    gateway text := quote_ident(current_setting('xefai.gateway_role'));
    target_schema text := quote_ident(current_schema());
    history text;
BEGIN
    IF target_schema IS NULL THEN
        RAISE EXCEPTION 'grants.sql: no schema on the search_path; connect as the owner role, or SET search_path first';
    END IF;
    -- One run at a time in this database, until the run's transaction ends: the migrations of replicas starting
    -- together, and of one replica's stores, run this block at once, and their REVOKEs and GRANTs raced on the same
    -- catalog rows ("tuple concurrently updated": about one run in four, six at a time), failing a store's first use.
    PERFORM pg_advisory_xact_lock(hashtext('xefai grants.sql'));
    IF EXISTS (SELECT 1 FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner
               WHERE c.relnamespace = current_schema()::regnamespace AND r.rolname = current_setting('xefai.gateway_role')) THEN
        RAISE EXCEPTION 'grants.sql: the gateway role owns objects in schema %; REASSIGN OWNED BY it TO the owner role first', target_schema;
    END IF;

    EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA %s FROM %s', target_schema, gateway);
    EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA %s FROM %s', target_schema, gateway);

    -- Audit trail. Records: append and read, never change (the triggers refuse it too, for the owner).
    IF to_regclass('audit_records') IS NOT NULL THEN
        EXECUTE 'GRANT SELECT, INSERT ON audit_records TO ' || gateway;
    END IF;
    -- The fleet-wide locator: nextval in audit_records.seq's default.
    IF to_regclass('audit_records_seq') IS NOT NULL THEN
        EXECUTE 'GRANT USAGE ON SEQUENCE audit_records_seq TO ' || gateway;
    END IF;
    -- Each writer registers its chain and moves its end: UPDATE of the end's two columns only (also what
    -- SELECT ... FOR UPDATE, the readiness probe, needs); the trigger lets the end move forward only.
    IF to_regclass('audit_chains') IS NOT NULL THEN
        EXECUTE 'GRANT SELECT, INSERT ON audit_chains TO ' || gateway;
        EXECUTE 'GRANT UPDATE (seq, hash) ON audit_chains TO ' || gateway;
    END IF;
    IF to_regclass('audit_checkpoints') IS NOT NULL THEN
        EXECUTE 'GRANT SELECT, INSERT ON audit_checkpoints TO ' || gateway;
    END IF;
    IF to_regclass('audit_chain_checkpoints') IS NOT NULL THEN
        EXECUTE 'GRANT SELECT, INSERT ON audit_chain_checkpoints TO ' || gateway;
    END IF;
    IF to_regclass('audit_verified_checkpoints') IS NOT NULL THEN
        EXECUTE 'GRANT SELECT, INSERT ON audit_verified_checkpoints TO ' || gateway;
    END IF;
    -- The single chain head of gateways before one chain per writer: read once, when the legacy chain is registered.
    IF to_regclass('audit_chain_head') IS NOT NULL THEN
        EXECUTE 'GRANT SELECT ON audit_chain_head TO ' || gateway;
    END IF;

    -- Governance state (Governance:StateStore = postgres): append-only histories, and one version counter.
    FOREACH history IN ARRAY ARRAY['use_case_status_changes', 'deployment_suspensions', 'incidents'] LOOP
        IF to_regclass(history) IS NOT NULL THEN
            EXECUTE format('GRANT SELECT, INSERT ON %I TO %s', history, gateway);
        END IF;
    END LOOP;
    IF to_regclass('governance_state_version') IS NOT NULL THEN
        EXECUTE 'GRANT SELECT, INSERT ON governance_state_version TO ' || gateway;
        EXECUTE 'GRANT UPDATE (version) ON governance_state_version TO ' || gateway;
    END IF;
    -- The review queue: a review is created pending and decided once.
    IF to_regclass('reviews') IS NOT NULL THEN
        EXECUTE 'GRANT SELECT, INSERT ON reviews TO ' || gateway;
        EXECUTE 'GRANT UPDATE (status, reviewer, decided_at, comment, released_answer) ON reviews TO ' || gateway;
    END IF;
    -- CDS client tokens already accepted: recorded once, pruned when expired, never changed.
    IF to_regclass('token_replays') IS NOT NULL THEN
        EXECUTE 'GRANT SELECT, INSERT, DELETE ON token_replays TO ' || gateway;
    END IF;
END $$;
