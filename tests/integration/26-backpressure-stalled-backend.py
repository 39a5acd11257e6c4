#!/usr/bin/python3
"""26-backpressure-stalled-backend: a full backend must not make wsgated
deaf to its client (issue 3, "Bounded memory").

The backend accepts and never reads.  The client sends until wsgated stops
reading from it (its queue toward the backend is full), then sends a close
frame.  wsgated cannot read that close while paused, so after send_timeout
(1 s) with nothing taken by the backend it ends the session: the client's
close handshake completes (with 1011 "backend stalled", or the echo of its
own close if that was read first) within a bounded time, and the backend
sees its connection closed.

A backend that reads slowly but steadily (32 KiB every 0.1 s, so the
client stays paused for seconds) is not stalled: with the same
send_timeout its session lives on for 3 s and every byte arrives.
"""
import asyncio
import os
import select
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
import harness

CONFIG = """\
[server]
listen = 127.0.0.1:{port}
ping_interval = 0
{server_defaults}
[route /stuck]
backend = unix:{dir}/stuck.sock
send_timeout = 1s
buffer_size = 16k

[route /slow]
backend = unix:{dir}/slow.sock
send_timeout = 1s
buffer_size = 16k
"""


def stuck_handler(conn):
    """Never read; wait until wsgated hangs up."""
    p = select.poll()
    p.register(conn.sock, select.POLLHUP)
    p.poll(20000)


def slow_handler(conn):
    """Read 32 KiB every 0.1 s until EOF."""
    conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    conn.sock.settimeout(10)
    while True:
        d = conn.sock.recv(32768)
        if not d:
            conn.eof.set()
            return
        with conn.lock:
            conn.data += d
        time.sleep(0.1)


def main(env):
    stuck = env.backend("stuck", stuck_handler)
    slow = env.backend("slow", slow_handler)
    env.start(CONFIG)

    async def client():
        ws = await env.connect("/stuck", close_timeout=10)
        chunk = b"x" * 4096
        sent = 0
        # Send until the writes stall: wsgated stopped reading us.
        while True:
            try:
                await asyncio.wait_for(ws.send(chunk), 0.5)
                sent += len(chunk)
            except asyncio.TimeoutError:
                break
            if sent > (64 << 20):
                break
        t0 = time.monotonic()
        env.check(sent < (64 << 20), "the client was paused after %d KiB" % (sent >> 10))
        try:
            await asyncio.wait_for(ws.close(4000, "let me go"), 10)
        except asyncio.TimeoutError:
            pass
        dt = time.monotonic() - t0
        env.check(ws.closed, "the client's close completed")
        env.check(dt < 6, "within a bounded time: %.2f s (send_timeout 1 s)" % dt)
        env.check(ws.close_code in (1011, 4000),
                  "close code %r is 1011 or the client's own" % ws.close_code)
    env.run_async(client())
    conn = stuck.wait_conn(0)
    env.check(conn.done.wait(10), "the stalled backend's connection was closed")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and "session 1: end" not in env.daemon_log():
        time.sleep(0.1)
    env.check("backend stalled" in env.daemon_log() or
              "close-received 4000" in env.daemon_log(),
              "the log tells how the session ended")

    async def slow_reader():
        ws = await env.connect("/slow")
        deadline = time.monotonic() + 3
        sent = 0
        while time.monotonic() < deadline and sent < (1 << 20):
            try:
                await asyncio.wait_for(ws.send(b"y" * 16384), 0.5)
                sent += 16384
            except asyncio.TimeoutError:
                pass            # paused: the backend is behind
        await asyncio.sleep(max(0, deadline - time.monotonic()))
        env.check(ws.open, "slow but reading backend: still open after 3 s")
        await ws.close()
        return sent
    sent = env.run_async(slow_reader())
    conn = slow.wait_conn(0)
    env.check(conn.wait_eof(30), "slow backend: EOF after the client's close")
    env.check(len(conn.received()) == sent,
              "slow backend: every byte sent arrived (%d of %d)" % (len(conn.received()), sent))


harness.run(os.path.basename(__file__)[:-3], main)
