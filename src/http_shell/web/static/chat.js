// The chat page: the dialog list, one open dialog, and the composer that streams
// each reply as it arrives. A reply outlives the page: reloaded mid-reply, the page
// follows it from where the stored text ends; Stop stops it on the server.
import {
  ApiError,
  api,
  clearError,
  resumeReply,
  showError,
  stopReply,
  streamChat,
  tenantSlug,
} from "./api.js";
import { AssistantMessage, storedReply, userMessage } from "./chat-view.js";
import { h } from "./dom.js";
import { renderHeader, tenantInfo } from "./layout.js";

const base = `/${encodeURIComponent(tenantSlug())}`;
const alert = document.getElementById("chat-error");
const dialogList = document.getElementById("dialog-list");
const title = document.getElementById("dialog-title");
const messages = document.getElementById("messages");
const composer = document.getElementById("composer");
const input = document.getElementById("message");
const useDocuments = document.getElementById("use-documents");
const sendButton = document.getElementById("send");
const stopButton = document.getElementById("stop");

let dialogId = new URLSearchParams(window.location.search).get("dialog");
let streaming = null; // the AbortController of the reply in progress
let following = null; // the AssistantMessage of that reply

/** A session for this page: the signed-in user, or a new anonymous one when allowed. */
async function ensureSession(user) {
  if (user) return user;
  const tenant = await tenantInfo();
  if (!tenant.auth_methods.includes("anonymous")) {
    const next = encodeURIComponent(window.location.pathname + window.location.search);
    window.location.replace(`${base}/login?next=${next}`);
    return null;
  }
  await api("/v1/sessions", { method: "POST" });
  return { email: null };
}

async function loadDialogs() {
  const page = await api("/v1/dialogs?limit=50");
  const open = page.items.find((dialog) => dialog.id === dialogId);
  if (open) title.textContent = open.title || "Untitled dialog";
  if (page.items.length === 0) {
    dialogList.replaceChildren(h("li", { class: "muted" }, "No dialogs yet."));
    return;
  }
  dialogList.replaceChildren(
    ...page.items.map((dialog) => {
      const href = `${base}/chat?dialog=${encodeURIComponent(dialog.id)}`;
      const current = dialog.id === dialogId ? "true" : null;
      const link = h("a", { href, "aria-current": current }, dialog.title || "Untitled dialog");
      return h("li", {}, link);
    }),
  );
}

async function openDialog(id) {
  const dialog = await api(`/v1/dialogs/${encodeURIComponent(id)}`);
  title.textContent = dialog.title || "Untitled dialog";
  const last = dialog.messages.at(-1);
  // A reply still being written (the page was reloaded mid-reply) is followed live.
  const inProgress = last && last.role === "assistant" && last.finish_reason === null;
  const finished = inProgress ? dialog.messages.slice(0, -1) : dialog.messages;
  messages.replaceChildren(
    ...finished.map((message) =>
      message.role === "user" ? userMessage(message.content) : storedReply(message, alert),
    ),
  );
  if (inProgress) {
    const reply = new AssistantMessage();
    reply.messageId = last.id;
    reply.append(last.content);
    messages.append(reply.element);
    // Not awaited: the page is ready while the reply goes on.
    follow(reply, (options) => resumeReply(last.id, [...last.content].length, options));
  }
}

function setStreaming(controller) {
  streaming = controller;
  sendButton.disabled = controller !== null;
  stopButton.disabled = controller === null;
  messages.setAttribute("aria-busy", controller === null ? "false" : "true");
}

function rememberDialog(id) {
  if (dialogId === id) return;
  dialogId = id;
  window.history.replaceState(null, "", `${base}/chat?dialog=${encodeURIComponent(id)}`);
}

async function send(text) {
  clearError(alert);
  const question = userMessage(text);
  const reply = new AssistantMessage();
  messages.append(question, reply.element);
  const started = await follow(reply, (options) =>
    streamChat({ message: text, dialog_id: dialogId, use_documents: useDocuments.checked }, options),
  );
  if (!started && !reply.element.isConnected) {
    // Refused before it began (a limit, say): nothing was stored; give the text back.
    question.remove();
    input.value = text;
  }
  if (started) await loadDialogs().catch((error) => showError(alert, error));
}

/** Shows a reply's events in ``reply`` as ``open(options)`` streams them; whether the
 * reply began (its meta came). */
async function follow(reply, open) {
  reply.element.scrollIntoView({ block: "end" });
  const controller = new AbortController();
  setStreaming(controller);
  following = reply;
  let finishReason = null;
  let started = false;
  try {
    await open({
      signal: controller.signal,
      onEvent(type, data) {
        if (type === "meta") {
          started = true;
          reply.messageId = data.assistant_message_id;
          rememberDialog(data.dialog_id);
        } else if (type === "delta") {
          reply.append(data.text);
          reply.element.scrollIntoView({ block: "nearest" });
        } else if (type === "citations") {
          reply.showCitations(data.items, alert);
        } else if (type === "done") {
          finishReason = data.finish_reason;
        } else if (type === "error") {
          showError(alert, new ApiError(0, data));
        }
      },
    });
  } catch (error) {
    if (error.name === "AbortError") {
      finishReason = "cancelled"; // stopped before the server had named the reply
    } else {
      showError(alert, error);
      if (!started) reply.element.remove();
    }
  } finally {
    setStreaming(null);
    following = null;
  }
  if (reply.element.isConnected) reply.finish(finishReason, alert);
  return started;
}

/** Stop: the server stops the reply for every tab following it, and keeps it so far. */
function stop() {
  if (!streaming) return;
  if (!following || !following.messageId) {
    streaming.abort();
    return;
  }
  stopReply(following.messageId).catch((error) => {
    showError(alert, error);
    streaming?.abort();
  });
}

composer.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = input.value.trim();
  if (!text || streaming) return;
  input.value = "";
  send(text);
});

input.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    composer.requestSubmit();
  }
});

stopButton.addEventListener("click", stop);

document.addEventListener("keydown", (event) => {
  if (event.key === "Escape") stop();
});

document.getElementById("new-dialog").addEventListener("click", () => {
  window.location.assign(`${base}/chat`);
});

async function start() {
  try {
    const user = await ensureSession(await renderHeader("chat"));
    if (!user) return;
    if (!user.email) {
      document.getElementById("anonymous-note").hidden = false;
      const next = encodeURIComponent(window.location.pathname);
      document.getElementById("anonymous-sign-in").href = `${base}/login?next=${next}`;
    }
    await loadDialogs();
    if (dialogId) await openDialog(dialogId);
    input.focus();
  } catch (error) {
    showError(alert, error);
  }
}

start();
