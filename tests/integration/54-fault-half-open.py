#!/usr/bin/python3
"""54-fault-half-open: clients that send FIN without a close frame
(shutdown(SHUT_WR)) and keep their side open (design.md, "When a session
ends": client TCP drops without close -> the backend sees the data
received before the drop, then EOF).

Eight clients at once on an echo route (framing = lines), each sends a
random number of numbered messages -- half of them then the first bytes
of one more -- and sends FIN.  Each backend connection must read exactly
the complete messages (seq 0..N-1, once each, in order), then EOF; each
client must see wsgated end its TCP connection within close_timeout and
a margin, with no close code 1005/1006/1015 on the wire and what it
received before being echoes of its messages, in order.  wsgated then
holds the file descriptors it held before.
"""
import os
import random
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
import harness
import faults

CONFIG = """\
[server]
listen = 127.0.0.1:{port}
{server_defaults}
[route /echo]
backend = unix:{dir}/echo.sock
framing = lines
text = yes
"""

CLIENTS = 8


def main(env):
    echo = env.backend("echo", harness.handler_echo)
    env.start(CONFIG)
    pid = env.proc.pid
    base = len(faults.fds(pid))
    rnd = random.Random(os.getpid())

    clients = []
    for i in range(CLIENTS):
        c = env.closing(harness.RawClient(env.port))
        env.require(c.handshake("/echo") == 101, "client %d: 101" % i)
        n = rnd.randint(1, 50)
        msgs = [faults.seq_line(k, rnd.randint(0, 500)) for k in range(n)]
        clients.append((c, msgs))
    # The backend connection of each client, matched by its first message.
    for i, (c, msgs) in enumerate(clients):
        for m in msgs:
            c.send_frame(harness.OP_TEXT, m)
        if i % 2:
            c.sock.sendall(harness.encode_frame(harness.OP_TEXT, b"cut " * 100)[:50])
        c.sock.shutdown(socket.SHUT_WR)

    t0 = time.monotonic()
    for i, (c, msgs) in enumerate(clients):
        frames, how = [], None
        try:
            while True:
                frames.append(c.recv_frame(8))
        except harness.ConnectionEnded as e:
            how = e.how
        except socket.timeout:
            how = None
        env.check(how is not None, "client %d: wsgated ended the TCP connection" % i)
        echoed = [f.payload for f in frames if f.opcode == harness.OP_TEXT]
        for f in frames:
            if f.opcode == harness.OP_CLOSE:
                env.check(f.close_code() not in harness.FORBIDDEN_CLOSE_CODES,
                          "client %d: close code %r" % (i, f.close_code()))
        env.check(echoed == msgs[:len(echoed)],
                  "client %d: %d echoes, in order, of its own messages" % (i, len(echoed)))
    env.check(time.monotonic() - t0 < 8, "every client's connection ended within 8 s")

    for i in range(CLIENTS):
        conn = echo.wait_conn(i)
        env.check(conn.wait_eof(5), "backend connection %d saw EOF" % i)
    got = sorted(echo.conns[i].received() for i in range(CLIENTS))
    want = sorted(b"".join(m + b"\n" for m in msgs) for _, msgs in clients)
    env.check(got == want, "each backend connection read exactly its client's messages")
    for i in range(CLIENTS):
        faults.check_seq(env, echo.conns[i].received().split(b"\n")[:-1],
                         "backend connection %d" % i)
    left = faults.wait_fds(pid, base)
    env.check(left <= base, "wsgated holds %d file descriptors, no more than before (%d)" % (left, base))


harness.run(os.path.basename(__file__)[:-3], main)
