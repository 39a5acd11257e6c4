#!/usr/bin/python3
"""conformance/wsgated: the RFC 6455 conformance suite (run.py) against the
real wsgated, on a `framing = raw` route to an echo backend on a real UNIX
socket.  Passes only when every case is PASS (run.py --strict): no FAIL
and no NONSTRICT.

wsgated relays a byte stream to a raw backend, so an echoed message may
come back split (--echo-stream); `text = no` makes every echo binary, so
a split never cuts a UTF-8 sequence of a text message.
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
sys.dont_write_bytecode = True
import harness

MAX_MESSAGE_SIZE = 1 << 20
SUITE_TIMEOUT = 240     # run.py's cases are bounded one by one; this bounds them all

harness.TEST_TIMEOUT = SUITE_TIMEOUT + 20
harness.HARD_TIMEOUT = SUITE_TIMEOUT + 60

CONFIG = """\
[server]
listen = 127.0.0.1:{port}
{server_defaults}
[route /echo]
backend = unix:{dir}/echo.sock
framing = raw
text = no
max_message_size = %d
""" % MAX_MESSAGE_SIZE


def main(env):
    env.backend("echo", harness.handler_echo, backlog=64)
    env.start(CONFIG)
    results = env.path("results.json")
    cmd = [sys.executable, os.path.join(HERE, "run.py"), "--url", env.url("/echo"),
           "--echo-stream", "--max-message-size", str(MAX_MESSAGE_SIZE),
           "--strict", "--json", results]
    globs = os.environ.get("WSGATE_CONFORMANCE_CASES", "").split()
    for glob in globs:
        cmd += ["--case", glob]
    harness.log("# " + " ".join(cmd))
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          timeout=SUITE_TIMEOUT)
    for line in proc.stdout.decode("utf-8", "replace").splitlines():
        harness.log("# " + line)
    env.require(os.path.exists(results), "run.py wrote its results")
    with open(results) as f:
        cases = json.load(f)["cases"]
    env.check(len(cases) >= (1 if globs else 200), "the suite ran %d cases" % len(cases))
    for c in cases:
        env.check(c["result"] == "PASS", "%s (RFC 6455 %s): %s %s"
                  % (c["id"], c["section"], c["result"], c["detail"]))
    env.check(proc.returncode == 0, "run.py --strict exits 0 (got %d)" % proc.returncode)


harness.run("conformance-wsgated", main)
