// The two dialogs: confirming a disconnect, and one sync run's details.

import { badge, el, replace, when } from "./dom.js";
import { DOMAIN_LABELS, OUTCOME_COUNTS, RUN_STATUS_LABELS, TRIGGER_LABELS } from "./labels.js";
import { countRows } from "./run-summary.js";

export function confirmDialog({ title, body, ok }) {
  const dialog = document.getElementById("confirm-dialog");
  replace(document.getElementById("confirm-title"), title);
  replace(document.getElementById("confirm-body"), body);
  const okButton = document.getElementById("confirm-ok");
  const cancel = document.getElementById("confirm-cancel");
  okButton.textContent = ok;
  const opener = document.activeElement;
  return new Promise((resolve) => {
    const finish = (answer) => {
      okButton.removeEventListener("click", onOk);
      cancel.removeEventListener("click", onCancel);
      dialog.removeEventListener("close", onClose);
      if (dialog.open) dialog.close();
      if (!answer && opener && opener.isConnected) opener.focus();
      resolve(answer);
    };
    const onOk = () => finish(true);
    const onCancel = () => finish(false);
    const onClose = () => finish(false);
    okButton.addEventListener("click", onOk);
    cancel.addEventListener("click", onCancel);
    dialog.addEventListener("close", onClose);
    dialog.showModal();
    cancel.focus();
  });
}

export function runDialog(run, appLabel, opener) {
  const dialog = document.getElementById("run-dialog");
  replace(
    document.getElementById("run-title"),
    `${TRIGGER_LABELS[run.trigger] || run.trigger}: ${RUN_STATUS_LABELS[run.status] || run.status}`,
  );
  const facts = [
    ["Result", badge(run.status, RUN_STATUS_LABELS, "run")],
    ["Started", when(run.started_at)],
    ["Finished", when(run.finished_at)],
    run.deferred_until ? ["Continues", when(run.deferred_until)] : null,
    ["Run", el("code", {}, run.id)],
  ].filter(Boolean);
  const rows = countRows(run, appLabel);
  const errors = run.errors || [];
  // A run lists only its first record errors; the API counts the rest.
  const unlisted = run.errors_truncated || 0;
  replace(
    document.getElementById("run-body"),
    el("dl", { class: "facts" }, facts.map(([term, value]) => [el("dt", {}, term), el("dd", {}, value)])),
    el("h3", {}, "Records"),
    rows.length
      ? el(
          "table",
          { class: "counts-table" },
          el("caption", { class: "visually-hidden" }, "Records per kind of data"),
          el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Data"), OUTCOME_COUNTS.map((name) => el("th", { scope: "col" }, name[0].toUpperCase() + name.slice(1))))),
          el(
            "tbody",
            {},
            rows.map(([label, outcome]) =>
              el("tr", {}, el("th", { scope: "row" }, label), OUTCOME_COUNTS.map((name) => el("td", { "data-label": name }, String((outcome || {})[name] || 0)))),
            ),
          ),
        )
      : el("p", { class: "muted" }, "No records were processed."),
    el("h3", {}, `Errors (${errors.length + unlisted})`),
    errors.length
      ? el(
          "ul",
          { class: "run-errors" },
          errors.map((error) =>
            el("li", {}, el("span", { class: "error-where" }, `${DOMAIN_LABELS[error.domain] || error.domain}${error.record ? ` · ${error.record}` : ""}`), el("span", {}, error.message)),
          ),
        )
      : el("p", { class: "muted" }, `No record-level errors between Loc8 and ${appLabel}.`),
    unlisted
      ? el("p", { class: "errors-unlisted" }, `${unlisted} more ${unlisted === 1 ? "error was" : "errors were"} counted but not listed: the run keeps the first ${errors.length}.`)
      : null,
  );
  const close = document.getElementById("run-close");
  const onClose = () => {
    dialog.removeEventListener("close", onClose);
    if (opener && opener.isConnected) opener.focus();
  };
  close.onclick = () => dialog.close();
  dialog.addEventListener("close", onClose);
  dialog.showModal();
  close.focus();
}
