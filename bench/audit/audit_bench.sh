#!/usr/bin/env bash
# hubctl audit over many shards against a local network that delays every reply (--latency), parallel vs one by
# one (BENCHMARKS.md). Usage: bench/audit/audit_bench.sh [BUILD_DIR] [SHARDS] [LATENCY_MS]
set -euo pipefail
build=$(cd "${1:-build}" && pwd); shards=${2:-100}; latency=${3:-50}
hubctl="$build/hubctl"
tmp=$(mktemp -d)
export XDG_CONFIG_HOME=$tmp/config XDG_DATA_HOME=$tmp/data DFX_CONFIG_ROOT=$tmp/dfx
trap '"$hubctl" local stop --state-dir "$tmp/node" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
"$hubctl" local start --port 0 --state-dir "$tmp/node" --background --latency "$latency" >/dev/null
url=$("$hubctl" local status --state-dir "$tmp/node" --json | sed -n 's/.*"url": *"\([^"]*\)".*/\1/p')
export HUBCTL_NETWORK=$url
# One user per shard, a new shard every second: the hub grows to $shards shards by itself.
"$hubctl" -q deploy --set shard_soft_limit=1 --set shard_hard_limit=1 --set auto_scale_interval=1 \
  --set shard_cycles=1000000000000 --set shard_topup_below=200000000000 --hub-cycles 150000000000000 --yes >/dev/null
hub=$("$hubctl" canister info staking_hub --json | sed -n 's/.*"canister": *"\([^"]*\)".*/\1/p')
"$build/bench/suite_loadgen" --url "$url" --hub "$hub" --users "$shards" --concurrency 8 --retries 600 >/dev/null
n=$("$hubctl" shards --json | grep -o '"id": "' | wc -l)
echo "audit_bench: $n shards, every reply delayed by $latency ms"
for c in 64 16 1; do
  start=$(date +%s%N)
  "$hubctl" audit --concurrency "$c" --max-age 60m >/dev/null || true
  end=$(date +%s%N)
  echo "audit --concurrency $c: $(( (end - start) / 1000000 )) ms"
done
