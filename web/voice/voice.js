// The voice room page: a thin UI over OnairConnection and VoiceRoom.
// For debugging, window.onairVoice holds {connection, room} while joined.

import { OnairConnection } from "../js/onair-client.js";
import { VoiceRoom } from "../js/onair-voice.js";

const TOKEN_KEY = "onair.token";
const NAME_KEY = "onair.displayName";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const $ = (id) => document.getElementById(id);
const ui = {
  form: $("join-form"),
  token: $("token"),
  room: $("room"),
  newRoom: $("new-room"),
  displayName: $("display-name"),
  password: $("room-password"),
  acceptBroadcast: $("accept-broadcast"),
  join: $("join"),
  leave: $("leave"),
  status: $("status"),
  roomPanel: $("room-panel"),
  roomId: $("room-id"),
  roomLink: $("room-link"),
  broadcastState: $("broadcast-state"),
  broadcastDetail: $("broadcast-detail"),
  requestBroadcast: $("request-broadcast"),
  stopBroadcast: $("stop-broadcast"),
  mute: $("mute"),
  participants: $("participants"),
  participantCount: $("participant-count"),
  remoteAudio: $("remote-audio"),
  dialog: $("consent-dialog"),
  requester: $("consent-requester"),
  countdown: $("consent-countdown"),
  consentYes: $("consent-yes"),
  consentNo: $("consent-no"),
};

let connection = null;
let room = null;
let countdownTimer = null;

// ------------------------------------------------------------------------------------------------
// Form defaults: ?token= and ?room= (the token then leaves the address bar), else local storage.

function uuid() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16)); // randomUUID needs a secure context
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function roomUrl(roomId) {
  const url = new URL(location.href);
  url.search = "";
  url.hash = "";
  url.searchParams.set("room", roomId);
  return url.toString();
}

function initForm() {
  const params = new URLSearchParams(location.search);
  const token = params.get("token") || localStorage.getItem(TOKEN_KEY) || "";
  ui.token.value = token;
  if (params.get("token")) {
    localStorage.setItem(TOKEN_KEY, params.get("token"));
    params.delete("token");
    const rest = params.toString();
    history.replaceState(null, "", location.pathname + (rest ? "?" + rest : "") + location.hash);
  }
  ui.room.value = params.get("room") || "";
  ui.displayName.value = params.get("name") || localStorage.getItem(NAME_KEY) || "";
}

// ------------------------------------------------------------------------------------------------
// Status and controls

function setStatus(text, kind = "info") {
  ui.status.textContent = text;
  ui.status.dataset.kind = kind;
}

function setJoined(joined) {
  for (const el of [ui.token, ui.room, ui.newRoom, ui.displayName, ui.password, ui.acceptBroadcast, ui.join]) {
    el.disabled = joined;
  }
  ui.leave.disabled = !joined;
  ui.roomPanel.hidden = !joined;
  if (!joined) {
    closeConsentDialog();
    ui.participants.replaceChildren();
    ui.participantCount.textContent = "";
  }
}

const STOP_REASONS = {
  consent_revoked: "consent revoked (someone left or stopped it)",
  room_closed: "the room closed",
  manual: "stopped manually",
  error: "an error",
};

function describeBroadcast(b) {
  switch (b.phase) {
    case "pending":
      return { title: `Consent pending: ${b.consentedCount} of ${b.totalCount} agreed`, detail: "Waiting for every participant to answer." };
    case "approved":
      return { title: "Approved: everyone consented", detail: "The room may be broadcast; waiting for the stream to start." };
    case "broadcasting":
      return { title: "On air: broadcasting", detail: "This room's voice is being broadcast." };
    case "declined":
      return b.declinedReason === "timeout"
        ? { title: "Declined: not everyone answered in time", detail: "Silence counts as no." }
        : { title: `Declined by ${b.declinedByDisplayName || "a participant"}`, detail: "Nothing is broadcast." };
    case "stopped":
      return {
        title: `Broadcast stopped: ${STOP_REASONS[b.stoppedReason] || b.stoppedReason}`,
        detail: `Reason: ${b.stoppedReason}.`,
      };
    default:
      return { title: "Not broadcasting", detail: "" };
  }
}

function renderBroadcast(b) {
  const { title, detail } = describeBroadcast(b);
  ui.broadcastState.textContent = title;
  ui.broadcastState.dataset.state = b.phase;
  ui.broadcastState.dataset.reason = b.stoppedReason || b.declinedReason || "";
  ui.broadcastDetail.textContent = detail;
  const idle = ["inactive", "declined", "stopped"].includes(b.phase);
  ui.requestBroadcast.disabled = !room?.joined || !idle;
  ui.stopBroadcast.disabled = !room?.joined || idle;
  const mine = b.requestedBySessionId && b.requestedBySessionId === room?.sessionId;
  ui.stopBroadcast.textContent = b.phase !== "pending" ? "Stop broadcast" : mine ? "Cancel request" : "Decline request";
}

