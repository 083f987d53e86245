#!/usr/bin/env bash
# Run a command (the build) and, when it fails, put its error message where people look:
# the job summary on the run page, and the `message` output of the step, which the
# failure issue quotes.
#
#   build_and_explain.sh uv run python -m scripts.build
#
# The log streams as usual. GITHUB_STEP_SUMMARY and GITHUB_OUTPUT are files GitHub
# Actions provides; outside Actions they default to /dev/null.
set -uo pipefail

log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
if [ "$status" -ne 0 ]; then
    # The message without the progress lines, and never a code fence of its own.
    message=$(grep -v '^\[build\]' "$log" | sed 's/```/`` `/g' | head -c 6000)
    {
        printf '### The build stopped (exit status %s); the site keeps its last good build\n\n' "$status"
        printf '```\n%s\n```\n' "$message"
    } >>"${GITHUB_STEP_SUMMARY:-/dev/null}"
    delimiter="EOF_$RANDOM$RANDOM"
    printf 'message<<%s\n%s\n%s\n' "$delimiter" "$message" "$delimiter" >>"${GITHUB_OUTPUT:-/dev/null}"
fi
exit "$status"
