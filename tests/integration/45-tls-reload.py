#!/usr/bin/python3
"""45-tls-reload: SIGHUP re-reads the certificate (issue 4, item 2):

  * a wss:// session opened with leaf A keeps relaying across reloads;
  * after a reload naming leaf B (its key written by `openssl ecparam
    -genkey`, EC PARAMETERS first), a new connection gets leaf B with
    the intermediate (the client trusts only the root);
  * a reload whose key does not match its certificate is refused and
    logged as FILE:LINE; new connections still get leaf B;
  * a reload that adds tls_ca is refused (a new client CA takes a
    restart);
  * a reload that turns the plain listener into a TLS one: wss:// works
    on it at once, on the same socket.
"""
import asyncio
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
import harness
import tlsca

CONFIG = """\
[server]
listen = 127.0.0.1:{port} tls
listen = 127.0.0.1:PORT2 MODE
tls_cert = CERT
tls_key = KEY
CA
{server_defaults}
[route /echo]
backend = unix:{dir}/echo.sock
"""


def config(port2, cert, key, mode="", ca=""):
    return (CONFIG.replace("PORT2", str(port2)).replace("MODE", mode)
            .replace("CERT", cert).replace("KEY", key).replace("CA", ca))


def connect(url, root):
    return harness.websockets.connect(url, ssl=tlsca.client_context(root),
                                      ping_interval=None, compression=None,
                                      open_timeout=5, close_timeout=5)


async def peer_leaf(url, root):
    """The DER of the leaf a new connection gets, after an echo."""
    async with connect(url, root) as ws:
        await ws.send(b"x")
        await asyncio.wait_for(ws.recv(), 5)
        return ws.transport.get_extra_info("ssl_object").getpeercert(binary_form=True)


async def echo(ws, msg):
    await ws.send(msg)
    return await asyncio.wait_for(ws.recv(), 5) == msg


def main(env):
    ca = tlsca.CA(env.tmpdir, "t45")
    leaf_a = tlsca.der_of(ca.leaf)
    chain_a, key_a = ca.leaf_chain, ca.leaf_key
    chain_b, key_b = ca.new_leaf("leafb", with_params=True)
    leaf_b = tlsca.der_of(ca.leaf)
    env.backend("echo", harness.handler_echo)
    port2 = harness.find_free_port()
    env.start(config(port2, chain_a, key_a))
    url = "wss://127.0.0.1:%d/echo" % env.port

    async def body():
        async with connect(url, ca.root) as old:
            env.check(await echo(old, b"before"), "session on leaf A relays")
            got = await peer_leaf(url, ca.root)
            env.check(got == leaf_a, "before the reload: leaf A")

            env.check(env.reload(config(port2, chain_b, key_b)), "reload to leaf B: done")
            got = await peer_leaf(url, ca.root)
            env.check(got == leaf_b, "after the reload: leaf B, chain verified from the root")
            env.check(await echo(old, b"after"), "the session opened on leaf A still relays")

            start = len(env.daemon_log())
            env.check(not env.reload(config(port2, chain_b, key_a)),
                      "reload with a key that is not the certificate's: refused")
            env.check(env.wait_log(r"reload: .*wsgate\.ini:5: tls_key: .* is not the key",
                                   5, start) is not None,
                      "the refusal is logged as FILE:LINE of tls_key")
            got = await peer_leaf(url, ca.root)
            env.check(got == leaf_b, "after the refused reload: still leaf B")

            start = len(env.daemon_log())
            env.check(not env.reload(config(port2, chain_b, key_b,
                                            ca="tls_ca = %s" % ca.root)),
                      "reload adding tls_ca: refused")
            env.check(env.wait_log(r"tls_ca .*takes a restart", 5, start) is not None,
                      "the log says a new client CA takes a restart")

            env.check(env.reload(config(port2, chain_b, key_b, mode="tls")),
                      "reload turning the plain listener into TLS: done")
            got = await peer_leaf("wss://127.0.0.1:%d/echo" % port2, ca.root)
            env.check(got == leaf_b, "wss:// on the former plain listener")
            env.check(await echo(old, b"end"), "the first session still relays")

    env.run_async(body())


harness.run(os.path.basename(__file__)[:-3], main)
