// A steady tick that background tabs do not slow down.
// Chrome throttles timers of hidden pages (to once a minute after five minutes hidden), which
// would let a dead connection go unnoticed far past the heartbeat bound. Timers inside a
// dedicated worker are not throttled that way, and their messages wake the page.

const WORKER_SOURCE =
  "let timer; onmessage = (e) => { clearInterval(timer); timer = setInterval(() => postMessage(0), e.data); };";

/** Call `onTick` about every `intervalMs`; returns a function that stops the ticks. */
export function startTicker(intervalMs, onTick) {
  let stopCurrent = startPageInterval(intervalMs, onTick);
  try {
    const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: "text/javascript" }));
    const worker = new Worker(url);
    worker.onmessage = () => onTick();
    // A Content-Security-Policy without blob: workers refuses it: keep the page timer then.
    worker.onerror = () => {
      worker.terminate();
      URL.revokeObjectURL(url);
      stopCurrent = startPageInterval(intervalMs, onTick);
    };
    worker.postMessage(intervalMs);
    stopCurrent();
    stopCurrent = () => {
      worker.terminate();
      URL.revokeObjectURL(url);
    };
  } catch {
    // No Worker or no Blob URLs: the page timer stays.
  }
  return () => stopCurrent();
}

function startPageInterval(intervalMs, onTick) {
  const id = window.setInterval(onTick, intervalMs);
  return () => window.clearInterval(id);
}
