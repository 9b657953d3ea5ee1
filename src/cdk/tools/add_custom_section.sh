#!/usr/bin/env bash
# Appends a Wasm custom section (id 0: LEB128 size, LEB128 name length, name, content) to a module:
#   add_custom_section.sh IN.wasm NAME CONTENT_FILE OUT.wasm
# Used for `icp:public candid:service` (interface spec "Custom sections"); deterministic, bash + coreutils.
set -euo pipefail
[ $# -eq 4 ] || { echo "usage: $0 IN.wasm NAME CONTENT_FILE OUT.wasm" >&2; exit 2; }
in=$1 name=$2 content=$3 out=$4
leb() {  # unsigned LEB128 of $1 as printf octal escapes
  local v=$1 s="" b
  while :; do
    b=$((v & 127)); v=$((v >> 7))
    [ "$v" -ne 0 ] && b=$((b | 128))
    s+=$(printf '\\%03o' "$b")
    [ "$v" -eq 0 ] && break
  done
  printf '%s' "$s"
}
name_len=$(printf '%s' "$name" | LC_ALL=C wc -c)
content_len=$(LC_ALL=C wc -c < "$content")
name_leb=$(leb "$name_len")
name_leb_len=$(printf "$name_leb" | LC_ALL=C wc -c)
tmp=$out.tmp
{
  cat "$in"
  printf '\000'
  printf "$(leb $((name_leb_len + name_len + content_len)))"
  printf "$name_leb"
  printf '%s' "$name"
  cat "$content"
} > "$tmp"
mv "$tmp" "$out"
