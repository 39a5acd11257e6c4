#!/usr/bin/python3
"""53-fault-client-never-reads: a client that never reads while its
backend streams (design.md, "When a session ends": client reads nothing
for send_timeout with a full queue -> close 1008 "slow consumer", the
backend sees EOF).

send_timeout = 1s, framing = raw.  The backend writes numbered lines
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

    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect(("127.0.0.1", env.port))
    c = env.closing(harness.RawClient.__new__(harness.RawClient))
    c.sock, c.buf, c.status, c.headers, c.head = s, b"", None, {}, b""
    env.require(c.handshake("/firehose") == 101, "101")
    time.sleep(3)

    conn = fh.wait_conn(0)
    env.check(conn.done.wait(15), "the backend's connection ended")
    env.check(conn.eof.is_set() or conn.error is not None,
              "the backend saw EOF or its writes fail (%r)" % (conn.error,))

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
    env.check(how != "timeout", "the client's session ended (close frame or TCP end)")
    if code is not None:
        env.check_close_code(code, 1008, "close frame to the client")
    got = faults.check_seq(env, b"".join(msgs).split(b"\n")[:-1], "the client")
    harness.log("# the client read %d lines of the %s the backend wrote, then %s"
                % (got, written, code or how))
    env.check(got > 0, "the client got the first messages")
    c.close()
    left = faults.wait_fds(pid, base)
    env.check(left <= base, "wsgated holds %d file descriptors, no more than before (%d)" % (left, base))


harness.run(os.path.basename(__file__)[:-3], main)
