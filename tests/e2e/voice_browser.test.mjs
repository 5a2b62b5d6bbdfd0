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

import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

import {
  artifacts,
  check,
  chromiumPath,
  loadChromium,
  log,
  onairBin,
  OnairServer,
  run,
  TestFailure,
  waitFor,
  webRoot,
} from "./harness.mjs";

const CONSENT_TIMEOUT_SECONDS = 10;

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

async function main(servers) {
  check(fs.existsSync(onairBin), `no onair binary at ${onairBin} (pass it as the first argument)`);
  check(fs.existsSync(path.join(webRoot, "voice", "index.html")), `no voice page under ${webRoot}`);
  fs.mkdirSync(artifacts, { recursive: true });
  const chromium = await loadChromium();

  const server = new OnairServer({
    name: "voice",
    env: {
      VOICE_SERVICE_ENABLED: "true",
      VOICE_AD_HOC_ROOMS_ENABLED: "true",
      VOICE_STUN_SERVERS: "",
      VOICE_BROADCAST_CONSENT_TIMEOUT_SECONDS: String(CONSENT_TIMEOUT_SECONDS),
    },
  });
  servers.push(server);
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
    await server.dispose();
  }
}

run(main);
