// A paginated API list (`{items, next_cursor}`) shown page by page with "Load more".
import { api } from "./api.js";
import { h } from "./dom.js";

/**
 * Fills `list` with the first page of `path` (one element per item from
 * `renderItem`), and adds a "Load more" button after it while the API has more.
 * An empty list shows `emptyText` (my.css hides it once the list has items).
 */
export async function showPages(list, { path, limit, renderItem, emptyText, fail }) {
  const more = h("button", { type: "button", class: "load-more", hidden: true }, "Load more");
  list.after(h("p", { class: "empty-note" }, emptyText), more);
  let cursor = null;

  const load = async () => {
    const query = new URLSearchParams({ limit: String(limit) });
    if (cursor) query.set("cursor", cursor);
    const page = await api(`${path}?${query}`);
    const rows = page.items.map(renderItem);
    list.append(...rows);
    cursor = page.next_cursor;
    more.hidden = !cursor;
    return rows;
  };

  more.addEventListener("click", async () => {
    more.disabled = true;
    try {
      const rows = await load();
      // The button is gone when the last page came: keep the keyboard in the list.
      if (more.hidden && rows.length) rows[0].querySelector("a, button")?.focus();
    } catch (error) {
      fail(error);
    } finally {
      more.disabled = false;
    }
  });
  await load();
}
