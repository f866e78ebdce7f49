// The /ws-check/ page: opens the echo socket and explains what happened to it.
"use strict";
(function () {
  const root = document.getElementById("ws-check");
  const interval = Number(root.dataset.interval) || 5;
  const $ = (id) => document.getElementById(id);
  const clientId = "check-" + Math.random().toString(36).slice(2, 10);
  const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws/check/" + clientId;
  let socket = null;
  let opened = false;
  let openedAt = 0;
  let lastFrameAt = 0;
  let idleTimer = null;

  $("url").textContent = url;

  function now() {
    return new Date().toLocaleTimeString("zh-CN", { hour12: false });
  }

  function log(text, kind) {
    const line = document.createElement("div");
    line.textContent = "[" + now() + "] " + text;
    if (kind) line.className = kind;
    $("log").prepend(line);
  }

  function setState(text, kind) {
    $("state").textContent = text;
    $("state").className = kind || "";
  }

  function hint(text) {
    $("hint").textContent = text;
  }

  function secondsSince(time) {
    return Math.round((Date.now() - time) / 1000);
  }

  function explainClose(event, idleSeconds) {
    if (event.code === 4401) return "登录已失效，请重新登录后再检测。";
    if (event.code === 4403) return "当前账号不是员工账号。";
    if (event.code === 1000) return "连接已正常关闭。";
    if (event.code === 1001) return "服务器进程正在重启（滚动发布），稍后重连即可。";
    if (event.code === 1011) return "服务器内部错误，请查看 daphne 日志。";
    if (event.code === 1006 && !opened) {
      return "握手失败：代理可能没有转发 Upgrade/Connection 头（400/426），或 Origin 不被允许（403）。见下方“常见原因”。";
    }
    if (event.code === 1006 && idleSeconds >= 2 * interval) {
      return "空闲 " + idleSeconds + " 秒后连接中断，期间没有收到时间推送：代理读超时可能只有约 " + idleSeconds + " 秒。";
    }
    if (event.code === 1006) return "连接异常中断（网络或代理断开，或服务器进程被终止）。";
    return "连接关闭，代码 " + event.code + "。";
  }

  function connect() {
    opened = false;
    setState("连接中…");
    hint("");
    log("连接 " + url);
    socket = new WebSocket(url);
    $("connect").disabled = true;
    socket.onopen = function () {
      opened = true;
      openedAt = lastFrameAt = Date.now();
      setState("已连接", "ok");
      log("已连接", "ok");
      $("disconnect").disabled = false;
      $("send").disabled = false;
      idleTimer = setInterval(function () {
        const idle = secondsSince(lastFrameAt);
        $("idle").textContent = idle + " 秒";
        $("idle").className = idle > 2 * interval ? "warn" : "";
      }, 1000);
    };
    socket.onmessage = function (message) {
      lastFrameAt = Date.now();
      let frame;
      try {
        frame = JSON.parse(message.data);
      } catch (error) {
        log("收到无法解析的消息：" + message.data, "bad");
        return;
      }
      if (frame.event === "hello") {
        $("server").textContent = frame.server;
        $("client").textContent = frame.client + "（" + frame.scheme + "）";
        log("服务器进程 " + frame.server + " 应答");
      } else if (frame.event === "time") {
        $("time").textContent = new Date(frame.now).toLocaleString("zh-CN", { hour12: false });
      } else if (frame.event === "echo") {
        log("回显：" + frame.text, "ok");
      } else if (frame.event === "error") {
        log("服务器报错：" + frame.message, "bad");
      }
    };
    socket.onerror = function () {
      log("发生错误（浏览器不提供详情，见随后的关闭代码）", "bad");
    };
    socket.onclose = function (event) {
      const idle = opened ? secondsSince(lastFrameAt) : 0;
      const lived = opened ? "，连接保持了 " + secondsSince(openedAt) + " 秒" : "";
      log(
        "已关闭：代码 " + event.code + "，原因 " + (event.reason || "（无）") +
          "，" + (event.wasClean ? "正常关闭" : "非正常关闭") + lived,
        event.code === 1000 ? "" : "bad",
      );
      setState("已关闭（" + event.code + "）", event.code === 1000 ? "" : "bad");
      hint(explainClose(event, idle));
      clearInterval(idleTimer);
      socket = null;
      $("connect").disabled = false;
      $("disconnect").disabled = true;
      $("send").disabled = true;
    };
  }

  $("connect").addEventListener("click", connect);
  $("disconnect").addEventListener("click", function () {
    if (socket) socket.close(1000, "closed by operator");
  });
  $("echo").addEventListener("submit", function (event) {
    event.preventDefault();
    if (!socket || socket.readyState !== WebSocket.OPEN) return;
    const text = $("text").value;
    socket.send(text);
    log("发送：" + text);
  });
  connect();
})();
