#!/usr/bin/python3
"""20-close-protocol-errors: a client that breaks RFC 6455 gets the close
code libwebsockets chooses, and its backend sees the messages before it,
then EOF (design.md, "When a session ends": protocol error / invalid UTF-8
-> close 1002 / 1007, backend EOF).

- a frame with a reserved opcode (0x3)          -> 1002
- a text message that is not UTF-8              -> 1007

libwebsockets sends these close frames itself; what the backend writes
while it waits for the client's answer must not follow them (RFC 6455
5.5.1: no data frame after a close frame).
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
{server_defaults}
[route /rec]
backend = unix:{dir}/rec.sock
"""

CASES = [
    ("reserved opcode", 0x3, b"boom", 1002),
    ("invalid UTF-8 text", harness.OP_TEXT, b"bad \xff\xfe text", 1007),
]


def handler_record_then_wait(conn):
    """Record until EOF, then keep the socket a while: the test writes
    to it after wsgated's EOF."""
    conn.read_to_eof()
    time.sleep(3)


def main(env):
    rec = env.backend("rec", handler_record_then_wait)
    env.start(CONFIG)

    for i, (what, opcode, payload, code) in enumerate(CASES):
        c = env.closing(harness.RawClient(env.port))
        env.require(c.handshake("/rec") == 101, "%s: 101" % what)
        c.send_frame(harness.OP_BINARY, b"before\n")
        conn = rec.wait_conn(i)
        env.check(conn.wait_bytes(7, 5), "%s: the message before arrived" % what)
        c.send_frame(opcode, payload)
        close = None
        try:
            while close is None:
                f = c.recv_frame(5)
                if f.opcode == harness.OP_CLOSE:
                    close = f
        except (harness.ConnectionEnded, socket.timeout) as e:
            harness.log("# %s: no close frame: %r" % (what, e))
        env.require(close is not None, "%s: a close frame" % what)
        env.check_close_code(close.close_code(), code, what)
        conn.sock.sendall(b"after the close\n")
        after = None
        try:
            after = c.recv_frame(1)
        except (harness.ConnectionEnded, socket.timeout):
            pass
        env.check(after is None, "%s: nothing after the close frame (got %r)"
                  % (what, after and (after.opcode, after.payload)))
        c.send_close(close.close_code())    # answer it, as clients do
        env.check(conn.wait_eof(5), "%s: backend saw EOF" % what)
        env.check(conn.received() == b"before\n",
                  "%s: backend got only the message before (%r)" % (what, conn.received()))
        env.check(env.wait_log(r"session %d: end .* ended-by client close-sent %d "
                               % (i + 1, code)) is not None,
                  "%s: the summary line names the close lws sent (%d)" % (what, code))
        c.close()


harness.run(os.path.basename(__file__)[:-3], main)
