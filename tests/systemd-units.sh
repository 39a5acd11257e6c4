#!/bin/sh
# The systemd units: "systemd-analyze verify" finds nothing wrong with them
# (filled in with this build's wsgated), and the hardening keeps their
# "systemd-analyze security" exposure at 2.0 or below ("OK").
set -u
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail=0
for u in wsgated.service wsgated@.service; do
	sed "s|^ExecStart=[^ ]*/wsgated |ExecStart=$WSGATED |" "$UNITS/$u" \
	    > "$dir/$u"
done
cp "$srcdir/systemd/wsgated.socket" "$dir/"
ln -s wsgated@.service "$dir/wsgated@1.service"
cd "$dir"
for u in wsgated.service wsgated.socket wsgated@1.service; do
	if out=$(systemd-analyze verify --man=no "./$u" 2>&1) && [ -z "$out" ]
	then
		echo "PASS: systemd-analyze verify $u"
	else
		echo "FAIL: systemd-analyze verify $u: $out"
		fail=1
	fi
done
for u in wsgated.service wsgated@1.service; do
	score=$(systemd-analyze security --offline=true "./$u" 2>&1 |
	    sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
	if [ -n "$score" ] && awk "BEGIN { exit !($score <= 2.0) }"; then
		echo "PASS: $u exposure $score"
	else
		echo "FAIL: $u exposure '$score' (want <= 2.0)"
		fail=1
	fi
done
exit "$fail"
