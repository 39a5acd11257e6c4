#!/usr/bin/python3
"""05-close-client-close-echo: the client sends close(4000, "bye") after a
few messages (design.md, "When a session ends": client sends close(code)
-> the client sees the echo of close(code) at once, RFC 6455 5.5.1; the
backend receives every message received before the close, then EOF).

websockets: after `await ws.close(4000, 'bye')`, ws.close_code is the code
of the close frame received from wsgated.  Also checked with a raw client:
the echoed close frame carries 4000, then wsgated closes the TCP connection.
"""
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
[route /rec]
backend = unix:{dir}/rec.sock
"""

MSGS = [b"one\n", b"two\n", "three\n", b"\x00\xff four\n", b"five" * 100]


def as_bytes(m):
    return m.encode() if isinstance(m, str) else m


def main(env):
    rec = env.backend("rec", harness.handler_record)
    env.start(CONFIG)

    async def client():
        ws = await env.connect("/rec")
        for m in MSGS:
            await ws.send(m)
        t0 = time.monotonic()
        await ws.close(4000, "bye")
        dt = time.monotonic() - t0
        env.check_ws_closed(ws, 4000, "websockets client")
        env.check(ws.close_reason == "bye", "echoed reason %r == 'bye'" % ws.close_reason)
        env.check(dt < 2.0, "close handshake completed at once (%.2f s)" % dt)
    env.run_async(client())

    conn = rec.wait_conn(0)
    env.check(conn.wait_eof(5), "backend saw EOF after the close")
    want = b"".join(as_bytes(m) for m in MSGS)
    got = conn.received()
    env.check(got == want, "backend received every message in order (%d of %d bytes)"
              % (len(got), len(want)))

    # raw client: same, and watch the TCP connection end
    c = env.closing(harness.RawClient(env.port))
    env.require(c.handshake("/rec") == 101, "raw: 101")
    c.send_frame(harness.OP_BINARY, b"raw-1 ")
    c.send_frame(harness.OP_TEXT, b"raw-2")
    c.send_close(4000, b"bye")
    f = c.recv_frame(5)
    env.check(f.opcode == harness.OP_CLOSE, "raw: reply is a close frame (%r)" % f)
    env.check_close_code(f.close_code(), 4000, "raw client")
    try:
        f = c.recv_frame(5)
        env.check(False, "raw: nothing after the close frame (got %r)" % f)
    except harness.ConnectionEnded as e:
        env.check(True, "raw: wsgated closed the TCP connection after the close (%s)" % e.how)
    conn = rec.wait_conn(1)
    env.check(conn.wait_eof(5), "raw: backend saw EOF")
    env.check(conn.received() == b"raw-1 raw-2", "raw: backend received %r" % conn.received())


harness.run(os.path.basename(__file__)[:-3], main)
