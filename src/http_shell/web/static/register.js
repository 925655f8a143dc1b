// The sign-up page: email and password, then a confirmation link by mail.
import { api, clearError, showError } from "./api.js";
import { renderHeader } from "./layout.js";

const form = document.getElementById("register-form");
const alert = document.getElementById("register-error");
const done = document.getElementById("register-done");

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearError(alert);
  const email = document.getElementById("email").value;
  const password = document.getElementById("password").value;
  const button = form.querySelector("button");
  button.disabled = true;
  try {
    await api("/v1/auth/register", { method: "POST", json: { email, password } });
    form.hidden = true;
    done.textContent = `Check your mail: if ${email} can receive mail, a link to confirm it is on its way. Open it, then sign in.`;
    done.hidden = false;
    done.focus();
  } catch (error) {
    showError(alert, error);
  } finally {
    button.disabled = false;
  }
});

renderHeader("auth");
