// onair-voice.js: a voice room of an onair server as a WebRTC full mesh, on top of OnairConnection.
//
//   import { OnairConnection } from "/js/onair-client.js";
//   import { VoiceRoom } from "/js/onair-voice.js";
//   const onair = new OnairConnection();
//   await onair.connect(token);
//   const room = new VoiceRoom(onair);
//   room.addEventListener("participants", (e) => render(e.detail.participants));
//   room.addEventListener("levels", (e) => meters(e.detail.levels));
//   room.addEventListener("consent-request", (e) => ask(e.detail));   // {requestedByDisplayName, deadline}
//   room.addEventListener("broadcast", (e) => show(e.detail));        // {state, phase, consentedCount, ...}
//   await room.join(roomId, { displayName: "Ada" });
//   ...
//   await room.leave();
//
// Signaling (schemas/voice-api.yaml, docs/voice.md): a WebRTC offer can be answered once, so the joiner
// joins with an empty offer and sends one offer per existing peer (/voice/peer/offer). Existing peers get
// it as voice.peer.joined with a non-empty sdpOffer and answer (/voice/peer/answer); the answer reaches the
// joiner as voice.peer.updated. ICE candidates trickle both ways (/voice/peer/ice-candidate, delivered as
// voice.peer.updated with an empty sdpOffer). Only joiners offer, so offers never collide.
//
// DOM events (CustomEvent; the detail is listed):
//   "joined"             {roomId, sessionId, tier, codec, broadcastState}
//   "participants"       {participants}: the list changed (joined, left, connection state)
//   "participant-joined" {participant}            "participant-left" {sessionId, displayName, evicted}
//   "levels"             {levels: [{sessionId, level}]} about every levelIntervalMs, level in 0..1
//   "broadcast"          the broadcast state (see broadcast getter)
//   "consent-request"    {requestedBySessionId, requestedByDisplayName, deadline: Date, timeoutSeconds}
//   "consent-closed"     {} the pending request was answered, decided or timed out
//   "mute"               {muted}
//   "warning"            {message, error?}: something degraded (no microphone, a peer failed, ...)
//   "left"               {reason: "left" | "room_closed" | "evicted" | "disconnected"}

import { OnairError } from "./onair-client.js";

const EVENT_NAMES = [
  "voice.room.state",
  "voice.peer.joined",
  "voice.peer.updated",
  "voice.peer.left",
  "voice.room.closed",
  "voice.tier-upgrade",
  "voice.broadcast.consent-request",
  "voice.broadcast.consent-update",
];

const MAX_CANDIDATES_PER_CALL = 64; // IceCandidateRequest.iceCandidates maxItems

/** Parses a relayed candidate: JSON of RTCIceCandidateInit, or an "a=candidate:" line. */
export function parseIceCandidate(text) {
  if (typeof text !== "string" || text === "") return null;
  try {
    const parsed = JSON.parse(text);
    if (parsed && typeof parsed.candidate === "string") return parsed;
  } catch {
    // not JSON: maybe an SDP line
  }
  const line = text.replace(/^a=/, "").trim();
  if (line.startsWith("candidate:")) return { candidate: line, sdpMLineIndex: 0 };
  return null;
}

/**
 * The phase a UI shows, from the broadcast state and the last update's outcome:
 * "inactive" | "pending" | "approved" | "broadcasting" | "declined" | "stopped".
 */
export function broadcastPhase(b) {
  if (b.state && b.state !== "inactive") return b.state;
  if (b.declinedReason || b.declinedByDisplayName) return "declined";
  if (b.stoppedReason) return "stopped";
  return "inactive";
}

function inactiveBroadcast() {
  return {
    state: "inactive",
    phase: "inactive",
    consentedCount: 0,
    totalCount: 0,
    requestedBySessionId: null,
    deadline: null,
    declinedByDisplayName: null,
    declinedReason: null,
    stoppedReason: null,
  };
}

