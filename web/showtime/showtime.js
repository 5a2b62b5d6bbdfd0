// The showtime dashboard: a thin UI over OnairConnection and ShowtimeSession.
// For debugging (and the browser test), window.onairShowtime holds {connection, show} once started.

import { OnairConnection } from "../js/onair-client.js";
import { ShowtimeSession, SENTIMENTS } from "../js/onair-showtime.js";

const TOKEN_KEY = "onair.token";
const GAME_KEY = "onair.showtime.gameServiceId";
const GAME_EVENTS = ["combat_encounter", "boss_defeat", "exploration", "item_crafting", "social_interaction", "trade", "world_first"];
const HYPE_CATEGORIES = ["excited", "supportive", "surprised", "amused", ...SENTIMENTS.filter((s) => !["excited", "supportive", "surprised", "amused"].includes(s))];
const EVENT_LOG_LIMIT = 80;

const $ = (id) => document.getElementById(id);
const ui = {
  form: $("start-form"),
  token: $("token"),
  streamerType: $("streamer-type"),
  streamerId: $("streamer-id"),
  gameService: $("game-service"),
  startTags: $("start-tags"),
  seed: $("seed"),
  start: $("start"),
  status: $("status"),
  badge: $("session-status"),
  controls: $("controls"),
  tags: $("tags"),
  setTags: $("set-tags"),
  gameEvent: $("game-event"),
  injectEvent: $("inject-event"),
  hypeCategory: $("hype-category"),
  hypeCount: $("hype-count"),
  injectHype: $("inject-hype"),
  pause: $("pause"),
  resume: $("resume"),
  end: $("end"),
  dashboard: $("dashboard"),
  sessionId: $("session-id"),
  sessionMeta: $("session-meta"),
  audienceSize: $("audience-size"),
  audiencePeak: $("audience-peak"),
  engagement: $("engagement"),
  engagedSplit: $("engaged-split"),
  followers: $("followers"),
  candidates: $("candidates"),
  careerPhase: $("career-phase"),
  careerGrowth: $("career-growth"),
  chartSize: $("chart-size"),
  chartEngaged: $("chart-engaged"),
  hype: $("hype"),
  hypeLevel: $("hype-level"),
  hypeMeter: $("hype-meter"),
  hypeDetail: $("hype-detail"),
  hypeCountdown: $("hype-countdown"),
  sentiments: $("sentiments"),
  personalities: $("personalities"),
  contentTags: $("content-tags"),
  interests: $("interests"),
  milestones: $("milestones"),
  events: $("events"),
  eventTotal: $("event-total"),
};

let connection = null;
let show = null;

// ------------------------------------------------------------------------------------------------
// Form defaults: ?token= (then it leaves the address bar) or local storage; ?streamer=, ?game=, ?tags=.

function initForm() {
  const params = new URLSearchParams(location.search);
  ui.token.value = params.get("token") || localStorage.getItem(TOKEN_KEY) || "";
  if (params.get("token")) {
    localStorage.setItem(TOKEN_KEY, params.get("token"));
    params.delete("token");
    const rest = params.toString();
    history.replaceState(null, "", location.pathname + (rest ? "?" + rest : "") + location.hash);
  }
  ui.streamerId.value = params.get("streamer") || `streamer-${Math.random().toString(36).slice(2, 8)}`;
  // A game service id is a uuid; one is made up (and kept) for this browser unless ?game= names one.
  ui.gameService.value = params.get("game") || localStorage.getItem(GAME_KEY) || uuid();
  if (params.get("tags")) ui.startTags.value = params.get("tags");
  for (const e of GAME_EVENTS) ui.gameEvent.append(new Option(e.replace(/_/g, " "), e));
  for (const c of HYPE_CATEGORIES) ui.hypeCategory.append(new Option(c, c));
}

function uuid() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16)); // randomUUID needs a secure context
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const tagList = (text) =>
  text
    .split(/[\s,]+/)
    .map((t) => t.trim().toLowerCase())
    .filter(Boolean);

function setStatus(text, kind = "info") {
  ui.status.textContent = text;
  ui.status.dataset.kind = kind;
}

// ------------------------------------------------------------------------------------------------
// Rendering

