#!/usr/bin/python3
"""17-timeout-slow-consumer: a client that reads nothing while backend data
waits for send_timeout is closed with 1008 "slow consumer", and its backend
sees EOF (design.md, "When a session ends").

send_timeout = 1s.  The backend writes until its socket stays full (at most
16 MiB).  A raw client with a small receive buffer reads nothing for 2.5 s,
then reads: it gets a prefix of the backend's bytes and a close frame 1008
"slow consumer".  A client that keeps reading is never a slow consumer: it
receives all of 8 MiB, then close 1000, with the same send_timeout.
"""
import hashlib
import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
import harness

CONFIG = """\
[server]
listen = 127.0.0.1:{port}
{server_defaults}
[route /slow]
backend = unix:{dir}/slow.sock
send_timeout = 1s
close_timeout = 3s
ping_interval = 0

[route /fast]
backend = unix:{dir}/fast.sock
send_timeout = 1s
"""

PATTERN = bytes(range(256)) * 256      # 64 KiB


def flood_handler(conn):
    """Write until the socket stays full for 0.5 s, then wait for EOF."""
    sent = 0
    conn.sock.settimeout(0.5)
    try:
        while sent < 16 * 1024 * 1024:
            sent += conn.sock.send(PATTERN)
    except socket.timeout:
        pass
    except OSError as e:
        conn.error = e
    conn.sent = sent
    conn.read_to_eof(20)


def main(env):
    slow = env.backend("slow", flood_handler)
    fast_data = os.urandom(8 * 1024 * 1024)
    env.backend("fast", harness.handler_send_then_close(fast_data))
    env.start(CONFIG)

    c = env.closing(harness.RawClient(env.port))
    c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
    env.require(c.handshake("/slow") == 101, "raw: 101")
    time.sleep(2.5)
    got = bytearray()
    close = None
    try:
        while True:
            f = c.recv_frame(10)
            if f.opcode == harness.OP_CLOSE:
                close = f
                break
            got += f.payload
    except (harness.ConnectionEnded, socket.timeout) as e:
        harness.log("# raw client: connection ended without close: %r" % e)
    env.require(close is not None, "raw: a close frame after reading again")
    env.check_close_code(close.close_code(), 1008, "slow client")
    env.check(close.close_reason() == "slow consumer",
              "raw: close reason %r" % close.close_reason())
    c.send_close(1008)
    conn = slow.wait_conn(0)
    env.check(conn.wait_eof(10), "slow: backend saw EOF")
    sent = getattr(conn, "sent", 0)
    env.check(len(got) < sent, "slow: got %d of %d bytes (a prefix)" % (len(got), sent))
    expect = (PATTERN * (len(got) // len(PATTERN) + 1))[:len(got)]
    env.check(bytes(got) == expect, "slow: what arrived is the backend's bytes in order")

    async def fast():
        ws = await env.connect("/fast", max_size=None)
        data = bytearray()
        async for m in ws:
            data += m
        env.check(hashlib.sha256(data).digest() == hashlib.sha256(fast_data).digest(),
                  "fast: all %d bytes arrived (%d)" % (len(fast_data), len(data)))
        env.check_ws_closed(ws, 1000, "fast: reading client")
    env.run_async(fast())


harness.run(os.path.basename(__file__)[:-3], main)
