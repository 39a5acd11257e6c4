#!/usr/bin/python3
"""61-deflate-relay: with permessage-deflate negotiated, every message
round-trips byte for byte, and compression stays invisible to backends:

  * python3-websockets with compression on, over ws:// and wss:// (the
    corruption of wss+deflate messages over 8 KB in libwebsockets 4.1 is
    not there), on a `framing = length` echo: text (JSON) and binary
    (random) messages of every size class from 1 byte to
    max_message_size, whole and in fragments, with a 15-bit window and
    context takeover, a 10-bit window, and no context takeover; the
    backend receives exactly the uncompressed messages;
  * a client's own server_no_context_takeover, client_no_context_takeover
    and window sizes apply each to its side: repeated messages and
    back-references across 3000 bytes round-trip;
  * two clients of one `framing = raw` route compressing at once get
    their own data back (libwebsockets deflates from the session's
    buffer until the client can take more, so it is not the shared one);
  * max_message_size counts the inflated size: a message of exactly the
    limit of random bytes (a little longer compressed) passes; one byte
    more is closed with 1009; a decompression bomb (64 MiB of zeros in a
    64 KiB frame, and 1 MiB in fragments) is closed with 1009 before it
    is inflated: the backend receives none of it, and wsgated's memory
    does not grow by the bomb's size (not checked where
    WSGATE_RSS_BOUND_CHECK=0: sanitizers and valgrind hold freed memory);
    data that does not inflate is closed with 1007;
  * a frame with RSV1 on a session without the extension is closed with
    1002, on a route without compression and on one with it.
"""
import asyncio
import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
import faults
import harness
import tlsca
from websockets.extensions.permessage_deflate import \
    ClientPerMessageDeflateFactory

MAX = 128 * 1024
CHECK_RSS = os.environ.get("WSGATE_RSS_BOUND_CHECK", "1") != "0"
MIB = 1024 * 1024

CONFIG = """\
[server]
listen = 127.0.0.1:{port}
listen = 127.0.0.1:PORT2 tls
tls_cert = CERT
tls_key = KEY
{server_defaults}
compression = deflate
max_message_size = MAX

[route /len]
backend = unix:{dir}/len.sock
framing = length

[route /len10]
backend = unix:{dir}/len.sock
framing = length
compression_window_bits = 10

[route /lennt]
backend = unix:{dir}/len.sock
framing = length
compression_context_takeover = no

[route /raw]
backend = unix:{dir}/raw.sock
text = yes

[route /rec]
backend = unix:{dir}/rec.sock

[route /plain]
backend = unix:{dir}/rec.sock
compression = off
""".replace("MAX", str(MAX))

SIZES = (1, 2, 125, 126, 127, 1023, 1024, 1025, 4096, 8192, 8193, 16384,
         65535, 65536, 65537, 100000, MAX - 1, MAX)


def json_text(n, rnd):
    """N bytes of JSON-looking ASCII text: what compresses well."""
    out, i = [], 0
    while sum(map(len, out)) < n:
        out.append(json.dumps({"id": i, "user": "u%d" % rnd.randrange(50),
                               "text": "message %d" % rnd.randrange(10 ** 6),
                               "ok": bool(i % 2)}) + "\n")
        i += 1
    return "".join(out)[:n]


def frame(kind, payload):
    """What a length backend receives for one message."""
    return bytes([1 if kind == "text" else 2]) + len(payload).to_bytes(4, "big") + payload


