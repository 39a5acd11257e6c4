#!/usr/bin/python3
"""06-close-client-nothing-lost: "nothing lost", client side (design.md,
"When a session ends"): a client sends 1000 numbered messages and closes
at once, without waiting for anything; the backend must receive exactly
the concatenation of the 1000 payloads, in order, then EOF.  The messages
are sent faster than the backend is written to, so this exercises the
buffer budget and the flush before shutdown(SHUT_WR).  Done with a
websockets client and with a raw client that writes every frame and the
close frame in one go.
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
"""

N = 1000


def main(env):
    rec = env.backend("rec", harness.handler_record)
    env.start(CONFIG)
    want = b"".join(b"%04d\n" % i for i in range(N))

    async def client():
        ws = await env.connect("/rec")
        for i in range(N):
            await ws.send(b"%04d\n" % i)
        await ws.close(1000)
        env.check_ws_closed(ws, 1000, "websockets client")
    env.run_async(client())

    conn = rec.wait_conn(0)
    env.check(conn.wait_eof(10), "backend saw EOF")
    got = conn.received()
    env.check(got == want, "backend received all %d messages in order (%d of %d bytes%s)"
              % (N, len(got), len(want), "" if got == want else
                 ", first difference at byte %d" % next((i for i, (a, b) in enumerate(zip(got, want))
                                                         if a != b), min(len(got), len(want)))))

    # raw: all frames and the close in a single write
    c = env.closing(harness.RawClient(env.port))
    env.require(c.handshake("/rec") == 101, "raw: 101")
    blob = b"".join(harness.encode_frame(harness.OP_BINARY, b"%04d\n" % i) for i in range(N))
    blob += harness.encode_frame(harness.OP_CLOSE, b"\x03\xe8")
    c.sock.sendall(blob)
    f = c.recv_frame(10)
    env.check(f.opcode == harness.OP_CLOSE, "raw: close echoed (%r)" % f)
    env.check_close_code(f.close_code(), 1000, "raw client")
    conn = rec.wait_conn(1)
    env.check(conn.wait_eof(10), "raw: backend saw EOF")
    got = conn.received()
    env.check(got == want, "raw: backend received all %d messages in order (%d of %d bytes)"
              % (N, len(got), len(want)))


harness.run(os.path.basename(__file__)[:-3], main)
