// Loc8 › Settings › Integrations — the reference web client.
//
// Plain ES module, no build step, no dependencies. It talks only to the routes of the
// Integrations API (docs/openapi.yaml, shared API.md), always with
// `Authorization: Bearer <token>`, and shows every problem+json the API answers:
// `detail` for the page or card, each `errors[].field` message next to its field.
// Config saves send `If-Match` with the ETag the config was read with; a 412 means
// someone else saved meanwhile.
//
// Everything the API returns is put on the page as text (never as HTML).

const POLL_MS = 1500;
const POLL_LIMIT_MS = 5 * 60 * 1000;
const UNFINISHED_RUNS = new Set(["QUEUED", "RUNNING"]);
const CONFIGURABLE = new Set(["AUTHORISED", "ACTIVE", "PAUSED"]);
const DOMAINS = ["invoices", "line_items", "tax_rates", "customers"];

const STATUS_LABELS = {
  PENDING_AUTHORISATION: "Waiting for access",
  CHOOSE_ORGANISATION: "Choose an organisation",
  AUTHORISED: "Connected, not syncing yet",
  ACTIVE: "Active",
  PAUSED: "Paused",
  NEEDS_RECONNECT: "Needs reconnecting",
  DISCONNECTED: "Disconnected",
};
const RUN_STATUS_LABELS = {
  QUEUED: "Queued",
  RUNNING: "Running",
  SUCCEEDED: "Succeeded",
  PARTIAL: "Partly succeeded",
  DEFERRED: "Deferred",
  FAILED: "Failed",
};
const TRIGGER_LABELS = {
  schedule: "Schedule",
  manual: "Sync now",
  activation: "First sync",
  continuation: "Continued run",
  webhook: "Change in the app",
};
const DOMAIN_LABELS = {
  invoices: "Invoices",
  line_items: "Line items",
  tax_rates: "Tax rates",
  customers: "Customers",
  sync: "Sync",
};
const DOMAIN_HINTS = {
  invoices: (app) => `Send Loc8 invoices to ${app}.`,
  line_items: (app) => `Keep Loc8 line items and ${app}'s items in step.`,
  tax_rates: (app) => `Use ${app}'s tax rates in Loc8.`,
  customers: (app) => `Import ${app}'s customers, then keep them in step.`,
};
const OUTCOME_COUNTS = ["created", "updated", "unchanged", "failed"];

// ---------------------------------------------------------------------------
// Configuration: the API's base URL and the bearer token.

const config = readConfig();

function readConfig() {
  const provided = window.LOC8_CONFIG || {};
  const params = new URLSearchParams(window.location.search);
  const override = params.get("token");
  if (override) {
    // Kept for this tab only, so it survives the round trip through the app's consent
    // page; taken out of the address bar so it is not bookmarked or shared.
    sessionStorage.setItem("loc8.token", override);
    params.delete("token");
    replaceQuery(params);
  }
  return {
    apiUrl: String(provided.apiUrl || "").replace(/\/+$/, ""),
    token: sessionStorage.getItem("loc8.token") || provided.token || "",
  };
}

function replaceQuery(params) {
  const query = params.toString();
  history.replaceState(null, "", window.location.pathname + (query ? `?${query}` : ""));
}

// ---------------------------------------------------------------------------
// The API client.

class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

async function api(method, path, { body, ifMatch } = {}) {
  const headers = {
    Accept: "application/json, application/problem+json",
    Authorization: `Bearer ${config.token}`,
  };
  const init = { method, headers };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  if (ifMatch) headers["If-Match"] = ifMatch;
  let response;
  try {
    response = await fetch(config.apiUrl + path, init);
  } catch {
    throw new ApiError(0, {
      title: "The Integrations API could not be reached",
      detail: `No answer from ${config.apiUrl || "(no API URL configured)"}. Check your connection and try again.`,
    });
  }
  const type = response.headers.get("Content-Type") || "";
  const data = response.status !== 204 && type.includes("json") ? await response.json() : null;
  if (!response.ok) {
    throw new ApiError(response.status, {
      title: (data && data.title) || `The request failed (HTTP ${response.status})`,
      detail: (data && data.detail) || "",
      errors: (data && Array.isArray(data.errors) && data.errors) || [],
      ...(data || {}),
    });
  }
  return { data, etag: response.headers.get("ETag") };
}

