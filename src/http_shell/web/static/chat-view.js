// Building the chat's message elements. Text from the model and from documents
// only ever becomes text nodes (or renderMarkdown's safe elements).
import { api, downloadFile, showError } from "./api.js";
import { h } from "./dom.js";
import { renderMarkdown } from "./text.js";

/** A user's turn, as plain text. */
export function userMessage(text) {
  return h("div", { class: "message user" }, text);
}

/** An assistant reply: streamed text first, then its rendered form and actions. */
export class AssistantMessage {
  constructor() {
    this.text = document.createTextNode("");
    this.body = h("div", { class: "streaming" }, this.text);
    this.element = h("article", { class: "message assistant", "aria-label": "Reply" }, this.body);
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
    const list = h("ul");
    for (const item of items) {
      const label = item.page ? `${item.filename}, page ${item.page}` : item.filename;
      if (seen.has(label)) continue;
      seen.add(label);
      const href = `/v1/documents/${encodeURIComponent(item.document_id)}/file`;
      const download = (event) => {
        if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
        event.preventDefault();
        downloadFile(href, item.filename).catch((error) => showError(alert, error));
      };
      list.append(h("li", {}, h("a", { href, onclick: download }, label)));
    }
    const block = h("div", { class: "citations" }, "Sources:", list);
    this.citations?.remove();
    this.citations = block;
    this.element.append(block);
  }

  /** Renders the complete reply and adds its actions; `alert` shows a failed save. */
  finish(finishReason, alert) {
    const rendered = h("div", { class: "rendered" }, renderMarkdown(this.content));
    this.body.replaceWith(rendered);
    this.body = rendered;
    const actions = h("div", { class: "message-actions" });
    if (finishReason === "cancelled") actions.append(h("span", { class: "muted" }, "Stopped."));
    if (this.messageId && this.content) actions.append(this.saveButton(alert));
    this.element.insertBefore(actions, this.citations || null);
  }

  saveButton(alert) {
    const button = h("button", { type: "button", class: "secondary" }, "Save");
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
