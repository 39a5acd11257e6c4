#!/usr/bin/python3
"""07-close-client-tcp-drop: the client's TCP connection ends without a
close frame (design.md, "When a session ends": client TCP drops without
close -> the backend sees the data received before the drop, then EOF).

Raw client: upgrade by hand, send two masked binary frames (one of them
fragmented in two frames), then (a) close the socket, (b) shutdown(SHUT_WR)
and keep reading -- wsgated must then end the TCP connection as well
without hanging on to it.
"""
import os
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
import harness

CONFIG = """\
[server]
listen = 127.0.0.1:{port}
{server_defaults}
[route /rec]
backend = unix:{dir}/rec.sock
"""


def send_some(c):
    c.send_frame(harness.OP_BINARY, b"hello ")
    c.send_frame(harness.OP_BINARY, b"wor", fin=False)
    c.send_frame(harness.OP_CONT, b"ld\n", fin=True)
    c.send_frame(harness.OP_TEXT, b"x" * 3000)


WANT = b"hello world\n" + b"x" * 3000


def main(env):
    rec = env.backend("rec", harness.handler_record)
    env.start(CONFIG)

    # (a) close()
    c = env.closing(harness.RawClient(env.port))
    env.require(c.handshake("/rec") == 101, "close(): 101")
    send_some(c)
    conn = rec.wait_conn(0)
    conn.wait_bytes(len(WANT), 5)
    c.close()
    env.check(conn.wait_eof(5), "close(): backend saw EOF")
    env.check(conn.received() == WANT, "close(): backend received the data (%d of %d bytes)"
              % (len(conn.received()), len(WANT)))

    # (a') close() right after sending, without waiting for the data to arrive
    c = env.closing(harness.RawClient(env.port))
    env.require(c.handshake("/rec") == 101, "immediate close(): 101")
    send_some(c)
    c.close()
    conn = rec.wait_conn(1)
    env.check(conn.wait_eof(5), "immediate close(): backend saw EOF")
    env.check(conn.received() == WANT, "immediate close(): backend received the data "
              "(%d of %d bytes)" % (len(conn.received()), len(WANT)))

    # (b) shutdown(SHUT_WR): wsgated sees EOF from the client
    c = env.closing(harness.RawClient(env.port))
    env.require(c.handshake("/rec") == 101, "shutdown(): 101")
    send_some(c)
    c.sock.shutdown(socket.SHUT_WR)
    conn = rec.wait_conn(2)
    env.check(conn.wait_eof(5), "shutdown(): backend saw EOF")
    env.check(conn.received() == WANT, "shutdown(): backend received the data (%d of %d bytes)"
              % (len(conn.received()), len(WANT)))
    ended = None
    frames = []
    try:
        while True:
            frames.append(c.recv_frame(5))
    except harness.ConnectionEnded as e:
        ended = e.how
    except socket.timeout:
        ended = None
    env.check(ended is not None, "shutdown(): wsgated ended the TCP connection too (%s)" % ended)
    for f in frames:
        if f.opcode == harness.OP_CLOSE:
            env.check(f.close_code() not in harness.FORBIDDEN_CLOSE_CODES,
                      "shutdown(): close code %r is not 1005/1006/1015" % f.close_code())
    c.close()


harness.run(os.path.basename(__file__)[:-3], main)
