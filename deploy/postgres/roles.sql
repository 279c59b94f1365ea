-- XefAI Gateway on PostgreSQL: the two roles, run once by a DBA (a superuser, or a role with CREATEROLE that
-- owns the database), connected to the gateway's database:
--
--   psql -X -v ON_ERROR_STOP=1 -d xefai \
--        -v owner_password="$OWNER_PASSWORD" -v gateway_password="$GATEWAY_PASSWORD" \
--        -f deploy/postgres/roles.sql
--
-- Optional: -v owner_role=... -v gateway_role=... -v schema=... (defaults xefai_owner, xefai_gateway, xefai).
-- Re-running it is harmless: it sets the passwords again and re-applies grants.sql.
--
-- owner_role   owns the schema and every table in it, and runs the migrations: the gateway's
--              Audit:Postgres:MigrationConnectionString. Never used to serve calls.
-- gateway_role the gateway's Audit:Postgres:ConnectionString (and Governance:Postgres:ConnectionString): it may read
--              and append, move its own chain's end forward, and nothing else. It owns nothing, so it cannot
--              ALTER, DROP or disable the append-only triggers, and it has no CREATE on the schema.
--
-- The table grants are in grants.sql, run at the end of this file and again after every migration (see there).
\set ON_ERROR_STOP on

\if :{?owner_role}
\else
\set owner_role xefai_owner
\endif
\if :{?gateway_role}
\else
\set gateway_role xefai_gateway
\endif
\if :{?schema}
\else
\set schema xefai
\endif
\if :{?owner_password}
\else
\warn 'roles.sql: pass -v owner_password=... (a placeholder in the tests, a secret from your vault in production)'
SELECT 1 / 0 AS owner_password_missing;
\endif
\if :{?gateway_password}
\else
\warn 'roles.sql: pass -v gateway_password=...'
SELECT 1 / 0 AS gateway_password_missing;
\endif

-- CREATE ROLE has no IF NOT EXISTS; the statement is built only when the role is missing.
SELECT format('CREATE ROLE %I', :'owner_role') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'owner_role')
\gexec
SELECT format('CREATE ROLE %I', :'gateway_role') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'gateway_role')
\gexec

-- Neither role may create roles or databases, bypass row security or replicate; neither inherits another's rights.
ALTER ROLE :"owner_role" WITH LOGIN PASSWORD :'owner_password'
    NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS;
ALTER ROLE :"gateway_role" WITH LOGIN PASSWORD :'gateway_password'
    NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS;

GRANT CONNECT ON DATABASE :"DBNAME" TO :"owner_role", :"gateway_role";

-- The schema belongs to the owner. Nobody else may create in it, nor in public (PostgreSQL before 15 let everyone).
CREATE SCHEMA IF NOT EXISTS :"schema" AUTHORIZATION :"owner_role";
ALTER SCHEMA :"schema" OWNER TO :"owner_role";
REVOKE ALL ON SCHEMA :"schema" FROM PUBLIC;
GRANT USAGE ON SCHEMA :"schema" TO :"gateway_role";
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

-- Both roles find the tables in the schema without a Search Path in their connection strings.
ALTER ROLE :"owner_role" IN DATABASE :"DBNAME" SET search_path = :"schema";
ALTER ROLE :"gateway_role" IN DATABASE :"DBNAME" SET search_path = :"schema";

-- Tables already there (an upgrade) get their grants now; on a new database there are none yet.
SET search_path = :"schema";
\ir grants.sql
