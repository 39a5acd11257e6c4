#!/bin/sh
# The close codes of wsgated(8) and README.md are those of the transition
# table: every code the table originates is documented in both, and the man
# page says whether it is retryable.
set -u
man=$srcdir/man/wsgated.8
readme=$srcdir/README.md
pass=0
fail=0
for code in $("$FSMDOC" codes | cut -f1 | grep -E '^[0-9]+$' | sort -u); do
	for doc in "$man" "$readme"; do
		if grep -q "close $code" "$doc"; then
			pass=$((pass + 1))
		else
			echo "FAIL: $(basename "$doc") does not mention close $code"
			fail=$((fail + 1))
		fi
	done
	if sed -n '/^Of the codes it originates/,/^\.Pp/p' "$man" |
	    grep -q "$code"; then
		pass=$((pass + 1))
	else
		echo "FAIL: wsgated.8 does not say whether $code is retryable"
		fail=$((fail + 1))
	fi
done
# The refusals the table decides (a held handshake): in both, with the
# reason the client reads.
"$FSMDOC" codes | grep '^HTTP ' | cut -f1,4 | sort -u | {
	f=0
	while IFS='	' read -r status why; do
		for doc in "$man" "$readme"; do
			if grep -q "$status" "$doc" && grep -q "$why" "$doc"; then
				echo "ok: $(basename "$doc"): $status $why"
			else
				echo "FAIL: $(basename "$doc") does not mention" \
				    "$status \"$why\""
				f=1
			fi
		done
	done
	exit $f
} || fail=$((fail + 1))
[ "$pass" -gt 0 ] || { echo "FAIL: fsmdoc printed no close code"; fail=1; }
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
