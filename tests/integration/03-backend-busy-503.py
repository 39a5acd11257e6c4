#!/usr/bin/python3
"""03-backend-busy-503: refusals for lack of capacity are HTTP 503 with a
Retry-After header (design.md, "When a session ends"):

  * backend listen backlog full: the backend listens with backlog 0 and
    never accepts; the test fills the backlog with its own non-blocking
    connects until one fails with EAGAIN, so wsgated's non-blocking connect
    fails the same way -> 503 + Retry-After;
  * [server] max_connections = 1: a second concurrent client -> 503 +
    Retry-After; once the first has closed, a new client is accepted;
  * a route's max_connections = 1 (no global limit): same, while another
    route still accepts.

A refused client never reaches the backend: the backends count accepts.
"""
import asyncio
import errno
import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
import harness
import websockets.exceptions

CONFIG_GLOBAL = """\
[server]
listen = 127.0.0.1:{port}
max_connections = 1
{server_defaults}
[route /busy]
backend = unix:{dir}/busy.sock

[route /echo]
backend = unix:{dir}/echo.sock
"""

CONFIG_ROUTE = """\
[server]
listen = 127.0.0.1:{port}
{server_defaults}
[route /limited]
backend = unix:{dir}/echo.sock
max_connections = 1

[route /other]
backend = unix:{dir}/echo.sock
"""


def expect_503(env, path, what):
    """websockets sees 503; a raw request sees 503, Retry-After and
    Connection: close."""
    async def ws_try():
        try:
            async with env.connect(path):
                env.check(False, "%s: handshake refused" % what)
        except websockets.exceptions.InvalidStatusCode as e:
            env.check(e.status_code == 503, "%s: HTTP status %d == 503" % (what, e.status_code))
            ra = e.headers.get("Retry-After")
            env.check(bool(ra), "%s: Retry-After header present (%r)" % (what, ra))
    env.run_async(ws_try())
    status, headers, head, body, how = harness.raw_http(env.port, path)
    env.check(status == 503, "%s (raw): HTTP/1.1 503 (%r)" % (what, head.split("\r\n")[0]))
    ra = headers.get("retry-after", [])
    env.check(len(ra) == 1 and ra[0].strip() != "", "%s (raw): one non-empty Retry-After (%r)" % (what, ra))
    env.check([v.lower() for v in headers.get("connection", [])] == ["close"],
              "%s (raw): 'Connection: close' (%r)" % (what, headers.get("connection")))


async def echo_once(env, ws, what):
    await ws.send(b"ping-" + what.encode())
    got = await asyncio.wait_for(ws.recv(), 5)
    env.check(got == b"ping-" + what.encode(), "%s: echo works (%r)" % (what, got))


async def accepted_again(env, path, what, within=3.0):
    """After a close, a new client on PATH is accepted (retrying for a
    short while: the session is released once both sides have ended)."""
    deadline = time.monotonic() + within
    tries = 0
    while True:
        tries += 1
        try:
            async with env.connect(path) as ws:
                env.check(True, "%s: a new client is accepted after the first closed (try %d)"
                          % (what, tries))
                await echo_once(env, ws, what)
                return
        except websockets.exceptions.InvalidStatusCode as e:
            if time.monotonic() > deadline:
                env.check(False, "%s: a new client is accepted within %.1f s of the first "
                          "closing (still HTTP %d after %d tries)" % (what, within, e.status_code, tries))
                return
            await asyncio.sleep(0.1)


def phase_global(env):
    busy = env.closing(socket.socket(socket.AF_UNIX, socket.SOCK_STREAM))
    busy.bind(env.sock_path("busy"))
    busy.listen(0)
    fillers = []
    while True:
        s = env.closing(socket.socket(socket.AF_UNIX, socket.SOCK_STREAM))
        s.setblocking(False)
        try:
            s.connect(env.sock_path("busy"))
        except BlockingIOError as e:
            env.require(e.errno == errno.EAGAIN, "backlog full: connect fails with EAGAIN")
            break
        fillers.append(s)
        env.require(len(fillers) < 64, "backlog fills up")
    harness.log("# busy backend: backlog full after %d pending connects" % len(fillers))
    echo = env.backend("echo", harness.handler_echo)
    env.start(CONFIG_GLOBAL)

    expect_503(env, "/busy", "backlog full")

    async def limit():
        async with env.connect("/echo") as first:
            await echo_once(env, first, "first client")
            try:
                async with env.connect("/echo"):
                    env.check(False, "global limit: second client refused")
            except websockets.exceptions.InvalidStatusCode as e:
                env.check(e.status_code == 503, "global limit: second client gets HTTP %d == 503"
                          % e.status_code)
                ra = e.headers.get("Retry-After")
                env.check(bool(ra), "global limit: Retry-After present (%r)" % ra)
            status, headers, head, body, how = harness.raw_http(env.port, "/echo")
            env.check(status == 503, "global limit (raw): HTTP/1.1 503 (%r)" % head.split("\r\n")[0])
            env.check(len(headers.get("retry-after", [])) == 1,
                      "global limit (raw): Retry-After (%r)" % headers.get("retry-after"))
            await echo_once(env, first, "first client, still fine")
        env.check_ws_closed(first, 1000, "first client's close")
        await accepted_again(env, "/echo", "global limit")
    env.run_async(limit())
    time.sleep(0.3)
    env.check(echo.accepted == 2, "echo backend accepted exactly 2 connections (%d)" % echo.accepted)
    env.stop()
    for b in env.backends:
        b.close()
    env.backends.clear()
    os.unlink(env.sock_path("echo"))


def phase_route(env):
    echo = env.backend("echo", harness.handler_echo)
    env.start(CONFIG_ROUTE)

    async def limit():
        async with env.connect("/limited") as first:
            await echo_once(env, first, "route: first client")
            try:
                async with env.connect("/limited"):
                    env.check(False, "route limit: second client refused")
            except websockets.exceptions.InvalidStatusCode as e:
                env.check(e.status_code == 503, "route limit: second client gets HTTP %d == 503"
                          % e.status_code)
                ra = e.headers.get("Retry-After")
                env.check(bool(ra), "route limit: Retry-After present (%r)" % ra)
            async with env.connect("/other") as other:
                await echo_once(env, other, "route limit: another route still accepts")
        env.check_ws_closed(first, 1000, "route: first client's close")
        await accepted_again(env, "/limited", "route limit")
    env.run_async(limit())
    time.sleep(0.3)
    env.check(echo.accepted == 3, "echo backend accepted exactly 3 connections (%d)" % echo.accepted)


def main(env):
    phase_global(env)
    phase_route(env)


harness.run(os.path.basename(__file__)[:-3], main)
