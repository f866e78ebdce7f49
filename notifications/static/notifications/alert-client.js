// The shop's live alert client, shared by the order board and every admin page.
//
// Loaded as <script type="module">; it starts on the element marked [data-takeout-alerts]
// and reads its settings from that element's data attributes. A page reacts to what happens
// through DOM events on `document`: takeout:alert, takeout:ack, takeout:order,
// takeout:presence, takeout:connection and takeout:sound (the frame or state in `detail`).

import { AlertConnection } from "./alert-connection.js";
import { buildPanel } from "./alert-panel.js";
import { startTicker } from "./background-ticker.js";
import { AlertSound } from "./alert-sound.js";
import { Announcer, ToastStack, kindLabel } from "./alert-toasts.js";
import { readStored, writeStored } from "./session-store.js";

const NEW_ORDER = 1;
const WAITING_STATUS = "to_be_confirmed";
const ENDED_STATUSES = new Set(["completed", "cancelled"]);
const SEEN_LIMIT = 500;
const TICK_MS = 5_000;
// A repeat whose page timer is this late was held back by background-tab throttling.
const REPEAT_GRACE_MS = 1_000;

/** Start the client on `root`; returns it so a page script can hold on to it. */
export function startAlertClient(root) {
  const client = new AlertClient(root, readConfig(root));
  client.start();
  return client;
}

function readConfig(root) {
  const data = root.dataset;
  const repeatSeconds = Number.parseFloat(data.repeatSeconds);
  return {
    wsPath: data.wsPath || "/ws/",
    repeatMs: 1000 * (repeatSeconds > 0 ? repeatSeconds : 30),
    orderHref: data.orderHref || "/admin/orders/order/{id}/change/",
    ordersApi: data.ordersApi || "/api/admin/orders/",
    loginUrl: data.loginUrl || "/accounts/login/",
    clipUrls: {
      1: { ogg: data.clipNewOrder, wav: data.clipNewOrderWav },
      2: { ogg: data.clipUrge, wav: data.clipUrgeWav },
    },
  };
}

class AlertClient {
  constructor(root, config) {
    this.root = root;
    this.config = config;
    // Fresh for every page load: a duplicated tab copies sessionStorage, and two pages must
    // never share an id. It is kept in sessionStorage so the page's id can be matched to
    // server logs from the browser's tools.
    this.clientId = randomId();
    writeStored("clientId", this.clientId);
    this.lastAlertId = readStored("lastAlertId", null);
    this.seen = new Set(readStored("seenAlertIds", []));
    this.open = new Map(readStored("openAlerts", []).map((alert) => [alert.id, alert]));
    this.pendingAcks = new Set(readStored("pendingAcks", []));
    this.repeats = new Map();
    this.notifications = new Map();
  }

  start() {
    this.panel = buildPanel(this.root, {
      onEnableSound: () => this.sound.enable(),
      loginUrl: this.config.loginUrl,
    });
    this.toasts = new ToastStack(this.panel.toastContainer, {
      orderHref: (orderId) => this.config.orderHref.replace("{id}", String(orderId)),
      onAck: (alert) => this.acknowledge(alert),
    });
    this.announcer = new Announcer(this.panel.liveRegion);
    this.sound = new AlertSound({
      clipUrls: this.config.clipUrls,
      onStateChange: (state, reason) => {
        this.panel.setSound(state);
        emit("takeout:sound", { state, reason });
        if (state === "blocked") this.announcer.say("浏览器拦截了提示音，请点击「开启声音」");
      },
    });
    this.panel.setSound(this.sound.state);

    // Alerts still open when the previous page of this tab was left (an admin page change):
    // they stay on screen, and a new order keeps repeating.
    for (const alert of this.open.values()) {
      this.toasts.show(alert);
      if (alert.type === NEW_ORDER) this.scheduleRepeat(alert);
    }

    this.connection = new AlertConnection({
      urlFor: () => this.socketUrl(),
      onFrame: (frame) => this.receive(frame),
      onState: (state, info) => this.connectionChanged(state, info),
    });
    this.connection.start();
    startTicker(TICK_MS, () => this.tick());
    document.addEventListener("visibilitychange", () => this.tick());
  }

  /** Wall-clock checks that throttled page timers could otherwise delay. */
  tick() {
    this.connection.check();
    const now = Date.now();
    for (const [alertId, repeat] of this.repeats) {
      if (now >= repeat.dueAt + REPEAT_GRACE_MS) this.repeatNow(this.open.get(alertId));
    }
  }

