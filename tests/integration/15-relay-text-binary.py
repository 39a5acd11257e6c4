#!/usr/bin/python3
"""15-relay-text-binary: the opcode of messages from a raw backend is set
by the route's `text` key (design.md, configuration: `text` = yes/no,
default no): with text = yes they arrive as text (str), by default as
binary (bytes).  In the other direction both text and binary client
messages reach the backend as their payload bytes, unchanged.

Each backend writes a greeting, then echoes.
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
{server_defaults}
[route /text]
backend = unix:{dir}/echo.sock
text = yes

[route /bin]
backend = unix:{dir}/echo.sock

[route /binno]
backend = unix:{dir}/echo.sock
text = no
"""


def greet_echo(conn):
    conn.sock.sendall(b"hello\n")
    harness.handler_echo(conn)


async def recv_exactly(ws, n):
    """Messages until N payload bytes have arrived (raw framing does not
    keep boundaries)."""
    msgs = []
    total = 0
    while total < n:
        m = await asyncio.wait_for(ws.recv(), 5)
        msgs.append(m)
        total += len(m.encode() if isinstance(m, str) else m)
    return msgs


def main(env):
    be = env.backend("echo", greet_echo)
    env.start(CONFIG)

    async def client(index, path, kind):
        ws = await env.connect(path)
        msgs = await recv_exactly(ws, 6)
        env.check(all(isinstance(m, kind) for m in msgs),
                  "%s: greeting arrives as %s (%r)" % (path, kind.__name__, msgs))
        # binary payload: arbitrary bytes, except on the text route, whose
        # echo must be valid UTF-8 to go out as text
        binary = b"\x00\x01\xfe\xff" if kind is bytes else b"bin \x01\n"
        await ws.send("text é\n")
        await ws.send(binary)
        want = "text é\n".encode() + binary
        conn = be.wait_conn(index)
        conn.wait_bytes(len(want), 5)
        env.check(conn.received() == want, "%s: backend received text and binary payloads as "
                  "bytes (%r)" % (path, conn.received()))
        msgs = await recv_exactly(ws, len(want))
        got = b"".join(m.encode() if isinstance(m, str) else m for m in msgs)
        env.check(all(isinstance(m, kind) for m in msgs) and got == want,
                  "%s: echo arrives as %s, unchanged (%r)" % (path, kind.__name__, msgs))
        await ws.close()
        env.check_ws_closed(ws, 1000, path)

    env.run_async(client(0, "/text", str))
    env.run_async(client(1, "/bin", bytes))
    env.run_async(client(2, "/binno", bytes))


harness.run(os.path.basename(__file__)[:-3], main)
