#!/usr/bin/python3
"""38-token-targets: targets = FILE (websockify's TokenFile format) picks
each connection's backend from its token: ?token= (token_from = query,
the default, as noVNC sends it) or the last path segment (token_from =
path).  A missing or unknown token is HTTP 404, a target that
allow_targets does not name HTTP 403, and in both cases nothing is
connected: the listener such a token names accepts nothing.  An edited
map is noticed without a signal (its mtime, checked at most once a
second); a broken edit is logged and the map in use stays.
"""
import asyncio
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
import harness
import websockets.exceptions

CONFIG = """\
[server]
listen = 127.0.0.1:{port}
{server_defaults}
[route /websockify]
targets = {dir}/tokens.map
allow_targets = 127.0.0.1:@V4@ [::1] unix:{dir}/*.sock

[route /t/*]
targets = {dir}/tokens.map
allow_targets = 127.0.0.1:@V4@ [::1] unix:{dir}/*.sock
token_from = path
"""

MAP = """\
# desktops
vnc4: 127.0.0.1:@V4@
vnc6: [::1]:@V6@
sock: unix:@DIR@/u.sock
evil: 127.0.0.1:@EVIL@
outside: 192.0.2.1:5901
"""


def main(env):
    v4 = env.backend("v4", harness.handler_echo, tcp="127.0.0.1")
    v6 = env.backend("v6", harness.handler_echo, tcp="::1")
    unix = env.backend("u", harness.handler_echo)
    evil = env.backend("evil", harness.handler_echo, tcp="127.0.0.1")

    def subst(text):
        for k, v in (("@V4@", v4.port), ("@V6@", v6.port),
                     ("@EVIL@", evil.port), ("@DIR@", env.tmpdir)):
            text = text.replace(k, str(v))
        return text
    mapfile = env.path("tokens.map")
    with open(mapfile, "w") as f:
        f.write(subst(MAP))
    env.start(subst(CONFIG))

    async def echo(path, what, backend, n):
        async with env.connect(path) as ws:
            await ws.send(what)
            got = await asyncio.wait_for(ws.recv(), 5)
            env.check(got == what, "%s: relayed to its target (%r)" % (path, got))
        env.check(backend.wait_conn(n).wait_eof(5), "%s: the target got EOF" % path)

    async def refused(path, status, why):
        try:
            async with env.connect(path):
                env.check(False, "%s: refused" % path)
        except websockets.exceptions.InvalidStatusCode as e:
            env.check(e.status_code == status, "%s: HTTP %d == %d (%s)"
                      % (path, e.status_code, status, why))

    async def tokens():
        await echo("/websockify?token=vnc4", b"four", v4, 0)
        await echo("/websockify?token=vnc6", b"six", v6, 0)
        await echo("/websockify?token=sock", b"unix", unix, 0)
        await echo("/t/vnc4", b"by path", v4, 1)
        await echo("/t/sock", b"by path, unix", unix, 1)
        await refused("/websockify", 404, "no token")
        await refused("/websockify?token=", 404, "empty token")
        await refused("/websockify?token=nope", 404, "unknown token")
        await refused("/websockify?other=vnc4", 404, "no token parameter")
        await refused("/t/nope", 404, "unknown token")
        await refused("/t/", 404, "no token")
        await refused("/websockify?token=evil", 403, "port not allowed")
        await refused("/t/evil", 403, "port not allowed")
        await refused("/websockify?token=outside", 403, "address not allowed")
    env.run_async(tokens())

    status, headers, head, body, how = harness.raw_http(env.port, "/websockify?token=evil")
    env.check(status == 403 and body == b"target not allowed\n",
              "raw: HTTP/1.1 403 'target not allowed' (%r, %r)" % (head.split("\r\n")[0], body))
    status, headers, head, body, how = harness.raw_http(env.port, "/websockify?token=nope")
    env.check(status == 404 and body == b"unknown token\n",
              "raw: HTTP/1.1 404 'unknown token' (%r, %r)" % (head.split("\r\n")[0], body))
    time.sleep(0.3)
    env.check(evil.accepted == 0, "nothing was connected to the target not "
              "allowed (%d connections)" % evil.accepted)
    log = env.daemon_log()
    env.check("192.0.2.1:5901, which allow_targets does not allow" in log,
              "the refused target is logged")

    # An edit is noticed without a signal.
    time.sleep(1.1)
    with open(mapfile, "a") as f:
        f.write(subst("new: 127.0.0.1:@V4@\n"))
    time.sleep(1.1)
    env.run_async(echo("/websockify?token=new", b"fresh", v4, 2))
    # A broken edit: logged, and the map in use stays.
    time.sleep(1.1)
    with open(mapfile, "a") as f:
        f.write("this line is wrong\n")
    time.sleep(1.1)
    env.run_async(echo("/websockify?token=vnc4", b"still", v4, 3))
    log = env.daemon_log()
    env.check("tokens.map:8: not 'token: target'" in log,
              "the broken line is logged with FILE:LINE")
    env.check("the token map in use stays" in log, "the old map stays in use")


harness.run(os.path.basename(__file__)[:-3], main)
