#!/usr/bin/python3
"""34-reuse-port: "reuse_port = yes" lets several wsgated share one port
(design.md, "Architecture": one instance per core, wsgated@.service):

  * a second wsgated with the same file starts, and the kernel spreads
    new clients over both (each serves some of 32 sessions);
  * without reuse_port, a second wsgated on a taken port exits 1.
"""
import asyncio
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
import harness

CONFIG = """\
[server]
listen = 127.0.0.1:{port}
reuse_port = yes
{server_defaults}
[route /echo]
backend = unix:{dir}/echo.sock
"""

PLAIN = CONFIG.replace("reuse_port = yes\n", "")


def main(env):
    env.backend("echo", harness.handler_echo)
    env.start(CONFIG)
    log2 = env.path("second.stderr")
    with open(log2, "wb") as f:
        second = subprocess.Popen([harness.WSGATED, "-d", "-c", env.config_path],
                                  stdin=subprocess.DEVNULL, stdout=f, stderr=f,
                                  cwd=env.tmpdir)
    try:
        env.require(env.wait_log(r"started", 10) is not None, "first instance up")
        ok = False
        for _ in range(100):
            with open(log2, "rb") as f:
                if b"started" in f.read():
                    ok = True
                    break
            if second.poll() is not None:
                break
            time.sleep(0.1)
        env.require(ok, "a second instance with reuse_port = yes starts on the same port")

        async def sessions():
            for i in range(32):
                async with env.connect("/echo") as ws:
                    await ws.send(b"x")
                    env.require(await asyncio.wait_for(ws.recv(), 5) == b"x",
                                "session %d relays" % i)
        env.run_async(sessions())
        for _ in range(100):    # the last end lines follow the backend's EOF
            with open(log2, "rb") as f:
                n2 = f.read().count(b": end route /echo")
            n1 = env.daemon_log().count(": end route /echo")
            if n1 + n2 == 32:
                break
            time.sleep(0.1)
        env.check(n1 + n2 == 32 and n1 > 0 and n2 > 0,
                  "both instances served clients (%d and %d of 32)" % (n1, n2))
        second.terminate()
        env.check(second.wait(15) == 0, "second instance drains and exits 0")
    finally:
        if second.poll() is None:
            second.kill()
            second.wait()

    env.stop()
    env.start(PLAIN)
    env.write_config(PLAIN.format(port=env.port, dir=env.tmpdir,
                                  server_defaults=harness.SERVER_DEFAULTS), "plain.ini")
    r = subprocess.run([harness.WSGATED, "-c", env.path("plain.ini")],
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=30)
    env.check(r.returncode == 1 and b"Address already in use" in r.stderr,
              "without reuse_port a second instance exits 1 (%d: %r)"
              % (r.returncode, r.stderr[-200:]))


harness.run(os.path.basename(__file__)[:-3], main)
