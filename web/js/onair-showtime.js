// onair-showtime.js: a showtime session (simulated audience, hype train, followers, career) for any web game.
//
//   import { OnairConnection } from "/js/onair-client.js";
//   import { ShowtimeSession } from "/js/onair-showtime.js";
//   const onair = new OnairConnection();
//   await onair.connect(token);                            // a developer (or admin/service) token
//   const show = new ShowtimeSession(onair);
//   show.addEventListener("audience", (e) => render(e.detail));   // see "state" below
//   await show.start({ streamerType: "character", streamerId: "ada", gameServiceId: "my-game", contentTags: ["combat"] });
//   await show.setTags([{ tag: "boss", weight: 1 }]);      // or show.injectGameEvent("boss_defeat")
//   await show.injectHype("excited", 20);
//   await show.pause(); await show.resume(); await show.end();
//
// The session's client events arrive on this connection (it is the streamerSessionId the session is started
// with): showtime.audience.changed, showtime.hype.progress, showtime.milestone.reached,
// showtime.session.status (schemas/showtime-client-events.yaml). The audience snapshot and the hype status are
// also polled (pollIntervalMs), so a page that attaches to a running session, or misses a push, catches up.
// No dependencies, no build step. docs/showtime.md.

export const SENTIMENTS = ["excited", "supportive", "critical", "curious", "surprised", "amused", "bored", "hostile"];
export const CAREER_PHASES = ["unknown", "rising", "popular", "celebrity", "legend"];
export const CLIENT_EVENTS = [
  "showtime.audience.changed",
  "showtime.hype.progress",
  "showtime.milestone.reached",
  "showtime.session.status",
];

const HISTORY_LIMIT = 600; // audience samples kept for the chart

/**
 * One showtime session seen from its streamer's socket.
 *
 * DOM events (it is an EventTarget), each with detail = the whole state (see `state`):
 *   "session"   the session record changed (start, get, pause, resume, end)
 *   "audience"  audience figures (client event or snapshot)
 *   "hype"      the hype train (client event or status)
 *   "milestone" detail.milestone = the new milestone (client event)
 *   "status"    the session's status changed (client event or a call's answer)
 *   "career"    career and milestones were (re)loaded
 *   "event"     any showtime client event for this session: detail.event
 *   "error"     a poll failed: detail.error (an OnairError)
 */
export class ShowtimeSession extends EventTarget {
  /**
   * @param {import("./onair-client.js").OnairConnection} connection a connected OnairConnection.
   * @param {object} [options]
   * @param {number} [options.pollIntervalMs=2000] audience snapshot / hype status polling (0: no polling).
   */
  constructor(connection, { pollIntervalMs = 2000 } = {}) {
    super();
    this.connection = connection;
    this.pollIntervalMs = pollIntervalMs;
    this.sessionId = null;
    /**
     * state.session: ShowtimeSessionResponse; state.audience: {size, peakSize, engaged, disengaged,
     * averageEngagement, candidates, joined, left, followers, personalityMix, interestMix, contentTags, at};
     * state.hype: {active, level, peakLevel, progress (0..1), currentScore, levelThreshold, triggerCategory,
     * deadline (Date or null), completed, endReason}; state.sentiments: reactions per sentiment since start;
     * state.history: [{t (ms), size, engaged, averageEngagement}]; state.career: CareerResponse;
     * state.milestones: MilestoneRecord-like objects, newest first; state.eventCounts: per client event name.
     */
    this.state = {
      session: null,
      status: null,
      audience: null,
      hype: { active: false, level: 0, peakLevel: 0, progress: 0, deadline: null, completed: 0 },
      sentiments: Object.fromEntries(SENTIMENTS.map((s) => [s, 0])),
      history: [],
      career: null,
      milestones: [],
      followers: null,
      eventCounts: {},
    };
    this._offs = [];
    this._early = [];
    this._pollTimer = null;
    this._polling = false;
  }

  get streamer() {
    const s = this.state.session;
    return s ? { streamerType: s.streamerType, streamerId: s.streamerId } : null;
  }

