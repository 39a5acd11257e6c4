#!/usr/bin/python3
"""23-framing-seqpacket: a seqpacket: backend (design.md, "What the backend
receives"; issue 3): one datagram per message both ways, led by the type
byte of the length framing (1 text, 2 binary, 8 close), no length field.

- boundaries and types cross both ways, the empty message included;
- close codes cross: the backend's close(4001, "bye") after its messages,
  the client's close(4002) as a type-8 datagram, then EOF;
- a client message larger than the socket can carry as one datagram is
  refused with 1009.
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
max_message_size = 4M
{server_defaults}
[route /echo]
backend = seqpacket:{dir}/echo.sock

[route /bye]
backend = seqpacket:{dir}/bye.sock

[route /record]
backend = seqpacket:{dir}/record.sock
"""


def datagrams(conn, timeout=10):
    """Receive datagrams until EOF; records them on CONN."""
    conn.dgrams = []
    conn.sock.settimeout(timeout)
    while True:
        d = conn.sock.recv(1 << 22)
        if not d:
            conn.eof.set()
            return
        conn.dgrams.append(d)


def echo_handler(conn):
    conn.sock.settimeout(10)
    while True:
        d = conn.sock.recv(1 << 22)
        if not d:
            return
        conn.sock.send(d)


def bye_handler(conn):
    conn.sock.send(b"\x01one")
    conn.sock.send(b"\x02two")
    conn.sock.send(b"\x08" + struct.pack("!H", 4001) + b"bye")
    datagrams(conn)


def main(env):
    seq = socket.SOCK_SEQPACKET
    env.backend("echo", echo_handler, kind=seq)
    env.backend("bye", bye_handler, kind=seq)
    rec = env.backend("record", datagrams, kind=seq)
    env.start(CONFIG)

    async def echo():
        ws = await env.connect("/echo", max_size=None)
        for m in ["text", b"binary", b"", "", os.urandom(100000)]:
            await ws.send(m)
            got = await asyncio.wait_for(ws.recv(), 10)
            env.check(got == m and type(got) == type(m),
                      "echo keeps boundary and type of a %d-byte %s message"
                      % (len(m), type(m).__name__))
        await ws.send(os.urandom(3 << 20))
        msgs = await harness.recv_all(ws, 5)
        env.check(msgs == [], "nothing comes back of a 3 MiB message")
        env.check_ws_closed(ws, 1009, "a message too big for one datagram")
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
    env.check(getattr(conn, "dgrams", None) ==
              [b"\x01a", b"\x02b", b"\x08" + struct.pack("!H", 4002) + b"done"],
              "record: one datagram per message, then the close (%r)"
              % getattr(conn, "dgrams", None))


harness.run(os.path.basename(__file__)[:-3], main)
