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

import { api, config, replaceQuery } from "./api.js";
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
      const card = new IntegrationCard(integration, { name: appName(integration.app), reloadAll });
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