  /**
   * Starts a session (/showtime/session/start) with this connection as its streamerSessionId, then listens
   * and polls. `request`: {streamerType, streamerId, gameServiceId, contentTags?, seed?, gameSessionId?,
   * createVoiceRoom?, platformSessionId?}.
   */
  async start(request) {
    const body = { ...request };
    if (!body.streamerSessionId && this.connection.sessionId) body.streamerSessionId = this.connection.sessionId;
    // The start's own client events (showtime.session.status) can arrive before its answer: listen first.
    this.close();
    this.sessionId = null;
    this._subscribe();
    try {
      const session = await this.connection.callOk("/showtime/session/start", body);
      this._attached(session);
      return session;
    } catch (e) {
      this.close();
      throw e;
    }
  }

  /** Follows a running session by id (its client events reach this page only if it is the streamer's socket). */
  async attach(showtimeSessionId) {
    const session = await this.connection.callOk("/showtime/session/get", { showtimeSessionId });
    this.close();
    this._subscribe();
    this._attached(session);
    return session;
  }

  async refresh() {
    const session = await this._call("/showtime/session/get");
    this._setSession(session);
    return session;
  }

  async snapshot(topMembers = 0) {
    const snap = await this._call("/showtime/audience/snapshot", { topMembers });
    this._fromSnapshot(snap);
    return snap;
  }

  async hypeStatus() {
    const status = await this._call("/showtime/hype/status");
    this._fromHypeStatus(status);
    return status;
  }

  /** Content tags: [{tag, weight?}] or ["tag", ...]; merge keeps the others. */
  async setTags(tags, { merge = false } = {}) {
    const list = tags.map((t) => (typeof t === "string" ? { tag: t, weight: 1 } : t));
    return this._call("/showtime/audience/set-tags", { tags: list, merge });
  }

  /** A game event (SHOWTIME.md's table: boss_defeat, combat_encounter, ...): raises its content tags. */
  async injectGameEvent(gameEvent) {
    return this._call("/showtime/audience/inject", { gameEvent });
  }

  /** Sentiment entries [{category, intensity, trackingId?, viewerType?}] (a pulse); realDerived joins them. */
  async injectSentiments(sentiments, { realDerived = false } = {}) {
    return this._call("/showtime/audience/inject", { sentiments, realDerived });
  }

  /** `count` hype entries of one category; triggerThreshold lowers (or raises) this session's trigger. */
  async injectHype(category, count = 1, { intensity = 1, viewerType, triggerThreshold } = {}) {
    const body = { category, count, intensity };
    if (viewerType) body.viewerType = viewerType;
    if (triggerThreshold) body.triggerThreshold = triggerThreshold;
    const status = await this._call("/showtime/hype/inject", body);
    this._fromHypeStatus(status);
    return status;
  }

  async pause(reason) {
    return this._lifecycle("/showtime/session/pause", reason ? { reason } : {});
  }

  async resume() {
    return this._lifecycle("/showtime/session/resume", {});
  }

  /** Ends the session (followers are converted); polling stops, the last figures stay. */
  async end() {
    const session = await this._lifecycle("/showtime/session/end", {});
    this._stopPolling();
    await this.loadCareer().catch(() => {});
    await this.loadFollowers().catch(() => {});
    return session;
  }

  async loadCareer() {
    const who = this.streamer;
    if (!who) return null;
    const [career, milestones] = await Promise.all([
      this.connection.callOk("/showtime/career/get", who),
      this.connection.callOk("/showtime/career/milestones", { ...who, pageSize: 20 }),
    ]);
    this.state.career = career;
    const known = new Set(this.state.milestones.map((m) => m.milestoneCode));
    for (const m of milestones.milestones) if (!known.has(m.milestoneCode)) this.state.milestones.push(m);
    this.state.milestones.sort((a, b) => String(b.reachedAt || "").localeCompare(String(a.reachedAt || "")));
    this._emit("career");
    return career;
  }

