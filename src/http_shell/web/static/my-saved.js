// Cabinet section "Saved": texts the user kept from the chat, shown through the safe
// Markdown renderer (it escapes first, so a saved text never becomes markup).
import { api } from "./api.js";
import { h } from "./dom.js";
import { removeRow, timeElement } from "./my-dom.js";
import { showPages } from "./my-list.js";
import { renderMarkdown } from "./text.js";

const PAGE_SIZE = 20;

/** Shows the saved-items section in `body`. */
export async function mountSaved(body, context) {
  const list = h("ul", { class: "cabinet-list", "aria-label": "Saved replies" });
  body.append(list);
  await showPages(list, {
    path: "/v1/saved",
    limit: PAGE_SIZE,
    renderItem: (item) => savedRow(item, context),
    emptyText: "Nothing saved yet: press “Save” under a reply in the chat to keep it here.",
    fail: context.fail,
  });
  return {};
}

function savedRow(item, context) {
  const remove = h("button", { type: "button", class: "secondary" }, "Remove");
  const row = h(
    "li",
    { class: "cabinet-row saved-item", "data-id": item.id },
    h("div", { class: "saved-text rendered" }, renderMarkdown(item.text)),
    item.note ? h("p", { class: "saved-note" }, "Note: ", item.note) : null,
    h("span", { class: "meta" }, "Saved ", timeElement(item.created_at)),
    h("span", { class: "actions" }, remove),
  );
  remove.addEventListener("click", async () => {
    context.clear();
    remove.disabled = true;
    try {
      await api(`/v1/saved/${item.id}`, { method: "DELETE" });
      removeRow(row);
      context.say("Removed from saved.");
    } catch (error) {
      context.fail(error);
      remove.disabled = false;
    }
  });
  return row;
}
