// Cabinet section "Usage": tokens this month against the quota, as a bar, and the
// chat rate limit. Re-read when a quota_warning event says the figures moved.
import { api } from "./api.js";
import { h } from "./dom.js";
import { formatNumber, formatUtcDate } from "./my-dom.js";

/** Shows the usage section in `body`; returns its event handler. */
export async function mountUsage(body, context) {
  const figures = h("div", { class: "usage" });
  body.append(figures);
  const refresh = async () => {
    figures.replaceChildren(...usageView(await api("/v1/usage")));
  };
  await refresh();
  return {
    onEvent: (event) => {
      // "ready": a socket that (re)connects may have missed a warning.
      if (event.type === "quota_warning" || event.type === "ready") refresh().catch(context.fail);
    },
  };
}

function usageView(usage) {
  const quota = usage.quota_tokens;
  // A meter needs max > min; a quota of 0 (chat turned off) shows an empty bar.
  const meter = h("meter", {
    id: "usage-meter",
    min: "0",
    max: String(Math.max(quota, 1)),
    low: String(Math.floor(quota * 0.5)),
    high: String(Math.floor(quota * 0.8)),
    optimum: "0",
    value: String(Math.min(usage.total_tokens, Math.max(quota, 1))),
    "aria-describedby": "usage-summary",
  });
  const lastDay = new Date(new Date(usage.period_end).getTime() - 1).toISOString();
  return [
    h("label", { for: "usage-meter" }, "Tokens this month"),
    meter,
    h(
      "p",
      { id: "usage-summary", class: "usage-summary" },
      `${formatNumber(usage.total_tokens)} of ${formatNumber(quota)} tokens`,
    ),
    h(
      "dl",
      { class: "usage-facts" },
      h("dt", {}, "Period"),
      h("dd", {}, `${formatUtcDate(usage.period_start)} – ${formatUtcDate(lastDay)} (UTC)`),
      h("dt", {}, "Prompt tokens"),
      h("dd", {}, formatNumber(usage.prompt_tokens)),
      h("dt", {}, "Reply tokens"),
      h("dd", {}, formatNumber(usage.completion_tokens)),
      h("dt", {}, "Tokens left"),
      h("dd", {}, formatNumber(usage.remaining_tokens)),
      h("dt", {}, "Rate limit"),
      h(
        "dd",
        {},
        `${formatNumber(usage.rate_limit_per_minute)} chat requests a minute ` +
          `(${formatNumber(usage.requests_this_minute)} in the last minute)`,
      ),
    ),
  ];
}
