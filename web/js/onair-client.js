// onair-client.js: the /connect WebSocket of an onair server, for any web game.
//
//   import { OnairConnection } from "/js/onair-client.js";
//   const onair = new OnairConnection();                 // ws(s)://<this host>/connect
//   const sessionId = await onair.connect(token);        // token: a JWT from the game's backend
//   const { status, body } = await onair.call("/voice/room/get", { roomId });
//   const off = onair.on("voice.peer.joined", (event) => { ... });
//
// Protocol (docs/api.md): the client sends {"token": ...} first and gets
// {"type":"welcome","sessionId","accountId"}; calls are {"id","path","body"} answered by
// {"type":"response","id","status","body"} (concurrently: matched by id); the server pushes
// {"type":"event","event":{"eventName",...}}; a frame it cannot use is answered with
// {"type":"error","status","error","id"?}.
//
// No dependencies, no build step. Reconnecting is left to the caller (listen for "close").

/** An error from the server (an error frame or, with callOk, a non-2xx response). */
export class OnairError extends Error {
  constructor(message, { status = 0, body = null, path = "" } = {}) {
    super(message);
    this.name = "OnairError";
    this.status = status;
    this.body = body;
    this.path = path;
  }
}

/** The default /connect URL: same host as the page, wss on https pages. */
export function defaultConnectUrl(loc = globalThis.location) {
  const scheme = loc.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${loc.host}/connect`;
}

/**
 * One /connect socket.
 *
 * DOM events (it is an EventTarget):
 *   "event"  CustomEvent, detail = the pushed client event ({eventName, eventId, timestamp, ...})
 *   "close"  CustomEvent, detail = {code, reason, wasClean}
 */
export class OnairConnection extends EventTarget {
  /**
   * @param {string} [url] ws(s)://host/connect; defaults to the page's host.
   * @param {object} [options]
   * @param {number} [options.callTimeoutMs=15000] how long call() waits for a response.
   * @param {function} [options.WebSocket] a WebSocket constructor (default: the global one).
   */
  constructor(url, { callTimeoutMs = 15000, WebSocket: WebSocketImpl } = {}) {
    super();
    this.url = url || defaultConnectUrl();
    this.callTimeoutMs = callTimeoutMs;
    this.sessionId = null;
    this.accountId = null;
    this._WebSocket = WebSocketImpl || globalThis.WebSocket;
    this._socket = null;
    this._nextId = 1;
    this._pending = new Map(); // id -> {resolve, reject, timer, path}
    this._handlers = new Map(); // eventName ("*" for all) -> Set<handler>
    this._seenEventIds = new Set(); // eventId dedup (bounded)
    this._seenOrder = [];
  }

  /** True while the socket is open and welcomed. */
  get connected() {
    return !!this._socket && this._socket.readyState === 1 && this.sessionId !== null;
  }

  /**
   * Opens the socket and authenticates.
   * @param {string} token the access token (JWT).
   * @returns {Promise<string>} the session id from the welcome frame.
   */
  connect(token) {
    if (this._socket) return Promise.reject(new OnairError("already connected"));
    if (!token) return Promise.reject(new OnairError("a token is required", { status: 401 }));
    return new Promise((resolve, reject) => {
      let welcomed = false;
      let socket;
      try {
        socket = new this._WebSocket(this.url);
      } catch (e) {
        reject(new OnairError(`cannot open ${this.url}: ${e.message}`));
        return;
      }
      this._socket = socket;
      socket.onopen = () => socket.send(JSON.stringify({ token }));
      socket.onmessage = (message) => {
        let frame;
        try {
          frame = JSON.parse(message.data);
        } catch {
          return; // not JSON: nothing we can use
        }
        if (!welcomed) {
          if (frame.type === "welcome") {
            welcomed = true;
            this.sessionId = frame.sessionId;
            this.accountId = frame.accountId;
            resolve(frame.sessionId);
          } else if (frame.type === "error") {
            reject(new OnairError(frame.error || "connection refused", { status: frame.status }));
          }
          return;
        }
        this._onFrame(frame);
      };
      socket.onclose = (e) => {
        this._socket = null;
        const error = new OnairError(`connection closed (${e.code}${e.reason ? ": " + e.reason : ""})`, {
          status: e.code,
        });
        if (!welcomed) reject(error);
        for (const [, pending] of this._pending) {
          clearTimeout(pending.timer);
          pending.reject(new OnairError(error.message, { status: e.code, path: pending.path }));
        }
        this._pending.clear();
        this.dispatchEvent(
          new CustomEvent("close", { detail: { code: e.code, reason: e.reason, wasClean: e.wasClean } }),
        );
      };
      socket.onerror = () => {
        // onclose follows with the code; nothing to do here.
      };
    });
  }

  /**
   * Calls an API path over the socket.
   * @param {string} path e.g. "/voice/room/join"
   * @param {object} [body={}]
   * @returns {Promise<{status: number, body: any}>} any HTTP status resolves (check it);
   *   an error frame for this call, a timeout or a closed socket rejects with OnairError.
   */
  call(path, body = {}) {
    if (!this.connected) return Promise.reject(new OnairError("not connected", { path }));
    const id = this._nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this._pending.delete(id);
        reject(new OnairError(`${path}: no response within ${this.callTimeoutMs} ms`, { status: 408, path }));
      }, this.callTimeoutMs);
      this._pending.set(id, { resolve, reject, timer, path });
      try {
        this._socket.send(JSON.stringify({ id, path, body }));
      } catch (e) {
        clearTimeout(timer);
        this._pending.delete(id);
        reject(new OnairError(`${path}: ${e.message}`, { path }));
      }
    });
  }

  /**
   * Like call(), but resolves with the body of a 2xx response and rejects with an OnairError
   * (status, body, message from the server's "error") otherwise.
   */
  async callOk(path, body = {}) {
    const response = await this.call(path, body);
    if (response.status >= 200 && response.status < 300) return response.body;
    const message = (response.body && response.body.error) || `HTTP ${response.status}`;
    throw new OnairError(`${path}: ${message}`, { status: response.status, body: response.body, path });
  }

  /**
   * Subscribes to pushed client events by name ("voice.peer.joined"), or "*" for all.
   * @returns {function} a function that unsubscribes.
   */
  on(eventName, handler) {
    if (!this._handlers.has(eventName)) this._handlers.set(eventName, new Set());
    this._handlers.get(eventName).add(handler);
    return () => this.off(eventName, handler);
  }

  off(eventName, handler) {
    const set = this._handlers.get(eventName);
    if (set) set.delete(handler);
  }

  /** Closes the socket (pending calls reject). */
  close(code = 1000, reason = "") {
    if (this._socket) this._socket.close(code, reason);
  }

  _onFrame(frame) {
    if (frame.type === "response" || (frame.type === "error" && frame.id !== undefined)) {
      const pending = this._pending.get(frame.id);
      if (!pending) return;
      this._pending.delete(frame.id);
      clearTimeout(pending.timer);
      if (frame.type === "response") {
        pending.resolve({ status: frame.status, body: frame.body });
      } else {
        pending.reject(new OnairError(`${pending.path}: ${frame.error}`, { status: frame.status, path: pending.path }));
      }
      return;
    }
    if (frame.type === "event" && frame.event && typeof frame.event === "object") {
      this._deliver(frame.event);
      return;
    }
    if (frame.type === "error") {
      // An error about no particular call (e.g. a malformed frame).
      console.warn("onair:", frame.status, frame.error);
    }
  }

  _deliver(event) {
    if (event.eventId) {
      if (this._seenEventIds.has(event.eventId)) return; // a duplicate (fan-out across nodes)
      this._seenEventIds.add(event.eventId);
      this._seenOrder.push(event.eventId);
      if (this._seenOrder.length > 512) this._seenEventIds.delete(this._seenOrder.shift());
    }
    this.dispatchEvent(new CustomEvent("event", { detail: event }));
    for (const key of [event.eventName, "*"]) {
      const set = this._handlers.get(key);
      if (!set) continue;
      for (const handler of [...set]) {
        try {
          handler(event);
        } catch (e) {
          console.error(`onair: a handler of ${key} failed`, e);
        }
      }
    }
  }
}
