#!/bin/sh
# First start of the compose PostgreSQL: the passwords of the roles roles.sql made, from the env file.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v owner_password="$HEARTH_OWNER_PASSWORD" -v app_password="$HEARTH_APP_PASSWORD" \
  -v system_password="$HEARTH_SYSTEM_PASSWORD" <<'SQL'
ALTER ROLE hearth_owner PASSWORD :'owner_password';
ALTER ROLE hearth_app PASSWORD :'app_password';
ALTER ROLE hearth_system PASSWORD :'system_password';
SQL
