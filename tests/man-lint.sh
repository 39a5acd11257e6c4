#!/bin/sh
# The man pages are clean for mandoc -Tlint at warning level and above
# (style hints, such as pages not installed on this machine, are not
# errors).
set -u
fail=0
for page in "$srcdir/man/wsgated.8" "$srcdir/man/wsgate.ini.5" \
    "$srcdir/man/wsgate-token.1" "$srcdir/man/wsgate-websockify.1"; do
	if out=$(mandoc -Tlint -Wwarning "$page" 2>&1); then
		echo "PASS: mandoc -Tlint $(basename "$page")"
	else
		echo "FAIL: mandoc -Tlint $(basename "$page"):"
		echo "$out"
		fail=1
	fi
done
exit "$fail"
