-- Hearth's database roles. Run once as a superuser (or the hosting's administrative role with
-- CREATEROLE), connected to Hearth's database, before the first migration. Idempotent.
--
--   psql "$ADMIN_DATABASE_URL" -v ON_ERROR_STOP=1 -f deploy/sql/roles.sql
--   psql "$ADMIN_DATABASE_URL" -c "ALTER ROLE hearth_owner PASSWORD '…'" -c "ALTER ROLE hearth_app PASSWORD '…'" \
--     -c "ALTER ROLE hearth_system PASSWORD '…'"
--
-- hearth_owner owns the schema and every table; it runs the migrations (the `migrate` command)
-- and nothing else. hearth_app is what the API and the worker connect as: it reads and writes
-- rows, never changes the schema, and, not owning the tables, cannot disable or drop the
-- append-only triggers of the audit trail. Row-level security policies apply to it (it is not
-- the owner and has no BYPASSRLS): it sees the rows of the user each transaction names.
-- hearth_system is the login of the system's own work in the same processes (SYSTEM_DATABASE_URL:
-- the worker's loops, the doorbell's re-checks, the delivery sweep): the same rights, and the
-- policies let it see every family's rows. hearth_app is not a member of it, so no statement on
-- an application connection can widen itself to the system's view. deploy/sql/grants.sql, run
-- by the owner after every migration, gives both their rights on the tables.

DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'hearth_owner') THEN
    CREATE ROLE hearth_owner LOGIN;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'hearth_app') THEN
    CREATE ROLE hearth_app LOGIN;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'hearth_system') THEN
    CREATE ROLE hearth_system LOGIN;
  END IF;
END
$$;

-- Whatever they were made with before, neither may be more than this.
ALTER ROLE hearth_owner NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT;
ALTER ROLE hearth_app NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT CONNECTION LIMIT 200;
ALTER ROLE hearth_system NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT CONNECTION LIMIT 100;
-- Each API process holds a pool of 10 and a listener as hearth_app, and 4 as hearth_system; the
-- limits keep a runaway deployment from starving the owner and the administrators of connections.

-- Neither may become the owner, and hearth_app may not become hearth_system.
DO $$
DECLARE
  membership record;
BEGIN
  FOR membership IN
    SELECT g.rolname AS granted, r.rolname AS grantee
    FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member JOIN pg_roles g ON g.oid = m.roleid
    WHERE (g.rolname = 'hearth_owner' AND r.rolname IN ('hearth_app', 'hearth_system'))
       OR (g.rolname = 'hearth_system' AND r.rolname = 'hearth_app')
  LOOP
    EXECUTE format('REVOKE %I FROM %I', membership.granted, membership.grantee);
  END LOOP;
END
$$;

DO $$
BEGIN
  EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database());
  EXECUTE format('GRANT CONNECT, TEMPORARY, CREATE ON DATABASE %I TO hearth_owner', current_database());
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO hearth_app, hearth_system', current_database());
END
$$;

-- The schema belongs to the owner; nobody else may create objects in it.
ALTER SCHEMA public OWNER TO hearth_owner;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO hearth_app, hearth_system;

-- A deployment that ran its migrations as another role hands its objects to the owner.
DO $$
DECLARE
  object record;
BEGIN
  FOR object IN
    SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm') AND pg_get_userbyid(c.relowner) <> 'hearth_owner'
  LOOP
    EXECUTE format(
      'ALTER %s public.%I OWNER TO hearth_owner',
      CASE object.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END,
      object.relname
    );
  END LOOP;
  FOR object IN
    SELECT p.oid::regprocedure AS signature FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = 'public' AND pg_get_userbyid(p.proowner) <> 'hearth_owner'
  LOOP
    EXECUTE format('ALTER ROUTINE %s OWNER TO hearth_owner', object.signature);
  END LOOP;
  FOR object IN
    SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
    WHERE n.nspname = 'public' AND t.typtype = 'e' AND pg_get_userbyid(t.typowner) <> 'hearth_owner'
  LOOP
    EXECUTE format('ALTER TYPE public.%I OWNER TO hearth_owner', object.typname);
  END LOOP;
END
$$;
