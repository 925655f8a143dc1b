// The header every page shares: tenant name, navigation, sign in or out.
import { api, currentUser, showError, tenantSlug } from "/assets/api.js";

let tenantPromise = null;

/** The public tenant info ({id, slug, name, auth_methods}), fetched once per page. */
export function tenantInfo() {
  tenantPromise ??= api(`/v1/tenants/by-slug/${encodeURIComponent(tenantSlug())}`);
  return tenantPromise;
}

function link(text, href, current) {
  const anchor = document.createElement("a");
  anchor.textContent = text;
  anchor.href = href;
  if (current) anchor.setAttribute("aria-current", "page");
  return anchor;
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

  const skip = link("Skip to content", "#main");
  skip.className = "skip-link";
  const brand = link(tenantSlug(), `${base}/chat`);
  brand.className = "brand";
  const nav = document.createElement("nav");
  nav.setAttribute("aria-label", "Main");
  const alert = document.createElement("p");
  alert.setAttribute("role", "alert");
  alert.className = "error";
  alert.hidden = true;
  nav.append(
    link("Chat", `${base}/chat`, active === "chat"),
    link("My account", `${base}/my`, active === "my"),
  );
  header.append(skip, brand, nav, alert);

  const [tenant, user] = await Promise.allSettled([tenantInfo(), currentUser()]);
  if (tenant.status === "fulfilled") {
    brand.textContent = tenant.value.name;
    document.title = `${document.title} · ${tenant.value.name}`;
  }
  const me = user.status === "fulfilled" ? user.value : null;
  if (user.status === "rejected") showError(alert, user.reason);
  if (me && me.email) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "link-button";
    button.textContent = "Sign out";
    button.addEventListener("click", () => signOut(alert));
    nav.append(button);
  } else if (active === "auth") {
    nav.append(link("Sign in", `${base}/login`, document.body.dataset.page === "login"));
  } else {
    // Back to this page once signed in.
    const next = encodeURIComponent(window.location.pathname + window.location.search);
    nav.append(link("Sign in", `${base}/login?next=${next}`));
  }
  return me;
}
