#!/usr/bin/python3
"""60-deflate-negotiate: permessage-deflate (RFC 7692) is negotiated on
routes with `compression = deflate` only, and answered as the RFC wants:

  * a route without the key (compression off) answers no extension, even
    to python3-websockets offering it; a deflate route answers
    python3-websockets' default offer (client_max_window_bits) with the
    client's window named;
  * `compression_window_bits = 10` caps both windows the RFC lets the
    server cap; `compression_context_takeover = no` asks both sides to
    drop their context after each message; a client's own
    server_max_window_bits, server_no_context_takeover and
    client_no_context_takeover are honoured;
  * offers the server cannot take (an unknown or repeated parameter,
    server_max_window_bits=8, a bad value, another extension) get a 101
    without the extension and a working uncompressed session; of two
    offers the second is taken when the first is declined; an extension
    header too long for libwebsockets' buffer is no failed handshake.
"""
import asyncio
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
import harness
from websockets.extensions.permessage_deflate import \
    ClientPerMessageDeflateFactory

CONFIG = """\
[server]
listen = 127.0.0.1:{port}
{server_defaults}
[route /plain]
backend = unix:{dir}/echo.sock

[route /z]
backend = unix:{dir}/echo.sock
compression = deflate

[route /z10]
backend = unix:{dir}/echo.sock
compression = deflate
compression_window_bits = 10

[route /znt]
backend = unix:{dir}/echo.sock
compression = deflate
compression_context_takeover = no
"""

PMD = "permessage-deflate"


async def answer(env, path, what, **factory):
    """Connect with an offer (FACTORY: ClientPerMessageDeflateFactory's
    arguments; none: python3-websockets' default compression), echo one
    message; returns the Sec-WebSocket-Extensions answer (None: absent)."""
    kw = {"compression": "deflate"} if not factory else {
        "extensions": [ClientPerMessageDeflateFactory(**factory)]}
    async with env.connect(path, **kw) as ws:
        await ws.send("hello " * 20)
        echo = await asyncio.wait_for(ws.recv(), 5)
        env.check(echo == b"hello " * 20, "%s: echo intact (%r)" % (what, echo[:20]))
        return ws.response_headers.get("Sec-WebSocket-Extensions"), ws.extensions


def raw_answer(env, path, offer):
    """The 101's extension answer to OFFER by hand, then one message
    (uncompressed, which a compressed session takes too: RSV1 unset)."""
    c = env.closing(harness.RawClient(env.port))
    c.send_request(path, b"Sec-WebSocket-Extensions: " + offer + b"\r\n")
    status = c.read_response_head()
    ext = c.headers.get("sec-websocket-extensions")
    if status == 101:
        c.send_frame(harness.OP_BINARY, b"raw")
        f = c.recv_frame()
        got = harness.inflate_message(f.payload) if ext else f.payload
        env.check(got == b"raw" and f.opcode == harness.OP_BINARY,
                  "%r: echo (%r, %s)" % (offer[:40], f,
                                         "compressed" if ext else "uncompressed"))
        c.send_close(1000)
    c.close()
    return status, ext


def main(env):
    env.backend("echo", harness.handler_echo)
    env.start(CONFIG)

    hdr, exts = env.run_async(answer(env, "/plain", "compression off"))
    env.check(hdr is None and not exts,
              "compression off: no extension answered (%r)" % hdr)

    hdr, exts = env.run_async(answer(env, "/z", "default offer"))
    env.check(hdr == PMD + "; client_max_window_bits=15",
              "default offer: answered with the client's window (%r)" % hdr)
    env.check(len(exts) == 1 and exts[0].name == PMD,
              "default offer: python3-websockets compresses (%r)" % exts)

    hdr, exts = env.run_async(answer(env, "/z10", "window 10"))
    env.check(hdr == PMD + "; server_max_window_bits=10; client_max_window_bits=10",
              "compression_window_bits = 10: both windows capped (%r)" % hdr)
    env.check(exts and exts[0].remote_max_window_bits == 10 and
              exts[0].local_max_window_bits == 10,
              "window 10: the client deflates and inflates with 10 bits")

    hdr, exts = env.run_async(answer(env, "/znt", "no takeover"))
    env.check(hdr == PMD + "; server_no_context_takeover; client_no_context_takeover; "
              "client_max_window_bits=15",
              "compression_context_takeover = no: both sides drop their context (%r)" % hdr)
    env.check(exts and exts[0].remote_no_context_takeover and
              exts[0].local_no_context_takeover,
              "no takeover: the client resets both its compressor and decompressor")

    hdr, exts = env.run_async(answer(env, "/z", "client's parameters",
                                     server_max_window_bits=11,
                                     server_no_context_takeover=True,
                                     client_no_context_takeover=True,
                                     client_max_window_bits=12))
    env.check(hdr == PMD + "; server_no_context_takeover; client_no_context_takeover; "
              "server_max_window_bits=11; client_max_window_bits=12",
              "the client's own parameters are honoured (%r)" % hdr)
    hdr, exts = env.run_async(answer(env, "/z10", "client's window over the cap",
                                     server_max_window_bits=12))
    env.check(hdr == PMD + "; server_max_window_bits=10; client_max_window_bits=10",
              "server_max_window_bits=12 on a 10-bit route: 10 (%r)" % hdr)

    for offer in (b"permessage-deflate; x_unknown",
                  b"permessage-deflate; client_max_window_bits; client_max_window_bits",
                  b"permessage-deflate; server_max_window_bits=8",
                  b"permessage-deflate; server_max_window_bits",
                  b"permessage-deflate; client_max_window_bits=16",
                  b"permessage-deflate; server_no_context_takeover=1",
                  b"x-webkit-deflate-frame",
                  b"permessage-deflate; client_max_window_bits; " + b"x" * 300):
        status, ext = raw_answer(env, "/z", offer)
        env.check(status == 101 and ext is None,
                  "%r...: 101 without an extension (%s, %r)" % (offer[:50], status, ext))
    status, ext = raw_answer(env, "/z", b"permessage-deflate; x_unknown, "
                             b"permessage-deflate; server_max_window_bits=12")
    env.check(status == 101 and ext == [PMD + "; server_max_window_bits=12"],
              "the first offer declined, the second taken (%s, %r)" % (status, ext))
    status, ext = raw_answer(env, "/z", b"permessage-deflate, permessage-deflate; x")
    env.check(status == 101 and ext == [PMD],
              "the first offer taken, the second ignored (%s, %r)" % (status, ext))


harness.run("60-deflate-negotiate", main)
