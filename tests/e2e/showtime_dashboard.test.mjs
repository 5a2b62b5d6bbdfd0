#!/usr/bin/env node
// End-to-end test of the showtime dashboard in a real browser: headless Chromium opens web/showtime/ against a
// real `onair serve` (audience ticks every second), starts a session, and checks that the page shows a live
// audience fed by the showtime client events over /connect and by the snapshot poll; that set-tags and a game
// event change the figures; that injected hype starts a train the page shows at level >= 1 with progress and a
// countdown; and that pause / resume / end reach the page. The bus events are read from the server's JSON log.
//
//   node tests/e2e/showtime_dashboard.test.mjs <path/to/onair> [<web root>]
//
// Environment: ONAIR_TEST_ARTIFACTS (screenshots; default ./test-artifacts), CHROMIUM_PATH (default
// /usr/bin/chromium), E2E_HEADFUL=1 to watch. Needs `npm ci` in tests/e2e (see setup.sh).
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


// ------------------------------------------------------------------------------------------------
// What the page shows

const shown = (page) =>
  page.evaluate(() => {
    const $ = (id) => document.getElementById(id);
    const state = window.onairShowtime?.show?.state;
    return {
      status: $("session-status").dataset.status,
      audience: Number($("audience-size").dataset.value),
      engagement: Number($("engagement").dataset.value),
      followers: Number($("followers").dataset.value),
      phase: $("career-phase").dataset.phase,
      hypeActive: $("hype").dataset.active === "true",
      hypeLevel: Number($("hype-level").dataset.level),
      hypePeak: Number($("hype-level").dataset.peak || 0),
      hypeMeter: Number($("hype-meter").getAttribute("aria-valuenow")),
      countdown: $("hype-countdown").textContent,
      personalities: document.querySelectorAll("#personalities li").length,
      sentimentRows: document.querySelectorAll("#sentiments li").length,
      sentiments: [...document.querySelectorAll("#sentiments li")].reduce((n, li) => n + Number(li.dataset.count), 0),
      contentTags: [...document.querySelectorAll("#content-tags li")].map((li) => li.textContent),
      chartPoints: $("chart-size").getAttribute("points").split(" ").filter(Boolean).length,
      loggedEvents: [...document.querySelectorAll("#events li")].map((li) => li.dataset.eventName),
      eventCounts: state ? { ...state.eventCounts } : {},
      statusText: $("status").textContent,
    };
  });

const countOf = (s, name) => s.eventCounts[name] || 0;

