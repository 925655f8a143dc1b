// Cabinet section "Profile": display name, avatar (updated live by the avatar_changed
// event, so every open tab shows the new picture) and deleting the account.
import { api } from "./api.js";
import { h } from "./dom.js";
import { askToConfirm } from "./my-dom.js";
import { uploadControl } from "./my-upload.js";

const NO_AVATAR = "/assets/my-avatar.svg";
const ACCEPTED_IMAGES = "image/png,image/jpeg,image/webp,image/gif";

/** Shows the profile section in `body`; returns its event handler. */
export async function mountProfile(body, context) {
  const profile = await api("/v1/profile");
  const avatar = h("img", { class: "avatar", alt: "Your avatar", width: "96", height: "96" });
  const removeAvatar = h("button", { type: "button", class: "secondary" }, "Remove avatar");
  const showAvatar = (url) => {
    avatar.src = url ? sameOriginAvatar(url) : NO_AVATAR;
    removeAvatar.hidden = !url;
  };
  const picker = uploadControl(context, {
    id: "avatar-file",
    label: "Avatar",
    hint: "PNG, JPEG, WebP or GIF, up to 5 MB.",
    accept: ACCEPTED_IMAGES,
    progressLabel: "Picture upload progress",
    path: "/v1/profile/avatar",
    uploaded: ({ avatar_url }) => {
      // The avatar_changed event brings the same URL, to this tab and every other one.
      showAvatar(avatar_url);
      context.say("Avatar changed.");
    },
  });
  removeAvatar.addEventListener("click", async () => {
    context.clear();
    try {
      await api("/v1/profile/avatar", { method: "DELETE" });
      showAvatar(null);
      picker.querySelector("input").focus(); // the button just hid itself
      context.say("Avatar removed.");
    } catch (error) {
      context.fail(error);
    }
  });
  showAvatar(profile.avatar_url);

  const controls = h("div", { class: "avatar-controls" }, picker, removeAvatar);
  body.append(
    nameForm(profile, context),
    h("div", { class: "avatar-block" }, avatar, controls),
    deleteAccount(context),
  );
  return {
    onEvent: (event) => {
      if (event.type === "avatar_changed") showAvatar(event.avatar_url);
      // A socket that (re)connects may have missed a change: re-read the picture.
      if (event.type === "ready") {
        api("/v1/profile")
          .then((fresh) => showAvatar(fresh.avatar_url))
          .catch(context.fail);
      }
    },
  };
}

// Avatar URLs are absolute, on CHATCORE_PUBLIC_URL; opened under another name of this
// server (127.0.0.1 for localhost) the page's CSP would block them, so an avatar this
// server serves is loaded by its path.
function sameOriginAvatar(url) {
  const parsed = new URL(url, location.origin);
  return parsed.pathname.startsWith("/v1/avatars/") ? parsed.pathname : parsed.href;
}

function nameForm(profile, context) {
  const input = h("input", {
    id: "display-name",
    type: "text",
    name: "display_name",
    autocomplete: "name",
  });
  input.value = profile.display_name ?? "";
  const saved = h("span", { class: "notice", role: "status" });
  const form = h(
    "form",
    { class: "profile-form" },
    h("p", {}, "Email: ", h("strong", {}, profile.email)),
    h("label", { for: "display-name" }, "Display name"),
    input,
    h("span", { class: "form-actions" }, h("button", { type: "submit" }, "Save profile"), saved),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    context.clear();
    saved.textContent = "";
    // An empty field clears the name (null), rather than being refused as too short.
    const name = input.value.trim() === "" ? null : input.value;
    try {
      const changed = await api("/v1/profile", { method: "PATCH", json: { display_name: name } });
      input.value = changed.display_name ?? "";
      saved.textContent = "Saved";
    } catch (error) {
      context.fail(error);
      input.focus();
    }
  });
  return form;
}

function deleteAccount(context) {
  const button = h("button", { type: "button", class: "danger" }, "Delete account");
  button.addEventListener("click", () => {
    context.clear();
    askToConfirm(button, {
      question: "This deletes your account, dialogs, documents and saved replies, for good.",
      confirmLabel: "Yes, delete my account",
      fail: context.fail,
      action: async () => {
        await api("/v1/auth/me", { method: "DELETE" });
        location.assign(`/${context.slug}/login`);
      },
    });
  });
  return h(
    "div",
    { class: "danger-zone" },
    h("h3", {}, "Delete account"),
    h("p", {}, "Everything you keep here goes with it; it cannot be undone."),
    button,
  );
}