async def round_trips(env, url, what, sizes, ssl=None):
    """Each size as text and binary, whole and in 3 fragments; returns
    the frames the backend must have received."""
    rnd = random.Random(what)
    sent = []
    async with harness.websockets.connect(url, ssl=ssl, compression="deflate",
                                          ping_interval=None, max_size=2 * MAX,
                                          open_timeout=5, close_timeout=5) as ws:
        env.require(ws.extensions and ws.extensions[0].name == "permessage-deflate",
                    "%s: permessage-deflate negotiated" % what)
        bad = []
        for n in sizes:
            for kind in ("text", "binary"):
                for frag in (False, True):
                    msg = json_text(n, rnd) if kind == "text" else rnd.randbytes(n)
                    if frag and n >= 3:
                        await ws.send([msg[:n // 3], msg[n // 3:n // 2], msg[n // 2:]])
                    else:
                        await ws.send(msg)
                    echo = await asyncio.wait_for(ws.recv(), 10)
                    if echo != msg:
                        bad.append((n, kind, frag, len(echo)))
                    sent.append(frame(kind, msg.encode() if kind == "text" else msg))
        env.check(not bad, "%s: %d round trips exact, text and binary, whole and "
                  "fragmented, 1 byte to max_message_size (bad: %r)"
                  % (what, len(sent), bad[:5]))
    return sent


async def sides(env, what, **factory):
    """The client's own parameters, read for the right side: repeated
    messages (a compressor keeping its context refers back to the last
    one) and a message that repeats 3000 random bytes (a 12-bit window
    refers back across them, an 11-bit one cannot)."""
    ext = ClientPerMessageDeflateFactory(**factory)
    async with env.connect("/len", extensions=[ext]) as ws:
        rep = random.Random(what).randbytes(3000)
        msgs = [json_text(3000, random.Random(5))] * 3 + [rep + rep] * 2
        bad = 0
        for m in msgs:
            await ws.send(m)
            bad += await asyncio.wait_for(ws.recv(), 10) != m
        env.check(bad == 0 and ws.extensions,
                  "%s: repeated messages and long back-references round-trip (%d bad)"
                  % (what, bad))


async def raw_pair(env, url):
    """Two clients of one raw route at once, each with its own text."""
    async def one(i):
        text = json_text(200000, random.Random(i))
        async with env.connect("/raw", compression="deflate") as ws:
            for k in range(0, len(text), 4000):
                await ws.send(text[k:k + 4000])
            got = ""
            while len(got) < len(text):
                got += await asyncio.wait_for(ws.recv(), 10)
            return bool(ws.extensions), got == text
    return await asyncio.gather(one(1), one(2))


def answer(c):
    """The close code that comes back on raw client C, which is closed."""
    try:
        f = c.recv_frame(timeout=5)
        code = f.close_code() if f.opcode == harness.OP_CLOSE else ("frame %r" % f)
    except (harness.ConnectionEnded, OSError) as e:
        code = "no close frame (%s)" % e
    c.close()
    return code


def bomb(env, path, frames, what):
    """Send FRAMES (opcode, payload, fin) with RSV1 on the first on a
    compressed session; returns the close code that came back."""
    c = env.closing(harness.RawClient(env.port))
    c.send_request(path, b"Sec-WebSocket-Extensions: permessage-deflate\r\n")
    env.require(c.read_response_head() == 101 and
                c.headers.get("sec-websocket-extensions") == ["permessage-deflate"],
                "%s: compressed session" % what)
    try:
        for i, (op, payload, fin) in enumerate(frames):
            c.sock.sendall(harness.encode_frame(op, payload, fin=fin, rsv=4 if i == 0 else 0))
    except OSError:
        pass            # closed on us while sending: the answer tells
    return answer(c)


def rsv1_plain(env, path, offer):
    """An RSV1 frame on a session without the extension: the close code."""
    c = env.closing(harness.RawClient(env.port))
    c.send_request(path, offer)
    env.require(c.read_response_head() == 101 and
                "sec-websocket-extensions" not in c.headers,
                "%s: session without the extension" % path)
    c.sock.sendall(harness.encode_frame(harness.OP_TEXT, harness.deflate_message(b"hi"),
                                        rsv=4))
    return answer(c)


def main(env):
    ca = tlsca.CA(env.tmpdir, "t61")
    be = env.backend("len", harness.handler_echo)
    env.backend("raw", harness.handler_echo)
    rec = env.backend("rec", harness.handler_record)
    port2 = harness.find_free_port()
    env.start(CONFIG.replace("PORT2", str(port2))
              .replace("CERT", ca.leaf_chain).replace("KEY", ca.leaf_key))
    ctx = tlsca.client_context(ca.root)

    conns = 0
    for scheme, port, ssl in (("ws", env.port, None), ("wss", port2, ctx)):
        for path, sizes in (("/len", SIZES), ("/len10", SIZES[::3] + (MAX,)),
                            ("/lennt", SIZES[::3] + (MAX,))):
            what = "%s %s" % (scheme, path)
            sent = env.run_async(round_trips(env, "%s://127.0.0.1:%d%s" % (scheme, port, path),
                                             what, sizes, ssl))
            conn = be.wait_conn(conns)
            conns += 1
            conn.wait_eof(10)
            # and the client's close, as a close message (type 8)
            sent.append(b"\x08\x00\x00\x00\x02\x03\xe8")
            env.check(conn.received() == b"".join(sent),
                      "%s: the backend received the uncompressed messages, exactly "
                      "(%d of %d bytes)" % (what, len(conn.received()), len(b"".join(sent))))

    env.run_async(sides(env, "server_no_context_takeover", server_no_context_takeover=True))
    env.run_async(sides(env, "client_no_context_takeover", client_no_context_takeover=True))
    env.run_async(sides(env, "server 11 bits, client 12 bits", server_max_window_bits=11,
                        client_max_window_bits=12))
    env.run_async(sides(env, "server 12 bits, client 11 bits", server_max_window_bits=12,
                        client_max_window_bits=11))

    res = env.run_async(raw_pair(env, env.url("/raw")))
    env.check(all(r == (True, True) for r in res),
              "raw: two compressed sessions at once each get their own text back (%r)" % res)

    async def over_limit():
        async with env.connect("/len", compression="deflate", max_size=2 * MAX) as ws:
            msg = random.Random(3).randbytes(MAX)
            await ws.send(msg)
            echo = await asyncio.wait_for(ws.recv(), 10)
            env.check(echo == msg, "a message of exactly max_message_size passes compressed "
                      "(%d bytes compressed)" % len(harness.deflate_message(msg)))
            await ws.send(random.Random(4).randbytes(MAX + 1))
            await harness.wait_closed(ws, 10)
            env.check_ws_closed(ws, 1009, "max_message_size + 1, compressed")
    env.run_async(over_limit())

    base = faults.rss(env.proc.pid)
    zeros = harness.deflate_message(b"\0" * (64 * MIB))
    code = bomb(env, "/rec", [(harness.OP_BINARY, zeros, True)], "bomb")
    grown = faults.rss(env.proc.pid) - base
    env.check(code == 1009, "64 MiB of zeros in %d compressed bytes: close %r == 1009"
              % (len(zeros), code))
    if CHECK_RSS:
        env.check(grown < 4 * MIB, "the bomb grew wsgated's RSS by %.2f MiB only" % (grown / MIB))
    part = harness.deflate_message(b"\0" * MIB)
    third = len(part) // 3
    code = bomb(env, "/rec", [(harness.OP_BINARY, part[:third], False),
                              (harness.OP_CONT, part[third:2 * third], False),
                              (harness.OP_CONT, part[2 * third:], True)], "fragmented bomb")
    env.check(code == 1009, "1 MiB of zeros in 3 compressed fragments: close %r == 1009" % code)
    for i in range(2):
        conn = rec.wait_conn(i)
        conn.wait_eof(10)
        env.check(conn.received() == b"", "bomb %d: nothing of it reached the backend (%d bytes)"
                  % (i + 1, len(conn.received())))

    code = bomb(env, "/rec", [(harness.OP_BINARY, b"\xff\xff not deflate", True)],
                "corrupt data")
    env.check(code == 1007, "data that does not inflate: close %r == 1007" % code)

    code = rsv1_plain(env, "/plain", b"Sec-WebSocket-Extensions: permessage-deflate\r\n")
    env.check(code == 1002, "RSV1 on a route without compression: close %r == 1002" % code)
    code = rsv1_plain(env, "/rec", b"")
    env.check(code == 1002, "RSV1 without the extension negotiated: close %r == 1002" % code)


harness.run("61-deflate-relay", main)
