#!/usr/bin/env bash
# Run a command with the cloud credentials of this step, and only for it: the GCS
# key arrives as JSON in GOOGLE_APPLICATION_CREDENTIALS_JSON (a repository secret)
# and is written to a private file that lives as long as the command does.
#
#   with_credentials.sh uv run python -m scripts.build
#
# Outside Actions, or without that secret, the command runs as it is.
#
# libpq's variables (PGHOST, PGPASSWORD …) that a workflow passes from secrets that are
# not set arrive empty; libpq would take an empty PGSSLMODE for a value, so they are unset.
set -euo pipefail

for name in PGHOST PGPORT PGUSER PGPASSWORD PGSSLMODE PGSERVICE PGDATABASE; do
    if [ -z "${!name:-}" ]; then
        unset "$name"
    fi
done

if [ -n "${GOOGLE_APPLICATION_CREDENTIALS_JSON:-}" ]; then
    key=$(mktemp "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/gcp-XXXXXX.json")
    trap 'rm -f "$key"' EXIT
    chmod 600 "$key"
    printf '%s' "$GOOGLE_APPLICATION_CREDENTIALS_JSON" >"$key"
    export GOOGLE_APPLICATION_CREDENTIALS="$key"
    unset GOOGLE_APPLICATION_CREDENTIALS_JSON
    "$@"
else
    exec "$@"
fi
