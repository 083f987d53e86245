#!/usr/bin/env bash
# The publish workflow's failure report, kept in one GitHub issue.
#
#   failure_report.sh open    # a scheduled run failed: open the issue, or comment on it
#   failure_report.sh close   # a run published: close the open issue with a comment
#
# Needs GH_TOKEN (issues: write, actions: read), GITHUB_REPOSITORY, GITHUB_RUN_ID and
# GITHUB_SERVER_URL, as GitHub Actions sets them; uses the gh CLI of the runner.
# BUILD_ERROR, when set, is the build's message (build_and_explain.sh), quoted in the issue;
# HELD_BACK=true says the build stopped and the run deployed the last good pages.
set -euo pipefail

LABEL="publish-failure"
TITLE="Scheduled publish is failing"
RUN_URL="${GITHUB_SERVER_URL}/${GITHUB_REPOSITORY}/actions/runs/${GITHUB_RUN_ID}"

open_issue() {
    gh issue list --repo "$GITHUB_REPOSITORY" --label "$LABEL" --state open --json number --jq '.[0].number // empty'
}

case "${1:-}" in
open)
    # Which steps failed, as "job / step", from this run's jobs.
    failed=$(gh api "repos/${GITHUB_REPOSITORY}/actions/runs/${GITHUB_RUN_ID}/jobs" \
        --jq '.jobs[] | .name as $job | .steps[]? | select(.conclusion == "failure") | "- \($job) / \(.name)"' || true)
    if [ "${HELD_BACK:-}" = "true" ]; then
        # The gate held the build back: the run deployed the last good pages with a banner.
        body=$(printf 'The scheduled build was held back: no pin changed, and the site shows the last good build with a banner that says why (status.json, attempts.json, changes.xml).\n\nRun: %s\n' \
            "$RUN_URL")
    else
        body=$(printf 'The scheduled publish run failed, so the site still shows the last good build.\n\nFailing step:\n%s\n\nRun: %s\n' \
            "${failed:-- (see the run)}" "$RUN_URL")
    fi
    if [ -n "${BUILD_ERROR:-}" ]; then
        # The build's own message (the publish gate's rules, rows and examples).
        body=$(printf '%s\n\nThe build said:\n\n```\n%s\n```\n' "$body" "${BUILD_ERROR//\`\`\`/\`\` \`}")
    fi
    number=$(open_issue)
    if [ -n "$number" ]; then
        gh issue comment "$number" --repo "$GITHUB_REPOSITORY" --body "$body"
    else
        gh label create "$LABEL" --repo "$GITHUB_REPOSITORY" --color B60205 \
            --description "The scheduled publish workflow failed" 2>/dev/null || true
        gh issue create --repo "$GITHUB_REPOSITORY" --title "$TITLE" --label "$LABEL" --body "$body"
    fi
    ;;
close)
    number=$(open_issue)
    if [ -n "$number" ]; then
        gh issue close "$number" --repo "$GITHUB_REPOSITORY" --comment "Published again by ${RUN_URL}."
    fi
    ;;
*)
    echo "usage: $0 open|close" >&2
    exit 2
    ;;
esac