// ------------------------------------------------------------------------------------------------
// Participants with level meters

function levelPercent(level) {
  // Linear amplitude -> a -60..0 dBFS scale, which reads better than a linear bar.
  if (!level || level <= 0.001) return 0;
  const db = 20 * Math.log10(level);
  return Math.max(0, Math.min(100, Math.round(((db + 60) / 60) * 100)));
}

function participantItem(p) {
  const li = document.createElement("li");
  li.dataset.sessionId = p.sessionId;
  const name = document.createElement("span");
  name.className = "name";
  const state = document.createElement("span");
  state.className = "conn";
  const meter = document.createElement("div");
  meter.className = "meter";
  meter.setAttribute("role", "meter");
  meter.setAttribute("aria-valuemin", "0");
  meter.setAttribute("aria-valuemax", "100");
  meter.setAttribute("aria-valuenow", "0");
  const fill = document.createElement("div");
  fill.className = "fill";
  meter.append(fill);
  li.append(name, state, meter);
  return li;
}

function renderParticipants(list) {
  const seen = new Set();
  for (const p of list) {
    seen.add(p.sessionId);
    let li = ui.participants.querySelector(`li[data-session-id="${p.sessionId}"]`);
    if (!li) {
      li = participantItem(p);
      ui.participants.append(li);
    }
    const label = p.displayName || p.sessionId.slice(0, 8);
    li.querySelector(".name").textContent = p.isLocal ? `${label} (you)` : label;
    const conn = p.isLocal ? (room?.muted ? "muted" : "microphone") : p.connectionState;
    li.querySelector(".conn").textContent = conn;
    li.dataset.connection = p.isLocal ? "local" : p.connectionState;
    li.classList.toggle("local", p.isLocal);
    li.querySelector(".meter").setAttribute("aria-label", `Audio level of ${label}`);
  }
  for (const li of [...ui.participants.children]) if (!seen.has(li.dataset.sessionId)) li.remove();
  ui.participantCount.textContent = `(${list.length})`;
}

function renderLevels(levels) {
  for (const { sessionId, level } of levels) {
    const li = ui.participants.querySelector(`li[data-session-id="${sessionId}"]`);
    if (!li) continue;
    const pct = levelPercent(level);
    const meter = li.querySelector(".meter");
    meter.setAttribute("aria-valuenow", String(pct));
    meter.firstChild.style.width = `${pct}%`;
    li.dataset.level = level.toFixed(3);
  }
}

// ------------------------------------------------------------------------------------------------
// Consent dialog

function openConsentDialog(request) {
  ui.requester.textContent = request.requestedByDisplayName || "A participant";
  const tick = () => {
    const left = Math.max(0, Math.ceil((request.deadline.getTime() - Date.now()) / 1000));
    ui.countdown.textContent = `${left} s left to answer. No answer counts as a decline.`;
    if (left === 0) closeConsentDialog();
  };
  tick();
  clearInterval(countdownTimer);
  countdownTimer = setInterval(tick, 250);
  ui.consentYes.disabled = false;
  ui.consentNo.disabled = false;
  if (!ui.dialog.open) ui.dialog.showModal();
  ui.consentYes.focus();
}

function closeConsentDialog() {
  clearInterval(countdownTimer);
  countdownTimer = null;
  if (ui.dialog.open) ui.dialog.close();
}

async function answerConsent(consented) {
  if (!room) return;
  ui.consentYes.disabled = true;
  ui.consentNo.disabled = true;
  try {
    await room.respondConsent(consented);
    setStatus(consented ? "You consented to the broadcast." : "You declined the broadcast.");
  } catch (e) {
    setStatus(`Answering failed: ${e.message}`, "error");
  } finally {
    closeConsentDialog();
  }
}

// ------------------------------------------------------------------------------------------------
// Join and leave

