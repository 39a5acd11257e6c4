#!/usr/bin/python3
"""21-framing-lines: framing = lines, the websocketd model (design.md,
"What the backend receives"; issue 3).

- each client message, text or binary, reaches the backend as one line
  (payload + '\\n'), in order, the empty message included;
- each '\\n'-terminated line from the backend is one text message without
  its '\\n' (lines default to text), however the backend's writes split it;
- a client message that holds '\\n' is refused with close 1003, and the
  backend receives nothing of it, then EOF;
- a backend line longer than max_message_size ends the session with 1009
  and a log line.
"""
import asyncio
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
import harness

CONFIG = """\
[server]
listen = 127.0.0.1:{port}
{server_defaults}
[route /lines]
backend = unix:{dir}/lines.sock
framing = lines

[route /record]
backend = unix:{dir}/record.sock
framing = lines

[route /long]
backend = unix:{dir}/long.sock
framing = lines
max_message_size = 1k
"""

BACKEND_OUT = [b"first line\n", b"split ", b"across ", b"writes\n", b"\n",
               b"two\nlines\n", "caf\u00e9 \u20ac\n".encode()]
BACKEND_LINES = ["first line", "split across writes", "", "two", "lines",
                 "caf\u00e9 \u20ac"]


def lines_handler(conn):
    conn.sock.settimeout(5)
    for part in BACKEND_OUT:
        conn.sock.sendall(part)
        time.sleep(0.02)
    conn.read_to_eof(10)


def long_handler(conn):
    conn.sock.settimeout(5)
    conn.sock.sendall(b"short\n" + b"x" * 1025 + b"\n")
    conn.read_to_eof(10)


def main(env):
    env.backend("lines", lines_handler)
    rec = env.backend("record", harness.handler_record)
    env.backend("long", long_handler)
    env.start(CONFIG)

    async def lines():
        ws = await env.connect("/lines")
        got = []
        for _ in BACKEND_LINES:
            got.append(await asyncio.wait_for(ws.recv(), 5))
        env.check(got == BACKEND_LINES, "backend lines arrive as messages (%r)" % got)
        env.check(all(isinstance(m, str) for m in got), "lines are text messages")
        await ws.close()
    env.run_async(lines())

    async def record():
        ws = await env.connect("/record")
        await ws.send("hello")
        await ws.send(b"binary")
        await ws.send("")
        await ws.send("a\nb")
        msgs = await harness.recv_all(ws, 5)
        env.check(msgs == [], "nothing back (%r)" % msgs)
        env.check_ws_closed(ws, 1003, "client message with a newline")
    env.run_async(record())
    conn = rec.wait_conn(0)
    env.check(conn.wait_eof(5), "record: backend saw EOF")
    env.check(conn.received() == b"hello\nbinary\n\n",
              "record: one line per message, none of the refused one (%r)" % conn.received())

    async def long():
        ws = await env.connect("/long")
        msgs = await harness.recv_all(ws, 5)
        env.check(msgs == ["short"], "the line before the long one arrives (%r)" % msgs)
        env.check_ws_closed(ws, 1009, "backend line over max_message_size")
    env.run_async(long())
    env.check("line over max_message_size" in env.daemon_log(),
              "the log names the fault")


harness.run(os.path.basename(__file__)[:-3], main)
