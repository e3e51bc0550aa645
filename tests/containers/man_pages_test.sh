#!/usr/bin/env bash
# man_pages_test.sh — the man pages (src/app/man/) say what the programs do.
#
# The rule, per program (uvsd, uvsadm, uvs-rs). "--help" is the program's help output (uvsadm:
# -h; uvs-rs: --help plus `uvs-rs COMMAND --help` of each command it lists); an option is a token
# "-x" or "--long-name"; the man page's "entries" are the tag lines of its tagged paragraphs
# (.TP/.TQ), where a man page documents an option, with roff escapes removed.
#   1. every option --help mentions appears in the man page (entry or text: help may point at
#      another program's option, as uvs-rs decap does at uvsadm's --tun-port);
#   2. every option of a usage line of --help (a line starting with the program's name, after an
#      optional "usage:") and every option that starts a line of --help (the option lists) has an
#      entry;
#   3. every option with an entry appears in --help: the man page documents nothing the help
#      hides;
#   4. every subcommand --help lists (uvsd replay, uvs-rs up/down/check/decap) has an entry.
# uvs.toml(5): every key the loader accepts (the k*Keys tables of src/config/*.cc and *.h) has
# a tagged paragraph giving its default (or "Required") and its reload behaviour ("Reload:");
# every table it reads ([daemon], [[service.real]], ...) has a section; every key-like tag is a
# real key.
# All four pages render with `man --warnings -l` (and groff -ww) without a single warning.
source "$(dirname "$0")/../netns/lib.sh"  # pass/fail/finish, UVS_ROOT, UVS_BUILD
MAN=$UVS_ROOT/src/app/man

for p in uvsd uvsadm uvs-rs; do
  [[ -x $UVS_BUILD/$p ]] || { echo "SKIP: $UVS_BUILD/$p is not built"; exit 77; }
done

# Option tokens of a text, one per line, sorted and unique.
options_of() {
  grep -oE '(^|[^A-Za-z0-9_-])--?[A-Za-z0-9][A-Za-z0-9-]*' | sed -E 's/^[^-]*//' | sort -u
}
# The tag lines of a roff source (the line after each .TP/.TQ), escapes removed.
tags_of() {
  awk 'tag { print; tag = 0; next } /^\.T[PQ]/ { tag = 1 }' "$1" |
    sed -E 's/\\f[BIRP]//g; s/\\-/-/g; s/\\\(dq/"/g; s/^\.[A-Z]+ //; s/"//g'
}

# The man page source with roff escapes removed.
plain_of() { sed -E 's/\\f[BIRP]//g; s/\\-/-/g; s/\\\(dq/"/g' "$1"; }
# The lines of --help whose options need an entry (rule 2): usage lines whole, else first words.
listed_of() {
  awk -v prog="$1" '{
    sub(/^[ \t]+/, ""); n = split($0, f, /[ \t]+/)
    if (f[1] == prog || (tolower(f[1]) == "usage:" && f[2] == prog)) print; else if (n) print f[1]
  }'
}

# compare NAME HELP_TEXT MAN_FILE [SUBCOMMANDS...]
compare() {
  local name=$1 help=$2 page=$3 base
  base=$(basename "$3")
  shift 3
  local h listed m text
  h=$(options_of <<<"$help")
  listed=$(listed_of "$name" <<<"$help" | options_of)
  m=$(tags_of "$page" | options_of)
  text=$(plain_of "$page" | options_of)
  local r1 r2 r3
  r1=$(comm -23 <(echo "$h") <(echo "$text"))
  r2=$(comm -23 <(echo "$listed") <(echo "$m"))
  r3=$(comm -13 <(echo "$h") <(echo "$m"))
  if [[ -z $r1 ]]; then
    pass "$name: all $(wc -l <<<"$h") options of --help appear in $base"
  else
    fail "$name: options in --help that $base never mentions: $(echo $r1)"
  fi
  if [[ -z $r2 ]]; then
    pass "$name: all $(wc -l <<<"$listed") options of its usage and option lines have an entry in $base"
  else
    fail "$name: options of --help's usage/option lines without an entry in $base: $(echo $r2)"
  fi
  if [[ -z $r3 ]]; then
    pass "$name: every option with an entry in $base ($(wc -l <<<"$m")) is in --help"
  else
    fail "$name: options with an entry in $base that --help does not show: $(echo $r3)"
  fi
  local sub
  for sub in "$@"; do
    if tags_of "$page" | grep -qE "^$sub( |\$)"; then
      pass "$name: subcommand '$sub' is documented"
    else
      fail "$name: subcommand '$sub' (in --help) has no entry in $base"
    fi
  done
}

help=$("$UVS_BUILD/uvsd" --help)
subs=$(grep -oE '^ *uvsd [a-z][a-z-]*' <<<"$help" | awk '{print $2}' | sort -u)
compare uvsd "$help" "$MAN/uvsd.8" $subs

help=$("$UVS_BUILD/uvsadm" -h)
compare uvsadm "$help" "$MAN/uvsadm.8"

