#!/usr/bin/python3
"""18-timeout-handshake: a client trickling its upgrade request is cut off
at handshake_timeout (slowloris), trickling does not extend the deadline,
and it never reaches the backend.  A client that completes its request in
time is served.
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
handshake_timeout = 2s
{server_defaults}
[route /echo]
backend = unix:{dir}/echo.sock
"""


def main(env):
    echo = env.backend("echo", harness.handler_echo)
    env.start(CONFIG)

    s = env.closing(socket.create_connection(("127.0.0.1", env.port)))
    t0 = time.monotonic()
    ended = None
    try:
        s.sendall(b"GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        for i in range(40):
            time.sleep(0.25)
            s.sendall(b"X-Slow-%d: 1\r\n" % i)
        s.settimeout(5)
        ended = "open" if s.recv(1) else "eof"
    except (BrokenPipeError, ConnectionResetError):
        ended = "reset"
    except socket.timeout:
        ended = "timeout"
    dt = time.monotonic() - t0
    env.check(ended in ("reset", "eof"), "slow client: connection ended (%s)" % ended)
    env.check(1.5 <= dt <= 4.0, "slow client: cut off after %.2f s (1.5 .. 4 s)" % dt)
    env.check(len(echo.conns) == 0,
              "slow client: the backend accepted no connection (%d)" % len(echo.conns))

    c = env.closing(harness.RawClient(env.port))
    c.send_request("/echo")
    env.check(c.read_response_head() == 101, "a prompt client gets 101")


harness.run(os.path.basename(__file__)[:-3], main)
