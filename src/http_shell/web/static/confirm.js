// The confirmation page. With ?token= it confirms the address itself; without one
// it is where CHATCORE_CONFIRM_REDIRECT sends a browser after the server confirmed.
import { api, showError } from "./api.js";
import { renderHeader } from "./layout.js";

const status = document.getElementById("confirm-status");
const alert = document.getElementById("confirm-error");
const CONFIRMED = "Your email address is confirmed. You can sign in now.";

async function confirm() {
  const token = new URLSearchParams(window.location.search).get("token");
  if (!token) {
    status.textContent = CONFIRMED;
    return;
  }
  try {
    const result = await api(`/v1/auth/confirm?token=${encodeURIComponent(token)}`);
    status.textContent =
      result && result.email ? `${result.email} is confirmed. You can sign in now.` : CONFIRMED;
  } catch (error) {
    status.textContent = "Your address could not be confirmed.";
    showError(alert, error);
  }
}

renderHeader("auth");
confirm();
