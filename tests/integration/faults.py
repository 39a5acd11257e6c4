"""Helpers for the fault-injection tests (5N-fault-*.py): numbered
messages, what wsgated holds (/proc/PID/fd, VmRSS), and a backend that
runs as a process of its own, so that it can be killed with SIGKILL."""

import os
import re
import socket
import subprocess
import sys
import time

import harness

SEQ_RE = re.compile(rb"^seq (\d+) [a-z]*$")


def seq_line(n, pad=0):
    """Message number N (a line without its '\\n'), PAD filler bytes."""
    return b"seq %d %s" % (n, b"x" * pad)


def check_seq(env, msgs, what, complete=None):
    """MSGS (bytes each, without '\\n') are seq 0, 1, 2, ... with no gap,
    duplicate or foreign message; COMPLETE: how many there must be."""
    nums = []
    for m in msgs:
        mt = SEQ_RE.match(m)
        if not mt:
            env.check(False, "%s: a well-formed message (got %r)" % (what, m[:60]))
            return 0
        nums.append(int(mt.group(1)))
    env.check(nums == list(range(len(nums))),
              "%s: messages 0..%d in order, none missing or twice" % (what, len(nums) - 1))
    if complete is not None:
        env.check(len(nums) == complete, "%s: all %d messages (got %d)"
                  % (what, complete, len(nums)))
    return len(nums)


def fds(pid):
    """wsgated's open file descriptors, by number -> target."""
    d = "/proc/%d/fd" % pid
    out = {}
    for fd in os.listdir(d):
        try:
            out[int(fd)] = os.readlink(os.path.join(d, fd))
        except OSError:
            pass
    return out


def rss(pid):
    """VmRSS of PID in bytes."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def wait_fds(pid, want, timeout=10):
    """Wait until PID holds WANT file descriptors; returns the count."""
    deadline = time.monotonic() + timeout
    while True:
        n = len(fds(pid))
        if n <= want or time.monotonic() >= deadline:
            return n
        time.sleep(0.05)


# A backend process: `python3 -c STREAMER PATH PAD` listens on PATH,
# accepts one connection, prints "ready" and streams seq lines until killed.
STREAMER = r"""
import os, socket, sys
path, pad = sys.argv[1], int(sys.argv[2])
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
s.listen(1)
print("ready", flush=True)
c, _ = s.accept()
n = 0
while True:
    c.sendall(b"seq %d %s\n" % (n, b"x" * pad))
    n += 1
"""


class StreamerProcess:
    def __init__(self, path, pad=100):
        if os.path.exists(path):
            os.unlink(path)
        self.proc = subprocess.Popen([sys.executable, "-c", STREAMER, path, str(pad)],
                                     stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
        line = self.proc.stdout.readline()
        if line.strip() != b"ready":
            raise harness.TestFailure("backend process did not start")

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(5)

    def close(self):
        self.kill()
        self.proc.stdout.close()


def linger0(sock):
    """Make close() send a RST instead of a FIN."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