async function main(servers) {
  check(fs.existsSync(onairBin), `no onair binary at ${onairBin} (pass it as the first argument)`);
  check(fs.existsSync(path.join(webRoot, "showtime", "index.html")), `no showtime page under ${webRoot}`);
  fs.mkdirSync(artifacts, { recursive: true });
  const chromium = await loadChromium();

  const server = new OnairServer({
    name: "showtime",
    env: {
      VOICE_SERVICE_ENABLED: "false",
      SHOWTIME_SERVICE_ENABLED: "true",
      SHOWTIME_AUDIENCE_TICK_INTERVAL_SECONDS: "1",
    },
  });
  servers.push(server);
  let browser = null;
  let page = null;
  const consoleLines = [];
  try {
    await server.start();
    browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: !process.env.E2E_HEADFUL,
      args: ["--no-sandbox", "--disable-dev-shm-usage"],
    });
    log(`browser: Chromium ${browser.version()}`);
    const token = await server.token("designer", crypto.randomUUID(), "developer");
    const context = await browser.newContext({ viewport: { width: 1360, height: 1000 } });
    page = await context.newPage();
    page.on("console", (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
    page.on("pageerror", (e) => consoleLines.push(`pageerror: ${e.message}`));

    const streamerId = `e2e-${crypto.randomUUID().slice(0, 8)}`;
    const gameServiceId = crypto.randomUUID();
    await page.goto(`${server.base}/showtime/?token=${encodeURIComponent(token)}&streamer=${streamerId}&game=${gameServiceId}`);
    check((await page.inputValue("#token")) === token, "the token field is not prefilled from ?token=");
    check(!page.url().includes("token="), "the token stays in the address bar");
    check((await page.inputValue("#streamer-id")) === streamerId, "the streamer field is not prefilled from ?streamer=");
    check((await page.inputValue("#game-service")) === gameServiceId, "the game service field is not prefilled from ?game=");
    await page.fill("#start-tags", "combat, exploration");
    await page.click("#start");
    await page.waitForSelector("#dashboard:not([hidden])", { timeout: 15_000 }).catch(async () => {
      throw new TestFailure(`the session did not start: ${await page.textContent("#status")}`);
    });
    let s = await shown(page);
    log(`session started: ${s.statusText}`);
    check(s.status === "active", `the status badge shows "${s.status}", not active`);
    check(s.phase === "unknown", `a new streamer's career phase shows "${s.phase}", not unknown`);

    // Live audience: > 0 members, figures pushed by showtime.audience.changed (ticks every second).
    s = await waitFor("an audience > 0 and showtime.audience.changed client events", async () => {
      const v = await shown(page);
      return v.audience > 0 && countOf(v, "showtime.audience.changed") >= 2 && v.personalities > 0 ? v : false;
    });
    log(`audience ${s.audience}, engagement ${s.engagement}, ${countOf(s, "showtime.audience.changed")} audience pushes, personalities ${s.personalities}`);
    check(countOf(s, "showtime.session.status") >= 1, "no showtime.session.status client event for the start");
    check(s.loggedEvents.includes("showtime.audience.changed"), "the event log lists no showtime.audience.changed");

    // Set tags: the page shows the new content tags and the figures move with them.
    const before = await shown(page);
    await page.fill("#tags", "crafting, trade");
    await page.click("#set-tags");
    s = await waitFor("the new content tags on the page", async () => {
      const v = await shown(page);
      return v.contentTags.some((t) => t.startsWith("crafting")) && v.contentTags.some((t) => t.startsWith("trade")) ? v : false;
    }, { timeoutMs: 10_000 });
    s = await waitFor("the engagement figure to change after set-tags", async () => {
      const v = await shown(page);
      return v.engagement !== before.engagement ? v : false;
    }, { timeoutMs: 15_000 });
    log(`after set-tags [${s.contentTags.join(", ")}]: engagement ${before.engagement} -> ${s.engagement}`);

    // A game event raises its tags.
    await page.selectOption("#game-event", "boss_defeat");
    await page.click("#inject-event");
    await waitFor("the boss_defeat tags (epic) on the page", async () => (await shown(page)).contentTags.some((t) => t.startsWith("epic")), {
      timeoutMs: 10_000,
    });

    // Hype: 30 excited entries start a train at the next tick; the meter and level follow.
    await page.selectOption("#hype-category", "excited");
    await page.fill("#hype-count", "30");
    await page.click("#inject-hype");
    s = await waitFor("a hype train at level >= 1 with progress, a countdown and showtime.hype.progress", async () => {
      const v = await shown(page);
      return v.hypeActive && v.hypeLevel >= 1 && v.hypeMeter > 0 && /left at this level/.test(v.countdown) &&
        countOf(v, "showtime.hype.progress") >= 1
        ? v
        : false;
    }, { timeoutMs: 20_000 });
    log(`hype train: level ${s.hypeLevel}, meter ${s.hypeMeter}%, ${s.countdown.trim()} (${countOf(s, "showtime.hype.progress")} hype pushes)`);
    const meterBefore = s.hypeMeter + 100 * s.hypeLevel;
    await page.fill("#hype-count", "60");
    await page.click("#inject-hype");
    s = await waitFor("the hype meter to rise after more hype", async () => {
      const v = await shown(page);
      return v.hypeMeter + 100 * v.hypeLevel > meterBefore ? v : false;
    }, { timeoutMs: 15_000 });
    log(`more hype: level ${s.hypeLevel}, meter ${s.hypeMeter}%`);
    check(s.chartPoints >= 3, `the audience chart has ${s.chartPoints} points`);
    // Reactions come from members above 0.8 engagement watching matching content: a young audience may have none.
    check(s.sentimentRows === 8, `the sentiment mix shows ${s.sentimentRows} categories, not 8`);
    log(`sentiment mix: ${s.sentiments} reactions so far; chart ${s.chartPoints} points`);
    await page.screenshot({ path: path.join(artifacts, "showtime-dashboard.png"), fullPage: true });
    log(`screenshot: ${path.join(artifacts, "showtime-dashboard.png")}`);
    await waitFor("showtime.hype.started on the bus", () => server.published("showtime.hype.started").length >= 1, { timeoutMs: 10_000 });

    // Pause, resume, end: the status reaches the page (client events and the answers).
    await page.click("#pause");
    await waitFor("the paused badge", async () => (await shown(page)).status === "paused", { timeoutMs: 10_000 });
    check(!(await page.isDisabled("#resume")), "Resume stays disabled while paused");
    await page.click("#resume");
    await waitFor("the active badge after resume", async () => (await shown(page)).status === "active", { timeoutMs: 10_000 });
    await page.click("#end");
    s = await waitFor("the ended badge and the end's status event", async () => {
      const v = await shown(page);
      return v.status === "ended" && countOf(v, "showtime.session.status") >= 4 ? v : false;
    }, { timeoutMs: 15_000 });
    log(`ended: ${s.statusText} (followers ${s.followers})`);
    for (const topic of ["showtime.session.started", "showtime.session.paused", "showtime.session.resumed", "showtime.session.ended"]) {
      await waitFor(`${topic} on the bus`, () => server.published(topic).length >= 1, { timeoutMs: 10_000 });
    }
    await page.screenshot({ path: path.join(artifacts, "showtime-dashboard-ended.png"), fullPage: true });
    const counts = Object.entries(s.eventCounts).map(([k, v]) => `${k} ${v}`).join(", ");
    check(!consoleLines.some((l) => l.startsWith("pageerror")), `page errors: ${consoleLines.filter((l) => l.startsWith("pageerror")).join("; ")}`);
    log(`PASS: live audience, tags and game events, hype train, pause/resume/end; client events: ${counts}`);
    return 0;
  } catch (e) {
    console.error(`\nFAIL: ${e instanceof TestFailure ? e.message : e.stack || e}`);
    if (page) await page.screenshot({ path: path.join(artifacts, "showtime-failure.png"), fullPage: true }).catch(() => {});
    if (consoleLines.length) console.error(`--- page console (last 30) ---\n${consoleLines.slice(-30).join("\n")}`);
    console.error(`--- server log (last 60 lines) ---\n${server.lines.slice(-60).join("\n")}`);
    return 1;
  } finally {
    if (browser) await browser.close().catch(() => {});
    await server.dispose();
  }
}

run(main);
