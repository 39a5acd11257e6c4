// lib.mjs: what the browser tests share: one line per check, child
// processes ended at the end (their stderr shown when a check failed),
// free ports, waiting for a listener, and the run with its time bound.
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import net from "node:net";

const procs = [];
let passed = 0;
let failed = 0;

export function check(ok, what) {
  console.log((ok ? "ok   - " : "FAIL - ") + what);
  if (ok) passed++;
  else failed++;
  return ok;
}

// CMD with ARGS in directory CWD, its stderr kept for the report.
export function start(cmd, args, name, cwd, env = process.env) {
  const p = spawn(cmd, args, { cwd, env, stdio: ["ignore", "ignore", "pipe"] });
  p.name = name;
  p.err = "";
  p.stderr.on("data", (d) => { p.err += d; });
  procs.push(p);
  return p;
}

export function exited(p, ms) {
  if (p.exitCode !== null || p.signalCode !== null)
    return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    p.once("exit", () => { clearTimeout(t); resolve(true); });
  });
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

// Resolves once something accepts connections on PATH or PORT.
export async function waitFor(target, ms) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const ok = await new Promise((resolve) => {
      const c = net.connect(target, () => { c.destroy(); resolve(true); });
      c.on("error", () => resolve(false));
    });
    if (ok)
      return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

async function cleanup(tmp) {
  for (const p of procs) {
    if (p.exitCode === null && p.signalCode === null) {
      p.kill("SIGKILL");
      await exited(p, 5000);
    }
  }
  if (failed > 0)
    for (const p of procs)
      if (p.err)
        console.log(`# ---- ${p.name} stderr ----\n` + p.err.replace(/^/gm, "# "));
  rmSync(tmp, { recursive: true, force: true });
}

// MAIN within SECS seconds, then every process ended and TMP removed;
// prints "N passed, N failed" and exits 1 on any failure.
export async function run(main, tmp, secs) {
  const guard = setTimeout(() => {
    check(false, `the test finished within ${secs} s`);
    cleanup(tmp).then(() => process.exit(1));
  }, secs * 1000);
  try {
    await main();
  } catch (e) {
    check(false, "no exception: " + (e && e.stack || e));
  }
  clearTimeout(guard);
  await cleanup(tmp);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 && passed > 0 ? 0 : 1);
}
