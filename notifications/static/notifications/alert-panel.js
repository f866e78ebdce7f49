// The always-visible strip of the alert client: connection badge, screens online, and the
// switches for sound, system notifications and keeping the screen on.

import { setUpWakeSwitch } from "./screen-wake.js";

const CONNECTION_TEXT = {
  connecting: "连接中",
  open: "已连接",
  reconnecting: "重新连接中",
  offline: "离线",
  denied: "离线",
};

const SOUND_TEXT = {
  off: "开启声音",
  blocked: "开启声音（浏览器已拦截提示音）",
  on: "声音已开启",
};

/** Builds the strip inside `root` and returns the handles the client updates. */
export function buildPanel(root, { onEnableSound, loginUrl }) {
  const bar = document.createElement("div");
  bar.className = "takeout-panel";
  bar.setAttribute("role", "group");
  bar.setAttribute("aria-label", "提醒状态");

  const badge = document.createElement("span");
  badge.className = "takeout-badge";
  badge.setAttribute("role", "status");

  const presence = document.createElement("span");
  presence.className = "takeout-presence";
  presence.hidden = true;

  const login = document.createElement("a");
  login.className = "takeout-login";
  login.href = `${loginUrl}?next=${encodeURIComponent(location.pathname + location.search)}`;
  login.textContent = "重新登录";
  login.hidden = true;

  const sound = button("takeout-sound", SOUND_TEXT.off);
  sound.addEventListener("click", () => onEnableSound());

  const notify = button("takeout-notify", "开启系统通知");
  notify.hidden = !("Notification" in window) || Notification.permission !== "default";
  notify.addEventListener("click", async () => {
    await Notification.requestPermission();
    notify.hidden = Notification.permission !== "default";
  });

  const wake = button("takeout-wake", "屏幕常亮");
  wake.setAttribute("role", "switch");
  setUpWakeSwitch(wake);

  bar.append(badge, presence, login, sound, notify, wake);

  const toasts = document.createElement("div");
  toasts.className = "takeout-toasts";
  toasts.setAttribute("role", "region");
  toasts.setAttribute("aria-label", "订单提醒");

  const live = document.createElement("div");
  live.className = "takeout-visually-hidden";
  live.setAttribute("aria-live", "assertive");
  live.setAttribute("aria-atomic", "true");

  root.append(bar, toasts, live);

  return {
    toastContainer: toasts,
    liveRegion: live,
    setConnection(state, info = {}) {
      badge.dataset.state = state;
      let text = CONNECTION_TEXT[state] || state;
      if (state === "denied") text += info.code === 4403 ? "（无权限）" : "（登录已过期）";
      badge.textContent = text;
      login.hidden = !(state === "denied" && info.code !== 4403);
    },
    setPresence(online) {
      presence.hidden = false;
      presence.textContent = `${online} 个屏幕在线`;
    },
    setSound(state) {
      sound.dataset.state = state;
      sound.textContent = SOUND_TEXT[state];
      sound.setAttribute("aria-pressed", String(state === "on"));
    },
  };
}

function button(className, text) {
  const node = document.createElement("button");
  node.type = "button";
  node.className = className;
  node.textContent = text;
  return node;
}
