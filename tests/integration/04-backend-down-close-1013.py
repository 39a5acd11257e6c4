#!/usr/bin/python3
"""04-backend-down-close-1013: with `on_backend_down = close`, a backend
that cannot be reached does not refuse the handshake (browsers cannot read
the status of a refused handshake): the client gets 101, then close 1013
("try again later") with a non-empty reason (design.md, configuration and
"When a session ends").  Checked with a missing socket and with a socket
file nobody listens on; a route without the option still gets HTTP 502.
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
on_backend_down = close

[route /stale]
backend = unix:{dir}/stale.sock
on_backend_down = close

[route /http]
backend = unix:{dir}/missing.sock
"""


def main(env):
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(env.sock_path("stale"))
    stale.listen(1)
    stale.close()
    env.start(CONFIG)

    async def client():
        for path in ("/missing", "/stale"):
            try:
                ws = await env.connect(path)
            except websockets.exceptions.InvalidStatusCode as e:
                env.check(False, "%s: handshake accepted (got HTTP %d)" % (path, e.status_code))
                continue
            env.check(True, "%s: handshake accepted (101)" % path)
            msgs = await harness.recv_all(ws, 5)
            env.check(msgs == [], "%s: no message before the close (%r)" % (path, msgs[:3]))
            env.check_ws_closed(ws, 1013, path)
            reason = ws.close_reason
            env.check(bool(reason), "%s: non-empty close reason (%r)" % (path, reason))
        try:
            async with env.connect("/http"):
                env.check(False, "/http: handshake refused")
        except websockets.exceptions.InvalidStatusCode as e:
            env.check(e.status_code == 502, "/http (default on_backend_down): HTTP %d == 502"
                      % e.status_code)
    env.run_async(client())

    # the same with a raw client: a close frame with code 1013, then wsgated
    # closes the TCP connection once the close is answered
    c = env.closing(harness.RawClient(env.port))
    status = c.handshake("/missing")
    env.require(status == 101, "raw /missing: 101 (%s)" % status)
    f = c.recv_frame(5)
    env.check(f.opcode == harness.OP_CLOSE, "raw: first frame is a close frame (%r)" % f)
    env.check(not f.masked, "raw: server frame is not masked")
    env.check_close_code(f.close_code(), 1013, "raw /missing")
    env.check(f.close_reason() != "", "raw: non-empty reason (%r)" % f.close_reason())
    c.send_close(1013)
    try:
        f = c.recv_frame(5)
        env.check(False, "raw: nothing after the close frame (got %r)" % f)
    except harness.ConnectionEnded as e:
        env.check(True, "raw: TCP closed by wsgated after the close handshake (%s)" % e.how)


harness.run(os.path.basename(__file__)[:-3], main)