  async loadFollowers(pageSize = 20) {
    const who = this.streamer;
    if (!who) return null;
    const followers = await this.connection.callOk("/showtime/audience/followers", { ...who, pageSize });
    this.state.followers = followers;
    this._emit("career");
    return followers;
  }

  /** Stops listening and polling (the session goes on). */
  close() {
    this._stopPolling();
    for (const off of this._offs) off();
    this._offs = [];
    this._early = [];
  }

  // ----------------------------------------------------------------------------------------------

  _subscribe() {
    this._early = []; // events that came before the session id was known
    for (const name of CLIENT_EVENTS) this._offs.push(this.connection.on(name, (e) => this._onEvent(e)));
  }

  _attached(session) {
    this.sessionId = session.showtimeSessionId;
    this.state.history = [];
    this._setSession(session);
    const early = this._early;
    this._early = [];
    for (const event of early) this._onEvent(event);
    if (session.status !== "ended") this._startPolling();
    this.loadCareer().catch((error) => this._emit("error", { error }));
  }

  async _call(path, extra = {}) {
    if (!this.sessionId) throw new Error("no showtime session: start() or attach() first");
    return this.connection.callOk(path, { showtimeSessionId: this.sessionId, ...extra });
  }

  async _lifecycle(path, extra) {
    const session = await this._call(path, extra);
    this._setSession(session);
    return session;
  }

  _setSession(session) {
    this.state.session = session;
    const previous = this.state.status;
    this.state.status = session.status;
    if (session.audience) this._setAudience(audienceOf(session.audience), false);
    if (session.hypeTrain) this._setHypeTrain(session.hypeTrain);
    this._emit("session");
    if (previous !== session.status) this._emit("status");
  }

  _startPolling() {
    if (!this.pollIntervalMs || this._pollTimer) return;
    const poll = async () => {
      if (this._polling || !this.sessionId) return;
      this._polling = true;
      try {
        await this.snapshot();
        await this.hypeStatus();
      } catch (error) {
        this._emit("error", { error });
      } finally {
        this._polling = false;
      }
    };
    this._pollTimer = setInterval(poll, this.pollIntervalMs);
    poll();
  }

  _stopPolling() {
    clearInterval(this._pollTimer);
    this._pollTimer = null;
  }

  _onEvent(event) {
    if (!this.sessionId) {
      if (this._early.length < 64) this._early.push(event);
      return;
    }
    if (event.showtimeSessionId && event.showtimeSessionId !== this.sessionId) return;
    this.state.eventCounts[event.eventName] = (this.state.eventCounts[event.eventName] || 0) + 1;
    switch (event.eventName) {
      case "showtime.audience.changed":
        for (const r of event.reactions || []) this.state.sentiments[r.category] = (this.state.sentiments[r.category] || 0) + r.count;
        this._setAudience(
          {
            size: event.audienceSize,
            peakSize: event.peakSize,
            engaged: event.engagedCount,
            disengaged: event.disengagedCount,
            averageEngagement: event.averageEngagement,
            candidates: event.followerCandidateCount,
            joined: event.joined,
            left: event.left,
            personalityMix: event.personalityMix,
            interestMix: event.interestMix,
            contentTags: event.contentTags,
            changeKind: event.changeKind || null,
          },
          true,
        );
        if (event.status && event.status !== this.state.status) {
          this.state.status = event.status;
          this._emit("status");
        }
        break;
      case "showtime.hype.progress": {
        const h = this.state.hype;
        h.active = event.active;
        h.level = event.level;
        h.peakLevel = Math.max(h.peakLevel || 0, event.peakLevel || 0);
        h.progress = event.progress;
        h.currentScore = event.currentScore ?? h.currentScore;
        h.levelThreshold = event.levelThreshold ?? h.levelThreshold;
        h.triggerCategory = event.triggerCategory ?? h.triggerCategory;
        h.deadline = event.active && event.secondsRemaining != null ? new Date(Date.now() + event.secondsRemaining * 1000) : null;
        h.change = event.change;
        if (event.change === "completed") {
          h.completed = (h.completed || 0) + 1;
          h.endReason = event.endReason || null;
        }
        this._emit("hype");
        break;
      }
      case "showtime.milestone.reached":
        this.state.milestones.unshift({
          milestoneCode: event.milestoneCode,
          kind: event.kind,
          value: event.value,
          careerPhase: event.careerPhase,
          previousPhase: event.previousPhase || null,
          hypeLevel: event.hypeLevel || null,
          reachedAt: event.timestamp,
          showtimeSessionId: event.showtimeSessionId,
        });
        this._emit("milestone", { milestone: this.state.milestones[0] });
        break;
      case "showtime.session.status":
        if (this.state.session) {
          this.state.session = { ...this.state.session, status: event.status };
          if (event.followersGained != null) this.state.session.followersGained = event.followersGained;
        }
        if (event.status !== this.state.status) {
          this.state.status = event.status;
          this._emit("status");
        }
        if (event.status === "ended") {
          this._stopPolling();
          this.loadCareer().catch(() => {});
        }
        break;
    }
    this._emit("event", { event });
  }

