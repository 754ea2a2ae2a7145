#!/bin/sh
# `make demo`: the same service as `make run`, fed from the recorded responses in demo/recordings, so it
# needs no internet. Its state (database, outbox, locks) lives in var/demo/ (or $FUNDWATCH_DEMO_VAR), apart
# from `make run`'s.
# Steps: replay the recordings into the database, match, write this week's digests to var/demo/outbox,
# then start the service (its scheduled scrapes replay the recordings too).
set -u
cd "$(dirname "$0")/.."
FUNDWATCH="${FUNDWATCH:-.venv/bin/fundwatch}"
DEMO_VAR="${FUNDWATCH_DEMO_VAR:-var/demo}"

export FUNDWATCH_PATHS_VAR_DIR="$DEMO_VAR"
export FUNDWATCH_DATABASE_URL="sqlite:///$DEMO_VAR/fundwatch.db"
export FUNDWATCH_SCRAPE_REPLAY_DIR=demo/recordings
export FUNDWATCH_HTTP_MIN_DELAY=0
export FUNDWATCH_EMAIL_MODE=outbox
export FUNDWATCH_EMAIL_OUTBOX_DIR="$DEMO_VAR/outbox"
export FUNDWATCH_DIGEST_DRY_RUN_DIR="$DEMO_VAR/digest-dry-run"
export FUNDWATCH_DIGEST_OVERVIEW_RECIPIENTS=klk@kalmar.example

say() { printf '\n== demo: %s\n' "$*" >&2; }

say "database $DEMO_VAR/fundwatch.db"
"$FUNDWATCH" db upgrade || exit 1

say "scrape: replaying demo/recordings (hand-written responses, no network)"
"$FUNDWATCH" scrape || say "a source failed to replay (see above); the service starts anyway"

say "match: scoring every call against every profile"
"$FUNDWATCH" match
case $? in
  0) ;;
  *) say "matching failed (see above); the service starts anyway" ;;
esac

say "digest: this week's digests as .eml files in $DEMO_VAR/outbox"
"$FUNDWATCH" digest || say "digests failed (see above); the service starts anyway"

say "run: scheduler and web UI (Ctrl-C stops)"
exec "$FUNDWATCH" run