async function join(event) {
  event.preventDefault();
  const token = ui.token.value.trim();
  const roomId = ui.room.value.trim();
  if (!token) {
    setStatus("An access token is needed (see the help under the field).", "error");
    ui.token.focus();
    return;
  }
  if (!UUID.test(roomId)) {
    setStatus("The room id must be a uuid: press “New room” to make one.", "error");
    ui.room.focus();
    return;
  }
  localStorage.setItem(TOKEN_KEY, token);
  localStorage.setItem(NAME_KEY, ui.displayName.value.trim());
  ui.join.disabled = true;
  setStatus("Connecting…");

  connection = new OnairConnection();
  try {
    await connection.connect(token);
  } catch (e) {
    connection = null;
    ui.join.disabled = false;
    setStatus(`Could not connect: ${e.message}`, "error");
    return;
  }
  connection.addEventListener("close", (e) => {
    if (room?.joined) setStatus(`Disconnected from the server (${e.detail.code}).`, "error");
  });

  room = new VoiceRoom(connection, { audioContainer: ui.remoteAudio });
  window.onairVoice = { connection, room };
  room.addEventListener("participants", (e) => renderParticipants(e.detail.participants));
  room.addEventListener("levels", (e) => renderLevels(e.detail.levels));
  room.addEventListener("broadcast", (e) => renderBroadcast(e.detail));
  room.addEventListener("consent-request", (e) => openConsentDialog(e.detail));
  room.addEventListener("consent-closed", () => closeConsentDialog());
  room.addEventListener("participant-joined", (e) =>
    setStatus(`${e.detail.participant.displayName || "Someone"} joined.`));
  room.addEventListener("participant-left", (e) =>
    setStatus(`${e.detail.displayName || "Someone"} ${e.detail.evicted ? "was removed (no heartbeats)" : "left"}.`));
  room.addEventListener("warning", (e) => setStatus(e.detail.message, "warning"));
  room.addEventListener("mute", (e) => {
    ui.mute.setAttribute("aria-pressed", String(e.detail.muted));
    ui.mute.textContent = e.detail.muted ? "Unmute" : "Mute";
    renderParticipants(room.participants);
  });
  room.addEventListener("left", (e) => {
    const why = {
      left: "You left the room.",
      room_closed: "The room was closed.",
      evicted: "You were removed from the room.",
      disconnected: "Disconnected.",
    }[e.detail.reason];
    setStatus(why || "Left.", e.detail.reason === "left" ? "info" : "warning");
    setJoined(false);
    renderBroadcast(room.broadcast);
    connection?.close();
  });

  try {
    await room.join(roomId, {
      displayName: ui.displayName.value.trim() || undefined,
      password: ui.password.value || undefined,
      acceptBroadcast: ui.acceptBroadcast.checked,
    });
  } catch (e) {
    const hint = {
      401: "Is the token current and signed with the server's secret?",
      403: "Is the room password right?",
      404: "This server does not create rooms on join (ad-hoc rooms are off).",
      409: "A broadcast room can be joined with the box above ticked.",
    }[e.status];
    const reason = e.body?.error || e.message;
    setStatus(`Could not join: ${reason}.${hint ? " " + hint : ""}`, "error");
    connection.close();
    connection = null;
    room = null;
    ui.join.disabled = false;
    return;
  }
  ui.roomId.textContent = roomId;
  ui.roomLink.href = roomUrl(roomId);
  ui.roomLink.textContent = roomUrl(roomId);
  history.replaceState(null, "", "?room=" + encodeURIComponent(roomId));
  setJoined(true);
  renderParticipants(room.participants);
  renderBroadcast(room.broadcast);
  setStatus(`Joined as ${connection.accountId || "you"}.`);
}

async function leave() {
  ui.leave.disabled = true;
  if (room) await room.leave();
}

async function run(action, failure) {
  try {
    await action();
  } catch (e) {
    setStatus(`${failure}: ${e.message}`, "error");
  }
}

// ------------------------------------------------------------------------------------------------

initForm();
renderBroadcast({ phase: "inactive" });
ui.form.addEventListener("submit", join);
ui.leave.addEventListener("click", leave);
ui.newRoom.addEventListener("click", () => {
  ui.room.value = uuid();
  ui.room.focus();
});
ui.requestBroadcast.addEventListener("click", () =>
  run(async () => {
    await room.requestBroadcast();
    setStatus("Broadcast requested: waiting for everyone's consent.");
  }, "Requesting the broadcast failed"));
ui.stopBroadcast.addEventListener("click", () => run(() => room.stopBroadcast(), "Stopping the broadcast failed"));
ui.mute.addEventListener("click", () => room?.setMuted(!room.muted));
ui.consentYes.addEventListener("click", () => answerConsent(true));
ui.consentNo.addEventListener("click", () => answerConsent(false));
// Escape closes a modal dialog: treat it as "not now" (the request still times out as a decline).
ui.dialog.addEventListener("cancel", () => closeConsentDialog());
window.addEventListener("pagehide", () => {
  if (room?.joined) room.leave();
});
