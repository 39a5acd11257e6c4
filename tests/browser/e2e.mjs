// e2e.mjs: wsgated end to end in a real browser, Debian's Chromium
// headless, driven by playwright-core.
//
// It starts wsgated ($WSGATED) with the demo page, examples/www, as
// [static /] and four routes -- /echo (text) and /bin (binary) to
// examples/echo-backend.py, /zecho (text, compression = deflate) to it
// too, /chat (lines) to examples/chat-backend.py, /hold to a backend that
// reads nothing -- and checks that:
//   1. wsgated itself serves the page, as text/html, at /;
//   2. the page connects to ws://HOST/echo, derived from its own
//      address, and gets its text message back (typed into its form,
//      echoed into its log);
//   3. a binary message of all 256 byte values comes back unchanged;
//   4. the browser negotiates permessage-deflate on /zecho (ws.extensions
//      in the page) and gets 200 KB of JSON back unchanged, and none on
//      /echo, whose route leaves compression off;
//   5. two pages chat through the chat backend: what one says shows in
//      the other's chat log, both ways;
//   6. a page sees close code 1011 when the /hold backend is killed
//      (SIGKILL, with a message left unread, so its socket is reset);
//   7. the pages see close code 1001 when wsgated drains on SIGTERM.
// A screenshot of the demo page goes to $WSGATE_BROWSER_OUT (default:
// the system's temporary directory).  Prints one line per check and
// "N passed, N failed"; exits 1 on any failure.
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { check, exited, freePort, run, start as spawnIn, waitFor } from "./lib.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const top = path.resolve(here, "..", "..");
const wsgated = process.env.WSGATED || path.join(top, "build", "src", "wsgated");
const outDir = process.env.WSGATE_BROWSER_OUT || os.tmpdir();
const python = "/usr/bin/python3";
const tmp = mkdtempSync(path.join("/tmp", "wsgate-browser-"));
const start = (cmd, args, name) => spawnIn(cmd, args, name, tmp);

// A backend that accepts and never reads, so a kill resets the socket.
const HOLD = `
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1])
s.listen(4)
conns = []
while True:
    conns.append(s.accept()[0])
`;

