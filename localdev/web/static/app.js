// Loc8 › Settings › Integrations — the reference web client.
//
// Plain ES modules, no build step, no dependencies. This one is the page: the catalogue,
// the list of integrations and the outcome of a return from the app's consent page.
//   api.js               the API client (base URL, bearer token, problem+json errors)
//   dom.js               the DOM kit (text only, never HTML)
//   messages.js          page-wide notices and problems
//   labels.js            words for the API's codes
//   integration-card.js  one integration: status, actions, history
//   config-form.js       its config form, with errors next to their fields
//   dialogs.js           confirm and run-details dialogs
// It shows every problem+json the API answers: `detail` for the page or card, each
// `errors[].field` message next to its field.

import { api, config, integrationPath, replaceQuery } from "./api.js";
import { busy, el, replace } from "./dom.js";
import { IntegrationCard } from "./integration-card.js";
import { announce, showProblem } from "./messages.js";

const page = {
  error: document.getElementById("page-error"),
  integrations: document.getElementById("integrations"),
  apps: document.getElementById("apps"),
};

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
  const returned = takeReturnOutcome();
  let finished = null;
  try {
    // A consent the app granted is finished first, so the list shows its result.
    if (returned && returned.result === "granted") finished = await finishConsent(returned);
    const [apps, listed] = await Promise.all([api("GET", "/v1/apps"), api("GET", "/v1/integrations")]);
    state.apps = apps.data.apps;
    renderIntegrations(listed.data.integrations);
    showReturnOutcome(returned, finished);
  } catch (error) {
    showReturnOutcome(returned, finished);
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

// What the app's invoices can be created as (QuickBooks Online has no drafts); the first is its default.
function appInvoiceStatuses(key) {
  const app = state.apps.find((candidate) => candidate.key === key);
  return app && app.invoice_statuses ? app.invoice_statuses : ["DRAFT", "AUTHORISED"];
}

// The API's OAuth callback sends the browser back here with the outcome; a granted
// consent also carries a single-use handle, which only this signed-in user can redeem.
function takeReturnOutcome() {
  const params = new URLSearchParams(window.location.search);
  const result = params.get("result");
  if (!result) return null;
  const returned = {
    result,
    integrationId: params.get("integration_id"),
    handle: params.get("handle"),
    message: params.get("message"),
  };
  // Out of the address bar at once: a reload or a shared link must not replay it.
  ["result", "message", "integration_id", "handle"].forEach((name) => params.delete(name));
  replaceQuery(params);
  return returned;
}

async function finishConsent(returned) {
  if (!returned.integrationId || !returned.handle) {
    return { error: { problem: { title: "Connecting did not finish", detail: "The return address is incomplete; connect again." } } };
  }
  try {
    const { data } = await api("POST", integrationPath(returned.integrationId, "/consent"), {
      body: { handle: returned.handle },
    });
    return { integration: data };
  } catch (error) {
    return { error };
  }
}

function showReturnOutcome(returned, finished) {
  if (!returned) return;
  const card = state.cards.get(returned.integrationId);
  const app = card ? card.name : "The app";
  if (returned.result === "granted") {
    if (!finished || finished.error) {
      const error = finished ? finished.error : null;
      // A 403 here means another Loc8 user started this consent: no admin can help.
      const shown = error && error.status === 403 ? { problem: error.problem } : error;
      showProblem(page.error, shown, "Connecting did not finish");
      return;
    }
    const integration = finished.integration;
    if (integration.status === "CHOOSE_ORGANISATION") {
      announce(`You gave Loc8 access to more than one ${app} organisation. Choose the one to use.`, "info");
      return;
    }
    const org = integration.organisation ? integration.organisation.name : null;
    announce(`${app} is connected${org ? ` to ${org}` : ""}.`);
  } else if (returned.result === "denied") {
    announce(`${app} access was not granted, so nothing changed. You can connect again when you are ready.`, "warn");
  } else {
    showProblem(page.error, {
      problem: { title: "Connecting did not finish", detail: returned.message || "The app did not complete the connection." },
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
      const card = new IntegrationCard(integration, {
        name: appName(integration.app),
        invoiceStatuses: appInvoiceStatuses(integration.app),
        reloadAll,
      });
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

load();
