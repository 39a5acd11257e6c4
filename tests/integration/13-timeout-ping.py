#!/usr/bin/python3
"""13-timeout-ping: with ping_interval = 1s and ping_timeout = 1s, a peer
that does not answer pings is dropped: wsgated ends the TCP connection
without a close frame (the peer is gone; design.md, "When a session ends":
no pong within ping_timeout -> TCP dropped / backend sees EOF).

A raw client completes the handshake and then only reads: it must see
ping frames (opcode 0x9, unmasked) and no close frame (0x8), and the TCP
connection must end about 2 s after the handshake (asserted 1.3 .. 5 s:
the clock starts when the client has read the 101, a little after
wsgated armed its timers).
A well-behaved websockets client (which answers pings by itself) stays
connected over the same period: idle for 4 s, then a message round trip
through the echo backend works.
"""
import asyncio
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
[route /ping]
backend = unix:{dir}/echo.sock
ping_interval = 1s
ping_timeout = 1s
"""


def main(env):
    echo = env.backend("echo", harness.handler_echo)
    env.start(CONFIG)

    c = env.closing(harness.RawClient(env.port))
    env.require(c.handshake("/ping") == 101, "raw: 101")
    t0 = time.monotonic()
    frames = []
    ended = None
    try:
        while time.monotonic() - t0 < 8:
            frames.append(c.recv_frame(8 - (time.monotonic() - t0)))
    except harness.ConnectionEnded as e:
        ended = e.how
    except socket.timeout:
        pass
    dt = time.monotonic() - t0
    ops = [f.opcode for f in frames]
    harness.log("# raw client saw opcodes %r, connection %s after %.2f s" % (ops, ended, dt))
    pings = [f for f in frames if f.opcode == harness.OP_PING]
    env.check(len(pings) >= 1, "raw: received %d ping frame(s)" % len(pings))
    env.check(all(not f.masked for f in frames), "raw: server frames are unmasked")
    closes = [f for f in frames if f.opcode == harness.OP_CLOSE]
    env.check(not closes, "raw: no close frame (%r)" % [f.close_code() for f in closes])
    env.check(ended is not None, "raw: wsgated dropped the TCP connection (%s)" % ended)
    env.check(1.3 <= dt <= 5.0, "raw: dropped %.2f s after the handshake (1.3 .. 5 s)" % dt)
    conn = echo.wait_conn(0)
    env.check(conn.wait_eof(5), "raw: backend saw EOF")
    c.close()

    async def good():
        ws = await env.connect("/ping")
        await asyncio.sleep(4)
        env.check(ws.open, "websockets client still open after 4 s idle")
        await ws.send(b"still here\n")
        got = await asyncio.wait_for(ws.recv(), 3)
        env.check(got == b"still here\n", "websockets client: echo after 4 s (%r)" % got)
        await ws.close()
        env.check_ws_closed(ws, 1000, "websockets client's own close")
    env.run_async(good())


harness.run(os.path.basename(__file__)[:-3], main)
