#!/usr/bin/python3
"""56-fault-client-write-error: a write to the client that fails is an
event of the session table (CLIENT_WRITE_ERROR): the client is dropped,
its backend gets EOF, and the log line says the client ended the session.

To make the write fail for certain, wsgated is stopped (SIGSTOP), while
it sleeps in epoll_wait with nothing ready, and then the backend writes and the client resets its connection (SO_LINGER 0):
when it runs again, the backend's data is the first event it sees (epoll
reports ready descriptors in the order they became ready), and the
client looks idle, so the data is sent at once, into a connection the
kernel knows is reset.
"""
import os
import signal
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
import harness
import faults

CONFIG = """\
[server]
listen = 127.0.0.1:{port}
{server_defaults}
[route /w]
backend = unix:{dir}/w.sock
"""


def stopped(pid):
    """Whether PID is stopped, from /proc/PID/stat."""
    with open("/proc/%d/stat" % pid) as f:
        return f.read().rsplit(")", 1)[1].split()[0] == "T"


def wait_state(pid, want, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if stopped(pid) == want:
            return True
        time.sleep(0.01)
    return False


def in_epoll_wait(pid):
    """Whether PID sleeps in epoll_wait: then nothing was ready for it
    when it went to sleep, so what happens next is reported in order."""
    try:
        with open("/proc/%d/wchan" % pid) as f:
            return f.read() == "do_epoll_wait"
    except OSError:
        return False


def stop_idle(env, pid, what):
    """SIGSTOPs PID while it waits in epoll_wait with nothing ready (a
    client descriptor still waiting for its writeable turn would be
    reported before the backend's data)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if in_epoll_wait(pid):
            os.kill(pid, signal.SIGSTOP)
            env.require(wait_state(pid, True), "%s: wsgated stopped" % what)
            with open("/proc/%d/syscall" % pid) as f:
                if f.read().split()[0] in ("232", "281"):
                    return
            os.kill(pid, signal.SIGCONT)
            env.require(wait_state(pid, False), "%s: wsgated runs" % what)
        time.sleep(0.01)
    env.require(False, "%s: wsgated idle in epoll_wait within 10 s" % what)


def main(env):
    rec = env.backend("w", harness.handler_record)
    env.start(CONFIG)
    pid = env.proc.pid
    base = len(faults.fds(pid))
    for i in range(3):
        c = env.closing(harness.RawClient(env.port))
        env.require(c.handshake("/w") == 101, "round %d: 101" % i)
        conn = rec.wait_conn(i)
        env.require(env.wait_log(r"session %d: ESTABLISHED" % (i + 1))
                    is not None, "round %d: the session is open" % i)
        stop_idle(env, pid, "round %d" % i)
        try:
            conn.sock.sendall(b"to a client that is gone")
            c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                              struct.pack("ii", 1, 0))
            c.sock.close()
        finally:
            os.kill(pid, signal.SIGCONT)
        env.require(wait_state(pid, False), "round %d: wsgated runs" % i)
        env.check(env.wait_log(r"session %d: CLIENT_WRITE_ERROR: OPEN -> "
                               r"CLOSE_SENT" % (i + 1)) is not None,
                  "round %d: the failed write is CLIENT_WRITE_ERROR" % i)
        env.check(env.wait_log(r"session %d: end .* ended-by client "
                               r"close-sent none" % (i + 1)) is not None,
                  "round %d: ended by the client, no close frame" % i)
        env.check(conn.wait_eof(5), "round %d: the backend saw EOF" % i)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and len(faults.fds(pid)) > base:
        time.sleep(0.05)
    env.check(len(faults.fds(pid)) <= base,
              "wsgated holds no more descriptors than before (%d, was %d)"
              % (len(faults.fds(pid)), base))


harness.run(os.path.basename(__file__)[:-3], main)
