// One integration's card: status and attention, its actions, the config section and
// the sync history, polled while a run is queued or running.

import { api, enc, integrationPath } from "./api.js";
import { ConfigForm } from "./config-form.js";
import { confirmDialog, runDialog } from "./dialogs.js";
import { badge, busy, el, hidden, replace, when } from "./dom.js";
import { RUN_STATUS_LABELS, STATUS_LABELS, TRIGGER_LABELS } from "./labels.js";
import { announce, problemView, showProblem } from "./messages.js";
import { changesText } from "./run-summary.js";

const POLL_MS = 1500;
const POLL_LIMIT_MS = 5 * 60 * 1000;
const UNFINISHED_RUNS = new Set(["QUEUED", "RUNNING"]);
const CONFIGURABLE = new Set(["AUTHORISED", "ACTIVE", "PAUSED"]);

let nextCardNumber = 0;

export class IntegrationCard {
  // `name` is the app's name from the catalogue; `reloadAll` reloads every card, for
  // when this integration is gone.
  constructor(integration, { name, invoiceStatuses, reloadAll }) {
    this.integration = integration;
    this.prefix = `int${nextCardNumber++}`;
    this.name = name;
    this.invoiceStatuses = invoiceStatuses;
    this.reloadAll = reloadAll;
    this.form = null;
    this.pollTimer = null;
    this.pollStarted = 0;
    this.historyCursor = null;

    this.heading = el("h3", { id: `${this.prefix}-heading`, tabindex: "-1" }, this.name);
    this.statusLine = el("div", { class: "status-line" });
    this.attention = el("div", { class: "attention-region" });
    this.error = el("div", { class: "problem", role: "alert" });
    this.body = el("div", { class: "card-body" });
    this.configSection = el("section", { class: "config", "aria-labelledby": `${this.prefix}-config-heading` });
    this.historySection = el("section", { class: "history", "aria-labelledby": `${this.prefix}-history-heading` });
    this.root = el(
      "article",
      { class: "card", "aria-labelledby": `${this.prefix}-heading`, "data-integration-id": integration.id },
      el("header", { class: "card-header" }, this.heading, this.statusLine),
      this.attention,
      this.error,
      this.body,
      this.historySection,
      this.configSection,
    );
  }

  get status() {
    return this.integration.status;
  }

  start() {
    this.renderSummary();
    this.renderConfigSection();
    this.renderHistorySection();
  }

  stop() {
    clearTimeout(this.pollTimer);
    this.pollTimer = null;
  }

  clearError() {
    replace(this.error);
  }

  fail(error, context) {
    showProblem(this.error, error, context);
  }

  // -- status, attention, actions ------------------------------------------------

  renderSummary() {
    const integration = this.integration;
    this.summaryKey = JSON.stringify([integration.status, integration.organisation, integration.organisations, integration.attention, integration.last_sync]);
    replace(
      this.statusLine,
      badge(integration.status, STATUS_LABELS, "status"),
      integration.organisation ? el("span", { class: "org" }, hidden("Organisation: "), integration.organisation.name) : null,
    );

    const attention = integration.attention;
    if (attention) {
      const reconnect = attention.code === "NEEDS_RECONNECT";
      replace(
        this.attention,
        el(
          "div",
          { class: "attention", role: "alert" },
          el("p", { class: "attention-title" }, reconnect ? `${this.name} needs reconnecting` : "Needs your attention"),
          el("p", {}, attention.message),
          reconnect
            ? el("button", { type: "button", class: "primary", onclick: (e) => this.authorize(e.currentTarget) }, `Reconnect ${this.name}`)
            : null,
        ),
      );
    } else {
      replace(this.attention);
    }

    replace(this.body, ...this.bodyFor(integration));
  }