  _fromSnapshot(snap) {
    if (snap.status && snap.status !== this.state.status) {
      this.state.status = snap.status;
      this._emit("status");
    }
    this._setAudience(
      {
        ...audienceOf(snap.audience),
        followers: snap.followerCount,
        personalityMix: snap.personalityMix,
        interestMix: snap.interestMix,
        contentTags: snap.contentTags,
      },
      true,
    );
    if (snap.hypeTrain) this._setHypeTrain(snap.hypeTrain);
  }

  _fromHypeStatus(status) {
    if (status.hypeTrain) this._setHypeTrain(status.hypeTrain);
    else if (!status.active && this.state.hype.active) {
      this.state.hype = { ...this.state.hype, active: false, level: 0, progress: 0, deadline: null };
    }
    const h = this.state.hype;
    h.available = status.hypeTrainsAvailable;
    h.triggerThreshold = status.triggerThreshold;
    h.completed = Math.max(h.completed || 0, status.hypeTrainsCompleted || 0);
    h.peakLevel = Math.max(h.peakLevel || 0, status.peakHypeLevel || 0);
    h.cooldownSeconds = status.cooldownRemainingSeconds;
    this._emit("hype");
  }

  _setHypeTrain(train) {
    const h = this.state.hype;
    h.active = true;
    h.level = train.level;
    h.peakLevel = Math.max(h.peakLevel || 0, train.peakLevel || 0);
    h.progress = train.progress;
    h.currentScore = train.currentScore;
    h.levelThreshold = train.levelThreshold;
    h.triggerCategory = train.triggerCategory;
    const ends = [train.levelExpiresAt, train.expiresAt].map((t) => (t ? new Date(t) : null)).filter((d) => d && !isNaN(d));
    h.deadline = ends.length ? new Date(Math.min(...ends.map((d) => d.getTime()))) : h.deadline;
  }

  _setAudience(figures, sample) {
    const previous = this.state.audience || {};
    const audience = { ...previous, ...stripUndefined(figures), at: new Date() };
    this.state.audience = audience;
    if (sample) {
      this.state.history.push({ t: Date.now(), size: audience.size, engaged: audience.engaged, averageEngagement: audience.averageEngagement });
      if (this.state.history.length > HISTORY_LIMIT) this.state.history.shift();
    }
    this._emit("audience");
  }

  _emit(type, extra = {}) {
    this.dispatchEvent(new CustomEvent(type, { detail: { ...this.state, ...extra } }));
  }
}

function audienceOf(m) {
  if (!m) return {};
  return {
    size: m.currentSize,
    peakSize: m.peakSize,
    engaged: m.engagedCount,
    disengaged: m.disengagedCount,
    averageEngagement: m.averageEngagement,
    sessionAverageEngagement: m.sessionAverageEngagement,
    candidates: m.followerCandidateCount,
    ticks: m.ticks,
    targetSize: m.targetSize,
  };
}

function stripUndefined(o) {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
