// The order board: three columns loaded from the staff order API, actions posted back to it,
// and live changes from the alert client's events. Order text is inserted with textContent.

const COLUMNS = ["to_be_confirmed", "confirmed", "delivering"];

const ACTIONS = {
  to_be_confirmed: [
    { action: "confirm", label: "接单", primary: true },
    { action: "reject", label: "拒单", reasonTitle: "拒单原因" },
  ],
  confirmed: [
    { action: "deliver", label: "派送", primary: true },
    { action: "cancel", label: "取消", reasonTitle: "取消原因" },
  ],
  delivering: [{ action: "complete", label: "完成", primary: true }],
};

const board = document.querySelector("[data-order-board]");
const api = board.dataset.ordersApi;
const csrfToken = document.querySelector('meta[name="csrf-token"]').content;
const message = document.querySelector("[data-board-message]");
const reasonDialog = document.querySelector("[data-reason-dialog]");

const cards = new Map(); // order id -> {order, element}
const counts = new Map(COLUMNS.map((status) => [status, 0]));
const reloadTimers = new Map();

function column(status) {
  return board.querySelector(`[data-status="${status}"]`);
}

async function loadColumn(status) {
  const response = await fetch(`${api}?status=${encodeURIComponent(status)}`, {
    credentials: "same-origin",
    headers: { Accept: "application/json" },
  });
  if (!response.ok) {
    showMessage(`加载订单失败（${response.status}），请刷新页面`);
    return;
  }
  const body = await response.json();
  for (const [id, card] of cards) {
    if (card.order.status === status) {
      card.element.remove();
      cards.delete(id);
    }
  }
  for (const order of body.results) place(order);
  counts.set(status, body.count);
  const more = column(status).querySelector("[data-more]");
  const hidden = body.count - body.results.length;
  more.hidden = hidden <= 0;
  more.textContent = `还有 ${hidden} 单未显示`;
  renderCount(status);
}

/** Reload a column soon, once, however many events ask for it. */
function reloadSoon(status) {
  window.clearTimeout(reloadTimers.get(status));
  reloadTimers.set(
    status,
    window.setTimeout(() => loadColumn(status), 300),
  );
}

function renderCount(status) {
  const section = column(status);
  section.querySelector("[data-count]").textContent = String(counts.get(status));
  section.querySelector("[data-empty]").hidden = section.querySelector(".order-card") !== null;
}

/** Put an order's card in the column of its status, replacing any older card of it. */
function place(order) {
  const existing = cards.get(order.id);
  if (existing) existing.element.remove();
  cards.delete(order.id);
  if (!COLUMNS.includes(order.status)) return;
  const element = renderCard(order);
  const list = column(order.status).querySelector("[data-list]");
  // Oldest first: the order that has waited longest is at the top.
  const after = [...list.children].find((item) => Number(item.dataset.orderId) > order.id);
  list.insertBefore(element, after || null);
  cards.set(order.id, { order, element });
}

function moveCount(from, to) {
  if (counts.has(from)) counts.set(from, Math.max(0, counts.get(from) - 1));
  if (counts.has(to)) counts.set(to, counts.get(to) + 1);
  for (const status of [from, to]) if (counts.has(status)) renderCount(status);
}

function renderCard(order) {
  const card = document.createElement("li");
  card.className = "order-card";
  card.id = `order-${order.id}`;
  card.dataset.orderId = String(order.id);
  card.tabIndex = -1;

  const heading = document.createElement("h3");
  heading.append(text("span", `#${order.number}`), text("span", formatYuan(order.amount), "order-card__amount"));
  const items = document.createElement("ul");
  items.className = "order-card__items";
  for (const item of order.items || []) items.append(text("li", `${item.name} × ${item.quantity}`));
  card.append(
    heading,
    text("p", `下单 ${formatTime(order.createdAt)}${order.paidAt ? ` · 支付 ${formatTime(order.paidAt)}` : ""}`, "order-card__meta"),
    items,
    text("p", `地址：${order.address || ""}`),
  );
  if (order.remark) card.append(text("p", `备注：${order.remark}`));

  const actions = document.createElement("div");
  actions.className = "order-card__actions";
  for (const spec of ACTIONS[order.status] || []) {
    const button = text("button", spec.label);
    button.type = "button";
    if (spec.primary) button.dataset.primary = "";
    button.addEventListener("click", () => act(order, spec, actions));
    actions.append(button);
  }
  card.append(actions);
  return card;
}

