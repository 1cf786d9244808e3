-- What hearth_app may do with the tables. Run as hearth_owner after every migration (the image's
-- `migrate` command does; see deploy/README.md). Idempotent; a no-op where roles.sql was not run.

DO $$
DECLARE
  audit_table text;
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'hearth_app') THEN
    RAISE NOTICE 'no hearth_app role (deploy/sql/roles.sql was not run): no grants';
    RETURN;
  END IF;

  -- Rows, not schema: read and write every table, use the sequences.
  GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO hearth_app;
  GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO hearth_app;
  REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM hearth_app;
  -- The tables of later migrations, until this runs again after them.
  ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT ON TABLES TO hearth_app;
  ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO hearth_app;

  -- The audit trail is append-only: insert and read, never change (the triggers refuse it too,
  -- and hearth_app, not owning the tables, cannot disable them).
  FOREACH audit_table IN ARRAY ARRAY['audit_entries', 'audit_seals', 'audit_checkpoints'] LOOP
    IF to_regclass(format('public.%I', audit_table)) IS NOT NULL THEN
      EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON public.%I FROM hearth_app', audit_table);
    END IF;
  END LOOP;

  -- The migration history is the owner's.
  IF to_regclass('public.migrations') IS NOT NULL THEN
    REVOKE INSERT, UPDATE, DELETE ON public.migrations FROM hearth_app;
  END IF;
END
$$;
