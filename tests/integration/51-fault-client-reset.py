#!/usr/bin/python3
"""51-fault-client-reset: a client that resets its TCP connection (close()
with SO_LINGER 0) in the middle of a message (design.md, "When a session
ends": client TCP drops without close -> the backend sees the data
received before the drop, then EOF).

framing = lines, so the backend sees message boundaries.  Each round the
client sends N numbered messages, then part of one more -- (a) a frame
cut short of its announced length, (b) the first fragment of a
fragmented message, (c) a whole frame followed by nothing -- and resets.
In the first three rounds the client waits until the backend has the N
messages and gives the cut one time to reach wsgated before it resets:
the backend must read exactly the N messages (seq 0..N-1, each once, in
order, nothing of the cut one), then EOF.  In the other rounds it resets
at once; a reset discards what is still in the client's send buffer, so
the backend must read complete messages seq 0, 1, ..., in order, none
twice, nothing of a cut one, then EOF.  wsgated then holds the file
descriptors it held before.
"""
import os
import random
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
[route /rec]
backend = unix:{dir}/rec.sock
framing = lines
"""


def cut_frame(c):
    frame = harness.encode_frame(harness.OP_TEXT, b"y" * 50000)
    c.sock.sendall(frame[:1000])


def first_fragment(c):
    c.send_frame(harness.OP_TEXT, b"part one of three", fin=False)


def nothing(c):
    pass


def main(env):
    rec = env.backend("rec", harness.handler_record)
    env.start(CONFIG)
    pid = env.proc.pid
    base = len(faults.fds(pid))
    rnd = random.Random(os.getpid())
    index = 0
    for rnd_, how in enumerate((cut_frame, first_fragment, nothing) * 2):
        wait = rnd_ < 3
        n = rnd.randint(1, 200)
        c = env.closing(harness.RawClient(env.port))
        env.require(c.handshake("/rec") == 101, "%s: 101" % how.__name__)
        msgs = [faults.seq_line(i, rnd.randint(0, 2000)) for i in range(n)]
        for m in msgs:
            c.send_frame(harness.OP_TEXT, m)
        conn = rec.wait_conn(index)
        index += 1
        if wait:
            env.check(conn.wait_bytes(sum(len(m) + 1 for m in msgs), 10),
                      "%s: the backend has the %d messages" % (how.__name__, n))
        how(c)
        if wait:
            time.sleep(0.2)
        faults.linger0(c.sock)
        c.close()
        env.check(conn.wait_eof(5), "%s: the backend saw EOF" % how.__name__)
        data = conn.received()
        env.check(data.endswith(b"\n"), "%s: the backend's data ends with a whole line"
                  % how.__name__)
        faults.check_seq(env, data.split(b"\n")[:-1], "%s, %d messages%s"
                         % (how.__name__, n, ", waited" if wait else ""),
                         complete=n if wait else None)
    left = faults.wait_fds(pid, base)
    env.check(left <= base, "wsgated holds %d file descriptors, no more than before (%d)" % (left, base))


harness.run(os.path.basename(__file__)[:-3], main)
