#!/usr/bin/python3
"""33-systemd-socket-activation: listening sockets passed the way systemd
passes them (LISTEN_FDS, LISTEN_PID; here by systemd-socket-activate from
Debian's systemd package) are used instead of the listen lines (design.md,
"Command line"; issue 5):

  * both passed sockets serve; the configured listen address is not bound;
  * a reload keeps the passed sockets (its listen lines are not used);
  * SIGTERM drains and exits 0 as usual.
"""
import asyncio
import os
import shutil
import socket
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
import harness

CONFIG = """\
[server]
listen = 127.0.0.1:{unused}
{server_defaults}
[route /echo]
backend = unix:{dir}/echo.sock
"""

ACTIVATE = shutil.which("systemd-socket-activate") or "/usr/bin/systemd-socket-activate"


def main(env):
    env.backend("echo", harness.handler_echo)
    env.require(os.access(ACTIVATE, os.X_OK), "systemd-socket-activate is installed")
    unused = harness.find_free_port()
    env.port = harness.find_free_port()
    port2 = harness.find_free_port()
    text = CONFIG.format(unused=unused, dir=env.tmpdir,
                         server_defaults=harness.SERVER_DEFAULTS)
    env.config_path = env.write_config(text)
    args = [ACTIVATE, "-l", "127.0.0.1:%d" % env.port, "-l", "127.0.0.1:%d" % port2]
    for var in ("PATH", "WSGATED_REAL", "ASAN_OPTIONS", "UBSAN_OPTIONS"):
        if var in os.environ:
            args += ["-E", var]
    args += [harness.WSGATED, "-d", "-c", env.config_path]
    env.logf = open(env.logfile, "ab")
    env.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=env.logf,
                                stderr=env.logf, cwd=env.tmpdir)
    env.require(env._wait_listening(10), "socket-activated wsgated serves")
    env.require(env.wait_log(r"socket activation: listening on 2 sockets", 10),
                "wsgated logs that it took 2 sockets from systemd")

    async def echo(port, msg):
        async with harness.websockets.connect(
                "ws://127.0.0.1:%d/echo" % port, ping_interval=None,
                compression=None, open_timeout=5) as ws:
            await ws.send(msg)
            return await asyncio.wait_for(ws.recv(), 5) == msg

    env.check(env.run_async(echo(env.port, b"one\n")), "first passed socket relays")
    env.check(env.run_async(echo(port2, b"two\n")), "second passed socket relays")
    try:
        socket.create_connection(("127.0.0.1", unused), timeout=2).close()
        bound = True
    except OSError:
        bound = False
    env.check(not bound, "the listen line's address is not bound")

    env.check(env.reload(CONFIG.replace("{unused}", str(harness.find_free_port()))),
              "reload taken")
    env.check(env.run_async(echo(env.port, b"three\n")), "passed socket relays after a reload")


harness.run(os.path.basename(__file__)[:-3], main)
