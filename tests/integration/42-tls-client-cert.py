#!/usr/bin/python3
"""42-tls-client-cert: `tls_ca` requires a client certificate signed by one
of its CAs (issue 4, items 2 and 7).  The tls_ca file is a bundle: an
unrelated CA first, the clients' CA second (libwebsockets on mbedTLS
would load only the first certificate of a CA file):

  * no client certificate: the handshake fails, no WebSocket session;
  * a certificate from a CA that is not in tls_ca: fails;
  * a certificate from the second CA of the bundle: wss:// round trip,
    TLS 1.3 and, capped by the client, TLS 1.2.
"""
import asyncio
import os
import ssl
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
import harness
import tlsca

CONFIG = """\
[server]
listen = 127.0.0.1:{port} tls
tls_cert = CERT
tls_key = KEY
tls_ca = BUNDLE
{server_defaults}
[route /echo]
backend = unix:{dir}/echo.sock
"""


async def attempt(env, url, ctx):
    """'ok VERSION' after an echo round trip, else the error."""
    try:
        async with harness.websockets.connect(url, ssl=ctx, ping_interval=None,
                                              compression=None, open_timeout=5,
                                              close_timeout=5) as ws:
            await ws.send(b"ping")
            echo = await asyncio.wait_for(ws.recv(), 5)
            if echo != b"ping":
                return "bad echo %r" % echo
            return "ok " + ws.transport.get_extra_info("ssl_object").version()
    except Exception as e:
        return "%s: %s" % (type(e).__name__, e)


def main(env):
    server = tlsca.CA(env.tmpdir, "srv")
    clients = tlsca.CA(env.tmpdir, "cli")
    other = tlsca.CA(env.tmpdir, "other")
    bundle = env.path("bundle.pem")
    with open(bundle, "w") as out:
        for f in (other.root, clients.root):
            with open(f) as i:
                out.write(i.read())
    echo = env.backend("echo", harness.handler_echo)
    env.start(CONFIG.replace("CERT", server.leaf_chain)
              .replace("KEY", server.leaf_key).replace("BUNDLE", bundle))
    url = "wss://127.0.0.1:%d/echo" % env.port

    r = env.run_async(attempt(env, url, tlsca.client_context(server.root)))
    harness.log("# no client certificate: %s" % r)
    env.check(not r.startswith("ok"), "no client certificate: refused (%s)" % r)

    cert, key = tlsca.CA(env.tmpdir, "stranger").client("mallory")
    r = env.run_async(attempt(env, url, tlsca.client_context(server.root, cert, key)))
    harness.log("# certificate from an unknown CA: %s" % r)
    env.check(not r.startswith("ok"), "certificate from a CA not in tls_ca: refused (%s)" % r)
    env.check(echo.accepted == 0, "no backend connection for a refused client (%d)"
              % echo.accepted)

    cert, key = clients.client("alice")
    r = env.run_async(attempt(env, url, tlsca.client_context(server.root, cert, key)))
    env.check(r == "ok TLSv1.3", "certificate from the bundle's second CA: TLS 1.3 "
              "round trip (%s)" % r)
    ctx = tlsca.client_context(server.root, cert, key)
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    r = env.run_async(attempt(env, url, ctx))
    env.check(r == "ok TLSv1.2", "the same over TLS 1.2 (%s)" % r)

    cert, key = other.client("bob")
    r = env.run_async(attempt(env, url, tlsca.client_context(server.root, cert, key)))
    env.check(r == "ok TLSv1.3", "certificate from the bundle's first CA: accepted (%s)" % r)


harness.run(os.path.basename(__file__)[:-3], main)
