#!/bin/sh
# Installs the built package into a minimal Debian 12 root and checks what
# an operator relies on: apt-get install ./wsgate_*.deb pulls in its
# dependencies, creates _wsgate, puts every file in place with the right
# owner and mode, enables wsgated.service; wsgated -t accepts the shipped
# configuration; wsgated started as the unit would start it serves the demo
# page and relays a message through the demo echo backend; an edited
# conffile survives a reinstall and an upgrade; remove keeps the
# configuration and the user; purge leaves nothing of the package.
#
#   tests/package-install.sh DEB
#
# Needs root and debootstrap; exits 77 after "SKIP: reason" without them.
# The root debootstrap makes is cached as build-deb/bookworm-base and each
# run works on a fresh copy of it, build-deb/bookworm-root (kept for a look
# after a failure).  The run happens in private mount and PID namespaces:
# the /proc mounted into the root and every process started in it end with
# the namespace, on every exit path.  wsgated and the backend get a private
# network namespace too, so that the shipped 127.0.0.1:8080 meets nothing
# else on the machine.  No systemd runs in the root: wsgated starts as
# wsgated.service says (its User=, Group=, UMask=, RuntimeDirectory= and
# ExecStart= line), by hand.
set -eu

mirror=http://deb.debian.org/debian
skip() { echo "SKIP: package-install: $*"; exit 77; }

case ${1:-} in
--inner|--serve)
	phase=$1 root=$2
	;;