async function main() {
  const wsPort = await freePort();
  const echoSock = path.join(tmp, "echo.sock");
  const chatSock = path.join(tmp, "chat.sock");
  const holdSock = path.join(tmp, "hold.sock");
  writeFileSync(path.join(tmp, "wsgate.ini"), `[server]
listen = 127.0.0.1:${wsPort}
close_timeout = 2s
shutdown_timeout = 2s
ping_interval = 0

[route /echo]
backend = unix:${echoSock}
text = yes

[route /bin]
backend = unix:${echoSock}

[route /zecho]
backend = unix:${echoSock}
text = yes
compression = deflate

[route /chat]
backend = unix:${chatSock}
framing = lines

[route /hold]
backend = unix:${holdSock}

[static /]
root = ${path.join(top, "examples", "www")}
`);
  start(python, [path.join(top, "examples", "echo-backend.py"), echoSock], "echo");
  start(python, [path.join(top, "examples", "chat-backend.py"), chatSock], "chat");
  const hold = start(python, ["-c", HOLD, holdSock], "hold");
  const gw = start(wsgated, ["-c", path.join(tmp, "wsgate.ini")], "wsgated");
  if (!check(await waitFor(echoSock, 10000) && await waitFor(chatSock, 10000) &&
      await waitFor(holdSock, 10000) &&
      await waitFor({ host: "127.0.0.1", port: wsPort }, 10000),
      "backends and wsgated are up"))
    return;

  const context = await chromium.launchPersistentContext(path.join(tmp, "profile"), {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
      "--disable-background-networking", "--disable-component-update",
      "--disable-sync", "--no-first-run"],
  });
  try {
    const site = `http://127.0.0.1:${wsPort}/`;
    const logOf = (p, id = "log") => p.locator("#" + id).textContent();
    const waitLog = async (p, text, id = "log") => {
      try {
        await p.waitForFunction(([i, t]) =>
          document.getElementById(i).textContent.includes(t), [id, text],
          { timeout: 10000 });
        return true;
      } catch {
        return false;
      }
    };

    // 1. The page, from wsgated's [static /].
    const demo = context.pages()[0] || await context.newPage();
    const res = await demo.goto(site + "?name=alice");
    check(res && res.status() === 200 &&
      (res.headers()["content-type"] || "").startsWith("text/html"),
      "wsgated serves the demo page at / as text/html (" +
      (res && res.status()) + ", " + (res && res.headers()["content-type"]) + ")");

    // 2. Text, through the demo page's own form, to ws://HOST/echo.
    check(await waitLog(demo, "open"), "the demo page connects through wsgated");
    check(await demo.locator("#url").textContent() === `ws://127.0.0.1:${wsPort}/echo`,
      "the page derives its WebSocket URL from its own address");
    await demo.fill("#msg", "héllo through wsgate ✓");
    await demo.click("#send");
    check(await waitLog(demo, "< héllo through wsgate ✓"),
      "the text message comes back from the echo backend");

    // 3. Binary: every byte value, back unchanged.
    const bin = await demo.evaluate((url) => new Promise((resolve) => {
      const b = new WebSocket(url);
      b.binaryType = "arraybuffer";
      const sent = new Uint8Array(256).map((_, i) => i);
      b.onopen = () => b.send(sent);
      b.onmessage = (e) => {
        const got = new Uint8Array(e.data);
        resolve({ binary: e.data instanceof ArrayBuffer,
          same: got.length === 256 && got.every((v, i) => v === i) });
        b.close(1000);
      };
      b.onclose = (e) => resolve({ closed: e.code });
    }), `ws://127.0.0.1:${wsPort}/bin`);
    check(bin.binary && bin.same, "a binary message of all 256 byte values comes back unchanged (" +
      JSON.stringify(bin) + ")");

    // 4. permessage-deflate where the route has it, and only there.
    const deflate = await demo.evaluate((urls) => Promise.all(urls.map((url) =>
      new Promise((resolve) => {
        const z = new WebSocket(url);
        const rows = [];
        for (let i = 0; rows.join("").length < 200000; i++)
          rows.push(JSON.stringify({ id: i, user: "u" + (i % 7), text: "row " + i }) + "\n");
        const sent = rows.join("");
        let got = "";
        z.onopen = () => z.send(sent);
        z.onmessage = (e) => {
          got += e.data;
          if (got.length >= sent.length) {
            resolve({ extensions: z.extensions, same: got === sent });
            z.close(1000);
          }
        };
        z.onclose = (e) => resolve({ closed: e.code, extensions: z.extensions });
      }))), [`ws://127.0.0.1:${wsPort}/zecho`, `ws://127.0.0.1:${wsPort}/echo`]);
    check(deflate[0].extensions.startsWith("permessage-deflate") && deflate[0].same,
      "compression = deflate: the browser negotiates permessage-deflate and " +
      "200 KB of JSON come back unchanged (" + JSON.stringify(deflate[0]) + ")");
    check(deflate[1].extensions === "" && deflate[1].same,
      "compression off: no extension, the same text comes back (" +
      JSON.stringify(deflate[1]) + ")");

    // 5. Two pages chat through examples/chat-backend.py.
    const other = await context.newPage();
    await other.goto(site + "?name=bob");
    check(await waitLog(demo, "open", "chat-log") &&
      await waitLog(other, "open", "chat-log"), "both pages join the chat");
    await demo.fill("#chat-msg", "hello from alice");
    await demo.click("#chat-send");
    check(await waitLog(other, "< alice: hello from alice", "chat-log"),
      "the second page shows what the first says (" +
      (await logOf(other, "chat-log")).trim().split("\n").pop() + ")");
    await other.fill("#chat-msg", "hi alice, bob here");
    await other.click("#chat-send");
    check(await waitLog(demo, "< bob: hi alice, bob here", "chat-log"),
      "the first page shows what the second says (" +
      (await logOf(demo, "chat-log")).trim().split("\n").pop() + ")");

    // 6. The backend is killed: 1011.
    const held = await context.newPage();
    await held.goto(site + "?url=" +
      encodeURIComponent(`ws://127.0.0.1:${wsPort}/hold`));
    check(await waitLog(held, "open"), "a third page connects to the /hold backend");
    await held.fill("#msg", "left unread");
    await held.click("#send");
    await new Promise((r) => setTimeout(r, 300));
    hold.kill("SIGKILL");
    check(await waitLog(held, "closed: code 1011"),
      "the page sees close code 1011 when its backend is killed (" +
      (await logOf(held)).trim().split("\n").pop() + ")");

    // 7. wsgated drains: 1001, and exits 0.
    gw.kill("SIGTERM");
    check(await waitLog(demo, "closed: code 1001"),
      "the demo page sees close code 1001 when wsgated drains (" +
      (await logOf(demo)).trim().split("\n").pop() + ")");
    check(await waitLog(other, "closed: code 1001", "chat-log"),
      "the chat of the second page sees close code 1001 too (" +
      (await logOf(other, "chat-log")).trim().split("\n").pop() + ")");
    check(await exited(gw, 10000) && gw.exitCode === 0, "wsgated exits 0 after draining");
    const shot = path.join(outDir, "wsgate-browser-e2e.png");
    await demo.screenshot({ path: shot });
    console.log("# screenshot: " + shot);
  } finally {
    await context.close();
  }
}

await run(main, tmp, 90);
