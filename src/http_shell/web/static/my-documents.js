// Cabinet section "Documents": upload with progress, status until ready (told by the
// document_ready/document_failed events, with polling as a fallback), download, delete.
import { ApiError, api, downloadFile } from "./api.js";
import { h } from "./dom.js";
import { askToConfirm, countOf, formatSize, removeRow, timeElement } from "./my-dom.js";
import { showPages } from "./my-list.js";
import { uploadControl } from "./my-upload.js";

const PAGE_SIZE = 50;
const POLL_MS = 1500;
const ACCEPTED = [
  ".pdf,.docx,.html,.htm,.txt,.md,.markdown",
  "application/pdf,text/html,text/plain,text/markdown",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
].join(",");

/** Shows the documents section in `body`; returns its event handler. */
export async function mountDocuments(body, context) {
  const list = h("ul", { class: "cabinet-list", "aria-label": "Your documents" });
  const rows = new Map();

  const track = (doc) => {
    const shown = documentRow(doc, context, () => rows.delete(doc.id));
    rows.set(doc.id, shown);
    return shown.row;
  };
  // A document uploaded here or in another tab goes on top; a known one is updated.
  const show = (doc) => {
    if (rows.has(doc.id)) rows.get(doc.id).update(doc);
    else list.prepend(track(doc));
  };
  const refresh = async (documentId) => {
    try {
      show(await api(`/v1/documents/${documentId}`));
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) rows.get(documentId)?.forget();
      else context.fail(error);
    }
  };

  const uploader = uploadControl(context, {
    id: "document-file",
    label: "Upload a document",
    hint: "PDF, Word (DOCX), web page (HTML), plain text or Markdown.",
    accept: ACCEPTED,
    progressLabel: "Upload progress",
    path: "/v1/documents",
    uploaded: (doc) => {
      show(doc);
      context.say(`Uploaded “${doc.filename}”.`);
    },
  });
  body.append(uploader, list);
  await showPages(list, {
    path: "/v1/documents",
    limit: PAGE_SIZE,
    renderItem: track,
    emptyText:
      "No documents yet. Upload one, then ask about it in the chat with “Use my documents”.",
    fail: context.fail,
  });
  return {
    onEvent: (event) => {
      if (event.type === "document_ready" || event.type === "document_failed") {
        refresh(event.document_id);
      }
    },
  };
}

function statusText(doc) {
  return doc.status === "failed" ? `failed: ${doc.error ?? "unknown error"}` : doc.status;
}

function documentRow(doc, context, forgotten) {
  const nameId = `document-${doc.id}`;
  const link = h("a", { id: nameId, href: `/v1/documents/${doc.id}/file` }, doc.filename);
  const status = h("span", { class: "doc-status", "aria-live": "polite" });
  const facts = h("span", { class: "meta" });
  const remove = h(
    "button",
    { type: "button", class: "secondary", "aria-describedby": nameId },
    "Delete",
  );
  const actions = h("span", { class: "actions" }, remove);
  const row = h("li", { class: "cabinet-row", "data-id": doc.id }, link, status, facts, actions);
  let polling = false;

  const update = (fresh) => {
    doc = fresh;
    status.textContent = statusText(fresh);
    status.dataset.status = fresh.status;
    const size = formatSize(fresh.size);
    const counts = `${countOf(fresh.pages, "page")} · ${countOf(fresh.chunks, "chunk")}`;
    facts.replaceChildren(`${size} · ${counts} · added `, timeElement(fresh.created_at));
    if (fresh.status === "processing") watch();
  };
  const forget = () => {
    removeRow(row);
    forgotten();
  };
  // The socket event usually comes first; polling covers a socket that is down. It
  // stops when the row leaves the page (deleted, or another section shown).
  const watch = async () => {
    if (polling) return;
    polling = true;
    do {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      if (!row.isConnected) break;
      try {
        update(await api(`/v1/documents/${doc.id}`));
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) forget();
        else context.fail(error);
        break;
      }
    } while (doc.status === "processing");
    polling = false;
  };

  link.addEventListener("click", (event) => {
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    download(doc, context);
  });
  remove.addEventListener("click", () => {
    context.clear();
    askToConfirm(remove, {
      question: "Delete this document?",
      confirmLabel: "Yes, delete",
      fail: context.fail,
      action: async () => {
        await api(`/v1/documents/${doc.id}`, { method: "DELETE" });
        forget();
        context.say(`Deleted “${doc.filename}”.`);
      },
    });
  });
  update(doc);
  return { row, update, forget };
}

async function download(doc, context) {
  context.clear();
  try {
    await downloadFile(`/v1/documents/${doc.id}/file`, doc.filename);
  } catch (error) {
    context.fail(error);
  }
}