async function act(order, spec, actions) {
  let body = null;
  if (spec.reasonTitle) {
    const reason = await askReason(`${spec.reasonTitle}（订单 ${order.number}）`);
    if (reason === null) return;
    body = JSON.stringify({ reason });
  }
  for (const button of actions.querySelectorAll("button")) button.disabled = true;
  let response;
  try {
    response = await fetch(`${api}${order.id}/${spec.action}/`, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken, "Content-Type": "application/json", Accept: "application/json" },
      body,
    });
  } catch {
    showMessage(`网络错误，订单 ${order.number} 未能${spec.label}，请重试`);
    for (const button of actions.querySelectorAll("button")) button.disabled = false;
    return;
  }
  if (response.ok) {
    const updated = await response.json();
    hideMessage();
    place(updated);
    moveCount(order.status, updated.status);
    return;
  }
  const detail = await response.json().catch(() => ({}));
  if (response.status === 409) {
    showMessage(`订单 ${order.number} 无法${spec.label}：${detail.detail || "状态已变化"}`);
    COLUMNS.forEach(reloadSoon);
  } else {
    showMessage(`订单 ${order.number} ${spec.label}失败（${response.status}）${detail.detail ? `：${detail.detail}` : ""}`);
    for (const button of actions.querySelectorAll("button")) button.disabled = false;
  }
}

/** Ask for a reason in the page's dialog; resolves to the text, or null when cancelled. */
function askReason(title) {
  reasonDialog.querySelector("h2").textContent = title;
  const field = reasonDialog.querySelector("textarea");
  field.value = "";
  reasonDialog.showModal();
  return new Promise((resolve) => {
    reasonDialog.addEventListener(
      "close",
      () => resolve(reasonDialog.returnValue === "confirm" && field.value.trim() ? field.value.trim() : null),
      { once: true },
    );
  });
}

function showMessage(textContent) {
  message.textContent = textContent;
  message.hidden = false;
}

function hideMessage() {
  message.hidden = true;
}

function text(tag, content, className) {
  const node = document.createElement(tag);
  node.textContent = content;
  if (className) node.className = className;
  return node;
}

function formatYuan(cents) {
  return `¥${(cents / 100).toFixed(2)}`;
}

function formatTime(iso) {
  const date = new Date(iso);
  if (!iso || Number.isNaN(date.getTime())) return "";
  return date.toLocaleTimeString("zh-CN", { hour: "2-digit", minute: "2-digit" });
}

document.addEventListener("takeout:order", ({ detail }) => {
  const card = cards.get(detail.orderId);
  if (!card) {
    if (COLUMNS.includes(detail.status)) reloadSoon(detail.status);
    return;
  }
  const from = card.order.status;
  if (from === detail.status) return;
  if (COLUMNS.includes(detail.status)) {
    // The event carries only the status; the column reload brings the rest of the order.
    place({ ...card.order, status: detail.status });
    reloadSoon(detail.status);
  } else {
    card.element.remove();
    cards.delete(detail.orderId);
  }
  moveCount(from, detail.status);
});

document.addEventListener("takeout:alert", ({ detail }) => {
  if (detail.type === 1) reloadSoon("to_be_confirmed");
});

// Order events are not replayed after a reconnect: reload what may have changed meanwhile.
document.addEventListener("takeout:connection", ({ detail }) => {
  if (detail.state === "open" && detail.reconnected) COLUMNS.forEach(reloadSoon);
});

for (const status of COLUMNS) loadColumn(status);
