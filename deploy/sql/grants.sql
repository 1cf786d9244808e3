-- What hearth_app and hearth_system may do with the tables (the same: what each sees is the
-- row-level security policies' business). Run as hearth_owner after every migration (the image's
-- `migrate` command does; see deploy/README.md). Idempotent; a no-op where roles.sql was not run.

DO $$
DECLARE
  grantee text;
  audit_table text;
BEGIN
  FOREACH grantee IN ARRAY ARRAY['hearth_app', 'hearth_system'] LOOP
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = grantee) THEN
      RAISE NOTICE 'no % role (deploy/sql/roles.sql was not run): no grants', grantee;
      CONTINUE;
    END IF;

    -- Rows, not schema: read and write every table, use the sequences.
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO %I', grantee);
    EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO %I', grantee);
    EXECUTE format('REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM %I', grantee);
    -- The tables of later migrations, until this runs again after them.
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT ON TABLES TO %I', grantee);
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO %I', grantee);

    -- The audit trail is append-only: insert and read, never change (the triggers refuse it too,
    -- and neither role, not owning the tables, can disable them).
    FOREACH audit_table IN ARRAY ARRAY['audit_entries', 'audit_seals', 'audit_checkpoints'] LOOP
      IF to_regclass(format('public.%I', audit_table)) IS NOT NULL THEN
        EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON public.%I FROM %I', audit_table, grantee);
      END IF;
    END LOOP;

    -- The migration history is the owner's.
    IF to_regclass('public.migrations') IS NOT NULL THEN
      EXECUTE format('REVOKE INSERT, UPDATE, DELETE ON public.migrations FROM %I', grantee);
    END IF;
  END LOOP;
END
$$;
