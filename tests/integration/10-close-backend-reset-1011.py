#!/usr/bin/python3
"""10-close-backend-reset-1011: a backend reset / I/O error closes the
client with 1011 (design.md, "When a session ends").

To make Linux report ECONNRESET on a UNIX stream socket, the backend closes
its socket while data from the client sits unread in its receive queue:
the client sends a message, the backend waits (without reading) until the
bytes are queued (SIOCINQ), then closes.  wsgated's next read or write on
that socket fails with ECONNRESET.
"""
import fcntl
import os
import struct
import sys
import termios
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
import harness

CONFIG = """\
[server]
listen = 127.0.0.1:{port}
{server_defaults}
[route /reset]
backend = unix:{dir}/reset.sock
"""


def queued(sock):
    buf = fcntl.ioctl(sock.fileno(), termios.FIONREAD, b"\0\0\0\0")
    return struct.unpack("i", buf)[0]


def reset_handler(conn):
    deadline = time.monotonic() + 10
    while queued(conn.sock) == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    conn.queued = queued(conn.sock)
    time.sleep(0.1)
    # returning closes the socket with unread data -> ECONNRESET for the peer


def main(env):
    be = env.backend("reset", reset_handler)
    env.start(CONFIG)

    async def client():
        ws = await env.connect("/reset")
        await ws.send(b"unread data\n")
        msgs = await harness.recv_all(ws, 10)
        env.check(msgs == [], "no message from the backend (%r)" % msgs[:3])
        env.check_ws_closed(ws, 1011, "client after the backend reset")
    env.run_async(client())
    conn = be.wait_conn(0)
    env.check(getattr(conn, "queued", 0) > 0,
              "the backend closed with %d unread bytes queued" % getattr(conn, "queued", 0))


harness.run(os.path.basename(__file__)[:-3], main)
