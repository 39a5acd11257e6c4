#!/usr/bin/python3
"""19-drain-sigterm: SIGTERM drains (design.md, "Command line" and "When a
session ends"): wsgated stops accepting, every client gets what was already
on its way and then close 1001, every backend gets the client's messages
and then EOF, and wsgated exits 0 once the sessions are over.  A second
SIGTERM exits at once even while a session lingers.
"""
import asyncio
import os
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
import harness

CONFIG = """\
[server]
listen = 127.0.0.1:{port}
{server_defaults}
[route /echo]
backend = unix:{dir}/echo.sock
"""

# A drain that only a second signal can end within the test's wait.
CONFIG_LONG = """\
[server]
listen = 127.0.0.1:{port}
close_timeout = 60s
shutdown_timeout = 0

[route /echo]
backend = unix:{dir}/echo.sock
"""


def refused(env):
    """A connection to wsgated's port is refused."""
    try:
        socket.create_connection(("127.0.0.1", env.port), timeout=2).close()
    except OSError:
        return True
    return False


def main(env):
    echo = env.backend("echo", harness.handler_echo)
    env.start(CONFIG)

    async def drain():
        a = await env.connect("/echo")
        b = await env.connect("/echo")
        await a.send(b"from a\n")
        env.check(await asyncio.wait_for(a.recv(), 5) == b"from a\n", "a: echo before the drain")
        await b.send(b"from b\n")
        env.check(await asyncio.wait_for(b.recv(), 5) == b"from b\n", "b: echo before the drain")
        proc = env.proc
        proc.send_signal(signal.SIGTERM)
        for name, ws in (("a", a), ("b", b)):
            msgs = await harness.recv_all(ws, 10)
            env.check(msgs == [], "%s: nothing more after the drain began (%r)" % (name, msgs[:3]))
            env.check_ws_closed(ws, 1001, "%s: drained client" % name)
        rc = await asyncio.get_running_loop().run_in_executor(None, proc.wait, 15)
        env.check(rc == 0, "wsgated exits 0 after the drain (%s)" % rc)
        env.proc = None
        env.check(refused(env), "no longer accepting after the drain")
    env.run_async(drain())
    for i, want in ((0, b"from a\n"), (1, b"from b\n")):
        conn = echo.wait_conn(i)
        env.check(conn.wait_eof(5), "backend %d: EOF" % i)
        env.check(conn.received() == want, "backend %d received %r" % (i, conn.received()))

    # A second SIGTERM ends a drain that waits for a silent client.
    env.start(CONFIG_LONG)
    c = env.closing(harness.RawClient(env.port))
    env.require(c.handshake("/echo") == 101, "raw: 101")
    proc = env.proc
    proc.send_signal(signal.SIGTERM)
    time.sleep(0.5)
    env.check(proc.poll() is None, "first SIGTERM: still draining a silent client")
    env.check(refused(env), "no new connections while draining")
    t0 = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    try:
        rc = proc.wait(5)
    except subprocess.TimeoutExpired:
        rc = None
    env.check(rc == 0, "second SIGTERM: exits at once with 0 (%s, %.2f s)"
              % (rc, time.monotonic() - t0))
    if rc is not None:
        env.proc = None


harness.run(os.path.basename(__file__)[:-3], main)
