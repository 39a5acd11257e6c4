#!/usr/bin/python3
"""53-fault-client-never-reads: a client that never reads while its
backend streams (design.md, "When a session ends": client reads nothing
for send_timeout with a full queue -> close 1008 "slow consumer", the
backend sees EOF).

send_timeout = 1s, framing raw, then lines (where wsgated holds backend
lines in its own buffer, so no new readable edge restarts the timer: the
time a client takes nothing is measured from its last taken message).
The backend writes numbered lines
until its socket stays full; the client, with a small receive buffer,
reads nothing for 3 s.  The backend must then see its connection end;
the client, reading at last, gets a prefix of the backend's stream: lines
seq 0, 1, ... in order, none twice (the last one may be cut), then a close
frame 1008 or the end of TCP, within a bounded time.  Afterwards wsgated
holds the file descriptors it held before.
"""
import os
import select
import socket
import sys
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
[route /firehose]
backend = unix:{dir}/firehose.sock
send_timeout = 1s

[route /firehose-lines]
backend = unix:{dir}/firehose.sock
send_timeout = 1s
framing = lines
text = no
"""

written = []


def handler_firehose(conn):
    """Write lines until EOF from wsgated, or the socket stays full for
    8 s or breaks."""
    n = 0
    conn.sock.settimeout(8)
    try:
        while n < 1000000:
            conn.sock.sendall(faults.seq_line(n, 500) + b"\n")
            n += 1
            if (n % 64 == 0 and select.select([conn.sock], [], [], 0)[0] and
                    conn.sock.recv(1) == b""):
                conn.eof.set()
                break
    except OSError as e:
        conn.error = e
    written.append(n)
    if not conn.eof.is_set():
        conn.read_to_eof(10)


def main(env):
    fh = env.backend("firehose", handler_firehose)
    env.start(CONFIG)
    pid = env.proc.pid
    base = len(faults.fds(pid))

    for i, path in enumerate(("/firehose", "/firehose-lines")):
        written.clear()
        never_reads(env, fh, i, path, pid, base)


def never_reads(env, fh, index, path, pid, base):
    what = path[1:]
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect(("127.0.0.1", env.port))
    c = env.closing(harness.RawClient.__new__(harness.RawClient))
    c.sock, c.buf, c.status, c.headers, c.head = s, b"", None, {}, b""
    env.require(c.handshake(path) == 101, "%s: 101" % what)
    time.sleep(3)

    conn = fh.wait_conn(index)
    env.check(conn.done.wait(15), "%s: the backend's connection ended" % what)
    # Not a timeout of the test's own: wsgated closed the connection.
    env.check(conn.eof.is_set() or isinstance(conn.error, (BrokenPipeError,
                                                           ConnectionResetError)),
              "%s: the backend saw EOF or its writes fail (%r)" % (what, conn.error))

    msgs, code, how = [], None, None
    try:
        while True:
            f = c.recv_frame(10)
            if f.opcode == harness.OP_CLOSE:
                code = f.close_code()
                break
            msgs.append(f.payload)
    except harness.ConnectionEnded as e:
        how = e.how
    except socket.timeout:
        how = "timeout"
    env.check(how != "timeout", "%s: the client's session ended (close frame or TCP end)" % what)
    if code is not None:
        env.check_close_code(code, 1008, "%s: close frame to the client" % what)
    # lines: each message is a line; raw: a stream to split (its last
    # line may be cut)
    lines = msgs if path.endswith("-lines") else \
        b"".join(msgs).split(b"\n")[:-1]
    got = faults.check_seq(env, lines, "%s: the client" % what)
    harness.log("# the client read %d lines of the %s the backend wrote, then %s"
                % (got, written, code or how))
    env.check(got > 0, "%s: the client got the first messages" % what)
    c.close()
    left = faults.wait_fds(pid, base)
    env.check(left <= base, "%s: wsgated holds %d file descriptors, no more than before (%d)" % (what, left, base))



harness.run(os.path.basename(__file__)[:-3], main)
