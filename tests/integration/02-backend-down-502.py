#!/usr/bin/python3
"""02-backend-down-502: a backend that cannot be connected is an HTTP 502
before the handshake, never an open-then-close (design.md, "What the
backend receives" and "When a session ends": backend socket missing or
refusing -> HTTP 502, with the default on_backend_down = http).

Three routes: the socket path does not exist; the socket file exists and is
bound but nobody listens; the file is left behind by a listener that has
closed.  The two last give ECONNREFUSED to a UNIX connect().
"""
import os
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
import harness
import websockets.exceptions

CONFIG = """\
[server]
listen = 127.0.0.1:{port}
{server_defaults}
[route /missing]
backend = unix:{dir}/missing.sock

[route /bound]
backend = unix:{dir}/bound.sock

[route /stale]
backend = unix:{dir}/stale.sock
"""


def main(env):
    # bound, never listening
    bound = env.closing(socket.socket(socket.AF_UNIX, socket.SOCK_STREAM))
    bound.bind(env.sock_path("bound"))
    # listened, then closed: the file stays
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(env.sock_path("stale"))
    stale.listen(4)
    stale.close()
    env.require(os.path.exists(env.sock_path("stale")), "stale socket file exists")

    env.start(CONFIG)

    async def client():
        for path in ("/missing", "/bound", "/stale"):
            try:
                async with env.connect(path):
                    env.check(False, "%s: handshake refused" % path)
            except websockets.exceptions.InvalidStatusCode as e:
                env.check(e.status_code == 502, "%s: HTTP status %d == 502" % (path, e.status_code))
    env.run_async(client())

    status, headers, head, body, how = harness.raw_http(env.port, "/missing")
    env.check(status == 502, "raw /missing: HTTP/1.1 502 (%r)" % head.split("\r\n")[0])
    env.check([v.lower() for v in headers.get("connection", [])] == ["close"],
              "raw /missing: 'Connection: close' header (%r)" % headers.get("connection"))


harness.run(os.path.basename(__file__)[:-3], main)
