// Per-tab memory that survives a reload or an admin page change, kept in sessionStorage.
// sessionStorage can be unavailable (privacy modes, sandboxed frames, a full quota): the
// client then forgets across reloads instead of failing.

const PREFIX = "takeout.";

/** Read a JSON value stored for this tab, or `fallback` when absent or unreadable. */
export function readStored(key, fallback) {
  try {
    const raw = window.sessionStorage.getItem(PREFIX + key);
    return raw === null ? fallback : JSON.parse(raw);
  } catch {
    return fallback;
  }
}

/** Store a JSON value for this tab; silently keeps going when storage is refused. */
export function writeStored(key, value) {
  try {
    window.sessionStorage.setItem(PREFIX + key, JSON.stringify(value));
  } catch {
    // Persistence is a convenience; the live connection works without it.
  }
}