  bodyFor(integration) {
    const parts = [];
    const actions = el("div", { class: "actions" });
    const button = (label, handler, kind = "") =>
      el("button", { type: "button", class: kind, onclick: (e) => handler.call(this, e.currentTarget) }, label);

    switch (integration.status) {
      case "PENDING_AUTHORISATION":
        parts.push(el("p", {}, `Loc8 is waiting for you to grant access in ${this.name}.`));
        actions.append(button(`Continue to ${this.name}`, this.authorize, "primary"), button("Remove", this.confirmDisconnect, "danger"));
        break;
      case "CHOOSE_ORGANISATION":
        parts.push(this.organisationChooser(integration.organisations || []));
        actions.append(button("Remove", this.confirmDisconnect, "danger"));
        break;
      case "AUTHORISED":
        parts.push(el("p", {}, "Not syncing yet: choose what to sync below, then save."));
        actions.append(button("Disconnect", this.confirmDisconnect, "danger"));
        break;
      case "ACTIVE":
        actions.append(button("Sync now", this.syncNow, "primary"), button("Pause syncing", this.pause), button("Disconnect", this.confirmDisconnect, "danger"));
        break;
      case "PAUSED":
        parts.push(el("p", {}, "Syncing is paused: nothing is sent or fetched until you resume."));
        actions.append(button("Resume syncing", this.resume, "primary"), button("Disconnect", this.confirmDisconnect, "danger"));
        break;
      case "NEEDS_RECONNECT":
        if (!integration.attention) {
          actions.append(button(`Reconnect ${this.name}`, this.authorize, "primary"));
        }
        actions.append(button("Disconnect", this.confirmDisconnect, "danger"));
        break;
      default:
        break;
    }
    if (["ACTIVE", "PAUSED", "NEEDS_RECONNECT"].includes(integration.status)) {
      parts.unshift(this.lastSyncView(integration.last_sync));
    }
    parts.push(actions);
    return parts;
  }

  lastSyncView(lastSync) {
    if (!lastSync) return el("p", { class: "last-sync" }, "Last sync: not yet");
    return el(
      "p",
      { class: "last-sync" },
      "Last sync: ",
      badge(lastSync.status, RUN_STATUS_LABELS, "run"),
      " ",
      lastSync.finished_at ? when(lastSync.finished_at) : null,
      el("span", { class: "counts" }, changesText(lastSync, this.name)),
    );
  }