help=$("$UVS_BUILD/uvs-rs" --help)
cmds=$(awk '/^commands:/ {c = 1; next} c && /^  [a-z]/ {print $1} c && /^$/ {c = 0}' <<<"$help")
[[ -n $cmds ]] || fail "uvs-rs: no commands found in --help (format changed?)"
for c in $cmds; do help+=$'\n'$("$UVS_BUILD/uvs-rs" "$c" --help); done
compare uvs-rs "$help" "$MAN/uvs-rs.8" $cmds

# uvs.toml(5) against the loader.
page=$MAN/uvs.toml.5
keys=$(sed -n '/std::array<std::string_view, [0-9]*> k[A-Za-z]*Keys = {/,/};/p' \
  "$UVS_ROOT"/src/config/*.cc "$UVS_ROOT"/src/config/*.h | grep -oE '"[a-z_]+"' | tr -d '"' | sort -u)
headers=$(grep -hoE 'read_table(_array)?\("[a-z_]+"(, "[^"]+")?' "$UVS_ROOT"/src/config/*.cc |
  sed -E 's/read_table_array\("[a-z_]+", "([^"]+)"/\1/; s/read_table\("([a-z_]+)"/[\1]/' | sort -u)
tables=$(grep -hoE 'read_table(_array)?\("[a-z_]+"' "$UVS_ROOT"/src/config/*.cc |
  grep -oE '"[a-z_]+"' | tr -d '"' | sort -u)
[[ $(wc -l <<<"$keys") -gt 20 ]] || fail "uvs.toml: found only $(wc -l <<<"$keys") keys in src/config (format changed?)"
# Paragraph text per tag: "tag<TAB>text" for every .TP whose tag is a bare identifier.
paragraphs=$(awk '
  function flush() { if (tag != "") print tag "\t" text; tag = ""; text = "" }
  /^\.(TP|SH|SS|PP)/ { flush(); want = ($0 ~ /^\.TP/); next }
  want { want = 0; t = $0; sub(/^\.B[IR]? /, "", t); if (t ~ /^[a-z_]+$/) tag = t; next }
  tag != "" { text = text " " $0 }
  END { flush() }' "$page")
section_lines=$(grep -E '^\.S[HS] ' "$page")
bad_keys=()
for k in $keys; do
  if grep -qx "$k" <<<"$tables"; then
    continue  # a table: checked through its header below
  fi
  texts=$(awk -F'\t' -v k="$k" '$1 == k {print $2}' <<<"$paragraphs")
  if [[ -z $texts ]]; then
    bad_keys+=("$k (no entry)")
  elif grep -v -e 'Default' -e 'Required' <<<"$texts" | grep -q .; then
    bad_keys+=("$k (an entry without its default)")
  elif grep -v 'Reload' <<<"$texts" | grep -q .; then
    bad_keys+=("$k (an entry without its reload behaviour)")
  fi
done
if [[ ${#bad_keys[@]} -eq 0 ]]; then
  pass "uvs.toml: all $(wc -l <<<"$keys") loader keys documented with default and reload behaviour"
else
  fail "uvs.toml: keys not properly documented: ${bad_keys[*]}"
fi
missing_headers=()
while read -r hdr; do
  if [[ $hdr == \[\[* ]]; then  # [[array]]: its full name, as the loader's messages write it
    grep -qF -- "$hdr" <<<"$section_lines" || missing_headers+=("$hdr")
  else  # [table]: a table of the top level, or nested ([service.real.check] for "check")
    name=${hdr#[}
    name=${name%]}
    grep -qE "(\[|\.)$name\]" <<<"$section_lines" || missing_headers+=("$hdr")
  fi
done <<<"$headers"
if [[ ${#missing_headers[@]} -eq 0 ]]; then
  pass "uvs.toml: every table has a section ($(echo $headers))"
else
  fail "uvs.toml: tables without a section: ${missing_headers[*]}"
fi
unknown=$(awk -F'\t' '{print $1}' <<<"$paragraphs" | sort -u | comm -23 - <(echo "$keys"))
if [[ -z $unknown ]]; then
  pass "uvs.toml: every documented key exists in the loader"
else
  fail "uvs.toml: documented keys the loader does not know: $(echo $unknown)"
fi

# Rendering.
rendered=0
for f in "$MAN"/*.[58]; do
  b=$(basename "$f")
  if command -v man >/dev/null; then
    warn=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$f" 2>&1 >/dev/null)
    if [[ -z $warn ]]; then pass "man -l $b renders without warnings"; else fail "man -l $b: $warn"; fi
    rendered=1
  fi
  if command -v groff >/dev/null; then
    warn=$(groff -man -ww -z -Tutf8 "$f" 2>&1)
    if [[ -z $warn ]]; then pass "groff -ww $b without warnings"; else fail "groff $b: $warn"; fi
    rendered=1
  fi
  if grep -qP '[^\x00-\x7F]' "$f"; then fail "$b has non-ASCII bytes (write roff escapes)"; fi
done
[[ $rendered -eq 1 ]] || echo "NOTE: neither man nor groff is installed; rendering not checked"

finish