const enc = encodeURIComponent;
const integrationPath = (id, rest = "") => `/v1/integrations/${enc(id)}${rest}`;

// ---------------------------------------------------------------------------
// Small DOM helpers. Text only: strings become text nodes, never markup.

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name === "class") node.className = value;
    else if (value === true) node.setAttribute(name, "");
    else node.setAttribute(name, String(value));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function replace(node, ...children) {
  node.replaceChildren();
  return append(node, children);
}

const hidden = (text) => el("span", { class: "visually-hidden" }, text);

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });

function when(iso) {
  if (!iso) return "—";
  return el("time", { datetime: iso, title: iso }, dateFormat.format(new Date(iso)));
}

function countsText(counts) {
  const parts = [];
  for (const [domain, outcome] of Object.entries(counts || {})) {
    const bits = Object.entries(outcome || {})
      .filter(([, n]) => n)
      .sort(([a], [b]) => OUTCOME_COUNTS.indexOf(a) - OUTCOME_COUNTS.indexOf(b))
      .map(([name, n]) => `${n} ${name}`);
    parts.push(`${DOMAIN_LABELS[domain] || domain}: ${bits.length ? bits.join(", ") : "no changes"}`);
  }
  return parts.length ? parts.join("; ") : "No changes";
}

function badge(status, labels, kind) {
  return el("span", { class: `badge ${kind}-${status.toLowerCase()}` }, labels[status] || status);
}

async function busy(button, work) {
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
  }
}

// ---------------------------------------------------------------------------
// Page-wide messages.

const page = {
  notice: document.getElementById("notice"),
  error: document.getElementById("page-error"),
  integrations: document.getElementById("integrations"),
  apps: document.getElementById("apps"),
};

function announce(message, tone = "ok") {
  page.notice.className = `notice notice-${tone}`;
  replace(page.notice, message ? el("p", {}, message) : null);
}

function showProblem(region, error, context) {
  replace(region, problemView(error, context));
  region.scrollIntoView({ block: "nearest" });
}

