#!/usr/bin/python3
"""50-fault-backend-sigkill: a backend process killed with SIGKILL at a
random point while it streams (design.md, "When a session ends": backend
reset -> close 1011; orderly EOF -> everything it wrote, then 1000).

The backend is a process of its own that writes numbered lines as fast as
it can (framing = lines: one message per line) and reads nothing.  The
client reads; after a random delay the backend is killed.  In every other
round the client has sent a message first, which the backend left unread:
then its socket is reset and the client must see 1011; otherwise the
kernel ends the stream as an EOF, and the client sees 1000 after all the
backend wrote, or 1011 if the kill cut a line.  Each round: the client's
messages are seq 0, 1, 2, ... with nothing missing, repeated or cut, and
the session ends, never hangs; afterwards wsgated holds the file
descriptors it held before.
"""
import asyncio
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
import harness
import faults

CONFIG = """\
[server]
listen = 127.0.0.1:{port}
{server_defaults}
[route /stream]
backend = unix:{dir}/stream.sock
framing = lines
text = yes
"""

ROUNDS = 6


async def round_(env, n, delay, pad):
    backend = env.closing(faults.StreamerProcess(env.sock_path("stream"), pad=pad))
    reset = n % 2 == 1
    msgs = []
    async with env.connect("/stream", max_size=None) as ws:
        if reset:
            await ws.send("unread")
        first = await asyncio.wait_for(ws.recv(), 5)
        msgs.append(first)
        await asyncio.sleep(delay)
        backend.kill()
        msgs += await harness.recv_all(ws, 10)
    got = faults.check_seq(env, [m.encode() for m in msgs], "round %d (kill after %.2f s)" % (n, delay))
    if reset:
        env.check_close_code(ws.close_code, 1011, "round %d (reset)" % n)
    else:
        env.check(ws.close_code in (1011, 1000),
                  "round %d: close code %r is 1011 or 1000" % (n, ws.close_code))
    env.check(ws.close_code not in harness.FORBIDDEN_CLOSE_CODES, "round %d: no 1005/1006/1015" % n)
    harness.log("# round %d: %d messages, then close %s" % (n, got, ws.close_code))


def main(env):
    env.start(CONFIG)
    pid = env.proc.pid
    base = len(faults.fds(pid))
    rnd = random.Random(os.getpid())
    for n in range(ROUNDS):
        env.run_async(round_(env, n, rnd.uniform(0.01, 0.4),
                             rnd.choice((0, 100, 3000))), timeout=15)
    left = faults.wait_fds(pid, base)
    env.check(left <= base, "wsgated holds %d file descriptors, no more than before (%d)" % (left, base))


harness.run(os.path.basename(__file__)[:-3], main)
