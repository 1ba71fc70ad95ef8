#!/usr/bin/env bash
# Runs one fuzz target for SECONDS on its corpus (fuzz/seed.sh fills it), with inputs of
# at most 64 KiB and a 2 GiB memory limit. Crashes are kept in fuzz/artifacts/TARGET/.
#
# Usage: fuzz/run.sh TARGET SECONDS [LIBFUZZER_OPTION...]
#   FUZZ_JOBS=N runs N processes in parallel (default 1).
#   FUZZ_SANITIZER=address builds with AddressSanitizer. The default, none, keeps stack
#   frames the size they have in the binary (ASan's redzones make them larger, so deep
#   inputs would overflow here that do not overflow in the binary); pgparity has no
#   unsafe code for ASan to watch.
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: fuzz/run.sh TARGET SECONDS [LIBFUZZER_OPTION...]" >&2
  echo "targets: spec contracts mapping markdown_plan snapshot baseline config" >&2
  exit 2
fi
target="$1"
seconds="$2"
shift 2
cd "$(dirname "$0")"
mkdir -p "corpus/$target"
jobs="${FUZZ_JOBS:-1}"
parallel=()
if [ "$jobs" -gt 1 ]; then parallel=("-fork=$jobs"); fi
exec cargo +nightly fuzz run --sanitizer "${FUZZ_SANITIZER:-none}" "$target" "corpus/$target" -- \
  -max_len=65536 -rss_limit_mb=2048 -max_total_time="$seconds" -timeout=30 \
  "${parallel[@]}" "$@"