function problemView(error, context) {
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

function adviceFor(status) {
  if (status === 401) return "Your sign-in is missing or has expired. Reload the page to sign in again.";
  if (status === 403) return "Ask an admin of your Loc8 account to make this change.";
  if (status === 502) return "The accounting app did not answer properly. Try again in a moment.";
  return "";
}

// ---------------------------------------------------------------------------
// The page: catalogue, integrations, the OAuth return outcome.

const state = { apps: [], cards: new Map() };

async function load() {
  if (!config.token) {
    replace(page.integrations);
    showProblem(page.error, {
      status: 401,
      problem: {
        title: "No sign-in token",
        detail: "Open this page from the address `make run` prints, or add ?token=<a Loc8 JWT> to the address.",
      },
    });
    return;
  }
  try {
    const [apps, listed] = await Promise.all([api("GET", "/v1/apps"), api("GET", "/v1/integrations")]);
    state.apps = apps.data.apps;
    renderIntegrations(listed.data.integrations);
    showReturnOutcome();
  } catch (error) {
    showReturnOutcome();
    replace(page.integrations, el("p", { class: "muted" }, "The integrations could not be loaded."));
    showProblem(page.error, error, "Loading integrations failed");
  } finally {
    page.integrations.removeAttribute("aria-busy");
  }
}

function appName(key) {
  const app = state.apps.find((candidate) => candidate.key === key);
  return app ? app.name : key;
}

function showReturnOutcome() {
  const params = new URLSearchParams(window.location.search);
  const result = params.get("result");
  if (!result) return;
  const message = params.get("message");
  const card = state.cards.get(params.get("integration_id"));
  ["result", "message", "integration_id"].forEach((name) => params.delete(name));
  replaceQuery(params);
  const app = card ? card.name : "The app";
  const org = card && card.integration.organisation ? card.integration.organisation.name : null;
  if (result === "connected") {
    announce(`${app} is connected${org ? ` to ${org}` : ""}.`);
  } else if (result === "choose_organisation") {
    announce(`You gave Loc8 access to more than one ${app} organisation. Choose the one to use.`, "info");
  } else if (result === "denied") {
    announce(`${app} access was not granted, so nothing changed. You can connect again when you are ready.`, "warn");
  } else {
    showProblem(page.error, {
      problem: { title: "Connecting did not finish", detail: message || "The app did not complete the connection." },
    });
  }
}

function renderIntegrations(integrations) {
  for (const card of state.cards.values()) card.stop();
  state.cards.clear();
  if (!integrations.length) {
    replace(page.integrations, el("p", { class: "empty" }, "No accounting app is connected yet. Add one below."));
  } else {
    replace(page.integrations);
    for (const integration of integrations) {
      const card = new IntegrationCard(integration);
      state.cards.set(integration.id, card);
      page.integrations.append(card.root);
      card.start();
    }
  }
  renderCatalogue();
}

function renderCatalogue() {
  const present = new Set([...state.cards.values()].map((card) => card.integration.app));
  replace(
    page.apps,
    state.apps.map((app) => {
      let action;
      if (!app.available) action = el("span", { class: "muted" }, "Coming soon");
      else if (present.has(app.key)) action = el("span", { class: "muted" }, "Added");
      else action = el("button", { type: "button", class: "primary", onclick: (event) => addApp(app, event.currentTarget) }, `Add ${app.name}`);
      return el("li", { class: "app" }, el("span", { class: "app-name" }, app.name), action);
    }),
  );
}

async function addApp(app, button) {
  replace(page.error);
  try {
    const { data } = await busy(button, () => api("POST", "/v1/integrations", { body: { app: app.key } }));
    announce(`Taking you to ${app.name} to grant access…`, "info");
    window.location.assign(data.authorize_url);
  } catch (error) {
    showProblem(page.error, error, `Adding ${app.name} failed`);
    if (error.status === 409) await reloadAll();
  }
}

async function reloadAll() {
  try {
    const listed = await api("GET", "/v1/integrations");
    renderIntegrations(listed.data.integrations);
  } catch (error) {
    showProblem(page.error, error, "Loading integrations failed");
  }
}

// ---------------------------------------------------------------------------
// One integration.

let nextCardNumber = 0;

class IntegrationCard {
  constructor(integration) {
    this.integration = integration;
    this.prefix = `int${nextCardNumber++}`;
    this.name = appName(integration.app);
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
      el("span", { class: "counts" }, countsText(lastSync.counts)),
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
    if (data.status === "DISCONNECTED") await reloadAll();
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
      await reloadAll();
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
      const [accounts, lineItems, saved] = await Promise.all([
        api("GET", `${integrationPath(id, "/accounts")}?class=REVENUE`),
        api("GET", integrationPath(id, "/line-items")),
        this.integration.config ? api("GET", integrationPath(id, "/config")) : Promise.resolve(null),
      ]);
      this.form = new ConfigForm(this, {
        accounts: accounts.data.accounts,
        lineItems: lineItems.data.line_items,
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
        el("td", { "data-label": "Changes" }, UNFINISHED_RUNS.has(run.status) ? "In progress…" : countsText(run.counts)),
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
      if (latest && UNFINISHED_RUNS.has(latest.status) && Date.now() - this.pollStarted < POLL_LIMIT_MS) {
        this.pollTimer = setTimeout(tick, POLL_MS);
      } else if (latest) {
        announce(...runOutcome(latest));
      }
    };
    this.pollTimer = setTimeout(tick, POLL_MS);
  }
}

function runOutcome(run) {
  const label = (RUN_STATUS_LABELS[run.status] || run.status).toLowerCase();
  if (run.status === "SUCCEEDED") return [`Sync ${label}: ${countsText(run.counts)}.`, "ok"];
  if (run.status === "DEFERRED") return [`Sync ${label}: it continues by itself later.`, "info"];
  return [`Sync ${label}. Open its details in the sync history to see why.`, "warn"];
}

// ---------------------------------------------------------------------------
// The configuration form.

class ConfigForm {
  constructor(card, { accounts, lineItems, config, etag }) {
    this.card = card;
    this.etag = etag;
    lineItems = [...lineItems].sort((a, b) => a.name.localeCompare(b.name));
    this.accounts = accounts
      .filter((account) => account.status === "ACTIVE")
      .sort((a, b) => a.code.localeCompare(b.code, undefined, { numeric: true }));
    this.fields = new Map(); // API field name -> { control, error, focus }
    const p = card.prefix;
    const values = config || {
      sync: Object.fromEntries(DOMAINS.map((domain) => [domain, true])),
      invoice_status: "DRAFT",
      default_account_code: null,
      line_item_accounts: {},
    };

    this.summary = el("div", { class: "error-summary", tabindex: "-1", hidden: true });

    // What syncs.
    this.syncBoxes = DOMAINS.map((domain) =>
      el("input", { type: "checkbox", id: `${p}-sync-${domain}`, name: "sync", value: domain, checked: Boolean(values.sync && values.sync[domain]), "aria-describedby": `${p}-sync-${domain}-hint` }),
    );
    const syncError = this.errorSlot(`${p}-sync-error`);
    const syncSet = el(
      "fieldset",
      { id: `${p}-sync` },
      el("legend", {}, "Data to sync"),
      syncError,
      DOMAINS.map((domain, index) =>
        el(
          "div",
          { class: "choice" },
          this.syncBoxes[index],
          el("label", { for: `${p}-sync-${domain}` }, DOMAIN_LABELS[domain]),
          el("p", { class: "hint", id: `${p}-sync-${domain}-hint` }, DOMAIN_HINTS[domain](card.name)),
        ),
      ),
    );
    this.fields.set("sync", { group: syncSet, error: syncError, focus: this.syncBoxes[0], label: "Data to sync" });

    // Invoice status.
    const statusError = this.errorSlot(`${p}-invoice-status-error`);
    const statusChoices = [
      ["DRAFT", "Draft", `Invoices arrive in ${card.name} as drafts for you to approve.`],
      ["AUTHORISED", "Approved", `Invoices arrive in ${card.name} approved, ready for payment.`],
    ];
    this.statusRadios = statusChoices.map(([value]) =>
      el("input", { type: "radio", name: `${p}-invoice-status`, id: `${p}-invoice-status-${value}`, value, checked: values.invoice_status === value, "aria-describedby": `${p}-invoice-status-${value}-hint` }),
    );
    const statusSet = el(
      "fieldset",
      { id: `${p}-invoice-status` },
      el("legend", {}, `Status of invoices sent to ${card.name}`),
      statusError,
      statusChoices.map(([value, label, hint], index) =>
        el(
          "div",
          { class: "choice" },
          this.statusRadios[index],
          el("label", { for: `${p}-invoice-status-${value}` }, label),
          el("p", { class: "hint", id: `${p}-invoice-status-${value}-hint` }, hint),
        ),
      ),
    );
    this.fields.set("invoice_status", { group: statusSet, error: statusError, focus: this.statusRadios[0], label: "Invoice status" });

    // Default account.
    this.defaultSelect = this.accountSelect(`${p}-default-account`, values.default_account_code, "No default account");
    const defaultError = this.errorSlot(`${p}-default-account-error`);
    const defaultField = el(
      "div",
      { class: "field" },
      el("label", { for: `${p}-default-account` }, "Default revenue account"),
      el("p", { class: "hint", id: `${p}-default-account-hint` }, "Used for every line item below that has no account of its own."),
      defaultError,
      this.defaultSelect,
    );
    this.describe(this.defaultSelect, `${p}-default-account-hint`);
    this.fields.set("default_account_code", { control: this.defaultSelect, error: defaultError, focus: this.defaultSelect, label: "Default revenue account" });

    // One account per Loc8 line item.
    const mapping = values.line_item_accounts || {};
    this.itemSelects = [];
    const itemRows = lineItems.map((item, index) => {
      const id = `${p}-line-item-${index}`;
      const select = this.accountSelect(id, mapping[item.id] || null, "Use the default account");
      select.dataset.lineItemId = item.id;
      this.itemSelects.push(select);
      const error = this.errorSlot(`${id}-error`);
      const label = `${item.name} (${item.code})`;
      this.fields.set(`line_item_accounts.${item.id}`, { control: select, error, focus: select, label });
      return el("div", { class: "field mapping" }, el("label", { for: id }, item.name, " ", el("span", { class: "code" }, item.code)), error, select);
    });
    const mappingError = this.errorSlot(`${p}-line-items-error`);
    const mappingSet = el(
      "fieldset",
      { id: `${p}-line-items` },
      el("legend", {}, `${card.name} account for each Loc8 line item`),
      el("p", { class: "hint" }, `Only active revenue accounts in ${card.name} are listed.`),
      mappingError,
      lineItems.length ? itemRows : el("p", { class: "muted" }, "Loc8 has no line items yet."),
    );
    this.fields.set("line_item_accounts", { group: mappingSet, error: mappingError, focus: this.itemSelects[0] || this.defaultSelect, label: "Line item accounts" });

    this.submit = el("button", { type: "submit", class: "primary" });
    this.root = el(
      "form",
      { class: "stack config-form", novalidate: true, "aria-labelledby": `${p}-config-heading` },
      el("h4", { id: `${p}-config-heading` }, "What to sync"),
      this.summary,
      syncSet,
      statusSet,
      defaultField,
      mappingSet,
      el("div", { class: "actions" }, this.submit),
    );
    this.root.addEventListener("submit", (event) => {
      event.preventDefault();
      this.save();
    });
    this.setMode(card.status);
  }

  setMode(status) {
    this.submit.textContent = status === "AUTHORISED" ? "Save and start syncing" : "Save changes";
  }

  errorSlot(id) {
    return el("p", { class: "field-error", id, hidden: true });
  }

  describe(control, id) {
    const ids = new Set((control.getAttribute("aria-describedby") || "").split(" ").filter(Boolean));
    ids.add(id);
    control.setAttribute("aria-describedby", [...ids].join(" "));
  }

  accountSelect(id, current, emptyLabel) {
    const select = el("select", { id, name: id }, el("option", { value: "" }, emptyLabel));
    for (const account of this.accounts) {
      select.append(el("option", { value: account.code }, `${account.code} · ${account.name}`));
    }
    if (current && !this.accounts.some((account) => account.code === current)) {
      // Saved earlier but no longer an active revenue account: keep it visible.
      select.append(el("option", { value: current }, `${current} · no longer available`));
    }
    select.value = current || "";
    return select;
  }

  body() {
    const lineItemAccounts = {};
    for (const select of this.itemSelects) {
      if (select.value) lineItemAccounts[select.dataset.lineItemId] = select.value;
    }
    const checked = this.statusRadios.find((radio) => radio.checked);
    return {
      sync: Object.fromEntries(this.syncBoxes.map((box) => [box.value, box.checked])),
      invoice_status: checked ? checked.value : "DRAFT",
      default_account_code: this.defaultSelect.value || null,
      line_item_accounts: lineItemAccounts,
    };
  }

  clearErrors() {
    this.summary.hidden = true;
    replace(this.summary);
    for (const field of this.fields.values()) {
      field.error.hidden = true;
      replace(field.error);
      (field.group || field.control).classList.remove("invalid");
      if (field.control) field.control.removeAttribute("aria-invalid");
      for (const control of this.controlsOf(field)) {
        const ids = (control.getAttribute("aria-describedby") || "").split(" ").filter((id) => id && id !== field.error.id);
        if (ids.length) control.setAttribute("aria-describedby", ids.join(" "));
        else control.removeAttribute("aria-describedby");
      }
    }
  }

  controlsOf(field) {
    return field.control ? [field.control] : [...field.group.querySelectorAll("input, select")];
  }

  fieldFor(name) {
    if (this.fields.has(name)) return this.fields.get(name);
    if (name.startsWith("sync.")) return this.fields.get("sync");
    if (name.startsWith("line_item_accounts")) return this.fields.get("line_item_accounts");
    return null;
  }

  async save() {
    const card = this.card;
    const wasActive = card.status !== "AUTHORISED";
    this.clearErrors();
    card.clearError();
    try {
      const { data, etag } = await busy(this.submit, () =>
        api("PUT", integrationPath(card.integration.id, "/config"), { body: this.body(), ifMatch: this.etag }),
      );
      this.etag = etag;
      card.saved(data, wasActive);
    } catch (error) {
      this.showSaveProblem(error);
    }
  }

  showSaveProblem(error) {
    const problem = error.problem || {};
    const items = [];
    const located = [];
    for (const { field, message } of problem.errors || []) {
      const target = this.fieldFor(String(field));
      if (!target) {
        items.push(el("li", {}, `${field}: ${message}`));
        continue;
      }
      located.push({ target, message });
    }
    // In the order of the form, as a person reads it.
    const before = (a, b) => (a.target.error.compareDocumentPosition(b.target.error) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1);
    for (const { target, message } of located.sort(before)) {
      target.error.hidden = false;
      target.error.append(el("span", { class: "field-error-line" }, hidden("Error: "), message));
      (target.group || target.control).classList.add("invalid");
      for (const control of this.controlsOf(target)) {
        control.setAttribute("aria-invalid", "true");
        this.describe(control, target.error.id);
      }
      items.push(
        el("li", {}, el("a", { href: `#${target.focus.id}`, onclick: (event) => { event.preventDefault(); target.focus.focus(); } }, `${target.label}: ${message}`)),
      );
    }
    let title = problem.title || "The settings could not be saved";
    let extra = null;
    if (error.status === 412) {
      title = "Someone else saved these settings";
      extra = [
        el("p", {}, "They were changed after you opened this page, so your changes were not saved. Reload the settings to see the latest version, then make your changes again."),
        el("button", { type: "button", onclick: () => this.card.renderConfigSection() }, "Reload settings"),
      ];
    }
    const advice = adviceFor(error.status);
    replace(
      this.summary,
      el("p", { class: "problem-title" }, title),
      problem.detail ? el("p", {}, problem.detail) : null,
      advice ? el("p", { class: "muted" }, advice) : null,
      items.length ? el("ul", {}, items) : null,
      extra,
    );
    this.summary.setAttribute("role", "alert");
    this.summary.hidden = false;
    this.summary.focus();
  }
}

// ---------------------------------------------------------------------------
// Dialogs.

function confirmDialog({ title, body, ok }) {
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

function runDialog(run, appLabel, opener) {
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
  const domains = Object.entries(run.counts || {});
  const errors = run.errors || [];
  replace(
    document.getElementById("run-body"),
    el("dl", { class: "facts" }, facts.map(([term, value]) => [el("dt", {}, term), el("dd", {}, value)])),
    el("h3", {}, "Records"),
    domains.length
      ? el(
          "table",
          { class: "counts-table" },
          el("caption", { class: "visually-hidden" }, "Records per kind of data"),
          el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Data"), OUTCOME_COUNTS.map((name) => el("th", { scope: "col" }, name[0].toUpperCase() + name.slice(1))))),
          el(
            "tbody",
            {},
            domains.map(([domain, outcome]) =>
              el("tr", {}, el("th", { scope: "row" }, DOMAIN_LABELS[domain] || domain), OUTCOME_COUNTS.map((name) => el("td", { "data-label": name }, String((outcome || {})[name] || 0)))),
            ),
          ),
        )
      : el("p", { class: "muted" }, "No records were processed."),
    el("h3", {}, `Errors (${errors.length})`),
    errors.length
      ? el(
          "ul",
          { class: "run-errors" },
          errors.map((error) =>
            el("li", {}, el("span", { class: "error-where" }, `${DOMAIN_LABELS[error.domain] || error.domain}${error.record ? ` · ${error.record}` : ""}`), el("span", {}, error.message)),
          ),
        )
      : el("p", { class: "muted" }, `No record-level errors between Loc8 and ${appLabel}.`),
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

load();
