#!/usr/bin/python3
"""01-route-unknown-path: a request for a path no route matches is refused
with HTTP 404 before the handshake (design.md, "When a session ends": no
route for the path -> HTTP 404; "The handshake": every refusal is a complete
HTTP/1.1 response with `Connection: close`).  The configured route's backend
is never contacted.

Checked with websockets (InvalidStatusCode 404) and with a raw socket (the
status line, the Connection: close header, and that wsgated then closes the
TCP connection).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
import harness
import websockets.exceptions

CONFIG = """\
[server]
listen = 127.0.0.1:{port}
{server_defaults}
[route /echo]
backend = unix:{dir}/echo.sock
"""


def main(env):
    echo = env.backend("echo", harness.handler_echo)
    env.start(CONFIG)

    async def client():
        for path in ("/nope", "/echo/sub", "/ech", "/"):
            try:
                async with env.connect(path):
                    env.check(False, "%s: handshake refused" % path)
            except websockets.exceptions.InvalidStatusCode as e:
                env.check(e.status_code == 404, "%s: HTTP status %d == 404" % (path, e.status_code))
    env.run_async(client())

    status, headers, head, body, how = harness.raw_http(env.port, "/nope")
    env.check(head.startswith("HTTP/1.1 404"), "raw: response starts with 'HTTP/1.1 404' (%r)"
              % head.split("\r\n")[0])
    env.check([v.lower() for v in headers.get("connection", [])] == ["close"],
              "raw: 'Connection: close' header (%r)" % headers.get("connection"))
    env.check(how in ("eof", "reset"), "raw: wsgated closes the connection after the 404 (%s)" % how)
    env.check(echo.accepted == 0, "backend accepted no connection (%d)" % echo.accepted)


harness.run(os.path.basename(__file__)[:-3], main)
