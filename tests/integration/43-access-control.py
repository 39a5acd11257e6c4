#!/usr/bin/python3
"""43-access-control: who may connect to which route (issue 4), each
refusal end to end with its exact status, and never reaching the backend.

- origins: a listed Origin (default port left out or given) is served; any
  other gets 403; a client without Origin (not a browser) is served;
- auth = token: a token minted by wsgate-token works from the access_token
  query parameter and from a Sec-WebSocket-Protocol entry next to "wsgate";
  missing, malformed, badly signed, expired and wrong-route tokens each get
  401 and the log says which; the JSON metadata carries the subject;
- a token secret file readable by others: wsgated refuses to start;
- backend_owner: a backend run by another user than configured gets 502
  and a log line naming both users;
- max_connections_per_ip: the next session from the same address gets 429
  with Retry-After;
- max_header_size: a bigger request head gets 431.
"""
import asyncio
import json
import os
import pwd
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
import harness

TOKEN_TOOL = os.environ.get("WSGATE_TOKEN") or os.path.join(
    os.path.dirname(harness.WSGATED), "wsgate-token")

CONFIG = """\
[server]
listen = 127.0.0.1:{port}
max_header_size = 2k
{server_defaults}
[route /web]
backend = unix:{dir}/web.sock
origins = https://app.example http://localhost:8080

[route /auth*]
backend = unix:{dir}/auth.sock
auth = token
token_secret_file = {dir}/secret
metadata = json

[route /owned]
backend = unix:{dir}/owned.sock
backend_owner = nobody

[route /perip]
backend = unix:{dir}/perip.sock
max_connections_per_ip = 2
"""


def mint(env, subject, routes, dur="1h"):
    args = [TOKEN_TOOL, "-k", env.path("secret"), "-s", subject, "-e", dur]
    for r in routes:
        args += ["-r", r]
    return subprocess.run(args, check=True, capture_output=True,
                          text=True).stdout.strip()


def status_of(env, path, **kw):
    async def go():
        try:
            ws = await env.connect(path, **kw)
        except Exception as e:
            return getattr(e, "status_code", repr(e))
        await ws.close()
        return 101
    return env.run_async(go())


def main(env):
    with open(env.path("secret"), "w") as f:
        f.write("0123456789abcdef-a-test-secret\n")
    os.chmod(env.path("secret"), 0o600)
    web = env.backend("web", harness.handler_record)
    auth = env.backend("auth", harness.handler_record)
    owned = env.backend("owned", harness.handler_record)
    perip = env.backend("perip", harness.handler_record)
    env.start(CONFIG)

    # Origins.
    for origin, want in (("https://app.example", 101), ("https://APP.example:443", 101),
                         ("http://localhost:8080", 101), ("https://evil.example", 403),
                         ("http://app.example", 403), ("https://app.example:8443", 403),
                         (None, 101)):
        got = status_of(env, "/web", origin=origin)
        env.check(got == want, "origin %s: %s (want %s)" % (origin, got, want))
    time.sleep(0.2)
    env.check(len(web.conns) == 4, "refused origins never reached the backend (%d)"
              % len(web.conns))

    # Tokens.
    good = mint(env, "alice", ["/auth*"])
    # wsgate-token rounds up to whole seconds: lapsed after at most 1 s.
    expired = mint(env, "bob", ["/auth*"], "1s")
    wrong = mint(env, "carol", ["/web"])
    tampered = good[:-2] + ("AA" if not good.endswith("AA") else "BB")
    time.sleep(1.1)
    env.check(status_of(env, "/auth/x?access_token=" + good) == 101,
              "a good token in the query is accepted")
    env.check(status_of(env, "/auth/y", subprotocols=["wsgate", "access_token." + good]) == 101,
              "a good token as a subprotocol entry is accepted")
    cases = [("no token", "/auth/z", {}),
             ("malformed token", "/auth/z?access_token=not-a-token", {}),
             ("bad token signature", "/auth/z?access_token=" + tampered, {}),
             ("expired token", "/auth/z?access_token=" + expired, {}),
             ("token not valid for this route", "/auth/z?access_token=" + wrong, {})]
    for why, path, kw in cases:
        env.check(status_of(env, path, **kw) == 401, "%s: 401" % why)
        env.check(why in env.daemon_log(), "%s: the log says so" % why)
    conn = auth.wait_conn(0)
    conn.wait_eof(5)
    meta = json.loads(conn.received().partition(b"\n")[0])
    env.check(meta.get("subject") == "alice", "metadata subject (%r)" % meta.get("subject"))
    time.sleep(0.2)
    env.check(len(auth.conns) == 2, "refused tokens never reached the backend (%d)"
              % len(auth.conns))

    # backend_owner: the test's backend runs as us, not as nobody.
    env.check(status_of(env, "/owned") == 502, "wrong backend owner: 502")
    me = pwd.getpwuid(os.getuid()).pw_name
    env.check("runs as %s, not backend_owner nobody" % me in env.daemon_log(),
              "the log names both users")
    time.sleep(0.2)
    env.check(len(owned.conns) <= 1 and all(c.done.wait(2) for c in owned.conns),
              "the wrong owner's socket got no client traffic")
    env.check(all(c.received() == b"" for c in owned.conns),
              "nothing was written to the wrong owner's socket")

    # Per-IP limit.
    async def perip_test():
        a = await env.connect("/perip")
        b = await env.connect("/perip")
        try:
            c = await env.connect("/perip")
            await c.close()
            env.check(False, "third session from one address refused")
        except Exception as e:
            env.check(getattr(e, "status_code", None) == 429, "third session: 429 (%r)" % e)
            hdrs = getattr(e, "headers", {}) or {}
            env.check(hdrs.get("Retry-After") is not None, "429 carries Retry-After")
        await a.close()
        await asyncio.sleep(0.3)
        c = await env.connect("/perip")
        env.check(c.open, "after one closed, a new session is served")
        await c.close()
        await b.close()
    env.run_async(perip_test())

    # Request head over max_header_size.
    c = env.closing(harness.RawClient(env.port))
    c.send_request("/web", b"X-Big: " + b"a" * 3000 + b"\r\n")
    env.check(c.read_response_head() == 431, "a 3 KiB header over max_header_size 2k: 431")

    # A secret readable by others: wsgated refuses to start.
    os.chmod(env.path("secret"), 0o644)
    r = subprocess.run([harness.WSGATED, "-t", "-c", env.config_path],
                       capture_output=True, text=True)
    env.check(r.returncode == 1 and "readable by its owner only" in r.stderr,
              "a secret readable by others is refused (%d %r)" % (r.returncode, r.stderr[-200:]))
    os.chmod(env.path("secret"), 0o600)


harness.run(os.path.basename(__file__)[:-3], main)