const fmtPct = (x) => (x == null ? "–" : `${Math.round(x * 100)}%`);
const clock = (d) => new Date(d).toLocaleTimeString([], { hour12: false });

function setNumber(el, value, text = String(value)) {
  el.dataset.value = String(value ?? 0);
  el.textContent = text;
}

function renderSession(s) {
  const session = s.session;
  if (!session) return;
  ui.sessionId.textContent = session.showtimeSessionId;
  ui.sessionMeta.textContent = `${session.streamerType} ${session.streamerId} · game service ${session.gameServiceId} · started ${clock(session.startedAt)}`;
  renderStatus(s);
}

function renderStatus(s) {
  const status = s.status || "none";
  ui.badge.dataset.status = status;
  ui.badge.textContent = { active: "on air", paused: "paused", ended: "ended" }[status] || "no session";
  const live = status === "active" || status === "paused";
  for (const el of [ui.setTags, ui.injectEvent, ui.injectHype, ui.end]) el.disabled = !live;
  ui.pause.disabled = status !== "active";
  ui.resume.disabled = status !== "paused";
  if (status === "ended") {
    const gained = s.session?.followersGained;
    setStatus(`Session ended${gained != null ? `: ${gained} new follower${gained === 1 ? "" : "s"}` : ""}. Start another one above.`);
    ui.start.disabled = false;
  }
}

function renderAudience(s) {
  const a = s.audience;
  if (!a) return;
  setNumber(ui.audienceSize, a.size ?? 0);
  ui.audiencePeak.textContent = `peak ${a.peakSize ?? a.size ?? 0}${a.targetSize ? ` · target ${a.targetSize}` : ""}`;
  setNumber(ui.engagement, (a.averageEngagement ?? 0).toFixed(3), fmtPct(a.averageEngagement));
  ui.engagedSplit.textContent = `${a.engaged ?? 0} engaged · ${a.disengaged ?? 0} disengaged`;
  const followers = s.followers?.totalCount ?? a.followers ?? 0;
  setNumber(ui.followers, followers);
  ui.candidates.textContent = `${a.candidates ?? 0} candidate${a.candidates === 1 ? "" : "s"} now`;
  renderBars(ui.personalities, (a.personalityMix || []).map((p) => [p.personalityType, p.count]), "personality");
  renderChips(ui.contentTags, (a.contentTags || []).map((t) => `${t.tag} ${Math.round((t.weight ?? 1) * 100)}%`));
  renderChips(ui.interests, (a.interestMix || []).slice(0, 8).map((t) => `${t.tag} ${t.count}`));
  renderChart(s.history);
}

function renderBars(list, entries, kind) {
  const total = entries.reduce((n, [, c]) => n + c, 0) || 1;
  list.replaceChildren(
    ...entries.map(([name, count]) => {
      const li = document.createElement("li");
      li.dataset[kind] = name;
      li.dataset.count = String(count);
      const label = document.createElement("span");
      label.textContent = name;
      const bar = document.createElement("div");
      bar.className = "bar";
      const fill = document.createElement("div");
      fill.style.width = `${(100 * count) / total}%`;
      bar.append(fill);
      const n = document.createElement("span");
      n.className = "n";
      n.textContent = String(count);
      li.append(label, bar, n);
      return li;
    }),
  );
}

function renderChips(list, texts) {
  list.replaceChildren(
    ...texts.map((t) => {
      const li = document.createElement("li");
      li.textContent = t;
      return li;
    }),
  );
}

function renderChart(history) {
  if (!history.length) return;
  const max = Math.max(1, ...history.map((h) => h.size || 0)) * 1.1;
  const t0 = history[0].t;
  const span = Math.max(1, history[history.length - 1].t - t0);
  const points = (key) =>
    history.map((h) => `${(((h.t - t0) / span) * 600).toFixed(1)},${(120 - ((h[key] || 0) / max) * 120).toFixed(1)}`).join(" ");
  ui.chartSize.setAttribute("points", points("size"));
  ui.chartEngaged.setAttribute("points", points("engaged"));
}

function renderSentiments(s) {
  renderBars(ui.sentiments, SENTIMENTS.map((c) => [c, s.sentiments[c] || 0]), "sentiment");
}