export class VoiceRoom extends EventTarget {
  /**
   * @param {import("./onair-client.js").OnairConnection} connection a connected OnairConnection.
   * @param {object} [options]
   * @param {HTMLElement} [options.audioContainer] where the <audio autoplay> elements go (default: body).
   * @param {MediaStream} [options.localStream] use this stream instead of asking for the microphone.
   * @param {MediaTrackConstraints} [options.audioConstraints]
   * @param {number} [options.levelIntervalMs=100] how often "levels" fires.
   */
  constructor(connection, options = {}) {
    super();
    this.connection = connection;
    this.options = {
      audioContainer: null,
      localStream: null,
      audioConstraints: { echoCancellation: true, noiseSuppression: true, autoGainControl: true },
      levelIntervalMs: 100,
      ...options,
    };
    this.roomId = null;
    this.sessionId = null;
    this.tier = null;
    this.joined = false;
    this.localStream = null;
    this.muted = false;
    this._ownsLocalStream = false;
    this._iceServers = [];
    this._participants = new Map(); // sessionId -> {sessionId, displayName, isLocal, level, connectionState}
    this._links = new Map(); // sessionId -> PeerLink (one RTCPeerConnection per remote participant)
    this._earlyCandidates = new Map(); // sessionId -> [RTCIceCandidateInit] that came before an offer
    this._broadcast = inactiveBroadcast();
    this._consentRequest = null;
    this._unsubscribe = [];
    this._timers = [];
    this._queued = null; // events that arrive before the join response is handled
    this._chain = Promise.resolve(); // signaling events are applied one after another
    this._audioContext = null;
    this._localAnalyser = null;
    this._statsRunning = false;
    this._onConnectionClose = () => this._teardown("disconnected");
  }

  // ---------------------------------------------------------------------------------------------
  // State a UI reads

  /** Participants, this session first. */
  get participants() {
    return [...this._participants.values()]
      .sort((a, b) => (b.isLocal ? 1 : 0) - (a.isLocal ? 1 : 0))
      .map((p) => ({ ...p }));
  }

  /** {state, phase, consentedCount, totalCount, requestedBySessionId, deadline, declinedByDisplayName,
   *  declinedReason, stoppedReason}; phase is what to show (see broadcastPhase). */
  get broadcast() {
    return { ...this._broadcast };
  }

  /** The consent request waiting for this session's answer, or null. */
  get consentRequest() {
    return this._consentRequest ? { ...this._consentRequest } : null;
  }

  // ---------------------------------------------------------------------------------------------
  // Joining and leaving

  /**
   * Joins a room (created on the fly when the server allows ad-hoc rooms) and connects to every peer.
   * @param {string} roomId a uuid
   * @param {{displayName?: string, password?: string, acceptBroadcast?: boolean}} [options]
   * @returns {Promise<object>} the JoinVoiceRoomResponse.
   */
  async join(roomId, { displayName, password, acceptBroadcast } = {}) {
    if (this.roomId) throw new OnairError("already in a room; leave first");
    if (!this.connection.connected) throw new OnairError("the connection is not open");
    this.roomId = roomId;
    this._queued = [];
    for (const name of EVENT_NAMES) {
      this._unsubscribe.push(this.connection.on(name, (event) => this._onServerEvent(event)));
    }
    this.connection.addEventListener("close", this._onConnectionClose);

    let response;
    try {
      await this._openMicrophone();
      const body = { roomId, sipEndpoint: { sdpOffer: "" } };
      if (displayName) body.displayName = displayName;
      if (password) body.password = password;
      if (acceptBroadcast) body.acceptBroadcast = true;
      response = await this.connection.callOk("/voice/room/join", body);
    } catch (e) {
      this._teardown(null);
      throw e;
    }

    this.sessionId = response.sessionId;
    this.tier = response.tier;
    this.joined = true;
    this._iceServers = (response.stunServers || []).filter(Boolean).map((urls) => ({ urls }));
    this._participants.set(this.sessionId, {
      sessionId: this.sessionId,
      displayName: displayName || null,
      isLocal: true,
      level: 0,
      connectionState: "local",
    });
    this._setBroadcast({ ...inactiveBroadcast(), state: response.broadcastState || "inactive" });

    const heartbeatMs = Math.max(1, response.heartbeatIntervalSeconds || 20) * 1000;
    this._timers.push(setInterval(() => this._heartbeat(), heartbeatMs));
    this._timers.push(setInterval(() => this._tickLevels(), this.options.levelIntervalMs));

    this.dispatchEvent(
      new CustomEvent("joined", {
        detail: {
          roomId,
          sessionId: this.sessionId,
          tier: response.tier,
          codec: response.codec,
          broadcastState: response.broadcastState,
        },
      }),
    );
    if (response.tier && response.tier !== "p2p") {
      this._warn(`the room is on the ${response.tier} tier, which this client does not support yet`);
    }

    // One offer per existing peer.
    for (const peer of response.peers || []) {
      this._upsertParticipant(peer.sessionId, peer.displayName);
      if (!this._links.has(peer.sessionId)) this._offerTo(peer.sessionId);
    }
    this._emitParticipants();

    // Events that came in while the join call was running, in order.
    const queued = this._queued;
    this._queued = null;
    for (const event of queued) this._onServerEvent(event);

    if (response.broadcastState && response.broadcastState !== "inactive") {
      this.broadcastStatus().catch(() => {});
    }
    return response;
  }

