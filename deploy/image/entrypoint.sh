#!/bin/sh
# One image, several roles: the first argument names the process to run. exec keeps tini as
# PID 1 and Node as its only child, so signals reach Node.
set -eu
app="$(cd "$(dirname "$0")/../.." && pwd)"
role="${1:-api}"
[ "$#" -gt 0 ] && shift
case "$role" in
  api) exec node --enable-source-maps "$app"/dist/apps/api/src/main.js "$@" ;;
  worker) exec node --enable-source-maps "$app"/dist/apps/worker/src/main.js "$@" ;;
  migrate)
    # As hearth_owner: the migrations, then hearth_app's rights on the tables they made.
    node --enable-source-maps "$app"/dist/apps/api/src/cli/db.js run "$@"
    exec node "$app"/deploy/image/apply-sql.mjs "$app"/deploy/sql/grants.sql
    ;;
  audit-verify) exec node --enable-source-maps "$app"/dist/apps/api/src/cli/audit-verify.js "$@" ;;
  node) exec node "$@" ;;
  *)
    echo "hearth: unknown command \"$role\" (expected api, worker, migrate or audit-verify)" >&2
    exit 64
    ;;
esac
