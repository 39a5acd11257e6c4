#!/usr/bin/python3
"""12-timeout-idle: with idle_timeout = 1s, a session with no traffic in
either direction is closed with 1001 after about 1 s, and the backend sees
EOF (design.md, "When a session ends": idle beyond idle_timeout -> close
1001 / EOF).  Asserted: the close arrives between 0.8 and 3 s after the
handshake.  Traffic resets the timer: a client sending every 0.4 s for 2 s
is not closed.
"""
import asyncio
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
import harness

CONFIG = """\
[server]
listen = 127.0.0.1:{port}
{server_defaults}
[route /idle]
backend = unix:{dir}/rec.sock
idle_timeout = 1s
"""


def main(env):
    rec = env.backend("rec", harness.handler_echo)
    env.start(CONFIG)

    async def idle():
        t0 = time.monotonic()
        ws = await env.connect("/idle")
        msgs = await harness.recv_all(ws, 10)
        dt = time.monotonic() - t0
        env.check(msgs == [], "idle: no message (%r)" % msgs[:3])
        env.check_ws_closed(ws, 1001, "idle client")
        env.check(0.8 <= dt <= 3.0, "idle: closed after %.2f s (0.8 .. 3 s)" % dt)

    async def busy():
        ws = await env.connect("/idle")
        t0 = time.monotonic()
        n = 0
        while time.monotonic() - t0 < 2.0:
            await ws.send(b"tick\n")
            got = await asyncio.wait_for(ws.recv(), 2)
            n += got == b"tick\n"
            await asyncio.sleep(0.4)
        env.check(n >= 4, "busy: %d echoes over 2 s, still open" % n)
        await ws.close()
        env.check_ws_closed(ws, 1000, "busy client's own close")

    env.run_async(idle())
    conn = rec.wait_conn(0)
    env.check(conn.wait_eof(5), "idle: backend saw EOF")
    env.run_async(busy())


harness.run(os.path.basename(__file__)[:-3], main)
