// The login page: a mailed code or a password, whichever the tenant enables.
import { api, clearError, showError, tenantSlug } from "./api.js";
import { renderHeader, tenantInfo } from "./layout.js";

const alert = document.getElementById("login-error");
const notice = document.getElementById("login-notice");
const email = document.getElementById("email");
const otpRequestForm = document.getElementById("otp-request-form");
const otpVerifyForm = document.getElementById("otp-verify-form");
const code = document.getElementById("code");
const passwordForm = document.getElementById("password-form");
const password = document.getElementById("password");

/** Where to go once signed in: a same-site `?next=` path, else the chat. */
function destination() {
  const next = new URLSearchParams(window.location.search).get("next");
  if (next && next.startsWith("/") && !next.startsWith("//")) return next;
  return `/${encodeURIComponent(tenantSlug())}/chat`;
}

// Runs `action` with the form's buttons disabled, showing any error in words.
async function submitting(form, action) {
  clearError(alert);
  if (!email.reportValidity()) return;
  const buttons = form.querySelectorAll("button");
  buttons.forEach((button) => {
    button.disabled = true;
  });
  try {
    await action();
  } catch (error) {
    showError(alert, error);
  } finally {
    buttons.forEach((button) => {
      button.disabled = false;
    });
  }
}

otpRequestForm.addEventListener("submit", (event) => {
  event.preventDefault();
  submitting(otpRequestForm, async () => {
    await api("/v1/auth/otp/request", { method: "POST", json: { email: email.value } });
    notice.textContent = `If ${email.value} can receive mail, a six-digit code is on its way.`;
    otpVerifyForm.hidden = false;
    code.focus();
  });
});

otpVerifyForm.addEventListener("submit", (event) => {
  event.preventDefault();
  submitting(otpVerifyForm, async () => {
    await api("/v1/auth/otp/verify", {
      method: "POST",
      json: { email: email.value, code: code.value.trim() },
    });
    window.location.assign(destination());
  });
});

passwordForm.addEventListener("submit", (event) => {
  event.preventDefault();
  submitting(passwordForm, async () => {
    await api("/v1/auth/login", {
      method: "POST",
      json: { email: email.value, password: password.value },
    });
    window.location.assign(destination());
  });
});

// The email field belongs to both methods, so Enter in it goes to the first one shown.
email.addEventListener("keydown", (event) => {
  if (event.key !== "Enter") return;
  event.preventDefault();
  if (!document.getElementById("otp-method").hidden) otpRequestForm.requestSubmit();
  else password.focus();
});

async function start() {
  renderHeader("auth");
  try {
    const tenant = await tenantInfo();
    const methods = new Set(tenant.auth_methods);
    document.getElementById("otp-method").hidden = !methods.has("otp");
    document.getElementById("password-method").hidden = !methods.has("password");
    document.getElementById("anonymous-option").hidden = !methods.has("anonymous");
    if (!methods.has("otp") && !methods.has("password")) {
      notice.textContent = "This service has no sign-in; you can chat without an account.";
    }
  } catch (error) {
    showError(alert, error);
  }
}

start();
