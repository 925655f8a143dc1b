// The header every page shares: tenant name, navigation, sign in or out.
import { api, currentUser, showError, tenantSlug } from "./api.js";
import { h } from "./dom.js";

let tenantPromise = null;

/** The public tenant info ({id, slug, name, auth_methods}), fetched once per page. */
export function tenantInfo() {
  tenantPromise ??= api(`/v1/tenants/by-slug/${encodeURIComponent(tenantSlug())}`);
  return tenantPromise;
}

function link(text, href, { current = false, className = null } = {}) {
  return h("a", { href, class: className, "aria-current": current ? "page" : null }, text);
}

async function signOut(alert) {
  try {
    await api("/v1/auth/logout", { method: "POST" });
    window.location.assign(`/${tenantSlug()}/login`);
  } catch (error) {
    showError(alert, error);
  }
}

/** Fills #site-header; `active` is "chat", "my" or "auth". Resolves to the user or null. */
export async function renderHeader(active) {
  const header = document.getElementById("site-header");
  const base = `/${encodeURIComponent(tenantSlug())}`;
  header.replaceChildren();

  const skip = link("Skip to content", "#main", { className: "skip-link" });
  const brand = link(tenantSlug(), `${base}/chat`, { className: "brand" });
  const nav = h(
    "nav",
    { "aria-label": "Main" },
    link("Chat", `${base}/chat`, { current: active === "chat" }),
    link("My account", `${base}/my`, { current: active === "my" }),
  );
  const alert = h("p", { role: "alert", class: "error", hidden: true });
  header.append(skip, brand, nav, alert);

  const [tenant, user] = await Promise.allSettled([tenantInfo(), currentUser()]);
  if (tenant.status === "fulfilled") {
    brand.textContent = tenant.value.name;
    document.title = `${document.title} · ${tenant.value.name}`;
  }
  const me = user.status === "fulfilled" ? user.value : null;
  if (user.status === "rejected") showError(alert, user.reason);
  if (me && me.email) {
    const signOutButton = { type: "button", class: "link-button", onclick: () => signOut(alert) };
    nav.append(h("button", signOutButton, "Sign out"));
  } else if (active === "auth") {
    const current = document.body.dataset.page === "login";
    nav.append(link("Sign in", `${base}/login`, { current }));
  } else {
    // Back to this page once signed in.
    const next = encodeURIComponent(window.location.pathname + window.location.search);
    nav.append(link("Sign in", `${base}/login?next=${next}`));
  }
  return me;
}
