// The cabinet's file upload: a labelled file input with a hint and a progress bar.
// Choosing a file uploads it at once; the section decides what the answer changes.
import { upload } from "./api.js";
import { h } from "./dom.js";

/**
 * A file input (`id`, `label`, `accept`, described by `hint`) that posts the chosen
 * file to `path` as the multipart field "file", showing progress; `uploaded` gets the
 * API's answer, and an error goes to `context.fail`.
 */
export function uploadControl(context, { id, label, hint, accept, progressLabel, path, uploaded }) {
  const hintId = `${id}-hint`;
  const input = h("input", { id, type: "file", name: "file", accept, "aria-describedby": hintId });
  const progress = h("progress", {
    max: "1",
    value: "0",
    "aria-label": progressLabel,
    hidden: true,
  });
  input.addEventListener("change", async () => {
    const file = input.files[0];
    if (!file) return;
    context.clear();
    const form = new FormData();
    form.append("file", file);
    input.disabled = true;
    progress.value = 0;
    progress.hidden = false;
    try {
      uploaded(
        await upload(path, form, (fraction) => {
          progress.value = fraction;
        }),
      );
    } catch (error) {
      context.fail(error);
    } finally {
      progress.hidden = true;
      input.disabled = false;
      input.value = "";
      // Disabling the input took the focus away; give it back for the next file.
      input.focus();
    }
  });
  return h(
    "div",
    { class: "upload" },
    h("label", { for: id }, label),
    input,
    h("p", { id: hintId, class: "muted" }, hint),
    progress,
  );
}
