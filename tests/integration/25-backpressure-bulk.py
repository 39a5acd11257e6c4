#!/usr/bin/python3
"""25-backpressure-bulk: bounded memory under backpressure, both ways
(issue 3; design.md, "Architecture": budgets, not growth).

- a backend writes 1 GiB toward a client that reads slowly;
- a client sends 1 GiB toward a backend that reads slowly.

Every byte arrives, in order (SHA-256 of the whole stream), neither side is
disconnected, and wsgated's resident memory (VmRSS, sampled every 20 ms)
stays within RSS_BOUND of what it was before the transfer: a session holds
at most buffer_size toward the backend plus one unfinished message, and
reads the backend only when the client can take the data.

WSGATE_BULK_MIB scales the transfer (scripts/test uses less under the
sanitizers and valgrind, which are 10-50 times slower); their allocators
keep freed memory in quarantine, so the RSS bound is asserted only when
WSGATE_RSS_BOUND_CHECK is not 0.
"""
import asyncio
import hashlib
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
import harness

MIB = 1 << 20
TOTAL = int(os.environ.get("WSGATE_BULK_MIB", "1024")) * MIB
CHECK_RSS = os.environ.get("WSGATE_RSS_BOUND_CHECK", "1") != "0"
RSS_BOUND = 8 * MIB

CONFIG = """\
[server]
listen = 127.0.0.1:{port}
ping_interval = 0
{server_defaults}
[route /down]
backend = unix:{dir}/down.sock

[route /up]
backend = unix:{dir}/up.sock
"""

BLOCK = os.urandom(MIB)


def expected_digest():
    h = hashlib.sha256()
    for _ in range(TOTAL // MIB):
        h.update(BLOCK)
    return h.hexdigest()


def down_handler(conn):
    """Write TOTAL bytes as fast as the socket takes them, then close."""
    conn.sock.settimeout(60)
    for _ in range(TOTAL // MIB):
        conn.sock.sendall(BLOCK)


def up_handler(conn):
    """Read slowly: a pause after every 16 MiB; hash what arrives."""
    h = hashlib.sha256()
    n = 0
    conn.sock.settimeout(60)
    while True:
        d = conn.sock.recv(1 << 16)
        if not d:
            break
        h.update(d)
        if (n + len(d)) // (16 * MIB) != n // (16 * MIB):
            time.sleep(0.05)
        n += len(d)
    conn.total, conn.digest = n, h.hexdigest()
    conn.eof.set()


class RssSampler:
    def __init__(self, pid):
        self.pid, self.peak, self.stop = pid, 0, threading.Event()
        self.base = self.rss()
        self.t = threading.Thread(target=self.run, daemon=True)
        self.t.start()

    def rss(self):
        with open("/proc/%d/status" % self.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        return 0

    def run(self):
        while not self.stop.wait(0.02):
            self.peak = max(self.peak, self.rss())

    def done(self):
        self.stop.set()
        self.t.join()
        return self.base, self.peak


def main(env):
    env.backend("down", down_handler)
    up = env.backend("up", up_handler)
    env.start(CONFIG)
    want = expected_digest()

    async def download():
        ws = await env.connect("/down", max_size=None)
        h, n = hashlib.sha256(), 0
        async for m in ws:
            h.update(m)
            if (n + len(m)) // (16 * MIB) != n // (16 * MIB):
                await asyncio.sleep(0.05)     # a slow reader
            n += len(m)
        return n, h.hexdigest(), ws.close_code

    rss = RssSampler(env.proc.pid)
    t0 = time.monotonic()
    n, digest, code = env.run_async(download())
    base, peak = rss.done()
    harness.log("# down: %d MiB in %.1f s, RSS %.1f MiB -> peak %.1f MiB"
                % (n // MIB, time.monotonic() - t0, base / MIB, peak / MIB))
    env.check(n == TOTAL and digest == want,
              "down: every byte in order (%d of %d bytes)" % (n, TOTAL))
    env.check_close_code(code, 1000, "down: ends with the backend's EOF")
    if CHECK_RSS:
        env.check(peak - base <= RSS_BOUND, "down: RSS grew by %.2f MiB (bound %d MiB)"
                  % ((peak - base) / MIB, RSS_BOUND // MIB))

    async def upload():
        ws = await env.connect("/up")
        for _ in range(TOTAL // MIB):
            await ws.send(BLOCK)
        await ws.close()
        return ws.close_code

    rss = RssSampler(env.proc.pid)
    t0 = time.monotonic()
    code = env.run_async(upload())
    conn = up.wait_conn(0)
    env.check(conn.wait_eof(60), "up: backend saw EOF")
    base, peak = rss.done()
    harness.log("# up: %d MiB in %.1f s, RSS %.1f MiB -> peak %.1f MiB"
                % (TOTAL // MIB, time.monotonic() - t0, base / MIB, peak / MIB))
    env.check(getattr(conn, "total", 0) == TOTAL and getattr(conn, "digest", "") == want,
              "up: every byte in order (%d of %d bytes)" % (getattr(conn, "total", 0), TOTAL))
    env.check_close_code(code, 1000, "up: the client's own close")
    if CHECK_RSS:
        env.check(peak - base <= RSS_BOUND, "up: RSS grew by %.2f MiB (bound %d MiB)"
                  % ((peak - base) / MIB, RSS_BOUND // MIB))


harness.run(os.path.basename(__file__)[:-3], main)