*)
	[ $# -eq 1 ] && [ -f "$1" ] || { echo "usage: $0 DEB" >&2; exit 2; }
	[ "$(id -u)" -eq 0 ] ||
	    skip "needs root (debootstrap, chroot, namespaces)"
	command -v debootstrap >/dev/null ||
	    skip "debootstrap is missing (scripts/install-packages installs it)"
	unshare --mount --pid --net --fork true 2>/dev/null ||
	    skip "this machine refuses new mount, PID or network namespaces"
	top=$(cd "$(dirname "$0")/.." && pwd)
	cache=${WSGATE_DEB_DIR:-$top/build-deb}
	mkdir -p "$cache"
	cache=$(cd "$cache" && pwd)
	base=$cache/bookworm-base
	root=$cache/bookworm-root
	if [ ! -x "$base/usr/bin/python3" ]; then
		echo "package-install: debootstrap bookworm into $base"
		rm -rf "$base.tmp"
		t=$(date +%s)
		debootstrap --variant=minbase --include=python3 bookworm \
		    "$base.tmp" "$mirror" >"$cache/debootstrap.log" 2>&1 || {
			tail -n 20 "$cache/debootstrap.log"
			echo "FAIL: debootstrap; see $cache/debootstrap.log"
			exit 1
		}
		mv "$base.tmp" "$base"
		echo "package-install: debootstrap took $(($(date +%s) - t)) s"
	fi
	# A mount left under the root would make rm -rf reach the host.
	if grep -q " $root/" /proc/self/mounts; then
		echo "FAIL: something is mounted under $root" >&2
		exit 1
	fi
	rm -rf "$root"
	cp -a "$base" "$root"
	cp "$1" "$root/tmp/"
	cp /etc/resolv.conf "$root/etc/resolv.conf"
	exec unshare --mount --pid --fork --kill-child "$0" --inner "$root"
	;;
esac

. "$(dirname "$0")/check.sh"
in_root() { chroot "$root" "$@"; }
# field of a unit's [Service] section
unit_key() { sed -n "s/^$2=//p" "$root/lib/systemd/system/$1"; }

if [ "$phase" = --serve ]; then
	# In a network namespace of its own: loopback only, nothing else there.
	ip link set lo up
	user=$(unit_key wsgated.service User)
	group=$(unit_key wsgated.service Group)
	umask_=$(unit_key wsgated.service UMask)
	rundir=/run/$(unit_key wsgated.service RuntimeDirectory)
	execstart=$(unit_key wsgated.service ExecStart)
	mkdir -p "$root$rundir"
	in_root chown "$user:$group" "$rundir"
	# chroot itself, not in_root: $! must be the process that execs on.
	chroot "$root" python3 /usr/share/doc/wsgate/examples/echo-backend.py \
	    "$rundir/echo.sock" &
	backend=$!
	i=0
	while [ ! -S "$root$rundir/echo.sock" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	chroot "$root" setpriv --reuid="$user" --regid="$group" --init-groups \
	    sh -c "umask $umask_ && exec $execstart" 2>"$root/tmp/wsgated.log" &
	daemon=$!
	echo "serve: $execstart as $user:$group, umask $umask_, $rundir"
	/usr/bin/python3 - "$root/proc/$daemon" <<'EOF' || echo "FAIL: client"
import asyncio, socket, sys, time, urllib.request
import websockets

proc = sys.argv[1]	# the root's /proc belongs to this PID namespace
deadline = time.monotonic() + 15
while True:
    try:
        socket.create_connection(("127.0.0.1", 8080), 1).close()
        break
    except OSError:
        if time.monotonic() > deadline:
            sys.exit("FAIL: wsgated does not listen on 127.0.0.1:8080")
        time.sleep(0.1)

def uid_of(proc):
    # chroot, setpriv and sh exec in turn: wsgated has their PID.
    with open(f"{proc}/status") as f:
        for line in f:
            if line.startswith("Uid:"):
                return int(line.split()[1])

page = urllib.request.urlopen("http://127.0.0.1:8080/", timeout=5)
body = page.read().decode()
assert page.status == 200 and "<title>wsgate demo</title>" in body, body[:200]
print("PASS: GET / answers 200 with the demo page")

async def echo():
    async with websockets.connect("ws://127.0.0.1:8080/echo",
                                  open_timeout=5) as ws:
        await ws.send("hello through the package")
        got = await asyncio.wait_for(ws.recv(), 5)
        assert got == "hello through the package", got
asyncio.run(echo())
print("PASS: ws://127.0.0.1:8080/echo relays a message to the echo "
      "backend and back")
with open(f"{proc}/comm") as f:
    print(f"{f.read().strip()} uid={uid_of(proc)}")
EOF
	kill -TERM "$daemon"
	i=0
	while kill -0 "$daemon" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -KILL "$daemon" 2>/dev/null || :
	status=0
	wait "$daemon" || status=$?
	echo "drain exit status $status"
	kill "$backend"
	wait "$backend" 2>/dev/null || :
	# systemd removes a RuntimeDirectory when the service stops.
	rm -rf "${root:?}$rundir"
	exit 0
fi

mount -t proc proc "$root/proc"
trap 'umount "$root/proc" 2>/dev/null || :' EXIT
apt() {	# apt-get arguments (no spaces), run in the root's /tmp
	in_root sh -c "cd /tmp && DEBIAN_FRONTEND=noninteractive \
	    apt-get -y -q $*" >>"$root/tmp/apt.log" 2>&1
}
deb=$(cd "$root/tmp" && ls wsgate_*.deb)
t=$(date +%s)
check "apt-get update in the bookworm root" apt update
check "apt-get install ./$deb" apt install "./$deb"
echo "package-install: installed in $(($(date +%s) - t)) s"
in_root dpkg -L wsgate | sort > "$root/tmp/files"
echo "package-install: the package's files:"
sed 's/^/  /' "$root/tmp/files"

pw=$(in_root getent passwd _wsgate || :)
uid=$(echo "$pw" | cut -d: -f3)
gid=$(echo "$pw" | cut -d: -f4)
check "user _wsgate exists ($pw)" test -n "$pw"
check "_wsgate is a system user (uid < 1000)" test "${uid:-1000}" -lt 1000
check "_wsgate has no login shell" \
    test "$(echo "$pw" | cut -d: -f7)" = /usr/sbin/nologin
check "group _wsgate exists" in_root getent group _wsgate
mode() { in_root stat -c '%a %U:%G' "$1"; }
for f in /usr/sbin/wsgated /usr/bin/wsgate-token; do
	check "$f is 755 root:root" test "$(mode $f)" = "755 root:root"
done
for f in /etc/wsgate/wsgate.ini /lib/systemd/system/wsgated.service \
    /lib/systemd/system/wsgated@.service /lib/systemd/system/wsgated.socket \
    /usr/lib/sysusers.d/wsgate.conf /usr/share/man/man8/wsgated.8.gz \
    /usr/share/man/man5/wsgate.ini.5.gz \
    /usr/share/man/man1/wsgate-token.1.gz \
    /usr/share/doc/wsgate/examples/echo-backend.py \
    /usr/share/doc/wsgate/examples/chat-backend.py \
    /usr/share/doc/wsgate/examples/www/index.html \
    /usr/lib/wsgate/libwebsockets.so.19; do
	check "$f is 644 root:root" test "$(mode $f)" = "644 root:root"
done
bad=$(while read -r f; do
	[ -e "$root$f" ] && [ ! -L "$root$f" ] || continue
	in_root find "$f" -maxdepth 0 \( ! -user root -o ! -group root \
	    -o -perm /022 \)
done < "$root/tmp/files")
check "the package's files are root's, writable by root only${bad:+: $bad}" \
    test -z "$bad"
check "/etc/wsgate/wsgate.ini is a conffile" sh -c \
    "chroot '$root' dpkg-query -W -f '\${Conffiles}' wsgate |
    grep -q '^ /etc/wsgate/wsgate.ini '"
check "wsgated.service is enabled" \
    test -L "$root/etc/systemd/system/multi-user.target.wants/wsgated.service"
check "wsgated.socket is not enabled" \
    test ! -e "$root/etc/systemd/system/sockets.target.wants/wsgated.socket"
check "wsgated finds libwebsockets and mbedTLS in /usr/lib/wsgate" sh -c \
    "chroot '$root' ldd /usr/sbin/wsgated > '$root/tmp/ldd' &&
    ! grep -q 'not found' '$root/tmp/ldd' &&
    grep -q 'libwebsockets.so.19 => /usr/lib/wsgate/' '$root/tmp/ldd' &&
    grep -q 'libmbedtls.so.21 => /usr/lib/wsgate/' '$root/tmp/ldd'"
check "wsgated -V names libwebsockets 4.3.5 and mbedTLS 3.6.6" sh -c \
    "chroot '$root' /usr/sbin/wsgated -V 2>&1 | grep 4.3.5 | grep -q 3.6.6"
check "wsgated -t -c /etc/wsgate/wsgate.ini" \
    in_root /usr/sbin/wsgated -t -c /etc/wsgate/wsgate.ini
for u in wsgated.service wsgated.socket wsgated@1.service; do
	check "systemd-analyze verify $u (installed unit)" sh -c \
	    "out=\$(chroot '$root' systemd-analyze verify --man=no \
	    /lib/systemd/system/$u 2>&1) && [ -z \"\$out\" ] ||
	    { echo \"\$out\" >&2; false; }"
done

if unshare --net "$0" --serve "$root" >"$root/tmp/serve.log" 2>&1; then
	:
fi
sed 's/^/  /' "$root/tmp/serve.log"
check "wsgated served the page and relayed a message" \
    test "$(grep -c '^PASS: ' "$root/tmp/serve.log")" -eq 2
check "wsgated ran as _wsgate (uid $uid)" grep -qx "wsgated uid=$uid" \
    "$root/tmp/serve.log"
check "wsgated drained and exited 0 on SIGTERM" \
    grep -qx 'drain exit status 0' "$root/tmp/serve.log"

# The operator's edit: a comment and a changed value.
sed -i -e '1i ; edited by the operator' \
    -e 's/^idle_timeout = 10m$/idle_timeout = 20m/' \
    "$root/etc/wsgate/wsgate.ini"
cp "$root/etc/wsgate/wsgate.ini" "$root/tmp/edited.ini"
check "the edited configuration is valid" \
    in_root /usr/sbin/wsgated -t -c /etc/wsgate/wsgate.ini
check "apt-get install --reinstall ./$deb" apt install --reinstall "./$deb"
check "the edit survives the reinstall" \
    cmp "$root/tmp/edited.ini" "$root/etc/wsgate/wsgate.ini"
# An upgrade proper: the same files under a higher version.
ver=$(in_root dpkg-query -W -f '${Version}' wsgate)
rm -rf "$root/tmp/up"
in_root dpkg-deb -R "/tmp/$deb" /tmp/up
sed -i "s/^Version: .*/Version: $ver+1/" "$root/tmp/up/DEBIAN/control"
in_root dpkg-deb -b /tmp/up "/tmp/wsgate_$ver+1.deb" >/dev/null
check "apt-get install ./wsgate_$ver+1.deb (upgrade)" \
    apt install "./wsgate_$ver+1.deb"
check "version $ver+1 is installed" test \
    "$(in_root dpkg-query -W -f '${Version}' wsgate)" = "$ver+1"
check "the edit survives the upgrade" \
    cmp "$root/tmp/edited.ini" "$root/etc/wsgate/wsgate.ini"
check "_wsgate keeps its uid across the upgrade" \
    test "$(in_root getent passwd _wsgate | cut -d: -f3)" = "$uid"

check "apt-get remove wsgate" apt remove wsgate
check "remove keeps the edited configuration" \
    cmp "$root/tmp/edited.ini" "$root/etc/wsgate/wsgate.ini"
check "remove keeps _wsgate" in_root getent passwd _wsgate
check "remove takes wsgated away" test ! -e "$root/usr/sbin/wsgated"
check "apt-get purge wsgate" apt purge wsgate
check "dpkg knows nothing of wsgate after the purge" sh -c \
    "! chroot '$root' dpkg-query -W wsgate"
check "no user _wsgate after the purge" sh -c \
    "! chroot '$root' getent passwd _wsgate"
check "no group _wsgate after the purge" sh -c \
    "! chroot '$root' getent group _wsgate"
left=$(while read -r f; do
	[ -d "$root$f" ] || [ ! -e "$root$f" ] || echo "$f"
done < "$root/tmp/files")
check "none of the package's files is left${left:+: $left}" test -z "$left"
left=$(cd "$root" && find . -xdev -path ./tmp -prune -o -path ./proc -prune \
    -o \( -name '*wsgate*' -o -uid "${uid:-0}" -o -gid "${gid:-0}" \) \
    -print | sed 's/^\.//')
check "no path named wsgate nor owned by its uid is left${left:+: $left}" \
    test -z "$left"

echo "package-install: $passed checks passed, $failed failed"
[ "$failed" -eq 0 ]
