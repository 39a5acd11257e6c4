#!/usr/bin/python3
"""22-framing-length: framing = length (design.md, "What the backend
receives"; issue 3): a 5-byte header (type, 32-bit big-endian length), then
the payload; types 1 text, 2 binary, 8 close.

- boundaries and types cross both ways: text, binary, the empty message,
  a 1 MiB message;
- a backend's close(4001, "bye") reaches the client as 4001 "bye" after
  every message sent before it;
- a client's close(4002, "done") reaches the backend as a type-8 message
  after every earlier message, then EOF; the client's answer to
  wsgated's own close (1000 after the backend's EOF) is the end of the
  close handshake, which libwebsockets consumes: the backend, still
  reading after its EOF, gets EOF and no close message (wsgate.ini(5));
- an invalid code (1005) from the backend becomes 1011, a bad type byte
  and a length over max_message_size end the session with 1011, each with
  a log line naming the fault.
"""
import asyncio
import os
import socket
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
import harness

CONFIG = """\
[server]
listen = 127.0.0.1:{port}
max_message_size = 2M
{server_defaults}
[route /echo]
backend = unix:{dir}/echo.sock
framing = length

[route /bye]
backend = unix:{dir}/bye.sock
framing = length

[route /record]
backend = unix:{dir}/record.sock
framing = length

[route /half]
backend = unix:{dir}/half.sock
framing = length

[route /bad]
backend = unix:{dir}/bad.sock
framing = length
max_message_size = 1k
"""

BIG = os.urandom(1 << 20)


def frame(t, payload):
    return bytes([t]) + struct.pack("!I", len(payload)) + payload


def parse(data):
    """The (type, payload) messages in DATA, which must end on a boundary."""
    out, i = [], 0
    while i < len(data):
        t, n = data[i], struct.unpack("!I", data[i + 1:i + 5])[0]
        out.append((t, data[i + 5:i + 5 + n]))
        i += 5 + n
    return out


def echo_handler(conn):
    """Echo each whole message back with its type; stop at EOF."""
    buf = b""
    conn.sock.settimeout(10)
    while True:
        d = conn.sock.recv(1 << 20)
        if not d:
            conn.eof.set()
            return
        buf += d
        while len(buf) >= 5:
            n = struct.unpack("!I", buf[1:5])[0]
            if len(buf) < 5 + n:
                break
            conn.sock.sendall(buf[:5 + n])
            buf = buf[5 + n:]


def bye_handler(conn):
    conn.sock.settimeout(5)
    conn.sock.sendall(frame(1, b"one") + frame(2, b"two") +
                      frame(8, struct.pack("!H", 4001) + b"bye"))
    conn.read_to_eof(10)


def half_handler(conn):
    """One message, then EOF on our side; record what still comes."""
    conn.sock.settimeout(5)
    conn.sock.sendall(frame(1, b"last"))
    conn.sock.shutdown(socket.SHUT_WR)
    conn.read_to_eof(10)


BAD = {
    "code 1005": frame(1, b"ok") + frame(8, struct.pack("!H", 1005)),
    "type 9": frame(1, b"ok") + frame(9, b"what"),
    "too long": frame(1, b"ok") + b"\x02" + struct.pack("!I", 1 << 30),
}
FAULTS = {"code 1005": "invalid close code", "type 9": "unknown message type",
          "too long": "length over max_message_size"}
bad_order = list(BAD)


def bad_handler(conn):
    conn.sock.settimeout(5)
    conn.sock.sendall(BAD[bad_order[conn.index]])
    conn.read_to_eof(10)


def main(env):
    env.backend("echo", echo_handler)
    env.backend("bye", bye_handler)
    rec = env.backend("record", harness.handler_record)
    env.backend("bad", bad_handler)
    env.start(CONFIG)

    async def echo():
        ws = await env.connect("/echo", max_size=None)
        for m in ["text", b"binary", b"", "", BIG]:
            await ws.send(m)
            got = await asyncio.wait_for(ws.recv(), 10)
            env.check(got == m and type(got) == type(m),
                      "echo keeps boundary and type of a %d-byte %s message"
                      % (len(m), type(m).__name__))
        await ws.close()
    env.run_async(echo())

    async def bye():
        ws = await env.connect("/bye")
        msgs = await harness.recv_all(ws, 5)
        env.check(msgs == ["one", b"two"], "messages before the close (%r)" % msgs)
        env.check_ws_closed(ws, 4001, "backend close")
        env.check(ws.close_reason == "bye", "reason %r" % ws.close_reason)
    env.run_async(bye())

    async def record():
        ws = await env.connect("/record")
        await ws.send("a")
        await ws.send(b"b")
        await ws.close(4002, "done")
        env.check_ws_closed(ws, 4002, "client close echoed")
    env.run_async(record())
    conn = rec.wait_conn(0)
    env.check(conn.wait_eof(5), "record: backend saw EOF")
    msgs = parse(conn.received())
    env.check(msgs == [(1, b"a"), (2, b"b"), (8, struct.pack("!H", 4002) + b"done")],
              "record: messages, then the client's close as type 8 (%r)" % msgs)

    half = env.backend("half", half_handler)
    c = env.closing(harness.RawClient(env.port))
    env.require(c.handshake("/half") == 101, "half: 101")
    f = c.recv_frame(5)
    env.check(f.opcode == harness.OP_TEXT and f.payload == b"last",
              "half: the backend's message before its EOF (%r)" % f.payload)
    f = c.recv_frame(5)
    env.check(f.opcode == harness.OP_CLOSE and f.close_code() == 1000,
              "half: close 1000 after the backend's EOF")
    c.send_close(1000, b"answer")
    hconn = half.wait_conn(0)
    env.check(hconn.wait_eof(5), "half: backend saw EOF")
    env.check(parse(hconn.received()) == [],
              "half: the answer to our close is not forwarded (%r)"
              % parse(hconn.received()))
    c.close()

    for what in bad_order:
        async def bad():
            ws = await env.connect("/bad")
            msgs = await harness.recv_all(ws, 5)
            env.check(msgs == ["ok"], "%s: the message before arrives (%r)" % (what, msgs))
            env.check_ws_closed(ws, 1011, what)
        env.run_async(bad())
        env.check(FAULTS[what] in env.daemon_log(), "%s: the log says %r" % (what, FAULTS[what]))


harness.run(os.path.basename(__file__)[:-3], main)
