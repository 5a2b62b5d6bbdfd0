#!/usr/bin/env node
// End-to-end test of the voice room in a real browser: three Chromium pages join one room through
// web/voice/ against a real `onair serve`, form a WebRTC full mesh with audio flowing both ways
// between every pair, and run the broadcast consent flow (decline, approve, stop on leave). The bus
// events are observed in the server's JSON log ("event published" lines).
//
//   node tests/e2e/voice_browser.test.mjs <path/to/onair> [<web root>]
//
// Environment: ONAIR_TEST_ARTIFACTS (screenshots; default ./test-artifacts), CHROMIUM_PATH
// (default /usr/bin/chromium), E2E_HEADFUL=1 to watch. Needs `npm ci` in tests/e2e (see setup.sh).
// Exit code 0 on success, 1 on failure (the reason is printed last).

import { spawn, execFile } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "..", "..");
const onairBin = path.resolve(process.argv[2] || process.env.ONAIR_BIN || path.join(repo, "build/debug/src/onair"));
const webRoot = path.resolve(process.argv[3] || path.join(repo, "web"));
const chromiumPath = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const artifacts = path.resolve(process.env.ONAIR_TEST_ARTIFACTS || "test-artifacts");
const secret = crypto.randomBytes(32).toString("hex"); // 64 chars
const CONSENT_TIMEOUT_SECONDS = 10;
const TEST_DEADLINE_MS = 240_000; // below the CTest TIMEOUT of 300 s

const started = Date.now();
const log = (message) => console.log(`[e2e ${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${message}`);

class TestFailure extends Error {}
const running = { server: null }; // for the watchdog
function check(condition, message) {
  if (!condition) throw new TestFailure(message);
}

