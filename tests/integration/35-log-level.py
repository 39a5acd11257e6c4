#!/usr/bin/python3
"""35-log-level: log_level chooses what is logged, a reload changes it,
and nothing a client sends can split a log line (issue 5, "Logging"):

  * log_level = warn (no -d): a session leaves no info line; a refused
    handshake neither;
  * after a reload to log_level = info: both are logged;
  * a close reason and a request path with control characters are
    logged escaped, on one line: no line starts with the forged text.
"""
import asyncio
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
import harness

CONFIG = """\
[server]
listen = 127.0.0.1:{port}
log_level = LEVEL
{server_defaults}
[route /echo]
backend = unix:{dir}/echo.sock
"""


def main(env):
    env.backend("echo", harness.handler_echo)
    env.start(CONFIG.replace("LEVEL", "warn"), debug=False)

    async def session(reason):
        ws = await env.connect("/echo")
        await ws.send(b"hi")
        await asyncio.wait_for(ws.recv(), 5)
        await ws.close(4000, reason)

    def one_round(reason):
        start = len(env.daemon_log())
        env.run_async(session(reason))
        harness.raw_http(env.port, "/nothing")
        # the session's line follows the backend's EOF
        env.wait_log(r": end route /echo", 3, start)
        return env.daemon_log()[start:]

    log = one_round("quiet")
    env.check(": end route /echo" not in log, "warn: no session line")
    env.check("refused" not in log, "warn: no refused-handshake line")

    env.check(env.reload(CONFIG.replace("LEVEL", "info")), "reload to info taken")
    log = one_round("bye\nFORGED line\r\x1b[31m")
    env.check(": end route /echo" in log, "info: the session line")
    env.check("refused" in log and "/nothing: 404" in log, "info: the refused handshake")
    env.check('close-received 4000 "bye\\x0aFORGED line\\x0d\\x1b[31m"' in log,
              "close reason logged escaped")
    env.check(not any(l.startswith("FORGED") for l in env.daemon_log().splitlines()),
              "no line starts with the client's text")

    start = len(env.daemon_log())
    status = harness.raw_http(env.port, "/x\x01y\x7fz")[0]
    env.check(status == 404, "path with control characters: 404 (%s)" % status)
    m = env.wait_log(r"refused .* (\S+): 404", 5, start)
    env.check(m and m.group(1) == "/x\\x01y\\x7fz", "path logged escaped (%r)"
              % (m.group(1) if m else None))


harness.run(os.path.basename(__file__)[:-3], main)
