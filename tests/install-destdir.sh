#!/bin/sh
# "make install DESTDIR=..." of this build: every file lands under the
# configured directories, the units where configure put systemd's unit
# directory (systemd.pc's for --prefix=/usr, else PREFIX/lib/systemd/system;
# never a directory named "auto"), filled in with this build's paths; a
# second install keeps an edited wsgate.ini, and "make uninstall" removes
# everything else.
set -u
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
. "$srcdir/tests/check.sh"
mk() { ${MAKE:-make} -s --no-print-directory -C "$TOP_BUILDDIR" "$@"; }

# The directories as this build's Makefile expands them.
# shellcheck disable=SC2016
set -- $(printf '%s\n\t%s %s\n' 'print-dirs:' \
    '@echo $(prefix) $(bindir) $(sbindir) $(sysconfdir) $(pkgdatadir)' \
    '$(mandir) $(docdir) $(systemdsystemunitdir)' |
    mk -f Makefile -f - print-dirs)
prefix=$1 bindir=$2 sbindir=$3 sysconfdir=$4 pkgdatadir=$5 mandir=$6 docdir=$7
unitdir=$8
if [ "$prefix" = /usr ]; then
	want=$(pkg-config --variable=systemdsystemunitdir systemd)
else
	want=$prefix/lib/systemd/system
fi
check "units go to $want (configured: $unitdir)" test "$unitdir" = "$want"

check "make install DESTDIR=$dest" mk install DESTDIR="$dest"
for f in "$sbindir/wsgated" "$bindir/wsgate-token"; do
	check "$f is executable" test -x "$dest$f"
done
for f in "$sysconfdir/wsgate/wsgate.ini" "$pkgdatadir/www/index.html" \
    "$mandir/man8/wsgated.8" "$mandir/man5/wsgate.ini.5" \
    "$mandir/man1/wsgate-token.1" "$unitdir/wsgated.service" \
    "$unitdir/wsgated@.service" "$unitdir/wsgated.socket"; do
	check "$f is installed" test -f "$dest$f"
done
check "no directory named auto" test -z "$(find "$dest" -name auto)"
outside=$(cd "$dest" && find . ! -type d | sed 's/^\.//' |
    grep -v -e "^$prefix/" -e "^$unitdir/" -e "^$sysconfdir/")
check "nothing outside prefix, sysconfdir, unit directory${outside:+: $outside}" \
    test -z "$outside"
check "wsgated.service runs $sbindir/wsgated -c $sysconfdir/wsgate/wsgate.ini" \
    grep -qx "ExecStart=$sbindir/wsgated -c $sysconfdir/wsgate/wsgate.ini" \
    "$dest$unitdir/wsgated.service"
check "wsgate.ini serves the installed demo page" \
    grep -qx "root = $pkgdatadir/www" "$dest$sysconfdir/wsgate/wsgate.ini"
for b in echo chat; do
	check "wsgate.ini names the installed $b backend" grep -q \
	    "^;   /usr/bin/python3 $docdir/examples/$b-backend.py " \
	    "$dest$sysconfdir/wsgate/wsgate.ini"
	check "$docdir/examples/$b-backend.py is installed" \
	    test -f "$dest$docdir/examples/$b-backend.py"
done

echo "; edited" >> "$dest$sysconfdir/wsgate/wsgate.ini"
check "a second make install" mk install DESTDIR="$dest"
check "a second make install keeps the edited wsgate.ini" \
    grep -qx "; edited" "$dest$sysconfdir/wsgate/wsgate.ini"
check "make uninstall DESTDIR=$dest" mk uninstall DESTDIR="$dest"
left=$(cd "$dest" && find . ! -type d | sed 's/^\.//')
check "make uninstall leaves only the edited wsgate.ini${left:+: $left}" \
    test "$left" = "$sysconfdir/wsgate/wsgate.ini"
[ "$failed" -eq 0 ]