function renderHype(s) {
  const h = s.hype;
  const level = h.active ? h.level : 0;
  ui.hype.dataset.active = String(!!h.active);
  ui.hype.dataset.level = String(level);
  ui.hypeLevel.dataset.level = String(level);
  ui.hypeLevel.dataset.peak = String(h.peakLevel || 0);
  ui.hypeLevel.textContent = h.active ? `level ${level}` : "idle";
  const pct = h.active ? Math.round(Math.max(0, Math.min(1, h.progress || 0)) * 100) : 0;
  ui.hypeMeter.setAttribute("aria-valuenow", String(pct));
  ui.hypeMeter.firstChild.style.width = `${pct}%`;
  if (h.active) {
    const score = h.currentScore != null && h.levelThreshold ? ` (${h.currentScore.toFixed(1)} of ${h.levelThreshold.toFixed(1)} points)` : "";
    ui.hypeDetail.textContent = `${h.triggerCategory || "hype"} train at level ${level}, ${pct}% to the next${score}; peak ${h.peakLevel}.`;
  } else {
    const done = h.completed ? `${h.completed} train${h.completed === 1 ? "" : "s"} so far, peak level ${h.peakLevel || 0}. ` : "";
    const cooldown = h.cooldownSeconds ? `Cooldown ${h.cooldownSeconds} s. ` : "";
    const threshold = h.triggerThreshold ? `${h.triggerThreshold} hype entries within one pulse interval start one.` : "";
    ui.hypeDetail.textContent = `No train running. ${done}${cooldown}${threshold}`;
  }
  renderCountdown();
}

function renderCountdown() {
  const h = show?.state.hype;
  if (!h?.active || !h.deadline) {
    ui.hypeCountdown.textContent = "";
    ui.hypeCountdown.dataset.seconds = "";
    return;
  }
  const left = Math.max(0, Math.ceil((h.deadline.getTime() - Date.now()) / 1000));
  ui.hypeCountdown.dataset.seconds = String(left);
  ui.hypeCountdown.textContent = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")} left at this level.`;
}

function renderCareer(s) {
  const c = s.career;
  if (c) {
    ui.careerPhase.dataset.phase = c.phase;
    ui.careerPhase.textContent = c.phase;
    ui.careerGrowth.textContent =
      `growth ${c.totalGrowth.toFixed(2)}` + (c.nextPhase ? ` of ${c.nextPhaseGrowth} for ${c.nextPhase}` : " (top phase)");
  } else if (s.session) {
    ui.careerPhase.dataset.phase = s.session.careerPhase;
    ui.careerPhase.textContent = s.session.careerPhase;
  }
  if (s.followers) setNumber(ui.followers, s.followers.totalCount);
  renderMilestones(s);
}

function renderMilestones(s) {
  ui.milestones.replaceChildren(
    ...s.milestones.slice(0, 30).map((m) => {
      const li = document.createElement("li");
      li.dataset.code = m.milestoneCode;
      const time = document.createElement("time");
      time.textContent = m.reachedAt ? clock(m.reachedAt) : "";
      li.append(time, `${m.milestoneCode} (${m.kind}${m.hypeLevel ? `, level ${m.hypeLevel}` : ""})`);
      return li;
    }),
  );
  if (!s.milestones.length) renderChips(ui.milestones, ["none yet"]);
}

function logEvent(event) {
  const li = document.createElement("li");
  li.dataset.eventName = event.eventName;
  const time = document.createElement("time");
  time.textContent = clock(event.timestamp || Date.now());
  let text = event.eventName.replace(/^showtime\./, "");
  if (event.eventName === "showtime.audience.changed") text += `: ${event.audienceSize} watching, ${fmtPct(event.averageEngagement)}`;
  if (event.eventName === "showtime.hype.progress") text += `: ${event.change}, level ${event.level}, ${fmtPct(event.progress)}`;
  if (event.eventName === "showtime.session.status") text += `: ${event.status}`;
  if (event.eventName === "showtime.milestone.reached") text += `: ${event.milestoneCode}`;
  li.append(time, text);
  ui.events.prepend(li);
  while (ui.events.children.length > EVENT_LOG_LIMIT) ui.events.lastChild.remove();
  const total = Object.values(show.state.eventCounts).reduce((a, b) => a + b, 0);
  ui.eventTotal.dataset.count = String(total);
  ui.eventTotal.textContent = `(${total})`;
}

