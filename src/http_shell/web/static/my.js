// The personal cabinet, /{slug}/my/{section}: for signed-in users only. One section is
// shown at a time, picked from the path; live events from /v1/ws go to the one shown.
import { clearError, connectEvents, currentUser, showError, tenantSlug } from "./api.js";
import { h } from "./dom.js";
import { renderHeader } from "./layout.js";
import { mountApiKeys } from "./my-api-keys.js";
import { mountDialogs } from "./my-dialogs.js";
import { mountDocuments } from "./my-documents.js";
import { mountProfile } from "./my-profile.js";
import { mountSaved } from "./my-saved.js";
import { mountUsage } from "./my-usage.js";

const SECTIONS = {
  dialogs: { title: "Dialogs", mount: mountDialogs },
  saved: { title: "Saved", mount: mountSaved },
  documents: { title: "Documents", mount: mountDocuments },
  profile: { title: "Profile", mount: mountProfile },
  usage: { title: "Usage", mount: mountUsage },
  "api-keys": { title: "API keys", mount: mountApiKeys },
};
const DEFAULT_SECTION = "dialogs";

const main = document.getElementById("main");
const alert = document.getElementById("cabinet-alert");
const status = document.getElementById("cabinet-status");
const sectionBox = document.getElementById("cabinet-section");
const sectionLinks = [...document.querySelectorAll("nav[aria-label=Sections] a[data-section]")];

/** The section named by /{slug}/my/{section}, or the default one. */
function sectionFromPath(pathname) {
  const name = pathname.split("/")[3];
  return Object.hasOwn(SECTIONS, name) ? name : DEFAULT_SECTION;
}

function signInAgain(slug) {
  location.replace(`/${slug}/login?next=${encodeURIComponent(location.pathname)}`);
}

function createContext(slug) {
  return {
    slug,
    // A session that ended meanwhile (signed out in another tab) sends the user to sign
    // in and come back here, rather than showing "not authenticated" on every action.
    fail: (error) => (error?.status === 401 ? signInAgain(slug) : showError(alert, error)),
    say: (text) => {
      status.textContent = text;
    },
    clear: () => {
      clearError(alert);
      status.textContent = "";
    },
  };
}

async function start() {
  const slug = tenantSlug();
  renderHeader("my");
  let user;
  try {
    user = await currentUser();
  } catch (error) {
    showError(alert, error);
    return;
  }
  // An anonymous session has no email, and no cabinet: its data lives in the chat.
  if (!user?.email) {
    signInAgain(slug);
    return;
  }
  const context = createContext(slug);
  let shown = null;
  let generation = 0;

  const show = async (name, { focus }) => {
    const mine = ++generation;
    const { title, mount } = SECTIONS[name];
    context.clear();
    // Keeps what the header appended (the tenant name) after "My account".
    document.title = document.title.replace(/^.*My account/, `${title} – My account`);
    for (const link of sectionLinks) {
      if (link.dataset.section === name) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
    const heading = h("h2", { id: "section-title", tabindex: "-1" }, title);
    const body = h("div", { class: "section-body" });
    sectionBox.replaceChildren(heading, body);
    sectionBox.setAttribute("aria-busy", "true");
    if (focus) heading.focus();
    shown = null;
    try {
      const mounted = await mount(body, context);
      // A section left before it finished loading must not receive events.
      if (mine === generation) shown = mounted;
    } catch (error) {
      if (mine === generation) context.fail(error);
    } finally {
      if (mine === generation) sectionBox.removeAttribute("aria-busy");
    }
  };

  for (const link of sectionLinks) {
    link.href = `/${slug}/my/${link.dataset.section}`;
    link.addEventListener("click", (event) => {
      if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
      event.preventDefault();
      history.pushState(null, "", link.href);
      show(link.dataset.section, { focus: true });
    });
  }
  window.addEventListener("popstate", () => {
    show(sectionFromPath(location.pathname), { focus: true });
  });

  connectEvents((event) => {
    // Marks the page once the socket is signed in, so a change made elsewhere shows here.
    if (event.type === "ready") main.dataset.live = "true";
    shown?.onEvent?.(event);
  });
  await show(sectionFromPath(location.pathname), { focus: false });
}

start();
