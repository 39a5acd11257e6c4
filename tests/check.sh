# Sourced by the shell tests: check DESCRIPTION COMMAND... runs COMMAND
# with its output discarded, prints "PASS: DESCRIPTION" or "FAIL: ...",
# and counts it in $passed or $failed.
passed=0
failed=0
check() {
	what=$1
	shift
	if "$@" >/dev/null 2>&1; then
		echo "PASS: $what"
		passed=$((passed + 1))
	else
		echo "FAIL: $what"
		failed=$((failed + 1))
	fi
}
