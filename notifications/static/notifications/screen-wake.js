// 「屏幕常亮」: keeps a shop tablet's screen on with the Screen Wake Lock API.
// The browser releases the lock whenever the page is hidden, so it is taken again on return.

import { readStored, writeStored } from "./session-store.js";

const WANTED_KEY = "wakeLock";

/** Turn `button` (role="switch") into the keep-screen-on switch, or hide it when unsupported. */
export function setUpWakeSwitch(button) {
  if (!("wakeLock" in navigator)) {
    button.hidden = true;
    return;
  }
  button.hidden = false;
  let wanted = readStored(WANTED_KEY, false);
  let sentinel = null;

  const render = () => button.setAttribute("aria-checked", String(sentinel !== null));

  const acquire = async () => {
    if (sentinel !== null || document.visibilityState !== "visible") return;
    button.removeAttribute("title");
    try {
      sentinel = await navigator.wakeLock.request("screen");
      sentinel.addEventListener("release", () => {
        sentinel = null;
        render();
      });
    } catch {
      // Refused (battery saver, policy): the switch stays off and says why on hover.
      sentinel = null;
      button.title = "浏览器拒绝了屏幕常亮";
    }
    render();
  };

  button.addEventListener("click", async () => {
    wanted = sentinel === null;
    writeStored(WANTED_KEY, wanted);
    if (wanted) await acquire();
    else await sentinel.release();
    render();
  });
  document.addEventListener("visibilitychange", () => {
    if (wanted) acquire();
  });
  render();
  if (wanted) acquire();
}
