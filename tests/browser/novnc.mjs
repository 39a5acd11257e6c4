// novnc.mjs: noVNC through wsgated against a real VNC server, in Debian's
// headless Chromium (playwright-core, as e2e.mjs).
//
// It starts TigerVNC's Xvnc on a free display, listening on a UNIX
// socket (-rfbunixpath) and on a loopback TCP port, paints the root
// window a known colour with xsetroot (the tiny X client), and starts
// wsgated ($WSGATED) with Debian's /usr/share/novnc as [static /] and
// three routes to the same desktop: /websockify (unix:, as in
// examples/novnc/wsgate.ini), /tcp (a tcp: backend) and /vnc (a token
// map, ?token=).  For each route it opens
// vnc.html?autoconnect=1&path=..., waits until noVNC says it is
// connected, and checks that the canvas shows the painted pixels; then
// repaints the desktop and checks that the canvas follows.  Prints one
// line per check and "N passed, N failed"; exits 1 on any failure.
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { check, exited, freePort, run, start as spawnIn, waitFor } from "./lib.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const top = path.resolve(here, "..", "..");
const wsgated = process.env.WSGATED || path.join(top, "build", "src", "wsgated");
const novnc = "/usr/share/novnc";
const tmp = mkdtempSync(path.join("/tmp", "wsgate-novnc-"));
const start = (cmd, args, name, env) => spawnIn(cmd, args, name, tmp, env);

// A display number nobody uses: no lock file, no socket.
function freeDisplay() {
  for (let n = 50 + (process.pid % 200); n < 1000; n++)
    if (!existsSync(`/tmp/.X${n}-lock`) && !existsSync(`/tmp/.X11-unix/X${n}`))
      return n;
  throw new Error("no free X display");
}

// Paint the root window COLOUR with xsetroot; resolves to its exit code.
async function paint(display, colour) {
  const p = start("xsetroot", ["-solid", colour], "xsetroot",
    { ...process.env, DISPLAY: `:${display}` });
  await exited(p, 5000);
  return p.exitCode;
}

// The RGB of noVNC's canvas at fractions (fx, fy) of its size.
function pixels(page, points) {
  return page.evaluate((pts) => {
    const c = document.querySelector("#noVNC_container canvas");
    if (!c || c.width === 0)
      return null;
    const g = c.getContext("2d");
    return pts.map(([fx, fy]) => Array.from(g.getImageData(
      Math.floor(c.width * fx), Math.floor(c.height * fy), 1, 1).data.slice(0, 3)));
  }, points);
}

const POINTS = [[0.5, 0.5], [0.05, 0.05], [0.95, 0.9], [0.3, 0.7]];

async function canvasIs(page, rgb, ms) {
  const deadline = Date.now() + ms;
  let got = null;
  while (Date.now() < deadline) {
    got = await pixels(page, POINTS);
    if (got && got.every((p) => p.every((v, i) => Math.abs(v - rgb[i]) <= 2)))
      return { ok: true, got };
    await new Promise((r) => setTimeout(r, 100));
  }
  return { ok: false, got };
}

async function main() {
  const display = freeDisplay();
  const vncSock = path.join(tmp, "vnc.sock");
  const vncPort = await freePort();
  const wsPort = await freePort();
  const xvnc = start("Xvnc", [`:${display}`, "-rfbunixpath", vncSock,
    "-rfbport", String(vncPort), "-localhost", "-SecurityTypes", "None",
    "-geometry", "320x240", "-depth", "24", "-nolisten", "tcp"], "Xvnc");
  writeFileSync(path.join(tmp, "tokens"),
    `# websockify's TokenFile format\ndesk: 127.0.0.1:${vncPort}\n`);
  writeFileSync(path.join(tmp, "wsgate.ini"), `[server]
listen = 127.0.0.1:${wsPort}
close_timeout = 2s
shutdown_timeout = 2s
idle_timeout = 0

[route /websockify]
backend = unix:${vncSock}
subprotocols = binary

[route /tcp]
backend = tcp:127.0.0.1:${vncPort}

[route /vnc]
targets = ${path.join(tmp, "tokens")}
allow_targets = 127.0.0.1:${vncPort}

[static /]
root = ${novnc}
`);
  if (!check(await waitFor(vncSock, 10000) &&
      await waitFor({ host: "127.0.0.1", port: vncPort }, 10000),
      `Xvnc :${display} listens on ${vncSock} and 127.0.0.1:${vncPort}`))
    return;
  check(await paint(display, "#ff8000") === 0, "xsetroot paints the desktop orange");
  const gw = start(wsgated, ["-c", path.join(tmp, "wsgate.ini")], "wsgated");
  if (!check(await waitFor({ host: "127.0.0.1", port: wsPort }, 10000),
      "wsgated is up"))
    return;

  const context = await chromium.launchPersistentContext(path.join(tmp, "profile"), {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
      "--disable-background-networking", "--disable-component-update",
      "--disable-sync", "--no-first-run"],
  });
  try {
    const routes = [
      ["unix: backend", "websockify"],
      ["tcp: backend", "tcp"],
      ["token map", encodeURIComponent("vnc?token=desk")],
    ];
    let colour = [255, 128, 0];
    for (const [what, p] of routes) {
      const page = await context.newPage();
      const res = await page.goto(`http://127.0.0.1:${wsPort}/vnc.html?autoconnect=1&path=${p}`);
      check(res && res.status() === 200, `${what}: wsgated serves noVNC's vnc.html`);
      let connected = true;
      try {
        await page.waitForFunction(() =>
          document.documentElement.classList.contains("noVNC_connected"),
          null, { timeout: 15000 });
      } catch {
        connected = false;
      }
      const status = await page.locator("#noVNC_status").textContent().catch(() => "?");
      if (!check(connected, `${what}: noVNC reports connected (${status.trim()})`)) {
        await page.close();
        continue;
      }
      let r = await canvasIs(page, colour, 10000);
      check(r.ok, `${what}: the canvas shows the desktop's colour ` +
        `${JSON.stringify(colour)} (${JSON.stringify(r.got)})`);
      // Live: the desktop changes, the canvas follows.
      const next = colour[0] === 255 ? [0, 64, 255] : [255, 128, 0];
      await paint(display, "#" + next.map((v) => v.toString(16).padStart(2, "0")).join(""));
      r = await canvasIs(page, next, 10000);
      check(r.ok, `${what}: repainted, the canvas follows to ${JSON.stringify(next)} ` +
        `(${JSON.stringify(r.got)})`);
      colour = next;
      await page.screenshot({ path: path.join(process.env.WSGATE_BROWSER_OUT || tmp,
        `novnc-${p.replace(/[^a-z]/g, "")}.png`) }).catch(() => {});
      await page.close();
    }
  } finally {
    await context.close();
  }
  gw.kill("SIGTERM");
  check(await exited(gw, 10000) && gw.exitCode === 0, "wsgated drains and exits 0");
  xvnc.kill("SIGTERM");
  await exited(xvnc, 5000);
}

await run(main, tmp, 90);
