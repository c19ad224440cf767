#!/usr/bin/env bash
# `make run`: the main job on a built-in default. Completed by the streamer
# (issue 4) and capture (issue 5) work; until `picortc serve` exists it says so.
set -euo pipefail
build=${1:-build/ci}
if ! "$build/apps/picortc/picortc" serve --help >/dev/null 2>&1; then
  echo "make run: 'picortc serve' is not built yet (the streamer is still to come)."
  echo "What works today: 'make test', and 'picortc feed' into an ingest socket."
  exit 0
fi