  /** Leaves the room and closes every connection. */
  async leave() {
    if (!this.roomId) return;
    const roomId = this.roomId;
    try {
      if (this.joined && this.connection.connected) {
        await this.connection.callOk("/voice/room/leave", { roomId });
      }
    } catch (e) {
      if (!(e instanceof OnairError) || e.status !== 404) this._warn("leaving failed", e);
    } finally {
      this._teardown("left");
    }
  }

  /** Mutes or unmutes the microphone (the track keeps running; peers get silence). */
  setMuted(muted) {
    this.muted = !!muted;
    if (this.localStream) for (const track of this.localStream.getAudioTracks()) track.enabled = !this.muted;
    this.dispatchEvent(new CustomEvent("mute", { detail: { muted: this.muted } }));
  }

  // ---------------------------------------------------------------------------------------------
  // Broadcast consent

  /** Asks every participant to consent to broadcasting the room (asking counts as consent). */
  async requestBroadcast() {
    return this._applyStatus(await this._call("/voice/room/broadcast/request", { roomId: this.roomId }));
  }

  /** Answers the pending consent request. */
  async respondConsent(consented) {
    try {
      const status = await this._call("/voice/room/broadcast/consent", {
        roomId: this.roomId,
        consented: !!consented,
      });
      return this._applyStatus(status);
    } finally {
      this._closeConsentRequest();
    }
  }

  /** Stops an approved broadcast (revokes consent) or declines a pending request. */
  async stopBroadcast() {
    return this._applyStatus(await this._call("/voice/room/broadcast/stop", { roomId: this.roomId }));
  }

  /** Fetches the broadcast consent status (BroadcastConsentStatus) and updates the local view. */
  async broadcastStatus() {
    return this._applyStatus(await this._call("/voice/room/broadcast/status", { roomId: this.roomId }));
  }

  // ---------------------------------------------------------------------------------------------
  // Diagnostics

