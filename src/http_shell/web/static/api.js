// The public HTTP API, as the pages call it: same origin, the httpOnly session
// cookie, the tenant taken from the page's path. No token is ever kept in JS.
import { h } from "./dom.js";

/** The tenant slug: the first segment of the page's path. */
export function tenantSlug() {
  return decodeURIComponent(window.location.pathname.split("/")[1] || "");
}

/** A failed API call; `detail` holds the words to show the user. */
export class ApiError extends Error {
  constructor(status, problem) {
    const detail = problem.detail || problem.title || `The server answered ${status}.`;
    super(detail);
    this.name = "ApiError";
    this.status = status;
    this.code = problem.code || "error";
    this.detail = detail;
    this.problem = problem;
  }
}

const NETWORK_PROBLEM = {
  code: "network",
  detail: "The server cannot be reached. Check your connection and try again.",
};

function baseHeaders() {
  return { "X-Tenant-ID": tenantSlug(), Accept: "application/json" };
}

async function problemOf(response) {
  const text = await response.text();
  try {
    const problem = JSON.parse(text);
    if (problem && typeof problem === "object") return problem;
  } catch {
    // Not JSON (a proxy's error page, say): fall through to a generic problem.
  }
  return { status: response.status, detail: `The server answered ${response.status}.` };
}

async function send(path, init) {
  try {
    return await fetch(path, { credentials: "same-origin", ...init });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError(0, NETWORK_PROBLEM);
  }
}

/** Calls the API: parsed JSON, or null for 204; throws ApiError on failure. */
export async function api(path, { method = "GET", json, form, signal } = {}) {
  const headers = baseHeaders();
  let body;
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  } else if (form !== undefined) {
    body = form;
  }
  const response = await send(path, { method, headers, body, signal });
  if (!response.ok) throw new ApiError(response.status, await problemOf(response));
  // 204, or a body that is not JSON (a redirect the server chose to follow): null.
  const type = response.headers.get("Content-Type") || "";
  if (response.status === 204 || !type.includes("json")) return null;
  return response.json();
}

/**
 * Downloads a file of the API as `filename`. A plain link cannot send X-Tenant-ID,
 * so outside the default tenant it would be refused; the file is fetched here and
 * handed to the browser instead. Throws ApiError on failure.
 */
export async function downloadFile(path, filename) {
  const response = await send(path, { headers: { "X-Tenant-ID": tenantSlug() } });
  if (!response.ok) throw new ApiError(response.status, await problemOf(response));
  const url = URL.createObjectURL(await response.blob());
  const anchor = h("a", { href: url, download: filename, hidden: true });
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** POSTs a FormData with XMLHttpRequest, reporting upload progress (0..1). */
export function upload(path, formData, onProgress) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", path);
    request.withCredentials = true;
    for (const [name, value] of Object.entries(baseHeaders())) {
      request.setRequestHeader(name, value);
    }
    request.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable && onProgress) onProgress(event.loaded / event.total);
    });
    request.addEventListener("load", () => {
      let parsed = null;
      try {
        parsed = request.responseText ? JSON.parse(request.responseText) : null;
      } catch {
        parsed = null;
      }
      if (request.status >= 200 && request.status < 300) {
        if (onProgress) onProgress(1);
        resolve(parsed);
      } else {
        const problem =
          parsed && typeof parsed === "object"
            ? parsed
            : { detail: `The server answered ${request.status}.` };
        reject(new ApiError(request.status, problem));
      }
    });
    request.addEventListener("error", () => reject(new ApiError(0, NETWORK_PROBLEM)));
    request.send(formData);
  });
}

// One SSE block ("event: x\ndata: {...}") → [type, data], or null for comments.
function parseEvent(block) {
  let type = "message";
  const data = [];
  for (const line of block.split("\n")) {
    if (line.startsWith("event:")) type = line.slice(6).trim();
    else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
  }
  if (data.length === 0) return null;
  return [type, JSON.parse(data.join("\n"))];
}

/** Sends a chat message and calls onEvent(type, data) for each streamed event. */
export async function streamChat({ message, dialog_id, use_documents }, { onEvent, signal } = {}) {
  const headers = { ...baseHeaders(), Accept: "text/event-stream" };
  headers["Content-Type"] = "application/json";
  const body = { message };
  if (dialog_id) body.dialog_id = dialog_id;
  // The server retrieves from documents unless told not to: always say which.
  if (typeof use_documents === "boolean") body.use_documents = use_documents;
  const response = await send("/v1/chat", {
    method: "POST",
    headers,
    body: JSON.stringify(body),
    signal,
  });
  if (!response.ok) throw new ApiError(response.status, await problemOf(response));
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value.replace(/\r\n?/g, "\n");
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const event = parseEvent(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
      if (event) onEvent(...event);
    }
  }
}

/** Opens the notifications socket; calls onEvent(frame) per JSON frame; reconnects. */
export function connectEvents(onEvent) {
  const url = `${window.location.protocol === "https:" ? "wss:" : "ws:"}//${window.location.host}/v1/ws`;
  let socket = null;
  let closed = false;
  let delay = 1000;
  let timer = null;

  function open() {
    socket = new WebSocket(url);
    socket.addEventListener("open", () => {
      delay = 1000;
    });
    socket.addEventListener("message", (message) => {
      try {
        onEvent(JSON.parse(message.data));
      } catch {
        // A frame that is not JSON carries nothing for the page.
      }
    });
    socket.addEventListener("close", (event) => {
      // 1008: refused (signed out, foreign origin); trying again would not help.
      if (closed || event.code === 1008) return;
      timer = setTimeout(open, delay);
      delay = Math.min(delay * 2, 30000);
    });
  }

  open();
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      if (socket) socket.close();
    },
  };
}

/** The signed-in user (GET /v1/auth/me), or null when there is no session here. */
export async function currentUser() {
  try {
    return await api("/v1/auth/me");
  } catch (error) {
    // A session of another tenant (403 tenant_mismatch) is no session in this one.
    if (error instanceof ApiError && (error.status === 401 || error.code === "tenant_mismatch")) {
      return null;
    }
    throw error;
  }
}

/** Shows the error's words in `element` (a role="alert" region), as text. */
export function showError(element, error) {
  let words = error instanceof ApiError ? error.detail : error && error.message;
  // A 422 names what is wrong with each field; the detail alone does not.
  const fields = error instanceof ApiError && Array.isArray(error.problem.errors) ? error.problem.errors : [];
  const reasons = fields.map(
    (item) => `${fieldName(item.field || "")} ${(item.message || "").replace(/\.$/, "")}.`,
  );
  if (reasons.length) words = `${words} ${reasons.join(" ")}`;
  element.textContent = words || "Something went wrong.";
  element.hidden = false;
}

/** A field's name as a person reads it: `display_name` → "Display name". */
function fieldName(field) {
  const words = field.replaceAll("_", " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Empties and hides an alert region shown by showError. */
export function clearError(element) {
  element.textContent = "";
  element.hidden = true;
}