async function waitFor(what, probe, { timeoutMs = 20_000, intervalMs = 200 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await probe();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      const detail = last instanceof Error ? `: ${last.message}` : last !== undefined ? ` (last: ${JSON.stringify(last)})` : "";
      throw new TestFailure(`timed out after ${timeoutMs} ms waiting for ${what}${detail}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// ------------------------------------------------------------------------------------------------
// The server, its log

class OnairServer {
  constructor() {
    this.lines = [];
    this.events = []; // parsed JSON log lines
    this.process = null;
    this.exited = null;
  }

  async start() {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), "onair-e2e-"));
    this.port = await freePort();
    this.base = `http://127.0.0.1:${this.port}`;
    this.env = {
      PATH: process.env.PATH,
      HOME: this.dir,
      ASAN_OPTIONS: process.env.ASAN_OPTIONS || "",
      UBSAN_OPTIONS: process.env.UBSAN_OPTIONS || "",
      ONAIR_JWT_SECRET: secret,
      ONAIR_PORT: String(this.port),
      ONAIR_BIND_ADDRESS: "127.0.0.1",
      ONAIR_WEB_ROOT: webRoot,
      ONAIR_SQLITE_PATH: path.join(this.dir, "onair.db"),
      ONAIR_LOG_LEVEL: "info",
      ONAIR_SHUTDOWN_DRAIN_SECONDS: "2",
      VOICE_SERVICE_ENABLED: "true",
      VOICE_AD_HOC_ROOMS_ENABLED: "true",
      VOICE_STUN_SERVERS: "",
      VOICE_BROADCAST_CONSENT_TIMEOUT_SECONDS: String(CONSENT_TIMEOUT_SECONDS),
    };
    log(`starting ${onairBin} serve on ${this.base} (web root ${webRoot})`);
    this.process = spawn(onairBin, ["serve"], { env: this.env, cwd: this.dir, stdio: ["ignore", "pipe", "pipe"] });
    this.exited = new Promise((resolve) => this.process.on("exit", (code, signal) => resolve({ code, signal })));
    this.process.on("error", (e) => this.lines.push(`spawn error: ${e.message}`));
    for (const stream of [this.process.stdout, this.process.stderr]) {
      let buffered = "";
      stream.setEncoding("utf8");
      stream.on("data", (chunk) => {
        buffered += chunk;
        let nl;
        while ((nl = buffered.indexOf("\n")) >= 0) {
          this._line(buffered.slice(0, nl));
          buffered = buffered.slice(nl + 1);
        }
      });
    }
    await waitFor("the server's /healthz", async () => {
      if (this.process.exitCode !== null) throw new TestFailure(`onair exited early (${this.process.exitCode})`);
      const r = await fetch(`${this.base}/healthz`);
      return r.status === 200;
    }, { timeoutMs: 30_000 });
    log("server is up");
  }

  _line(line) {
    this.lines.push(line);
    try {
      this.events.push(JSON.parse(line));
    } catch {
      // not a JSON log line
    }
  }

  published(topic) {
    return this.events.filter((e) => e.msg === "event published" && e.topic === topic);
  }

  async token(account, sessionId) {
    const { stdout } = await promisify(execFile)(
      onairBin,
      ["token", "--account", account, "--session", sessionId, "--role", "user"],
      { env: this.env },
    );
    const token = stdout.trim().split("\n").pop().trim();
    check(/^[\w-]+\.[\w-]+\.[\w-]+$/.test(token), `onair token printed no JWT: ${stdout}`);
    return token;
  }

  async stop() {
    if (!this.process || this.process.exitCode !== null || this.process.signalCode !== null) return;
    this.process.kill("SIGTERM");
    const timer = setTimeout(() => this.process.kill("SIGKILL"), 10_000);
    const { code, signal } = await this.exited;
    clearTimeout(timer);
    log(`server stopped (${signal || "exit " + code})`);
  }
}

// ------------------------------------------------------------------------------------------------
// The pages

async function openParticipant(browser, server, name, roomId) {
  const sessionId = crypto.randomUUID();
  const token = await server.token(`user-${name.toLowerCase()}`, sessionId);
  const context = await browser.newContext({ viewport: { width: 1100, height: 760 } });
  const page = await context.newPage();
  const p = { name, sessionId, page, context, consoleLines: [] };
  page.on("console", (m) => p.consoleLines.push(`${m.type()}: ${m.text()}`));
  page.on("pageerror", (e) => p.consoleLines.push(`pageerror: ${e.message}`));
  await page.goto(`${server.base}/voice/?token=${encodeURIComponent(token)}&room=${roomId}`);
  check((await page.inputValue("#token")) === token, `${name}: the token field is not prefilled from ?token=`);
  check((await page.inputValue("#room")) === roomId, `${name}: the room field is not prefilled from ?room=`);
  check(!page.url().includes("token="), `${name}: the token stays in the address bar`);
  await page.fill("#display-name", name);
  await page.click("#join");
  await page.waitForSelector("#room-panel:not([hidden])", { timeout: 15_000 }).catch(async () => {
    throw new TestFailure(`${name} could not join: ${await page.textContent("#status")}`);
  });
  log(`${name} joined (session ${sessionId})`);
  return p;
}

const peerStats = (p) => p.page.evaluate(() => window.onairVoice.room.peerStats());
const broadcastOf = (p) =>
  p.page.evaluate(() => {
    const el = document.getElementById("broadcast-state");
    return { state: el.dataset.state, reason: el.dataset.reason, text: el.textContent };
  });

async function expectMesh(participants) {
  const others = participants.length - 1;
  for (const p of participants) {
    await waitFor(`${p.name}: ${others} connected peers receiving audio`, async () => {
      const stats = await peerStats(p);
      const ok = stats.length === others && stats.every((s) => s.connectionState === "connected" && s.packetsReceived > 0);
      if (ok) return true;
      const seen = stats.map((s) => `${s.displayName} ${s.connectionState}, ${s.packetsReceived} packets`);
      throw new Error(`peers: [${seen.join("; ")}]`); // waitFor keeps the last one for its message
    }, { timeoutMs: 30_000 });
  }
  // The fake capture device beeps: every page must hear a loud moment from each other page.
  const peaks = new Map(participants.map((p) => [p.name, new Map()]));
  const until = Date.now() + 6_000;
  while (Date.now() < until) {
    for (const p of participants) {
      for (const s of await peerStats(p)) {
        const m = peaks.get(p.name);
        m.set(s.displayName, Math.max(m.get(s.displayName) || 0, s.audioLevel || 0));
      }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  for (const p of participants) {
    const m = peaks.get(p.name);
    const summary = [...m].map(([from, level]) => `${from} ${level.toFixed(2)}`).join(", ");
    log(`${p.name} hears: ${summary}`);
    check(m.size === others, `${p.name} has stats for ${m.size} peers, not ${others}`);
    for (const [from, level] of m) check(level > 0.1, `${p.name}: peak audio level from ${from} is ${level} (≤ 0.1)`);
    const items = await p.page.$$eval("#participants li", (lis) => lis.map((li) => li.dataset.connection));
    check(items.length === participants.length, `${p.name} lists ${items.length} participants`);
    check(items.filter((c) => c === "connected").length === others, `${p.name} shows ${items} as connection states`);
  }
}

async function peakLevelFrom(p, name, durationMs) {
  let peak = 0;
  const until = Date.now() + durationMs;
  while (Date.now() < until) {
    for (const s of await peerStats(p)) if (s.displayName === name) peak = Math.max(peak, s.audioLevel || 0);
    await new Promise((r) => setTimeout(r, 50));
  }
  return peak;
}

async function expectBroadcast(participants, state, { reason, textIncludes } = {}) {
  const wanted = (b) =>
    b.state === state && (!reason || b.reason === reason) && (!textIncludes || b.text.includes(textIncludes));
  const what = `broadcast "${state}"${reason ? ` (${reason})` : ""}${textIncludes ? ` mentioning "${textIncludes}"` : ""}`;
  for (const p of participants) {
    const b = await waitFor(`${p.name} to show ${what}`, async () => {
      const b = await broadcastOf(p);
      return wanted(b) ? b : false;
    }, { timeoutMs: 15_000 }).catch(async (e) => {
      throw new TestFailure(`${e.message}; it shows ${JSON.stringify(await broadcastOf(p))}`);
    });
    log(`${p.name} shows: ${b.text}`);
  }
}

async function expectPublished(server, topic, count) {
  await waitFor(`the bus event ${topic} (#${count}) in the server log`, () => server.published(topic).length >= count, {
    timeoutMs: 10_000,
  });
  log(`server published ${topic}`);
}

async function answerConsent(p, button) {
  await p.page.waitForSelector("#consent-dialog[open]", { timeout: 10_000 }).catch(() => {
    throw new TestFailure(`${p.name} got no consent prompt`);
  });
  const countdown = await p.page.textContent("#consent-countdown");
  check(/\d+ s left/.test(countdown), `${p.name}: the consent prompt shows no countdown ("${countdown}")`);
  await p.page.click(button);
  log(`${p.name} clicked ${button === "#consent-yes" ? "Consent" : "Decline"} (${countdown.trim()})`);
}

// ------------------------------------------------------------------------------------------------

async function main() {
  check(fs.existsSync(onairBin), `no onair binary at ${onairBin} (pass it as the first argument)`);
  check(fs.existsSync(path.join(webRoot, "voice", "index.html")), `no voice page under ${webRoot}`);
  check(fs.existsSync(chromiumPath), `no Chromium at ${chromiumPath} (run tests/e2e/setup.sh)`);
  fs.mkdirSync(artifacts, { recursive: true });
  let chromium;
  try {
    ({ chromium } = await import("playwright-core"));
  } catch {
    throw new TestFailure("playwright-core is missing: run tests/e2e/setup.sh (npm ci in tests/e2e)");
  }

  const server = new OnairServer();
  running.server = server;
  let browser = null;
  let participants = [];
  try {
    await server.start();
    browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: !process.env.E2E_HEADFUL,
      args: [
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        "--allow-loopback-in-peer-connection",
        "--autoplay-policy=no-user-gesture-required",
        "--no-sandbox",
        "--disable-dev-shm-usage",
      ],
    });
    log(`browser: Chromium ${browser.version()}`);

    // Three participants in one ad-hoc room: A creates it, B and C join; each joiner offers to the others.
    const roomId = crypto.randomUUID();
    log(`room ${roomId}`);
    for (const name of ["Alice", "Bob", "Carol"]) participants.push(await openParticipant(browser, server, name, roomId));
    const [a, b, c] = participants;
    check(server.published("voice.room.created").length === 1, "voice.room.created was not published once");

    log("checking the full mesh");
    await expectMesh(participants);
    log("full mesh: every page has two connected peers and hears both");

    // The levels measure the audio itself: when Bob mutes, the others hear silence from him.
    await b.page.click("#mute");
    await new Promise((r) => setTimeout(r, 1_000));
    for (const p of [a, c]) {
      const peak = await peakLevelFrom(p, "Bob", 2_000);
      check(peak < 0.02, `${p.name} still hears Bob at ${peak.toFixed(3)} after he muted`);
    }
    await b.page.click("#mute");
    for (const p of [a, c]) {
      const peak = await peakLevelFrom(p, "Bob", 4_000);
      check(peak > 0.1, `${p.name} hears Bob at only ${peak.toFixed(3)} after he unmuted`);
    }
    log("mute: Bob muted was silent for Alice and Carol, unmuted audible again");

    log("broadcast 1: Alice asks, Bob declines");
    await a.page.click("#request-broadcast");
    await expectBroadcast([a], "pending", { textIncludes: "1 of 3" });
    await answerConsent(b, "#consent-no");
    await expectBroadcast(participants, "declined", { textIncludes: "Bob" });
    await expectPublished(server, "voice.room.broadcast.declined", 1);
    await waitFor("Carol's consent prompt to close", async () => !(await c.page.$("#consent-dialog[open]")));
    check(server.published("voice.room.broadcast.approved").length === 0, "a broadcast was approved after a decline");

    log("broadcast 2: Alice asks, everyone consents");
    await a.page.click("#request-broadcast");
    await answerConsent(b, "#consent-yes");
    await expectBroadcast([a, b, c], "pending", { textIncludes: "2 of 3" });
    await answerConsent(c, "#consent-yes");
    await expectBroadcast(participants, "approved");
    await expectPublished(server, "voice.room.broadcast.approved", 1);
    await a.page.screenshot({ path: path.join(artifacts, "voice-room.png"), fullPage: true });
    log(`screenshot: ${path.join(artifacts, "voice-room.png")}`);

    log("Carol leaves: the broadcast stops (consent revoked)");
    await c.page.click("#leave");
    await c.page.waitForSelector("#room-panel[hidden]", { state: "attached", timeout: 10_000 });
    await expectBroadcast([a, b], "stopped", { reason: "consent_revoked", textIncludes: "stopped" });
    await expectPublished(server, "voice.room.broadcast.stopped", 1);
    for (const p of [a, b]) {
      await waitFor(`${p.name} to list two participants and one peer`, async () => {
        const items = await p.page.$$eval("#participants li", (lis) => lis.length);
        const stats = await peerStats(p);
        return items === 2 && stats.length === 1;
      });
    }
    await expectPublished(server, "voice.participant.left", 1);
    await a.page.screenshot({ path: path.join(artifacts, "voice-room-after-leave.png"), fullPage: true });

    log("PASS: full mesh with audio, consent declined / approved / stopped on leave");
    return 0;
  } catch (e) {
    console.error(`\nFAIL: ${e instanceof TestFailure ? e.message : e.stack || e}`);
    for (const p of participants) {
      await p.page.screenshot({ path: path.join(artifacts, `voice-failure-${p.name}.png`), fullPage: true }).catch(() => {});
      if (p.consoleLines.length) console.error(`--- ${p.name}'s console (last 30) ---\n${p.consoleLines.slice(-30).join("\n")}`);
    }
    console.error(`--- server log (last 60 lines) ---\n${server.lines.slice(-60).join("\n")}`);
    return 1;
  } finally {
    if (browser) await browser.close().catch(() => {});
    await server.stop().catch(() => {});
    if (server.dir) fs.rmSync(server.dir, { recursive: true, force: true });
  }
}

const watchdog = setTimeout(() => {
  console.error(`\nFAIL: the test took longer than ${TEST_DEADLINE_MS / 1000} s`);
  // Playwright kills the browser it launched when this process exits; the server is ours to kill.
  if (running.server?.process?.exitCode === null) running.server.process.kill("SIGKILL");
  if (running.server?.dir) fs.rmSync(running.server.dir, { recursive: true, force: true });
  process.exit(1);
}, TEST_DEADLINE_MS);
watchdog.unref();

main()
  .catch((e) => {
    console.error(`\nFAIL: ${e instanceof TestFailure ? e.message : e.stack || e}`);
    return 1;
  })
  .then((code) => {
    clearTimeout(watchdog);
    process.exit(code);
  });
