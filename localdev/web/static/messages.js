// Page-wide messages: outcomes and progress in the polite status region, and any
// problem the API answered, with advice for the statuses a person can act on.

import { el, replace } from "./dom.js";

const notice = document.getElementById("notice");

export function announce(message, tone = "ok") {
  notice.className = `notice notice-${tone}`;
  replace(notice, message ? el("p", {}, message) : null);
}

export function showProblem(region, error, context) {
  replace(region, problemView(error, context));
  region.scrollIntoView({ block: "nearest" });
}

export function problemView(error, context) {
  if (!error) return null;
  const problem = error.problem || { title: "Something went wrong", detail: String(error.message || error) };
  const advice = adviceFor(error.status);
  return el(
    "div",
    { class: "problem-box" },
    el("p", { class: "problem-title" }, context ? `${context}: ${problem.title}` : problem.title),
    problem.detail ? el("p", {}, problem.detail) : null,
    advice ? el("p", { class: "muted" }, advice) : null,
  );
}

export function adviceFor(status) {
  if (status === 401) return "Your sign-in is missing or has expired. Reload the page to sign in again.";
  if (status === 403) return "Ask an admin of your Loc8 account to make this change.";
  if (status === 502) return "The accounting app did not answer properly. Try again in a moment.";
  return "";
}