  /**
   * Live statistics of every peer connection:
   * [{sessionId, displayName, connectionState, iceConnectionState, packetsReceived, bytesReceived,
   *   audioLevel, totalAudioEnergy, packetsSent}]
   */
  async peerStats() {
    const out = [];
    for (const [sessionId, link] of this._links) {
      const s = await this._readStats(link);
      out.push({
        sessionId,
        displayName: this._participants.get(sessionId)?.displayName ?? null,
        connectionState: link.pc.connectionState,
        iceConnectionState: link.pc.iceConnectionState,
        ...s,
      });
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // Server events

  _onServerEvent(event) {
    if (!this.roomId || event.roomId !== this.roomId) return;
    if (this._queued) {
      this._queued.push(event);
      return;
    }
    // Applied in order: an answer must be set before the candidates that follow it.
    this._chain = this._chain
      .then(() => this._handle(event))
      .catch((e) => this._warn(`handling ${event.eventName} failed`, e));
  }

  async _handle(event) {
    if (!this.joined) return;
    switch (event.eventName) {
      case "voice.room.state":
        for (const peer of event.peers || []) this._upsertParticipant(peer.peerSessionId, peer.displayName);
        this._emitParticipants();
        break;
      case "voice.peer.joined": {
        const peer = event.peer;
        if (!peer || peer.peerSessionId === this.sessionId) return;
        const isNew = !this._participants.has(peer.peerSessionId);
        this._upsertParticipant(peer.peerSessionId, peer.displayName);
        if (peer.sdpOffer) {
          await this._answerOffer(peer.peerSessionId, peer.sdpOffer, peer.iceCandidates || [], event.timestamp);
        } else {
          // A join notification; its offer follows. A link to this session from before the join is
          // from the peer's earlier life (an offer relayed across nodes may overtake the notification).
          const link = this._links.get(peer.peerSessionId);
          if (link && !(link.offerTimestamp && event.timestamp && link.offerTimestamp >= event.timestamp)) {
            this._closeLink(peer.peerSessionId);
          }
        }
        if (isNew) {
          this.dispatchEvent(
            new CustomEvent("participant-joined", { detail: { participant: { ...this._participants.get(peer.peerSessionId) } } }),
          );
        }
        this._emitParticipants();
        break;
      }
      case "voice.peer.updated": {
        const peer = event.peer;
        if (!peer) return;
        if (peer.sdpOffer) await this._acceptAnswer(peer.peerSessionId, peer.sdpOffer);
        if (peer.iceCandidates && peer.iceCandidates.length) {
          await this._addRemoteCandidates(peer.peerSessionId, peer.iceCandidates);
        }
        break;
      }
      case "voice.peer.left": {
        const gone = this._participants.get(event.peerSessionId);
        this._closeLink(event.peerSessionId);
        this._earlyCandidates.delete(event.peerSessionId);
        this._participants.delete(event.peerSessionId);
        this.dispatchEvent(
          new CustomEvent("participant-left", {
            detail: {
              sessionId: event.peerSessionId,
              displayName: event.displayName ?? gone?.displayName ?? null,
              evicted: !!event.evicted,
            },
          }),
        );
        this._emitParticipants();
        break;
      }
      case "voice.room.closed":
        this._teardown("room_closed");
        break;
      case "voice.tier-upgrade":
        this._warn("the room moved to the scaled tier, which this client does not support yet");
        break;
      case "voice.broadcast.consent-request":
        this._consentRequest = {
          requestedBySessionId: event.requestedBySessionId,
          requestedByDisplayName:
            event.requestedByDisplayName ?? this._participants.get(event.requestedBySessionId)?.displayName ?? null,
          deadline: new Date(event.deadline),
          timeoutSeconds: event.timeoutSeconds ?? null,
        };
        if (this._broadcast.state === "inactive") {
          this._setBroadcast({
            ...inactiveBroadcast(),
            state: "pending",
            requestedBySessionId: event.requestedBySessionId,
            deadline: new Date(event.deadline),
          });
        }
        this.dispatchEvent(new CustomEvent("consent-request", { detail: this.consentRequest }));
        break;
      case "voice.broadcast.consent-update": {
        const keepDeadline = event.state === "pending" ? this._broadcast.deadline || this._consentRequest?.deadline : null;
        this._setBroadcast({
          state: event.state,
          consentedCount: event.consentedCount,
          totalCount: event.totalCount,
          requestedBySessionId: event.state === "inactive" ? null : this._broadcast.requestedBySessionId,
          deadline: keepDeadline || null,
          declinedByDisplayName: event.declinedByDisplayName ?? null,
          declinedReason: event.declinedReason ?? null,
          stoppedReason: event.stoppedReason ?? null,
        });
        if (event.state !== "pending") this._closeConsentRequest();
        break;
      }
      default:
        break;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Peer connections

  _createLink(peerId, role) {
    this._closeLink(peerId);
    const pc = new RTCPeerConnection({ iceServers: this._iceServers });
    const link = {
      peerId,
      role, // "offerer" (we joined after them) or "answerer"
      pc,
      audio: null,
      remoteDescriptionSet: false,
      pendingRemote: this._earlyCandidates.get(peerId) || [],
      outgoing: [],
      canTrickle: false, // true once our SDP reached the server: candidates must not overtake it
      flushTimer: null,
      analyser: null,
      stats: { packetsReceived: 0, bytesReceived: 0, audioLevel: 0, totalAudioEnergy: 0, packetsSent: 0 },
      closed: false,
    };
    this._earlyCandidates.delete(peerId);
    this._links.set(peerId, link);

    pc.onicecandidate = (e) => {
      if (!e.candidate || !e.candidate.candidate) return; // end of candidates
      link.outgoing.push(JSON.stringify(e.candidate));
      this._scheduleFlush(link);
    };
    pc.ontrack = (e) => {
      const stream = (e.streams && e.streams[0]) || new MediaStream([e.track]);
      this._attachAudio(link, stream);
    };
    pc.onconnectionstatechange = () => {
      if (link.closed) return;
      const p = this._participants.get(peerId);
      if (p) p.connectionState = pc.connectionState;
      if (pc.connectionState === "failed") this._warn(`the connection to ${p?.displayName || peerId} failed`);
      this._emitParticipants();
    };
    const p = this._participants.get(peerId);
    if (p) p.connectionState = pc.connectionState;
    return link;
  }

  _addLocalAudio(link, asOfferer) {
    const track = this.localStream?.getAudioTracks()[0];
    if (track) {
      link.pc.addTrack(track, this.localStream);
    } else if (asOfferer) {
      link.pc.addTransceiver("audio", { direction: "recvonly" }); // listen-only
    }
  }

  async _offerTo(peerId) {
    const link = this._createLink(peerId, "offerer");
    try {
      this._addLocalAudio(link, true);
      await link.pc.setLocalDescription(await link.pc.createOffer());
      if (link.closed) return;
      await this.connection.callOk("/voice/peer/offer", {
        roomId: this.roomId,
        targetSessionId: peerId,
        sdpOffer: link.pc.localDescription.sdp,
      });
      link.canTrickle = true;
      this._flush(link);
    } catch (e) {
      if (!link.closed) this._warn(`offering to ${peerId} failed`, e);
    }
  }

  async _answerOffer(peerId, sdp, candidates, offerTimestamp) {
    const link = this._createLink(peerId, "answerer");
    link.offerTimestamp = offerTimestamp || null; // RFC 3339 UTC: compares as text
    for (const c of candidates) {
      const parsed = parseIceCandidate(c);
      if (parsed) link.pendingRemote.push(parsed);
    }
    await link.pc.setRemoteDescription({ type: "offer", sdp });
    link.remoteDescriptionSet = true;
    this._addLocalAudio(link, false);
    await link.pc.setLocalDescription(await link.pc.createAnswer());
    await this._drainRemoteCandidates(link);
    if (link.closed) return;
    // Not awaited by the event chain: later events need not wait for the round trip.
    this.connection
      .callOk("/voice/peer/answer", { roomId: this.roomId, targetSessionId: peerId, sdpAnswer: link.pc.localDescription.sdp })
      .then(() => {
        link.canTrickle = true;
        this._flush(link);
      })
      .catch((e) => {
        if (!link.closed) this._warn(`answering ${peerId} failed`, e);
      });
  }

  async _acceptAnswer(peerId, sdp) {
    const link = this._links.get(peerId);
    if (!link || link.role !== "offerer" || link.pc.signalingState !== "have-local-offer") return;
    await link.pc.setRemoteDescription({ type: "answer", sdp });
    link.remoteDescriptionSet = true;
    await this._drainRemoteCandidates(link);
  }

  async _addRemoteCandidates(peerId, texts) {
    const parsed = texts.map(parseIceCandidate).filter(Boolean);
    const link = this._links.get(peerId);
    if (!link) {
      // Before the offer: keep them for the connection the offer creates.
      const early = this._earlyCandidates.get(peerId) || [];
      early.push(...parsed);
      this._earlyCandidates.set(peerId, early);
      return;
    }
    link.pendingRemote.push(...parsed);
    if (link.remoteDescriptionSet) await this._drainRemoteCandidates(link);
  }

  async _drainRemoteCandidates(link) {
    while (link.pendingRemote.length && !link.closed) {
      const candidate = link.pendingRemote.shift();
      try {
        await link.pc.addIceCandidate(candidate);
      } catch (e) {
        this._warn("an ICE candidate was rejected", e);
      }
    }
  }

  _scheduleFlush(link) {
    if (!link.canTrickle || link.flushTimer) return;
    // A short pause collects the candidates gathered together into one call.
    link.flushTimer = setTimeout(() => {
      link.flushTimer = null;
      this._flush(link);
    }, 20);
  }

  _flush(link) {
    if (!link.canTrickle || link.closed || !this.joined) return;
    while (link.outgoing.length) {
      const batch = link.outgoing.splice(0, MAX_CANDIDATES_PER_CALL);
      this.connection
        .callOk("/voice/peer/ice-candidate", { roomId: this.roomId, targetSessionId: link.peerId, iceCandidates: batch })
        .catch((e) => {
          if (!link.closed) this._warn("sending ICE candidates failed", e);
        });
    }
  }

  _attachAudio(link, stream) {
    if (!link.audio) {
      const audio = document.createElement("audio");
      audio.autoplay = true;
      audio.dataset.sessionId = link.peerId;
      (this.options.audioContainer || document.body).appendChild(audio);
      link.audio = audio;
    }
    if (link.audio.srcObject !== stream) {
      link.audio.srcObject = stream;
      link.stream = stream;
      link.audio.play().catch((e) => this._warn("the browser blocked audio playback; click anywhere to allow it", e));
    }
  }

  _closeLink(peerId) {
    const link = this._links.get(peerId);
    if (!link) return;
    link.closed = true;
    clearTimeout(link.flushTimer);
    try {
      link.pc.close();
    } catch {
      // already closed
    }
    if (link.audio) {
      link.audio.srcObject = null;
      link.audio.remove();
    }
    if (link.analyser) link.analyser.source.disconnect();
    this._links.delete(peerId);
    const p = this._participants.get(peerId);
    if (p) p.connectionState = "closed";
  }

  // ---------------------------------------------------------------------------------------------
  // Microphone and levels

  async _openMicrophone() {
    if (this.options.localStream) {
      this.localStream = this.options.localStream;
      this._ownsLocalStream = false;
    } else {
      try {
        this.localStream = await navigator.mediaDevices.getUserMedia({ audio: this.options.audioConstraints, video: false });
        this._ownsLocalStream = true;
      } catch (e) {
        this.localStream = null;
        this._warn("no microphone: joining to listen only", e);
      }
    }
    if (this.localStream) {
      for (const track of this.localStream.getAudioTracks()) track.enabled = !this.muted;
      const context = this._context();
      if (context) this._localAnalyser = this._analyse(this.localStream);
    }
  }

  _context() {
    if (this._audioContext) return this._audioContext;
    const Context = globalThis.AudioContext || globalThis.webkitAudioContext;
    if (!Context) return null;
    this._audioContext = new Context();
    if (this._audioContext.state === "suspended") this._audioContext.resume().catch(() => {});
    return this._audioContext;
  }

  _analyse(stream) {
    const context = this._context();
    if (!context) return null;
    const source = context.createMediaStreamSource(stream);
    const node = context.createAnalyser();
    node.fftSize = 1024;
    source.connect(node);
    return { source, node, buffer: new Float32Array(node.fftSize), level: 0 };
  }

  // Peak amplitude (0..1) with a short decay, so a meter falls smoothly.
  _analyserLevel(analyser) {
    analyser.node.getFloatTimeDomainData(analyser.buffer);
    let peak = 0;
    for (const v of analyser.buffer) peak = Math.max(peak, Math.abs(v));
    analyser.level = Math.max(Math.min(1, peak), analyser.level * 0.8);
    return analyser.level;
  }

  async _readStats(link) {
    const stats = await link.pc.getStats();
    let inbound = null;
    let outbound = null;
    stats.forEach((report) => {
      if (report.type === "inbound-rtp" && (report.kind === "audio" || report.mediaType === "audio")) inbound = report;
      if (report.type === "outbound-rtp" && (report.kind === "audio" || report.mediaType === "audio")) outbound = report;
    });
    link.stats = {
      packetsReceived: inbound?.packetsReceived ?? 0,
      bytesReceived: inbound?.bytesReceived ?? 0,
      audioLevel: inbound?.audioLevel ?? null,
      totalAudioEnergy: inbound?.totalAudioEnergy ?? 0,
      packetsSent: outbound?.packetsSent ?? 0,
    };
    return { ...link.stats };
  }

  _tickLevels() {
    if (!this.joined) return;
    const local = this._participants.get(this.sessionId);
    if (local) local.level = this._localAnalyser && !this.muted ? this._analyserLevel(this._localAnalyser) : 0;
    if (!this._statsRunning) {
      this._statsRunning = true;
      Promise.all(
        [...this._links.values()].map(async (link) => {
          const p = this._participants.get(link.peerId);
          if (!p) return;
          try {
            const s = await this._readStats(link);
            if (s.audioLevel !== null) {
              p.level = s.audioLevel;
            } else if (link.stream) {
              // No audioLevel in the stats: measure the remote stream.
              if (!link.analyser) link.analyser = this._analyse(link.stream);
              p.level = link.analyser ? this._analyserLevel(link.analyser) : 0;
            }
          } catch {
            // closed meanwhile
          }
        }),
      ).finally(() => {
        this._statsRunning = false;
      });
    }
    const levels = [...this._participants.values()].map((p) => ({ sessionId: p.sessionId, level: p.level || 0 }));
    this.dispatchEvent(new CustomEvent("levels", { detail: { levels } }));
  }

  async _heartbeat() {
    if (!this.joined) return;
    try {
      await this.connection.callOk("/voice/peer/heartbeat", { roomId: this.roomId });
    } catch (e) {
      if (e instanceof OnairError && (e.status === 404 || e.status === 403)) {
        this._teardown("evicted"); // the server no longer has us in the room
      } else {
        this._warn("heartbeat failed", e);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  async _call(path, body) {
    if (!this.joined) throw new OnairError("not in a room", { path });
    return this.connection.callOk(path, body);
  }

  _applyStatus(status) {
    // A BroadcastConsentStatus. Events usually arrive before the response that caused them, so an
    // equal state keeps the outcome (who declined, why it stopped) the update event told.
    const consented = status.consentedSessionIds?.length ?? 0;
    const pending = status.pendingSessionIds?.length ?? 0;
    const sameState = status.state === this._broadcast.state;
    this._setBroadcast({
      ...(sameState ? this._broadcast : inactiveBroadcast()),
      state: status.state,
      consentedCount: status.state === "inactive" && sameState ? this._broadcast.consentedCount : consented,
      totalCount: status.state === "inactive" && sameState ? this._broadcast.totalCount : consented + pending,
      requestedBySessionId: status.requestedBySessionId ?? null,
      deadline: status.deadline ? new Date(status.deadline) : null,
    });
    return status;
  }

  _setBroadcast(next) {
    const b = { ...inactiveBroadcast(), ...next };
    b.phase = broadcastPhase(b);
    this._broadcast = b;
    this.dispatchEvent(new CustomEvent("broadcast", { detail: this.broadcast }));
  }

  _closeConsentRequest() {
    if (!this._consentRequest) return;
    this._consentRequest = null;
    this.dispatchEvent(new CustomEvent("consent-closed", { detail: {} }));
  }

  _upsertParticipant(sessionId, displayName) {
    const existing = this._participants.get(sessionId);
    if (existing) {
      if (displayName) existing.displayName = displayName;
      return existing;
    }
    const p = {
      sessionId,
      displayName: displayName || null,
      isLocal: false,
      level: 0,
      connectionState: this._links.get(sessionId)?.pc.connectionState ?? "new",
    };
    this._participants.set(sessionId, p);
    return p;
  }

  _emitParticipants() {
    this.dispatchEvent(new CustomEvent("participants", { detail: { participants: this.participants } }));
  }

  _warn(message, error) {
    if (error) console.warn("onair voice:", message, error);
    this.dispatchEvent(new CustomEvent("warning", { detail: { message, error } }));
  }

  _teardown(reason) {
    const wasJoined = this.joined;
    this.joined = false;
    for (const off of this._unsubscribe) off();
    this._unsubscribe = [];
    this.connection.removeEventListener("close", this._onConnectionClose);
    for (const t of this._timers) clearInterval(t);
    this._timers = [];
    for (const peerId of [...this._links.keys()]) this._closeLink(peerId);
    this._earlyCandidates.clear();
    if (this._localAnalyser) this._localAnalyser.source.disconnect();
    this._localAnalyser = null;
    if (this.localStream && this._ownsLocalStream) for (const track of this.localStream.getTracks()) track.stop();
    this.localStream = null;
    if (this._audioContext) this._audioContext.close().catch(() => {});
    this._audioContext = null;
    this._participants.clear();
    this._queued = null;
    this._closeConsentRequest();
    this._broadcast = inactiveBroadcast();
    this.roomId = null;
    this.sessionId = null;
    if (wasJoined && reason) {
      this._emitParticipants();
      this.dispatchEvent(new CustomEvent("left", { detail: { reason } }));
    }
  }
}