  socketUrl() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const since = this.lastAlertId === null ? "" : `?since=${encodeURIComponent(this.lastAlertId)}`;
    return `${scheme}//${location.host}${this.config.wsPath}${this.clientId}${since}`;
  }

  connectionChanged(state, info) {
    this.panel.setConnection(state, info);
    emit("takeout:connection", { state, ...info });
    if (state !== "open") return;
    for (const id of this.pendingAcks) this.connection.send({ action: "ack", id });
    // Order events are not replayed: ask which open new orders are still waiting.
    this.dropSettledAlerts();
  }

  receive(frame) {
    if (typeof frame.type === "number") {
      this.receiveAlert(frame);
      return;
    }
    switch (frame.event) {
      case "ack":
        this.receiveAck(frame);
        break;
      case "order":
        this.receiveOrder(frame);
        break;
      case "presence":
        this.panel.setPresence(frame.online);
        emit("takeout:presence", frame);
        break;
      default:
        break; // pong and error only prove the socket is alive
    }
  }

  receiveAlert(alert) {
    if (!Number.isInteger(alert.id)) return;
    if (alert.acknowledgedBy) {
      // Acknowledged on another screen while this one was away: nothing left to raise.
      this.markSeen(alert.id);
      this.close(alert.id);
      return;
    }
    if (this.seen.has(alert.id)) return;
    this.markSeen(alert.id);
    this.toasts.show(alert);
    this.open.set(alert.id, alert);
    this.saveOpen();
    const label = kindLabel(alert.type);
    this.announcer.say(`${label}：${alert.content || ""}`);
    this.sound.announce(alert);
    this.notifySystem(alert, label);
    if (alert.type === NEW_ORDER) this.scheduleRepeat(alert);
    emit("takeout:alert", alert);
  }

  receiveAck(frame) {
    this.markSeen(frame.id);
    this.pendingAcks.delete(frame.id);
    writeStored("pendingAcks", [...this.pendingAcks]);
    const alert = this.open.get(frame.id);
    this.close(frame.id);
    if (alert && frame.by) this.announcer.say(`${kindLabel(alert.type)}提醒已由 ${frame.by} 处理`);
    emit("takeout:ack", frame);
  }

  receiveOrder(frame) {
    for (const alert of [...this.open.values()]) {
      if (alert.orderId !== frame.orderId) continue;
      const settled =
        alert.type === NEW_ORDER ? frame.status !== WAITING_STATUS : ENDED_STATUSES.has(frame.status);
      if (settled) this.close(alert.id);
    }
    emit("takeout:order", frame);
  }

  /** 「知道了」: silence this alert here at once and on every other screen through the server. */
  acknowledge(alert) {
    this.pendingAcks.add(alert.id);
    writeStored("pendingAcks", [...this.pendingAcks]);
    this.connection.send({ action: "ack", id: alert.id });
    this.close(alert.id);
  }

  close(alertId) {
    this.stopRepeat(alertId);
    this.sound.silence(alertId);
    this.toasts.remove(alertId);
    const notification = this.notifications.get(alertId);
    if (notification) notification.close();
    this.notifications.delete(alertId);
    if (this.open.delete(alertId)) this.saveOpen();
  }

  scheduleRepeat(alert) {
    this.stopRepeat(alert.id);
    const timer = window.setTimeout(() => this.repeatNow(alert), this.config.repeatMs);
    this.repeats.set(alert.id, { timer, dueAt: Date.now() + this.config.repeatMs });
  }

  repeatNow(alert) {
    if (!alert || !this.open.has(alert.id)) return;
    this.sound.announce(alert);
    this.scheduleRepeat(alert);
  }

  stopRepeat(alertId) {
    const repeat = this.repeats.get(alertId);
    if (repeat) window.clearTimeout(repeat.timer);
    this.repeats.delete(alertId);
  }

  notifySystem(alert, label) {
    if (!document.hidden || !("Notification" in window)) return;
    if (Notification.permission !== "granted") return;
    try {
      const notification = new Notification(label, {
        body: alert.content || "",
        tag: `takeout-alert-${alert.id}`,
        requireInteraction: alert.type === NEW_ORDER,
      });
      notification.onclick = () => {
        window.focus();
        notification.close();
      };
      this.notifications.set(alert.id, notification);
    } catch {
      // Android Chrome allows notifications only from a service worker; the toast and sound remain.
    }
  }

  async dropSettledAlerts() {
    const waiting = [...this.open.values()].filter((alert) => alert.type === NEW_ORDER);
    if (waiting.length === 0) return;
    let ids;
    try {
      ids = await waitingOrderIds(this.config.ordersApi);
    } catch {
      return; // keep the toasts: a missed alert is worse than one shown too long
    }
    for (const alert of waiting) {
      if (!ids.has(alert.orderId)) this.close(alert.id);
    }
  }

  markSeen(alertId) {
    if (!Number.isInteger(alertId)) return;
    this.seen.add(alertId);
    if (this.seen.size > SEEN_LIMIT) this.seen.delete(this.seen.values().next().value);
    writeStored("seenAlertIds", [...this.seen]);
    if (this.lastAlertId === null || alertId > this.lastAlertId) {
      this.lastAlertId = alertId;
      writeStored("lastAlertId", alertId);
    }
  }

  saveOpen() {
    writeStored("openAlerts", [...this.open.values()]);
  }
}

/** Ids of every order still waiting for acceptance, following the API's pages. */
async function waitingOrderIds(ordersApi) {
  const ids = new Set();
  let url = `${ordersApi}?status=${WAITING_STATUS}`;
  for (let page = 0; url && page < 20; page += 1) {
    const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(`orders list answered ${response.status}`);
    const body = await response.json();
    for (const order of body.results) ids.add(order.id);
    url = body.next;
  }
  if (url) throw new Error("too many waiting orders to check");
  return ids;
}

function emit(name, detail) {
  document.dispatchEvent(new CustomEvent(name, { detail }));
}

function randomId() {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

const root = document.querySelector("[data-takeout-alerts]");
if (root) window.takeoutAlerts = startAlertClient(root);
