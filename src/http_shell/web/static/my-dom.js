// DOM helpers shared by the cabinet's sections.
import { h } from "./dom.js";

const numberFormat = new Intl.NumberFormat(document.documentElement.lang || undefined);
const dateTimeFormat = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
  dateStyle: "medium",
  timeStyle: "short",
});
const dateFormat = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
  dateStyle: "medium",
  timeZone: "UTC",
});

/** A number with the page language's digit grouping ("12,345"). */
export function formatNumber(value) {
  return numberFormat.format(value);
}

/** A count and its noun, singular or plural ("1 page", "12 pages"). */
export function countOf(count, noun) {
  return `${formatNumber(count)} ${noun}${count === 1 ? "" : "s"}`;
}

/** A `<time>` showing an ISO instant in the reader's time zone. */
export function timeElement(iso) {
  return h("time", { datetime: iso }, dateTimeFormat.format(new Date(iso)));
}

/** A calendar date of an ISO instant, in UTC (the zone usage periods are counted in). */
export function formatUtcDate(iso) {
  return dateFormat.format(new Date(iso));
}

/** A file size in words ("12.3 KB"). */
export function formatSize(bytes) {
  if (bytes < 1000) return `${formatNumber(bytes)} bytes`;
  if (bytes < 1_000_000) return `${formatNumber(Math.round(bytes / 100) / 10)} KB`;
  return `${formatNumber(Math.round(bytes / 100_000) / 10)} MB`;
}

/**
 * Removes a list row; a keyboard user who was in it lands on the next row's first
 * control (else the previous row's, else the section heading) instead of the page top.
 */
export function removeRow(row) {
  const hadFocus = row.contains(document.activeElement) || document.activeElement === document.body;
  const neighbour = row.nextElementSibling ?? row.previousElementSibling;
  row.remove();
  if (!hadFocus) return;
  const target = neighbour?.querySelector("a, button") ?? document.getElementById("section-title");
  target?.focus();
}

/**
 * Replaces `button` by a question with a confirm button and "Cancel" until one is
 * chosen; `action` runs on confirm, and an error it throws goes to `fail`.
 */
export function askToConfirm(button, { question, confirmLabel, action, fail }) {
  const cancel = h("button", { type: "button", class: "secondary" }, "Cancel");
  const confirm = h("button", { type: "button", class: "danger" }, confirmLabel);
  const prompt = h("span", { class: "confirm" }, h("span", {}, question), confirm, cancel);
  const restore = () => {
    prompt.remove();
    button.hidden = false;
    button.focus();
  };
  cancel.addEventListener("click", restore);
  prompt.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !cancel.disabled) restore();
  });
  confirm.addEventListener("click", async () => {
    confirm.disabled = cancel.disabled = true;
    try {
      await action();
      prompt.remove();
    } catch (error) {
      fail(error);
      restore();
    }
  });
  button.hidden = true;
  button.after(prompt);
  // Focus lands on the harmless choice, so a second Enter does not destroy anything.
  cancel.focus();
}
