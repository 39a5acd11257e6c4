#!/usr/bin/python3
"""16-cli-config-test: `wsgated -t -c FILE` checks the configuration and
exits (design.md, "Command line": 0 when valid; 1 with every error as
`FILE:LINE: message` on stderr, like `nginx -t`).

  * a valid file: exit 0, nothing on stdout, nothing listening;
  * a file with an unknown key on line 5 and a bad duration on line 7:
    exit 1, one "FILE:5: ..." and one "FILE:7: ..." line on stderr, and no
    error line for any other line (every error is reported, not only the
    first);
  * a duplicate route (second header on line 7), an unknown section
    (line 10) and a bad size (line 13): exit 1, errors for lines 7, 10, 13.
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
import harness

VALID = """\
[server]
listen = 127.0.0.1:{port}
close_timeout = 2s
handshake_timeout = 500ms
max_connections = 10

[route /echo]
backend = unix:{dir}/echo.sock
max_message_size = 64k
idle_timeout = 1h
ping_interval = 30s
ping_timeout = 30s
on_backend_down = close
text = yes

[route /files*]
backend = unix:{dir}/echo.sock
buffer_size = 1M
"""

BAD1 = """\
[server]
listen = 127.0.0.1:{port}

[route /echo]
no_such_key = 1
backend = unix:{dir}/echo.sock
idle_timeout = 5q
"""

BAD2 = """\
[server]
listen = 127.0.0.1:{port}

[route /echo]
backend = unix:{dir}/echo.sock

[route /echo]
backend = unix:{dir}/echo.sock

[nonsense]

[route /other]
max_message_size = 12parsecs
backend = unix:{dir}/echo.sock
"""


def run_t(env, name, text):
    path = env.write_config(text.format(port=harness.find_free_port(), dir=env.tmpdir), name)
    try:
        p = subprocess.run([harness.WSGATED, "-t", "-c", path], stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=10)
    except subprocess.TimeoutExpired:
        env.check(False, "%s: wsgated -t exits within 10 s" % name)
        return None, "", "", path
    out = p.stdout.decode("utf-8", "replace")
    err = p.stderr.decode("utf-8", "replace")
    harness.log("# wsgated -t -c %s -> %d\n# stdout: %r\n# stderr: %r" % (path, p.returncode, out, err))
    return p.returncode, out, err, path


def error_lines(err, path):
    """Line numbers of the 'PATH:LINE: message' lines of ERR."""
    lines = set()
    for l in err.splitlines():
        m = re.match(re.escape(path) + r":(\d+): \S", l)
        if m:
            lines.add(int(m.group(1)))
    return lines


def main(env):
    env.require(os.access(harness.WSGATED, os.X_OK), "wsgated binary exists: %s" % harness.WSGATED)
    env.backend("echo", harness.handler_echo)

    rc, out, err, path = run_t(env, "valid.ini", VALID)
    env.check(rc == 0, "valid file: exit status %s == 0" % rc)
    env.check(out == "", "valid file: nothing on stdout (%r)" % out)

    rc, out, err, path = run_t(env, "bad1.ini", BAD1)
    env.check(rc == 1, "bad1: exit status %s == 1" % rc)
    lines = error_lines(err, path)
    env.check(5 in lines, "bad1: '%s:5: ...' for the unknown key" % path)
    env.check(7 in lines, "bad1: '%s:7: ...' for the bad duration" % path)
    env.check(lines == {5, 7}, "bad1: errors for lines 5 and 7 only (%s)" % sorted(lines))
    env.check(out == "", "bad1: nothing on stdout (%r)" % out)

    rc, out, err, path = run_t(env, "bad2.ini", BAD2)
    env.check(rc == 1, "bad2: exit status %s == 1" % rc)
    lines = error_lines(err, path)
    env.check(7 in lines, "bad2: '%s:7: ...' for the duplicate route" % path)
    env.check(10 in lines, "bad2: '%s:10: ...' for the unknown section" % path)
    env.check(13 in lines, "bad2: '%s:13: ...' for the bad size" % path)
    env.check(lines <= {7, 8, 10, 13}, "bad2: no error for a valid line (%s)" % sorted(lines))


harness.run(os.path.basename(__file__)[:-3], main)
