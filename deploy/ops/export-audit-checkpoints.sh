#!/bin/sh
# Exports the audit trail's sealed checkpoints (position, head hash, time) since the last export,
# for copying off-site (object storage with object lock, or another organisation's custody).
# With an exported checkpoint an auditor can later prove that the trail up to that position was
# not rewritten: `npm run audit:verify` (or the image's `audit-verify`) recomputes the chain, and
# the head hash at each exported position must match.
#
#   DATABASE_URL=postgres://hearth_app@… deploy/ops/export-audit-checkpoints.sh /backups/audit-checkpoints
#
# Run it hourly (cron, a Kubernetes CronJob with psql); it appends one CSV file per run, named
# by time and last position, with a SHA-256 file beside it.
set -eu
dir="${1:?usage: export-audit-checkpoints.sh <folder>}"
mkdir -p "$dir"
last="$(ls "$dir" 2>/dev/null | sed -n 's/^checkpoints-.*-to-\([0-9]*\)\.csv$/\1/p' | sort -n | tail -1)"
last="${last:-0}"
head="$(psql "$DATABASE_URL" -XAtc "SELECT COALESCE(max(position), 0) FROM audit_checkpoints")"
if [ "$head" -le "$last" ]; then
  echo "no new checkpoint since position $last"
  exit 0
fi
file="$dir/checkpoints-$(date -u +%Y%m%dT%H%M%SZ)-to-$head.csv"
psql "$DATABASE_URL" -XAtc "\\copy (SELECT position, head_hash, at FROM audit_checkpoints WHERE position > $last AND position <= $head ORDER BY position) TO STDOUT WITH (FORMAT csv, HEADER)" > "$file.tmp"
mv "$file.tmp" "$file"
sha256sum "$file" > "$file.sha256"
echo "exported checkpoints $((last + 1))..$head to $file"
