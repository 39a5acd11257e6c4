#!/usr/bin/python3
"""14-timeout-close-unanswered: a peer that never answers a close frame has
its TCP connection closed by wsgated after close_timeout (design.md, "When
a session ends": peer never answers a close -> TCP closed after
close_timeout).

close_timeout = 1s.  The backend closes right after accepting (orderly
EOF), so wsgated sends close 1000 to the raw client, which keeps reading
but never sends a close frame back.  The TCP connection must end 0.5 .. 4 s
after the close frame arrived.
"""
import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
import harness

CONFIG = """\
[server]
listen = 127.0.0.1:{port}
close_timeout = 1s
shutdown_timeout = 2s

[route /gone]
backend = unix:{dir}/gone.sock
"""


def gone_handler(conn):
    time.sleep(0.3)
    conn.sock.sendall(b"last words\n")


def main(env):
    env.backend("gone", gone_handler)
    env.start(CONFIG)

    c = env.closing(harness.RawClient(env.port))
    env.require(c.handshake("/gone") == 101, "raw: 101")
    data = b""
    close = None
    while close is None:
        f = c.recv_frame(5)
        if f.opcode == harness.OP_CLOSE:
            close = f
        elif f.opcode in (harness.OP_BINARY, harness.OP_CONT, harness.OP_TEXT):
            data += f.payload
    t_close = time.monotonic()
    env.check(data == b"last words\n", "raw: backend data arrived before the close (%r)" % data)
    env.check_close_code(close.close_code(), 1000, "raw client")
    ended = None
    extra = []
    try:
        while time.monotonic() - t_close < 8:
            extra.append(c.recv_frame(8 - (time.monotonic() - t_close)))
    except harness.ConnectionEnded as e:
        ended = e.how
    except socket.timeout:
        pass
    dt = time.monotonic() - t_close
    env.check(not [f for f in extra if f.opcode != harness.OP_PING],
              "raw: nothing but pings after the close frame (%r)" % extra)
    env.check(ended is not None, "raw: wsgated closed the TCP connection (%s)" % ended)
    env.check(0.5 <= dt <= 4.0, "raw: TCP closed %.2f s after the close frame (0.5 .. 4 s)" % dt)


harness.run(os.path.basename(__file__)[:-3], main)
