#!/usr/bin/python3
"""31-reload-broken: a reload that cannot be applied changes nothing
(design.md, "Command line"; issue 5):

  * a file with errors on lines 5 and 8: every error is logged as
    FILE:LINE, the old routes keep serving (the route the broken file
    adds gives 404), and a session opened before goes on relaying;
  * a valid file whose new listen address is taken: logged, nothing
    changes (the old port still serves, the new route is not there);
  * the corrected file is then taken as usual.
"""
import asyncio
import os
import re
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
import harness

CONFIG = """\
[server]
listen = 127.0.0.1:{port}
{server_defaults}
[route /a]
backend = unix:{dir}/a.sock
"""

BROKEN = """\
[server]
listen = 127.0.0.1:{port}
[route /a]
backend = unix:{dir}/a.sock
no_such_key = 1
[route /z]
backend = unix:{dir}/a.sock
idle_timeout = 5q
"""

TAKEN = """\
[server]
listen = 127.0.0.1:{port}
listen = 127.0.0.1:PORT2
[route /a]
backend = unix:{dir}/a.sock
[route /z]
backend = unix:{dir}/a.sock
"""

FIXED = """\
[server]
listen = 127.0.0.1:{port}
[route /a]
backend = unix:{dir}/a.sock
[route /z]
backend = unix:{dir}/a.sock
"""


def main(env):
    env.backend("a", harness.handler_echo)
    env.start(CONFIG)
    blocker = env.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
    blocker.bind(("127.0.0.1", 0))
    blocker.listen(1)
    port2 = blocker.getsockname()[1]

    async def echo(ws, msg):
        await ws.send(msg)
        return await asyncio.wait_for(ws.recv(), 5) == msg

    async def body():
        loop = asyncio.get_running_loop()
        old = await env.connect("/a")
        env.check(await echo(old, b"before\n"), "session relays before the reload")

        start = len(env.daemon_log())
        ok = await loop.run_in_executor(None, env.reload, BROKEN)
        env.check(not ok, "broken file: reload refused")
        log = env.daemon_log()[start:]
        cfg = re.escape(env.config_path)
        env.check(re.search(r"reload: %s:5: unknown key 'no_such_key'" % cfg, log),
                  "broken file: the error on line 5 is logged as FILE:LINE")
        env.check(re.search(r"reload: %s:8: idle_timeout" % cfg, log),
                  "broken file: the error on line 8 is logged as FILE:LINE")
        env.check(re.search(r"reload: 2 errors in ", log), "broken file: 2 errors counted")
        env.check(await echo(old, b"after broken\n"), "old session relays after it")
        status = (await loop.run_in_executor(None, harness.raw_http, env.port, "/z"))[0]
        env.check(status == 404, "broken file: its route /z is not there (%s)" % status)
        new = await env.connect("/a")
        env.check(await echo(new, b"new\n"), "broken file: /a still serves new clients")
        await new.close()

        start = len(env.daemon_log())
        ok = await loop.run_in_executor(
            None, env.reload, TAKEN.replace("PORT2", str(port2)))
        env.check(not ok, "address in use: reload refused")
        env.check(re.search(r"%s:3: listen 127\.0\.0\.1 port %d: Address already in use"
                            % (cfg, port2), env.daemon_log()[start:]),
                  "address in use: logged with FILE:LINE")
        status = (await loop.run_in_executor(None, harness.raw_http, env.port, "/z"))[0]
        env.check(status == 404, "address in use: /z is not there (%s)" % status)
        env.check(await echo(old, b"after taken\n"), "old session relays after it")

        ok = await loop.run_in_executor(None, env.reload, FIXED)
        env.check(ok, "fixed file: reload accepted")
        z = await env.connect("/z")
        env.check(await echo(z, b"z\n"), "fixed file: /z serves")
        await z.close()
        env.check(await echo(old, b"after fixed\n"), "old session relays after it")
        await old.close()
        env.check_ws_closed(old, 1000, "old session: close echoed")

    env.run_async(body())


harness.run(os.path.basename(__file__)[:-3], main)
