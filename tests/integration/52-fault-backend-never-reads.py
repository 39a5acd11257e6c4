#!/usr/bin/python3
"""52-fault-backend-never-reads: a backend that accepts and never reads
(design.md: "client reads nothing ..." has its mirror in fsm.c's
BACKEND_STALLED: a backend that takes nothing for send_timeout while the
client is paused ends the session with 1011).

buffer_size = 64k, send_timeout = 1s, framing = lines.  The client sends
numbered messages until its socket stays full.  It must then receive a
close frame 1011 (or see TCP end) within a bounded time, never hang.  Only
then does the backend read: it must find complete messages seq 0, 1, ...
in order, none twice, no cut one, then EOF.  Afterwards wsgated holds the
file descriptors it held before.
"""
import os
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
import harness
import faults

CONFIG = """\
[server]
listen = 127.0.0.1:{port}
ping_interval = 0
{server_defaults}
[route /stuck]
backend = unix:{dir}/stuck.sock
framing = lines
buffer_size = 64k
send_timeout = 1s
"""

release = threading.Event()


def handler_late_reader(conn):
    release.wait(30)
    conn.read_to_eof()


def main(env):
    stuck = env.backend("stuck", handler_late_reader)
    env.start(CONFIG)
    pid = env.proc.pid
    base = len(faults.fds(pid))

    c = env.closing(harness.RawClient(env.port))
    env.require(c.handshake("/stuck") == 101, "101")
    # Sends stop when wsgated pauses the client (a socket.timeout), or
    # fail if it has already ended the session.
    c.sock.settimeout(0.5)
    sent, paused = 0, False
    t0 = time.monotonic()
    try:
        while time.monotonic() - t0 < 10:
            c.sock.sendall(harness.encode_frame(harness.OP_TEXT, faults.seq_line(sent, 1000)))
            sent += 1
    except socket.timeout:
        paused = True
    except OSError:
        pass
    harness.log("# the client's socket filled after %d messages" % sent)
    env.check(paused and sent < 20000,
              "wsgated stopped reading the client (after %d messages)" % sent)

    code, how = None, None
    try:
        while True:
            f = c.recv_frame(10)
            if f.opcode == harness.OP_CLOSE:
                code = f.close_code()
                break
    except harness.ConnectionEnded as e:
        how = e.how
    except socket.timeout:
        how = "timeout"
    env.check(how != "timeout", "the client's session ended (close frame or TCP end)")
    if code is not None:
        env.check_close_code(code, 1011, "close frame to the client")
    c.close()

    release.set()
    conn = stuck.wait_conn(0)
    env.check(conn.done.wait(10) and conn.eof.is_set(), "the backend read to EOF")
    data = conn.received()
    env.check(data == b"" or data.endswith(b"\n"), "the backend got whole lines only")
    got = faults.check_seq(env, data.split(b"\n")[:-1], "the backend")
    harness.log("# the backend read %d of %d messages" % (got, sent))
    env.check(got > 0, "the backend read some of the messages (%d)" % got)
    left = faults.wait_fds(pid, base)
    env.check(left <= base, "wsgated holds %d file descriptors, no more than before (%d)" % (left, base))


harness.run(os.path.basename(__file__)[:-3], main)