// ------------------------------------------------------------------------------------------------
// Actions

async function act(button, what, fn) {
  button.disabled = true;
  try {
    await fn();
    setStatus(what);
  } catch (e) {
    setStatus(`${e.message}`, "error");
  } finally {
    renderStatus(show.state);
  }
}

async function start(event) {
  event.preventDefault();
  const token = ui.token.value.trim();
  if (!token) {
    setStatus("An access token is needed (see the help under the field).", "error");
    ui.token.focus();
    return;
  }
  localStorage.setItem(TOKEN_KEY, token);
  localStorage.setItem(GAME_KEY, ui.gameService.value.trim());
  ui.start.disabled = true;
  if (!connection?.connected) {
    setStatus("Connecting…");
    connection = new OnairConnection();
    try {
      await connection.connect(token);
    } catch (e) {
      connection = null;
      ui.start.disabled = false;
      setStatus(`Could not connect: ${e.message}`, "error");
      return;
    }
    connection.addEventListener("close", (e) => {
      setStatus(`Disconnected from the server (${e.detail.code}); client events stop.`, "error");
      ui.start.disabled = false;
    });
  }
  show?.close();
  show = new ShowtimeSession(connection);
  window.onairShowtime = { connection, show };
  show.addEventListener("session", (e) => renderSession(e.detail));
  show.addEventListener("status", (e) => renderStatus(e.detail));
  show.addEventListener("audience", (e) => renderAudience(e.detail));
  show.addEventListener("hype", (e) => renderHype(e.detail));
  show.addEventListener("career", (e) => renderCareer(e.detail));
  show.addEventListener("milestone", (e) => renderMilestones(e.detail));
  show.addEventListener("event", (e) => {
    renderSentiments(e.detail);
    logEvent(e.detail.event);
  });
  show.addEventListener("error", (e) => setStatus(`Update failed: ${e.detail.error.message}`, "warning"));

  const request = {
    streamerType: ui.streamerType.value.trim(),
    streamerId: ui.streamerId.value.trim(),
    gameServiceId: ui.gameService.value.trim(),
    contentTags: tagList(ui.startTags.value),
  };
  if (/^\d+$/.test(ui.seed.value.trim())) request.seed = Number(ui.seed.value.trim());
  setStatus("Starting…");
  try {
    const session = await show.start(request);
    ui.events.replaceChildren();
    ui.dashboard.hidden = false;
    ui.controls.hidden = false;
    renderSentiments(show.state);
    renderHype(show.state);
    renderCareer(show.state);
    setStatus(`On air: ${session.audience.currentSize} watching (${session.careerPhase} phase).`);
  } catch (e) {
    ui.start.disabled = false;
    setStatus(`Could not start: ${e.message}`, "error");
  }
}

function wire() {
  ui.form.addEventListener("submit", start);
  ui.setTags.addEventListener("click", () => {
    const tags = tagList(ui.tags.value);
    if (!tags.length) return setStatus("Type one or more tags first.", "error");
    act(ui.setTags, `Content tags set: ${tags.join(", ")}.`, () => show.setTags(tags));
  });
  ui.injectEvent.addEventListener("click", () =>
    act(ui.injectEvent, `Game event ${ui.gameEvent.value} sent.`, () => show.injectGameEvent(ui.gameEvent.value)),
  );
  ui.injectHype.addEventListener("click", () => {
    const count = Math.max(1, Math.min(1000, Number(ui.hypeCount.value) || 1));
    act(ui.injectHype, `${count} ${ui.hypeCategory.value} entries injected.`, () => show.injectHype(ui.hypeCategory.value, count));
  });
  ui.pause.addEventListener("click", () => act(ui.pause, "Paused: engagement only decays.", () => show.pause("dashboard")));
  ui.resume.addEventListener("click", () => act(ui.resume, "Resumed.", () => show.resume()));
  ui.end.addEventListener("click", () => act(ui.end, "Ending…", () => show.end()));
  setInterval(renderCountdown, 250);
}

initForm();
wire();
