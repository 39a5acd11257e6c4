#!/usr/bin/python3
"""11-limits-message-too-big: a client message larger than the route's
max_message_size (1k here) closes the client with 1009, and the backend
receives nothing of that message -- only what came before it, then EOF
(design.md, "When a session ends": client message over max_message_size ->
close 1009 / nothing of that message).

Three cases: a single 2 kB frame; a message sent as fragments of 600 bytes
(each under the limit, the sum over it); and a message of exactly 1024
bytes, which is allowed and arrives.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
import harness

CONFIG = """\
[server]
listen = 127.0.0.1:{port}
{server_defaults}
[route /rec]
backend = unix:{dir}/rec.sock
max_message_size = 1k
"""


def main(env):
    rec = env.backend("rec", harness.handler_record)
    env.start(CONFIG)

    async def case(index, what, oversize):
        ws = await env.connect("/rec")
        small = b"small-%d\n" % index
        exact = bytes([0x41 + index]) * 1024
        await ws.send(small)
        await ws.send(exact)
        try:
            await ws.send(oversize)
        except harness.websockets.exceptions.ConnectionClosed:
            pass
        msgs = await harness.recv_all(ws, 5)
        env.check(msgs == [], "%s: no message from the backend" % what)
        env.check_ws_closed(ws, 1009, what)
        conn = rec.wait_conn(index)
        env.check(conn.wait_eof(5), "%s: backend saw EOF" % what)
        got = conn.received()
        env.check(got == small + exact, "%s: backend received the small and the 1024-byte "
                  "message and nothing of the oversize one (%d bytes, want %d)"
                  % (what, len(got), len(small) + len(exact)))

    async def client():
        await case(0, "single 2 kB frame", b"z" * 2048)
        await case(1, "fragmented 3 x 600 bytes", [b"y" * 600, b"y" * 600, b"y" * 600])
        await case(2, "fragmented text 2 x 600 bytes", ["t" * 600, "t" * 600])
    env.run_async(client())


harness.run(os.path.basename(__file__)[:-3], main)
