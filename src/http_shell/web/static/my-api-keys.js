// Cabinet section "API keys": keys for programs that speak OpenAI's API (or any of
// chatcore's). A new key is shown once, with a copy button; the list shows each key's
// prefix and this month's tokens, and revokes a key at once.
import { api } from "./api.js";
import { h } from "./dom.js";
import { askToConfirm, formatNumber, removeRow, timeElement } from "./my-dom.js";
import { showPages } from "./my-list.js";

const PAGE_SIZE = 20;

/** Shows the API-keys section in `body`. */
export async function mountApiKeys(body, context) {
  const list = h("ul", { class: "cabinet-list", "aria-label": "Your API keys" });
  const made = h("div", { class: "new-key" });
  body.append(createForm(list, made, context), made, list);
  await showPages(list, {
    path: "/v1/api-keys",
    limit: PAGE_SIZE,
    renderItem: (key) => keyRow(key, context),
    emptyText: "No API keys yet: create one for a program that speaks OpenAI's API.",
    fail: context.fail,
  });
  return {};
}

function createForm(list, made, context) {
  const name = h("input", {
    id: "api-key-name",
    type: "text",
    name: "name",
    required: true,
    maxlength: "100",
    autocomplete: "off",
  });
  const form = h(
    "form",
    { class: "api-key-form" },
    h("label", { for: "api-key-name" }, "Key name"),
    name,
    h("span", { class: "form-actions" }, h("button", { type: "submit" }, "Create key")),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    context.clear();
    try {
      const key = await api("/v1/api-keys", { method: "POST", json: { name: name.value } });
      name.value = "";
      made.replaceChildren(...shownOnce(key));
      list.prepend(keyRow({ ...key, total_tokens_this_month: 0 }, context));
      made.querySelector("button").focus();
    } catch (error) {
      context.fail(error);
      name.focus();
    }
  });
  return form;
}

// The secret itself, which the server never shows again.
function shownOnce(key) {
  const field = h("input", {
    id: "new-api-key",
    type: "text",
    readonly: true,
    spellcheck: "false",
    value: key.key,
  });
  const copied = h("span", { class: "notice", role: "status" });
  const copy = h("button", { type: "button" }, "Copy key");
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(key.key);
      copied.textContent = "Copied.";
    } catch {
      // No clipboard (a page not served over HTTPS or localhost): select it for Ctrl+C.
      field.select();
      copied.textContent = "Selected: copy it with Ctrl+C.";
    }
  });
  return [
    h("label", { for: "new-api-key" }, `Key “${key.name}”: copy it now, it is not shown again.`),
    h("span", { class: "form-actions" }, field, copy, copied),
    h(
      "p",
      { class: "hint" },
      "Send it as ",
      h("code", {}, "Authorization: Bearer ck_…"),
      ", or give it to an OpenAI client as its API key with the base URL ",
      h("code", {}, `${location.origin}/v1`),
      ".",
    ),
  ];
}

function keyRow(key, context) {
  const revoke = h("button", { type: "button", class: "danger" }, "Revoke");
  const row = h(
    "li",
    { class: "cabinet-row api-key", "data-id": key.id },
    h("span", { class: "key-name" }, h("strong", {}, key.name), " ", h("code", {}, `${key.prefix}…`)),
    h(
      "span",
      { class: "meta" },
      "Created ",
      timeElement(key.created_at),
      ...(key.last_used_at ? [", last used ", timeElement(key.last_used_at)] : [", never used"]),
      ...(key.expires_at ? [", expires ", timeElement(key.expires_at)] : []),
      ` · ${formatNumber(key.total_tokens_this_month)} tokens this month`,
    ),
    h("span", { class: "actions" }, revoke),
  );
  revoke.addEventListener("click", () => {
    context.clear();
    askToConfirm(revoke, {
      question: "Programs using this key stop working at once.",
      confirmLabel: "Yes, revoke",
      fail: context.fail,
      action: async () => {
        await api(`/v1/api-keys/${key.id}`, { method: "DELETE" });
        removeRow(row);
        context.say("Key revoked.");
      },
    });
  });
  return row;
}
