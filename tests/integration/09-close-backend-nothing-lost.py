#!/usr/bin/python3
"""09-close-backend-nothing-lost: "nothing lost", backend side (design.md,
"When a session ends"): the backend writes 64 MiB of pseudo-random data as
fast as wsgated takes it, then closes.  The client (websockets,
max_size=None) must receive every byte -- checked by length and SHA-256 --
then close 1000.  This goes through the per-direction buffer budget many
times over (flow control toward the backend), and the EOF arrives while the
last buffer is still queued toward the client.  Bounded to 40 s.
"""
import hashlib
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
import harness

CONFIG = """\
[server]
listen = 127.0.0.1:{port}
{server_defaults}
[route /big]
backend = unix:{dir}/big.sock
"""

SIZE = 64 << 20


def main(env):
    data = random.Random(20261127).randbytes(SIZE)
    want = hashlib.sha256(data).hexdigest()
    env.backend("big", harness.handler_send_then_close(data))
    env.start(CONFIG)

    async def client():
        ws = await env.connect("/big", max_size=None)
        h = hashlib.sha256()
        n = nmsg = 0
        text = 0
        t0 = time.monotonic()
        try:
            while True:
                m = await ws.recv()
                if isinstance(m, str):
                    text += 1
                    m = m.encode()
                h.update(m)
                n += len(m)
                nmsg += 1
        except harness.websockets.exceptions.ConnectionClosed:
            pass
        dt = time.monotonic() - t0
        harness.log("# received %d bytes in %d messages in %.1f s" % (n, nmsg, dt))
        env.check(text == 0, "all messages binary (%d text)" % text)
        env.check(n == SIZE, "client received %d of %d bytes" % (n, SIZE))
        env.check(h.hexdigest() == want, "SHA-256 of the received bytes matches")
        env.check_ws_closed(ws, 1000, "client")
    env.run_async(client(), timeout=40)


harness.run(os.path.basename(__file__)[:-3], main)