  organisationChooser(organisations) {
    const groupName = `${this.prefix}-organisation`;
    const errorEl = el("p", { class: "field-error", id: `${groupName}-error`, hidden: true });
    const fieldset = el(
      "fieldset",
      {},
      el("legend", {}, `Which ${this.name} organisation should Loc8 use?`),
      errorEl,
      organisations.map((org, index) =>
        el(
          "div",
          { class: "choice" },
          el("input", { type: "radio", name: groupName, id: `${groupName}-${index}`, value: org.id }),
          el("label", { for: `${groupName}-${index}` }, org.name),
        ),
      ),
    );
    const submit = el("button", { type: "submit", class: "primary" }, "Use this organisation");
    const form = el("form", { class: "stack", novalidate: true }, fieldset, submit);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      this.clearError();
      const chosen = form.querySelector(`input[name="${groupName}"]:checked`);
      if (!chosen) {
        errorEl.hidden = false;
        replace(errorEl, hidden("Error: "), "Choose an organisation.");
        return;
      }
      try {
        const { data } = await busy(submit, () =>
          api("PUT", integrationPath(this.integration.id, "/organisation"), { body: { organisation_id: chosen.value } }),
        );
        announce(`Connected to ${data.organisation ? data.organisation.name : "the organisation"}. Choose what to sync below, then save.`);
        this.update(data);
      } catch (error) {
        this.fail(error, "Choosing the organisation failed");
      }
    });
    return form;
  }

  update(integration) {
    const wasConfigurable = CONFIGURABLE.has(this.status);
    const hadHistory = this.hasHistory();
    this.integration = integration;
    // Re-render only what changed, so polling never takes focus from a button.
    const key = JSON.stringify([integration.status, integration.organisation, integration.organisations, integration.attention, integration.last_sync]);
    if (key !== this.summaryKey) this.renderSummary();
    if (!CONFIGURABLE.has(integration.status) || !wasConfigurable) this.renderConfigSection();
    else if (this.form) this.form.setMode(integration.status);
    if (this.hasHistory() !== hadHistory) this.renderHistorySection();
  }

  async refresh() {
    const { data } = await api("GET", integrationPath(this.integration.id));
    this.update(data);
    if (data.status === "DISCONNECTED") await this.reloadAll();
  }

  async authorize(button) {
    this.clearError();
    try {
      const { data } = await busy(button, () => api("POST", integrationPath(this.integration.id, "/authorize")));
      announce(`Taking you to ${this.name} to grant access…`, "info");
      window.location.assign(data.authorize_url);
    } catch (error) {
      this.fail(error, `Connecting to ${this.name} failed`);
    }
  }

  async syncNow(button) {
    this.clearError();
    try {
      await busy(button, () => api("POST", integrationPath(this.integration.id, "/sync")));
      announce(`Sync with ${this.name} started.`, "info");
      await this.loadHistory();
      this.watch();
    } catch (error) {
      this.fail(error, "Sync now failed");
    }
  }

  async pause(button) {
    await this.transition(button, "/pause", "Syncing paused.", "Pausing failed");
  }

  async resume(button) {
    await this.transition(button, "/resume", "Syncing resumed.", "Resuming failed");
  }

  async transition(button, path, done, context) {
    this.clearError();
    try {
      const { data } = await busy(button, () => api("POST", integrationPath(this.integration.id, path)));
      this.update(data);
      announce(done);
    } catch (error) {
      this.fail(error, context);
    }
  }

  async confirmDisconnect() {
    const org = this.integration.organisation;
    const pending = !org;
    const confirmed = await confirmDialog({
      title: pending ? `Remove ${this.name}?` : `Disconnect ${this.name}?`,
      body: pending
        ? `Loc8 forgets this unfinished connection to ${this.name}. You can add it again at any time.`
        : `Loc8 stops syncing with ${org.name} and gives up its access to ${this.name}. ` +
          `Invoices already sent stay in ${this.name}. You can connect again at any time.`,
      ok: pending ? "Remove" : "Disconnect",
    });
    if (!confirmed) return;
    this.clearError();
    try {
      await api("DELETE", integrationPath(this.integration.id));
      announce(`${this.name} ${pending ? "removed" : "disconnected"}.`);
      await this.reloadAll();
      document.getElementById("integrations-heading").focus();
    } catch (error) {
      this.fail(error, "Disconnecting failed");
    }
  }

  // -- configuration -------------------------------------------------------------

  renderConfigSection() {
    this.form = null;
    if (!CONFIGURABLE.has(this.status)) {
      replace(this.configSection);
      this.configSection.hidden = true;
      return;
    }
    this.configSection.hidden = false;
    replace(
      this.configSection,
      el("h4", { id: `${this.prefix}-config-heading` }, "What to sync"),
      el("p", { class: "muted" }, "Loading settings…"),
    );
    this.loadConfig();
  }

  async loadConfig() {
    const id = this.integration.id;
    try {
      const [accounts, lineItems, saved, taxTypes] = await Promise.all([
        // Every account: the form lists revenue ones for lines and payment ones for payments.
        api("GET", integrationPath(id, "/accounts")),
        api("GET", integrationPath(id, "/line-items")),
        this.readConfig(),
        api("GET", integrationPath(id, "/tax-types")),
      ]);
      this.form = new ConfigForm(this, {
        accounts: accounts.data.accounts,
        lineItems: lineItems.data.line_items,
        taxTypes: taxTypes.data,
        config: saved ? saved.data : null,
        etag: saved ? saved.etag : null,
      });
      replace(this.configSection, this.form.root);
    } catch (error) {
      replace(
        this.configSection,
        el("h4", { id: `${this.prefix}-config-heading` }, "What to sync"),
        problemView(error, "The settings could not be loaded"),
        el("button", { type: "button", onclick: () => this.renderConfigSection() }, "Try again"),
      );
    }
  }

  // The saved config, or before the first save the one remembered from the last
  // connection to this organisation (asked for only when one was kept, so a first
  // connect makes no request that is bound to fail).
  async readConfig() {
    const integration = this.integration;
    if (!integration.config) {
      const organisation = integration.organisation;
      if (integration.status !== "AUTHORISED" || !organisation) return null;
      const listed = await api("GET", "/v1/integrations?include=disconnected");
      const kept = listed.data.integrations.some(
        (other) => other.status === "DISCONNECTED" && other.app === integration.app && other.config && other.organisation && other.organisation.id === organisation.id,
      );
      if (!kept) return null;
    }
    return api("GET", integrationPath(integration.id, "/config")).catch((error) => {
      if (error.status === 404) return null; // nothing to show after all: start clean
      throw error;
    });
  }

  saved(integration, wasActive) {
    this.update(integration);
    if (!wasActive && integration.status === "ACTIVE") {
      announce(`Saved. ${this.name} sync is active and the first sync has started.`);
      this.watch();
    } else {
      announce("Settings saved.");
    }
  }

  // -- run history -----------------------------------------------------------------

  hasHistory() {
    return Boolean(this.integration.last_sync) || ["ACTIVE", "PAUSED", "NEEDS_RECONNECT"].includes(this.status);
  }

  renderHistorySection() {
    if (!this.hasHistory()) {
      this.historySection.hidden = true;
      replace(this.historySection);
      return;
    }
    this.historySection.hidden = false;
    this.runsKey = null;
    this.historyList = el("div", { class: "history-list" }, el("p", { class: "muted" }, "Loading sync history…"));
    this.moreButton = el("button", { type: "button", hidden: true, onclick: (e) => this.loadOlder(e.currentTarget) }, "Show older runs");
    replace(
      this.historySection,
      el("h4", { id: `${this.prefix}-history-heading` }, "Sync history"),
      this.historyList,
      this.moreButton,
    );
    this.loadHistory().then(() => {
      if (this.runs && this.runs.some((run) => UNFINISHED_RUNS.has(run.status))) this.watch();
    });
  }

  async loadHistory() {
    if (!this.historyList) return;
    try {
      const { data } = await api("GET", `${integrationPath(this.integration.id, "/sync-runs")}?limit=10`);
      this.runs = data.runs;
      this.historyCursor = data.next_cursor;
      this.renderRuns();
    } catch (error) {
      replace(this.historyList, problemView(error, "The sync history could not be loaded"));
    }
  }

  async loadOlder(button) {
    try {
      const { data } = await busy(button, () =>
        api("GET", `${integrationPath(this.integration.id, "/sync-runs")}?limit=10&cursor=${enc(this.historyCursor)}`),
      );
      this.runs = this.runs.concat(data.runs);
      this.historyCursor = data.next_cursor;
      this.renderRuns();
    } catch (error) {
      this.fail(error, "Loading older runs failed");
    }
  }

  renderRuns() {
    const key = JSON.stringify([this.runs, this.historyCursor]);
    if (key === this.runsKey) return;
    this.runsKey = key;
    this.moreButton.hidden = !this.historyCursor;
    if (!this.runs.length) {
      replace(this.historyList, el("p", { class: "muted" }, "No syncs yet."));
      return;
    }
    const rows = this.runs.map((run) =>
      el(
        "tr",
        { "data-run-id": run.id },
        el("td", { "data-label": "Started" }, run.started_at ? when(run.started_at) : "Not started"),
        el("td", { "data-label": "Trigger" }, TRIGGER_LABELS[run.trigger] || run.trigger),
        el(
          "td",
          { "data-label": "Result" },
          badge(run.status, RUN_STATUS_LABELS, "run"),
          run.status === "DEFERRED" && run.deferred_until ? el("span", { class: "muted" }, " until ", when(run.deferred_until)) : null,
        ),
        el("td", { "data-label": "Changes" }, UNFINISHED_RUNS.has(run.status) ? "In progress…" : changesText(run, this.name)),
        el(
          "td",
          { class: "cell-action" },
          el(
            "button",
            { type: "button", class: "link", onclick: (e) => this.showRun(run.id, e.currentTarget) },
            "Details",
            hidden(` of the ${(TRIGGER_LABELS[run.trigger] || run.trigger).toLowerCase()} run, ${RUN_STATUS_LABELS[run.status] || run.status}`),
          ),
        ),
      ),
    );
    replace(
      this.historyList,
      el(
        "table",
        { class: "runs" },
        el("caption", { class: "visually-hidden" }, "Sync runs, newest first"),
        el(
          "thead",
          {},
          el(
            "tr",
            {},
            ["Started", "Trigger", "Result", "Changes"].map((name) => el("th", { scope: "col" }, name)),
            el("th", { scope: "col" }, hidden("Details")),
          ),
        ),
        el("tbody", {}, rows),
      ),
    );
  }

  async showRun(runId, button) {
    try {
      const { data } = await busy(button, () => api("GET", integrationPath(this.integration.id, `/sync-runs/${enc(runId)}`)));
      runDialog(data, this.name, button);
    } catch (error) {
      this.fail(error, "Loading the run failed");
    }
  }

  // While a run is queued or running, poll the integration and its history.
  watch() {
    if (this.pollTimer) return;
    this.pollStarted = Date.now();
    const tick = async () => {
      this.pollTimer = null;
      try {
        await this.refresh();
        await this.loadHistory();
      } catch (error) {
        this.fail(error, "Checking the sync failed");
        return;
      }
      const latest = this.runs && this.runs[0];
      // A run is recorded finished a moment before the integration's last sync names it:
      // keep polling until both agree, or the line under the title would stay stale.
      const lastSyncBehind = latest && this.integration.last_sync?.run_id !== latest.id;
      const unsettled = latest && (UNFINISHED_RUNS.has(latest.status) || lastSyncBehind);
      if (unsettled && Date.now() - this.pollStarted < POLL_LIMIT_MS) {
        this.pollTimer = setTimeout(tick, POLL_MS);
      } else if (latest) {
        announce(...runOutcome(latest, this.name));
      }
    };
    this.pollTimer = setTimeout(tick, POLL_MS);
  }
}

function runOutcome(run, app) {
  const label = (RUN_STATUS_LABELS[run.status] || run.status).toLowerCase();
  if (run.status === "SUCCEEDED") return [`Sync ${label}: ${changesText(run, app)}.`, "ok"];
  if (run.status === "DEFERRED") return [`Sync ${label}: it continues by itself later.`, "info"];
  return [`Sync ${label}. Open its details in the sync history to see why.`, "warn"];
}
