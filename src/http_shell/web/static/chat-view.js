// Building the chat's message elements. Text from the model and from documents
// only ever becomes text nodes (or renderMarkdown's safe elements).
import { api, downloadFile, showError } from "/assets/api.js";
import { renderMarkdown } from "/assets/text.js";

/** A user's turn, as plain text. */
export function userMessage(text) {
  const node = document.createElement("div");
  node.className = "message user";
  node.textContent = text;
  return node;
}

/** An assistant reply: streamed text first, then its rendered form and actions. */
export class AssistantMessage {
  constructor() {
    this.element = document.createElement("article");
    this.element.className = "message assistant";
    this.element.setAttribute("aria-label", "Reply");
    this.body = document.createElement("div");
    this.body.className = "streaming";
    this.text = document.createTextNode("");
    this.body.append(this.text);
    this.element.append(this.body);
    this.messageId = null;
  }

  /** Adds streamed text, as plain text (rendered once the reply is complete). */
  append(delta) {
    this.text.appendData(delta);
  }

  /** The reply's full text so far. */
  get content() {
    return this.text.data;
  }

  /** Shows the documents the reply drew on, as links to each document's file;
   * `alert` shows a failed download. */
  showCitations(items, alert) {
    const seen = new Set();
    const list = document.createElement("ul");
    for (const item of items) {
      const label = item.page ? `${item.filename}, page ${item.page}` : item.filename;
      if (seen.has(label)) continue;
      seen.add(label);
      const link = document.createElement("a");
      link.href = `/v1/documents/${encodeURIComponent(item.document_id)}/file`;
      link.textContent = label;
      link.addEventListener("click", (event) => {
        if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
        event.preventDefault();
        downloadFile(link.href, item.filename).catch((error) => showError(alert, error));
      });
      const entry = document.createElement("li");
      entry.append(link);
      list.append(entry);
    }
    const block = document.createElement("div");
    block.className = "citations";
    block.append("Sources:", list);
    this.citations?.remove();
    this.citations = block;
    this.element.append(block);
  }

  /** Renders the complete reply and adds its actions; `alert` shows a failed save. */
  finish(finishReason, alert) {
    const rendered = document.createElement("div");
    rendered.className = "rendered";
    rendered.append(renderMarkdown(this.content));
    this.body.replaceWith(rendered);
    this.body = rendered;
    const actions = document.createElement("div");
    actions.className = "message-actions";
    if (finishReason === "cancelled") {
      const note = document.createElement("span");
      note.className = "muted";
      note.textContent = "Stopped.";
      actions.append(note);
    }
    if (this.messageId && this.content) actions.append(this.saveButton(alert));
    this.element.insertBefore(actions, this.citations || null);
  }

  saveButton(alert) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "secondary";
    button.textContent = "Save";
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        await api("/v1/saved", {
          method: "POST",
          json: { message_id: this.messageId, text: this.content },
        });
        button.textContent = "Saved";
      } catch (error) {
        button.disabled = false;
        showError(alert, error);
      }
    });
    return button;
  }
}

/** A stored assistant message (from GET /v1/dialogs/{id}), finished. */
export function storedReply(message, alert) {
  const reply = new AssistantMessage();
  reply.messageId = message.id;
  reply.append(message.content);
  reply.finish(message.finish_reason, alert);
  return reply.element;
}
