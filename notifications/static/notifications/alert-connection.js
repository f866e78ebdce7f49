// The admin alert socket: connects, notices when it dies, and comes back without a storm.

export const SUBPROTOCOL = "takeout.v1";

// The server closes with these codes when the session is gone or the user is not staff;
// retrying cannot help, the person has to sign in again.
const CLOSE_NOT_AUTHENTICATED = 4401;
const CLOSE_NOT_STAFF = 4403;

const PING_EVERY_MS = 20_000;
const DEAD_AFTER_MS = 45_000; // no frame at all for this long: the socket is dead
const BACKOFF_FIRST_MS = 1_000;
const BACKOFF_MAX_MS = 30_000;

/**
 * One WebSocket to /ws/<clientId> that reconnects with exponential backoff and jitter.
 * `urlFor()` builds the URL of each attempt (so it can carry `since`), `onFrame(frame)` gets
 * every parsed frame, `onState(state, info)` hears "connecting", "open", "reconnecting",
 * "offline" and "denied". The owner calls `check()` every few seconds from a steady ticker.
 */
export class AlertConnection {
  constructor({ urlFor, onFrame, onState }) {
    this.urlFor = urlFor;
    this.onFrame = onFrame;
    this.onState = onState;
    this.socket = null;
    this.attempt = 0;
    this.retryTimer = null;
    this.retryAt = 0;
    this.lastFrameAt = 0;
    this.lastPingAt = 0;
    this.denied = false;
    this.everOpened = false;
  }

  /** Open the first connection and keep one open from then on. */
  start() {
    // A hidden tab's timers may have slept through a retry or a dead socket: look now.
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") this.check({ retryNow: true });
    });
    window.addEventListener("online", () => {
      this.attempt = 0;
      this.check({ retryNow: true });
    });
    window.addEventListener("offline", () => {
      if (!this.isOpen()) this.goOffline();
    });
    this.onState("connecting", {});
    this.connect();
  }

  isOpen() {
    return this.socket !== null && this.socket.readyState === WebSocket.OPEN;
  }

  /** Send a JSON frame; false when the socket is not open (the caller decides what to keep). */
  send(frame) {
    if (!this.isOpen()) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  connect() {
    window.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.socket !== null || this.denied) return;
    let socket;
    try {
      socket = new WebSocket(this.urlFor(), SUBPROTOCOL);
    } catch {
      this.scheduleRetry();
      return;
    }
    this.socket = socket;
    // A handshake that hangs counts against the same bound as a silent open socket.
    this.lastFrameAt = Date.now();
    socket.onopen = () => {
      this.attempt = 0;
      this.lastFrameAt = Date.now();
      this.lastPingAt = Date.now();
      const reconnected = this.everOpened;
      this.everOpened = true;
      this.onState("open", { reconnected });
    };
    socket.onmessage = (message) => {
      this.lastFrameAt = Date.now();
      let frame;
      try {
        frame = JSON.parse(message.data);
      } catch {
        return; // not ours to show; the server never sends non-JSON
      }
      if (frame !== null && typeof frame === "object") this.onFrame(frame);
    };
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (event.code === CLOSE_NOT_AUTHENTICATED || event.code === CLOSE_NOT_STAFF) {
        this.denied = true;
        this.onState("denied", { code: event.code });
        return;
      }
      this.scheduleRetry();
    };
  }

  scheduleRetry() {
    if (this.denied) return;
    if (!navigator.onLine) {
      this.goOffline();
      return;
    }
    // Equal jitter: after a server restart every page retries, spread over half the window,
    // and none retries at once in a tight loop.
    const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** this.attempt);
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    this.attempt += 1;
    this.retryAt = Date.now() + delay;
    this.retryTimer = window.setTimeout(() => this.connect(), delay);
    this.onState("reconnecting", { attempt: this.attempt, delayMs: Math.round(delay) });
  }

  goOffline() {
    window.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.onState("offline", {});
  }

  /** Drop a socket that stopped answering and start over. */
  abandon() {
    const socket = this.socket;
    this.socket = null;
    socket.onopen = socket.onmessage = socket.onclose = null;
    try {
      socket.close(4000, "heartbeat timeout");
    } catch {
      // Already closing; the handlers are detached either way.
    }
    this.scheduleRetry();
  }

  /** Heartbeat and overdue-retry check, driven by wall-clock time rather than timer counts. */
  check({ retryNow = false } = {}) {
    const now = Date.now();
    if (this.socket !== null) {
      if (now - this.lastFrameAt > DEAD_AFTER_MS) {
        this.abandon();
      } else if (this.isOpen() && now - this.lastPingAt >= PING_EVERY_MS) {
        this.lastPingAt = now;
        this.send({ action: "ping" });
      }
      return;
    }
    const retryPending = this.retryTimer !== null;
    if (retryPending && (retryNow || now >= this.retryAt)) this.connect();
    else if (!retryPending && retryNow && !this.denied && navigator.onLine) this.connect();
  }
}
