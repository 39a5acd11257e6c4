#!/usr/bin/python3
"""40-tls-wss: wss:// on a `listen = HOST:PORT tls` listener (issue 4,
items 1, 2 and 7), with a CA chain made at test time (root ->
intermediate -> leaf for 127.0.0.1, EC P-256):

  * python3-websockets trusting only the root completes a wss:// round
    trip: wsgated sends the intermediate too (libwebsockets on mbedTLS
    would send only the leaf from a certificate file);
  * TLS 1.3 is negotiated by default, and TLS 1.2 when the client caps
    at it;
  * `openssl s_client -showcerts` sees two certificates, leaf then
    intermediate, "Verify return code: 0" with only the root as CAfile;
  * a plain listener next to it keeps serving ws://, and a plain
    WebSocket request on the TLS port gets no HTTP answer.
"""
import asyncio
import os
import re
import ssl
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
import harness
import tlsca

CONFIG = """\
[server]
listen = 127.0.0.1:{port} tls
listen = 127.0.0.1:PORT2
tls_cert = CERT
tls_key = KEY
{server_defaults}
[route /echo]
backend = unix:{dir}/echo.sock
"""


async def round_trip(env, url, ctx, what, max_version=None):
    if max_version is not None:
        ctx.maximum_version = max_version
    async with harness.websockets.connect(url, ssl=ctx, ping_interval=None,
                                          compression=None, open_timeout=5,
                                          close_timeout=5) as ws:
        sslobj = ws.transport.get_extra_info("ssl_object")
        version = sslobj.version() if sslobj else None
        peer = sslobj.getpeercert(binary_form=True) if sslobj else None
        await ws.send(b"hello " + what.encode())
        echo = await asyncio.wait_for(ws.recv(), 5)
        env.check(echo == b"hello " + what.encode(),
                  "%s: echo came back (%r)" % (what, echo))
        return version, peer


def main(env):
    ca = tlsca.CA(env.tmpdir, "t41")
    env.backend("echo", harness.handler_echo)
    port2 = harness.find_free_port()
    env.start(CONFIG.replace("PORT2", str(port2))
              .replace("CERT", ca.leaf_chain).replace("KEY", ca.leaf_key))
    url = "wss://127.0.0.1:%d/echo" % env.port

    version, peer = env.run_async(round_trip(env, url, tlsca.client_context(ca.root),
                                             "default"))
    env.check(version == "TLSv1.3", "default client: TLS 1.3 negotiated (%s)" % version)
    env.check(peer == tlsca.der_of(ca.leaf), "the leaf is the server certificate")

    version, _ = env.run_async(round_trip(env, url, tlsca.client_context(ca.root),
                                          "tls12", ssl.TLSVersion.TLSv1_2))
    env.check(version == "TLSv1.2", "client capped at 1.2: TLS 1.2 (%s)" % version)

    rc, out = tlsca.s_client(env.port, "-showcerts", "-CAfile", ca.root)
    harness.log("# s_client -showcerts:\n" +
                "\n".join("#   " + l for l in out.splitlines() if not l.startswith(("MII", " ")) and
                          "CERTIFICATE" not in l))
    certs = re.findall(r"^\s*(\d+) s:(.*)$", out, re.M)
    env.check(len(certs) == 2, "s_client: two certificates in the chain (%s)" % certs)
    env.check(len(certs) == 2 and "localhost leaf" in certs[0][1] and
              "intermediate" in certs[1][1],
              "s_client: leaf first, then the intermediate")
    env.check(re.search(r"Verify return code: 0 \(ok\)", out) is not None,
              "s_client: verify return code 0 with only the root trusted")
    env.check(re.search(r"Protocol\s*: TLSv1\.3|New, TLSv1\.3", out) is not None,
              "s_client: TLS 1.3")

    version, _ = env.run_async(round_trip(env, "ws://127.0.0.1:%d/echo" % port2,
                                          None, "plain"))
    env.check(version is None, "plain listener: ws:// without TLS")

    c = harness.RawClient(env.port)
    try:
        c.send_request("/echo")
        try:
            status = c.read_response_head(3)
        except OSError:
            status = None
        env.check(status is None, "plain request on the TLS port: no HTTP answer (%r)" % status)
    finally:
        c.close()


harness.run(os.path.basename(__file__)[:-3], main)
