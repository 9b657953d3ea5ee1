#!/usr/bin/env bash
# Checks canister modules against what the IC accepts and what our toolchain pins:
#   check_modules.sh [--expect-export NAME]... MODULE.wasm...
# - valid with only mutable-globals and sign-ext beyond the MVP (wasm-validate 1.0.32 enables
#   saturating-float-to-int, sign-ext, simd, multi-value, bulk-memory, reference-types by default);
# - imports only functions of module "ic0" (no WASI, no env.memory/table/globals);
# - a target_features section, if present, labels nothing outside the pinned set;
# - exports only "memory" and the IC's canister_* entry points (plus each --expect-export, exactly once).
set -uo pipefail
pinned="mutable-globals sign-ext"
expected=()
while [ $# -gt 0 ] && [ "$1" = --expect-export ]; do expected+=("$2"); shift 2; done
[ $# -gt 0 ] || { echo "usage: $0 [--expect-export NAME]... MODULE.wasm..." >&2; exit 2; }

failures=0
fail() { echo "FAIL $module: $*"; failures=$((failures + 1)); }

for module in "$@"; do
  if [ ! -s "$module" ]; then fail "missing or empty (build the wasm sub-project first)"; continue; fi
  checks_before=$failures

  if ! out=$(wasm-validate --disable-saturating-float-to-int --disable-simd --disable-multi-value \
                           --disable-bulk-memory --disable-reference-types "$module" 2>&1); then
    fail "wasm-validate with only mutable-globals + sign-ext: $out"
  fi

  imports=$(wasm-objdump -x -j Import "$module" 2>/dev/null | grep -- ' <- ' || true)
  while IFS= read -r line; do
    [ -z "$line" ] && continue
    [[ "$line" =~ ^\ -\ func\[[0-9]+\].*\ \<-\ ic0\.[a-z0-9_]+$ ]] || fail "import outside ic0: $line"
  done <<< "$imports"

  features=$(wasm-objdump -x -j target_features "$module" 2>/dev/null | sed -n 's/^ *- \[\(.\)\] \(.*\)$/\1 \2/p')
  while read -r sign name; do
    [ -z "$name" ] && continue
    [ "$sign" = "-" ] && continue  # "disallowed" labels promise absence, they are harmless
    [[ " $pinned " == *" $name "* ]] || fail "target_features labels '$name' (pinned: $pinned)"
  done <<< "$features"

  exports=$(wasm-objdump -x -j Export "$module" 2>/dev/null | sed -n 's/^ - .* -> "\(.*\)"$/\1/p')
  while IFS= read -r name; do
    [ -z "$name" ] && continue
    # Interface spec "Entry points": the names the IC gives meaning to.
    [[ "$name" == memory ||
       "$name" =~ ^canister_(init|pre_upgrade|post_upgrade|inspect_message|heartbeat|global_timer|on_low_wasm_memory)$ ||
       "$name" =~ ^canister_(query|composite_query|update)\ [^\ ].*$ ]] || fail "unexpected export '$name'"
  done <<< "$exports"
  for name in "${expected[@]}"; do
    count=$(grep -cxF -- "$name" <<< "$exports")
    [ "$count" = 1 ] || fail "export '$name' found $count times (want 1); exports: $(tr '\n' ',' <<< "$exports")"
  done

  [ $failures = $checks_before ] && echo "ok   $module ($(stat -c %s "$module") bytes)"
done
[ $failures = 0 ] || { echo "$failures check(s) failed"; exit 1; }
