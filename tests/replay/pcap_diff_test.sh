#!/usr/bin/env bash
# pcap_diff_test.sh — pcap_diff's own checks: same files pass silently, different files fail with
# the field-by-field explanation, missing frames are listed, unreadable files are an error.
#
#   pcap_diff_test.sh PCAP_DIFF REPLAY_TRAFFIC
set -u
PCAP_DIFF=$1
TRAFFIC=$2
TMP=$(mktemp -d "${TMPDIR:-/tmp}/uvs-pcap-diff.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
failed=0
check() {  # check DESCRIPTION CONDITION...
  local what=$1
  shift
  if "$@"; then
    echo "ok   $what"
  else
    echo "FAIL $what"
    failed=1
  fi
}

"$TRAFFIC" nat-tcp "$TMP" || exit 1
a="$TMP/in-eth0.pcap"
b="$TMP/in-eth1.pcap"

"$PCAP_DIFF" "$a" "$a" > "$TMP/same.txt"
check "identical files: exit 0" test $? -eq 0
check "identical files: nothing printed" test ! -s "$TMP/same.txt"

"$PCAP_DIFF" "$a" "$b" > "$TMP/diff.txt"
check "different files: exit 1" test $? -eq 1
check "the counts are given" grep -q "in-eth0.pcap: 9 frames expected" "$TMP/diff.txt"
check "the first differing frame is named" grep -q "^frame #1 differs" "$TMP/diff.txt"
check "a differing time is shown" grep -q "^  time: expected 1700000000.000000000, actual 1700000000.001200000" "$TMP/diff.txt"
check "layers are compared field by field" grep -q "^  Ethernet src: expected 02:00:00:00:01:02, actual 02:00:00:00:02:12" "$TMP/diff.txt"
check "TCP fields are named" grep -q "^  TCP flags: expected SYN, actual SYN|ACK" "$TMP/diff.txt"
check "the first differing byte is shown" grep -q "^  first differing byte at offset 0:" "$TMP/diff.txt"
check "at most 3 frames are explained by default" test "$(grep -c 'differs$' "$TMP/diff.txt")" -eq 3
check "frames of the longer file are listed" grep -q "^frame #8 only in the expected file: .* TCP sport=40002 dport=80 flags=ACK" "$TMP/diff.txt"

"$PCAP_DIFF" --max 1 "$a" "$b" > "$TMP/max.txt"
check "--max limits the explained frames" test "$(grep -c 'differs$' "$TMP/max.txt")" -eq 1

# --ignore-time: the same frames one second later are equal; a changed byte is still found.
python3 - "$a" "$TMP/later.pcap" "$TMP/later-changed.pcap" <<'PY'
import struct, sys
data = bytearray(open(sys.argv[1], "rb").read())
end = "<" if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
off = 24
while off + 16 <= len(data):
    sec, = struct.unpack_from(end + "I", data, off)
    struct.pack_into(end + "I", data, off, sec + 1)
    off += 16 + struct.unpack_from(end + "I", data, off + 8)[0]
open(sys.argv[2], "wb").write(data)
data[-1] ^= 0xFF
open(sys.argv[3], "wb").write(data)
PY
"$PCAP_DIFF" "$a" "$TMP/later.pcap" > /dev/null
check "shifted timestamps differ without --ignore-time" test $? -eq 1
"$PCAP_DIFF" --ignore-time "$a" "$TMP/later.pcap" > "$TMP/later.txt"
check "--ignore-time: the same frames at other times are equal" test $? -eq 0
"$PCAP_DIFF" --ignore-time "$a" "$TMP/later-changed.pcap" > "$TMP/changed.txt"
check "--ignore-time still finds a changed byte" test $? -eq 1
check "--ignore-time does not explain times" bash -c "! grep -q '^  time:' '$TMP/changed.txt'"

"$PCAP_DIFF" "$a" "$TMP/nope.pcap" 2> "$TMP/err.txt"
check "a missing file: exit 2" test $? -eq 2
check "a missing file is named" grep -q "nope.pcap: cannot open" "$TMP/err.txt"
exit $failed
