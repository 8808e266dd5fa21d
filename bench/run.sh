#!/usr/bin/env bash
# Reproduces docs/benchmarks.md: builds Release, seeds the datasets once (kept in bench/data,
# git-ignored), then runs every approach interleaved on the same files and prints the table.
# Usage: bench/run.sh [rounds]   (default 3; the 200,000-incident set runs once, without the naive approach)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
dotnet build SupportSignal.sln -c Release -warnaserror >/dev/null
bench=bench/SupportSignal.Bench/bin/Release/net10.0/SupportSignal.Bench
mkdir -p bench/data
[ -f bench/data/half.db ] || "$bench" prepare --incidents 16000 --db bench/data/half.db
[ -f bench/data/full.db ] || "$bench" prepare --incidents 32000 --db bench/data/full.db
"$bench" run --db bench/data/half.db --db bench/data/full.db --rounds "$rounds"
# The MCP server on the ~500 MB set: start to first answer, load rate, group-by latency (json and zip).
[ "${BENCH_MCP:-1}" = 1 ] && "$bench" mcp --db bench/data/full.db --rounds "$rounds"
# Parquet against json and json.gz on the ~500 MB set, and DuckDB's group-by over each.
[ "${BENCH_PARQUET:-1}" = 1 ] && "$bench" parquet --db bench/data/full.db --rounds "$rounds"
if [ "${BENCH_LARGE:-1}" = 1 ]; then
  [ -f bench/data/large.db ] || "$bench" prepare --incidents 200000 --db bench/data/large.db
  "$bench" run --db bench/data/large.db --rounds 1 --skip-naive
  [ "${BENCH_PARQUET:-1}" = 1 ] && "$bench" parquet --db bench/data/large.db --rounds 1
fi
