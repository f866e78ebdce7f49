// The toasts: one per open alert, kept until someone handles it. Everything that comes from
// an order is inserted with textContent, never as HTML.

const KIND_LABELS = { 1: "新订单", 2: "催单" };

/** Chinese label of an alert type. */
export function kindLabel(type) {
  return KIND_LABELS[type] || "提醒";
}

/**
 * A stack of toasts inside `container`. `orderHref(orderId)` gives each toast's link,
 * `onAck(alert)` runs when 「知道了」 is pressed.
 */
export class ToastStack {
  constructor(container, { orderHref, onAck }) {
    this.container = container;
    this.orderHref = orderHref;
    this.onAck = onAck;
    this.toasts = new Map();
  }

  has(alertId) {
    return this.toasts.has(alertId);
  }

  show(alert) {
    if (this.toasts.has(alert.id)) return;
    const toast = document.createElement("article");
    toast.className = `takeout-toast takeout-toast--type-${alert.type}`;
    toast.dataset.alertId = String(alert.id);
    toast.dataset.orderId = String(alert.orderId);
    toast.dataset.alertType = String(alert.type);
    const titleId = `takeout-toast-title-${alert.id}`;
    toast.setAttribute("aria-labelledby", titleId);

    const title = element("h2", "takeout-toast__title", kindLabel(alert.type));
    title.id = titleId;
    const content = element("p", "takeout-toast__content", alert.content || "");
    const time = element("p", "takeout-toast__time", formatTime(alert.createdAt));

    const link = element("a", "takeout-toast__link", "查看订单");
    link.href = this.orderHref(alert.orderId);
    const ack = element("button", "takeout-toast__ack", "知道了");
    ack.type = "button";
    ack.addEventListener("click", () => this.onAck(alert));

    const actions = element("div", "takeout-toast__actions");
    actions.append(link, ack);
    toast.append(title, content, time, actions);
    // Newest first: the alert that just sounded is the one on top.
    this.container.prepend(toast);
    this.toasts.set(alert.id, toast);
  }

  remove(alertId) {
    const toast = this.toasts.get(alertId);
    if (!toast) return;
    // Keep keyboard users in the stack instead of dropping focus to <body>.
    const hadFocus = toast.contains(document.activeElement);
    this.toasts.delete(alertId);
    toast.remove();
    if (hadFocus) {
      const next = this.container.querySelector(".takeout-toast__ack");
      if (next) next.focus();
    }
  }
}

/** A live region that reads each alert out to screen readers. */
export class Announcer {
  constructor(region) {
    this.region = region;
  }

  say(text) {
    // Clearing first makes a repeated identical message be read again.
    this.region.textContent = "";
    window.setTimeout(() => {
      this.region.textContent = text;
    }, 100);
  }
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function formatTime(iso) {
  const date = iso ? new Date(iso) : new Date();
  if (Number.isNaN(date.getTime())) return "";
  return date.toLocaleTimeString("zh-CN", { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}
