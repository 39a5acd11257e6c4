#!/usr/bin/python3
"""08-close-backend-eof: the backend writes some bytes and closes its socket
(orderly EOF).  The client must receive every byte the backend wrote
(raw framing: the concatenation of all binary messages), then close 1000
(design.md, "When a session ends": backend orderly EOF -> everything the
backend wrote, then close 1000).

Two backends: one writes a few small chunks with pauses, one writes 300 kB
at once and closes immediately (the EOF arrives while data is still
queued toward the client).
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
[route /chunks]
backend = unix:{dir}/chunks.sock

[route /burst]
backend = unix:{dir}/burst.sock
"""

CHUNKS = [b"chunk %d\n" % i for i in range(10)]
BURST = bytes(range(256)) * 1200


def chunks_handler(conn):
    conn.sock.settimeout(5)
    for c in CHUNKS:
        conn.sock.sendall(c)
        time.sleep(0.02)


def main(env):
    env.backend("chunks", chunks_handler)
    env.backend("burst", harness.handler_send_then_close(BURST))
    env.start(CONFIG)

    async def client(path, want):
        ws = await env.connect(path, max_size=None)
        msgs = await harness.recv_all(ws, 10)
        env.check(all(isinstance(m, bytes) for m in msgs), "%s: all messages are binary" % path)
        got = b"".join(m if isinstance(m, bytes) else m.encode() for m in msgs)
        env.check(got == want, "%s: client received every byte (%d of %d bytes in %d messages)"
                  % (path, len(got), len(want), len(msgs)))
        env.check_ws_closed(ws, 1000, path)

    env.run_async(client("/chunks", b"".join(CHUNKS)))
    env.run_async(client("/burst", BURST))


harness.run(os.path.basename(__file__)[:-3], main)
