// The chat page: the dialog list, one open dialog, and the composer that streams
// each reply as it arrives.
import { ApiError, api, clearError, showError, streamChat, tenantSlug } from "./api.js";
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
  messages.replaceChildren(
    ...dialog.messages.map((message) =>
      message.role === "user" ? userMessage(message.content) : storedReply(message, alert),
    ),
  );
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
  reply.element.scrollIntoView({ block: "end" });
  const controller = new AbortController();
  setStreaming(controller);
  let finishReason = null;
  let started = false;
  try {
    await streamChat(
      { message: text, dialog_id: dialogId, use_documents: useDocuments.checked },
      {
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
      },
    );
  } catch (error) {
    if (error.name === "AbortError") {
      // Stop: the server keeps the reply so far, marked cancelled.
      finishReason = "cancelled";
    } else {
      showError(alert, error);
      if (!started) {
        // Refused before it began (a limit, say): nothing was stored; give the text back.
        question.remove();
        reply.element.remove();
        input.value = text;
      }
    }
  } finally {
    setStreaming(null);
  }
  if (reply.element.isConnected) reply.finish(finishReason, alert);
  if (started) await loadDialogs().catch((error) => showError(alert, error));
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

stopButton.addEventListener("click", () => {
  if (streaming) streaming.abort();
});

document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && streaming) streaming.abort();
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
