// The voice of an alert: a recorded clip per alert type, then the alert's own text spoken
// by the browser when it has a Chinese voice. Browsers refuse sound until the person has
// interacted with the page; this module notices the refusal and says so, never fails silently.

import { readStored, writeStored } from "./session-store.js";

const ENABLED_KEY = "soundEnabled";
const CLIP_TIMEOUT_MS = 10_000; // a clip that never reports its end must not hold the queue

/**
 * Plays alerts one after another. `state` is "off" (not enabled yet in this tab), "on" or
 * "blocked" (the browser refused); `onStateChange(state, reason)` hears every change.
 */
export class AlertSound {
  constructor({ clipUrls, onStateChange }) {
    this.onStateChange = onStateChange;
    this.clips = new Map();
    for (const [kind, urls] of Object.entries(clipUrls)) {
      this.clips.set(Number(kind), makeClip(urls));
    }
    this.queue = [];
    this.busy = false;
    this.pending = null; // the latest alert the browser kept us from playing
    this.current = null; // the alert whose clip or text is sounding now
    this.voice = null;
    this.state = readStored(ENABLED_KEY, false) ? "on" : "off";
    this.watchVoices();
  }

  watchVoices() {
    if (!("speechSynthesis" in window)) return;
    const pick = () => {
      const voices = window.speechSynthesis.getVoices();
      this.voice =
        voices.find((v) => /^(zh|cmn)[-_]?(CN|Hans)?/i.test(v.lang) && v.localService) ||
        voices.find((v) => /^(zh|cmn)/i.test(v.lang)) ||
        null;
    };
    pick();
    window.speechSynthesis.addEventListener("voiceschanged", pick);
  }

  setState(state, reason = "") {
    if (this.state === state) return;
    this.state = state;
    this.onStateChange(state, reason);
  }

  /** Queue the clip and the spoken text of an alert ({type, content}). */
  announce(alert) {
    if (this.state === "blocked") {
      this.pending = alert;
      return;
    }
    // Under a burst (a replay after a reconnect) one clip per type is enough; the toasts list them all.
    const queued = this.queue.findIndex((item) => item.type === alert.type);
    if (queued >= 0) this.queue[queued] = alert;
    else this.queue.push(alert);
    this.drain();
  }

  async drain() {
    if (this.busy) return;
    this.busy = true;
    try {
      while (this.queue.length > 0 && this.state !== "blocked") {
        const alert = this.queue.shift();
        this.current = alert;
        const played = await this.playClip(alert);
        if (played && this.current === alert) await this.speak(alert.content);
      }
    } finally {
      this.current = null;
      this.busy = false;
    }
  }

  /** Stop an alert that someone handled: drop it from the queue and cut it off if sounding. */
  silence(alertId) {
    this.queue = this.queue.filter((alert) => alert.id !== alertId);
    if (this.pending && this.pending.id === alertId) this.pending = null;
    if (!this.current || this.current.id !== alertId) return;
    this.current = null;
    for (const clip of this.clips.values()) clip.pause();
    if ("speechSynthesis" in window) window.speechSynthesis.cancel();
  }

  async playClip(alert) {
    const clip = this.clips.get(alert.type);
    if (!clip) return true;
    clip.pause();
    clip.currentTime = 0;
    try {
      await clip.play();
    } catch (error) {
      if (error && error.name === "NotAllowedError") {
        this.block(alert, "play");
        return false;
      }
      return true; // an undecodable clip still leaves the spoken text
    }
    await untilEnded(clip);
    return true;
  }

  speak(text) {
    if (!this.voice || !text) return Promise.resolve();
    return new Promise((resolve) => {
      const utterance = new SpeechSynthesisUtterance(text);
      utterance.voice = this.voice;
      utterance.lang = this.voice.lang;
      utterance.onend = () => resolve();
      utterance.onerror = (event) => {
        if (event.error === "not-allowed") this.block({ type: 0, content: text }, "speech");
        resolve();
      };
      window.speechSynthesis.cancel();
      window.speechSynthesis.speak(utterance);
    });
  }

  block(alert, reason) {
    if (alert.type !== 0 || this.pending === null) this.pending = alert;
    this.queue = [];
    this.setState("blocked", reason);
  }

  /**
   * Called from the person's click: remembers the choice for this tab and plays what was
   * kept back, inside the gesture so that the browser allows it.
   */
  enable() {
    writeStored(ENABLED_KEY, true);
    this.setState("on", "gesture");
    const pending = this.pending;
    this.pending = null;
    // iOS Safari unlocks each media element only inside a gesture: touch every clip, muted.
    for (const clip of this.clips.values()) {
      if (pending && clip === this.clips.get(pending.type)) continue;
      clip.muted = true;
      clip.play().then(
        () => {
          clip.pause();
          clip.currentTime = 0;
          clip.muted = false;
        },
        () => {
          clip.muted = false;
        },
      );
    }
    if (pending && pending.type !== 0) this.announce(pending);
    else if (this.voice) this.speak("声音已开启");
  }
}

function makeClip(urls) {
  const clip = new Audio();
  clip.preload = "auto";
  // Safari before 17 plays no Ogg Vorbis; everything else gets the smaller file.
  clip.src = urls.wav && !clip.canPlayType('audio/ogg; codecs="vorbis"') ? urls.wav : urls.ogg;
  return clip;
}

function untilEnded(clip) {
  return new Promise((resolve) => {
    const done = () => {
      window.clearTimeout(timer);
      clip.removeEventListener("ended", done);
      clip.removeEventListener("pause", done);
      clip.removeEventListener("error", done);
      resolve();
    };
    const timer = window.setTimeout(done, CLIP_TIMEOUT_MS);
    clip.addEventListener("ended", done);
    clip.addEventListener("pause", done);
    clip.addEventListener("error", done);
  });
}
