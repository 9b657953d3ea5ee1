#!/usr/bin/env bash
# fault_exports.sh RELEASE.wasm FAULTS.wasm METHOD...: the release module exports no `fault_*` method at all,
# and the test-only fault-injection module exports each METHOD (as a canister_update).
set -uo pipefail
release=$1 faults=$2
shift 2
exports() { wasm-objdump -x -j Export "$1" 2>/dev/null | sed -n 's/^ - .* -> "\(.*\)"$/\1/p'; }
fail=0
for m in "$release" "$faults"; do
  [ -s "$m" ] || { echo "FAIL $m: missing (build the wasm sub-project first)"; exit 1; }
done
rel=$(exports "$release")
[ -n "$rel" ] || { echo "FAIL $release: no exports read"; exit 1; }
if grep -q 'fault_' <<< "$rel"; then
  echo "FAIL $release exports fault-injection methods: $(grep 'fault_' <<< "$rel" | tr '\n' ',')"
  fail=1
fi
flt=$(exports "$faults")
for name in "$@"; do
  grep -qxF "canister_update $name" <<< "$flt" || { echo "FAIL $faults lacks canister_update $name"; fail=1; }
done
[ $fail = 0 ] && echo "ok   $release has no fault_* export; $faults has $*"
exit $fail
