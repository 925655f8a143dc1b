// Cabinet section "Dialogs": the user's dialogs, newest first; open, rename, delete.
import { api } from "./api.js";
import { h } from "./dom.js";
import { askToConfirm, removeRow, timeElement } from "./my-dom.js";
import { showPages } from "./my-list.js";

const PAGE_SIZE = 20;

/** Shows the dialogs section in `body`. */
export async function mountDialogs(body, context) {
  const list = h("ul", { class: "cabinet-list", "aria-label": "Your dialogs" });
  body.append(list);
  await showPages(list, {
    path: "/v1/dialogs",
    limit: PAGE_SIZE,
    renderItem: (dialog) => dialogRow(dialog, context),
    emptyText: "No dialogs yet: start one in the chat.",
    fail: context.fail,
  });
  return {};
}

function dialogRow(dialog, context) {
  const titleId = `dialog-${dialog.id}`;
  const link = h(
    "a",
    { id: titleId, href: `/${context.slug}/chat?dialog=${encodeURIComponent(dialog.id)}` },
    dialog.title,
  );
  const updated = h("span", { class: "meta" }, "Updated ", timeElement(dialog.updated_at));
  // Described by the title, so a screen reader says which dialog a button acts on.
  const button = (text) =>
    h("button", { type: "button", class: "secondary", "aria-describedby": titleId }, text);
  const rename = button("Rename");
  const remove = button("Delete");
  const actions = h("span", { class: "actions" }, rename, " ", remove);
  const row = h("li", { class: "cabinet-row", "data-id": dialog.id }, link, updated, actions);

  rename.addEventListener("click", () => {
    context.clear();
    const form = renameForm(dialog, context, {
      renamed: (changed) => {
        dialog = changed;
        link.textContent = changed.title;
        updated.replaceChildren("Updated ", timeElement(changed.updated_at));
      },
      done: () => {
        form.remove();
        actions.hidden = false;
        rename.focus();
      },
    });
    actions.hidden = true;
    row.append(form);
    form.querySelector("input").focus();
  });
  remove.addEventListener("click", () => {
    context.clear();
    askToConfirm(remove, {
      question: "Delete this dialog and its messages?",
      confirmLabel: "Yes, delete",
      fail: context.fail,
      action: async () => {
        await api(`/v1/dialogs/${dialog.id}`, { method: "DELETE" });
        removeRow(row);
        context.say(`Deleted “${dialog.title}”.`);
      },
    });
  });
  return row;
}

function renameForm(dialog, context, { renamed, done }) {
  const inputId = `title-${dialog.id}`;
  const input = h("input", {
    id: inputId,
    type: "text",
    name: "title",
    required: true,
    autocomplete: "off",
  });
  input.value = dialog.title;
  const cancel = h("button", { type: "button", class: "secondary" }, "Cancel");
  const form = h(
    "form",
    { class: "inline-form" },
    h("label", { for: inputId }, "Title"),
    input,
    h("button", { type: "submit" }, "Save title"),
    cancel,
  );
  cancel.addEventListener("click", done);
  form.addEventListener("keydown", (event) => {
    if (event.key === "Escape") done();
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    context.clear();
    try {
      const json = { title: input.value };
      renamed(await api(`/v1/dialogs/${dialog.id}`, { method: "PATCH", json }));
      context.say("Renamed.");
      done();
    } catch (error) {
      context.fail(error);
      input.focus();
    }
  });
  return form;
}
