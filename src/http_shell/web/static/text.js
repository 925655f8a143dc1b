// A small, safe Markdown subset for text from the model and from documents.
// Everything becomes DOM text nodes or elements built here: no string of the
// input is ever parsed as HTML, so there is nothing to escape after the fact.
import { h } from "./dom.js";

const INLINE =
  /(`[^`\n]+`)|(\*\*[^*\n]+\*\*)|(\*[^*\s][^*\n]*\*)|\[([^\]\n]+)\]\((https?:\/\/[^\s)]+)\)|(https?:\/\/[^\s<>()]+[^\s<>().,;:!?'"])/g;
const FENCE = /^```/;
const BULLET = /^\s*[-*+]\s+(.*)$/;
const NUMBERED = /^\s*\d+[.)]\s+(.*)$/;

function safeLink(text, href) {
  let url;
  try {
    url = new URL(href);
  } catch {
    return document.createTextNode(text);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return document.createTextNode(text);
  return h("a", { href: url.href, rel: "noopener noreferrer", target: "_blank" }, text);
}

// Appends one line's inline markup (code, bold, italic, links) to `parent`.
function appendInline(parent, line) {
  let last = 0;
  for (const match of line.matchAll(INLINE)) {
    if (match.index > last) parent.append(line.slice(last, match.index));
    const [whole, code, bold, italic, label, href, bare] = match;
    if (code) parent.append(h("code", {}, code.slice(1, -1)));
    else if (bold) parent.append(h("strong", {}, bold.slice(2, -2)));
    else if (italic) parent.append(h("em", {}, italic.slice(1, -1)));
    else if (label) parent.append(safeLink(label, href));
    else if (bare) parent.append(safeLink(bare, bare));
    else parent.append(whole);
    last = match.index + whole.length;
  }
  if (last < line.length) parent.append(line.slice(last));
}

function paragraph(lines) {
  const node = h("p");
  lines.forEach((line, index) => {
    if (index > 0) node.append(h("br"));
    appendInline(node, line);
  });
  return node;
}

function list(tag, items) {
  const node = h(tag);
  for (const item of items) {
    const entry = h("li");
    appendInline(entry, item);
    node.append(entry);
  }
  return node;
}

/** The text as a DocumentFragment of safe elements (paragraphs, lists, code, links). */
export function renderMarkdown(text) {
  const fragment = document.createDocumentFragment();
  const lines = String(text).replace(/\r\n?/g, "\n").split("\n");
  let index = 0;
  while (index < lines.length) {
    const line = lines[index];
    if (FENCE.test(line)) {
      const code = [];
      index += 1;
      while (index < lines.length && !FENCE.test(lines[index])) code.push(lines[index++]);
      index += 1; // the closing fence, when there is one
      fragment.append(h("pre", {}, h("code", {}, code.join("\n"))));
    } else if (BULLET.test(line) || NUMBERED.test(line)) {
      const pattern = BULLET.test(line) ? BULLET : NUMBERED;
      const items = [];
      while (index < lines.length && pattern.test(lines[index])) {
        items.push(lines[index++].match(pattern)[1]);
      }
      fragment.append(list(pattern === BULLET ? "ul" : "ol", items));
    } else if (line.trim() === "") {
      index += 1;
    } else {
      const block = [];
      while (
        index < lines.length &&
        lines[index].trim() !== "" &&
        !FENCE.test(lines[index]) &&
        !BULLET.test(lines[index]) &&
        !NUMBERED.test(lines[index])
      ) {
        block.push(lines[index++]);
      }
      fragment.append(paragraph(block));
    }
  }
  return fragment;
}
