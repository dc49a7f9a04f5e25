// A run's record counts in words that say which way the records went, in the app's own
// name: "25 customers sent to Xero, 9 imported from Xero". Runs recorded before the API
// counted directions have totals only; they are worded without a direction.

import { DOMAIN_LABELS, OUTCOME_COUNTS } from "./labels.js";

// How a count names each domain's records: [one, many].
const NOUNS = {
  customers: ["customer", "customers"],
  invoices: ["invoice", "invoices"],
  payments: ["payment", "payments"],
  line_items: ["line item", "line items"],
  tax_rates: ["tax rate", "tax rates"],
};
// What happened to the records counted under each direction and outcome.
const DONE = [
  ["to_app", "created", (app) => `sent to ${app}`],
  ["to_app", "updated", (app) => `updated in ${app}`],
  ["to_loc8", "created", (app) => `imported from ${app}`],
  ["to_loc8", "updated", (app) => `updated from ${app}`],
];
const FAILED = [
  ["to_app", (app) => `failed to reach ${app}`],
  ["to_loc8", (app) => `failed to import from ${app}`],
];
// A row of the run's details per direction.
const DIRECTION_ROWS = [
  ["to_app", (label, app) => `${label} to ${app}`],
  ["to_loc8", (label, app) => `${label} from ${app}`],
];

function nouns(domain) {
  const label = (DOMAIN_LABELS[domain] || domain).toLowerCase();
  return NOUNS[domain] || [label, label];
}

function directedPhrases(directions, app) {
  const phrases = DONE.map(([direction, outcome, words]) => [directions[direction][outcome], words(app)]);
  phrases.push([directions.to_app.unchanged + directions.to_loc8.unchanged, "unchanged"]);
  for (const [direction, words] of FAILED) phrases.push([directions[direction].failed, words(app)]);
  return phrases;
}

function totalPhrases(totals) {
  return OUTCOME_COUNTS.map((outcome) => [(totals || {})[outcome] || 0, outcome]);
}

function domainText(domain, run, app) {
  const [one, many] = nouns(domain);
  const directions = (run.counts_by_direction || {})[domain];
  const phrases = (directions ? directedPhrases(directions, app) : totalPhrases(run.counts[domain])).filter(([n]) => n);
  if (!phrases.length) return `no ${one} changes`;
  return phrases.map(([n, words], index) => (index === 0 ? `${n} ${n === 1 ? one : many} ${words}` : `${n} ${words}`)).join(", ");
}

// The run's (or last sync's) changes as one sentence without its full stop.
export function changesText(run, app) {
  const text = Object.keys(run.counts || {})
    .map((domain) => domainText(domain, run, app))
    .join("; ");
  return text ? text[0].toUpperCase() + text.slice(1) : "No changes";
}

// The rows of the run's details: [row label, {created, updated, unchanged, failed}],
// one per direction records went in, or one per domain when no direction is known.
export function countRows(run, app) {
  const rows = [];
  for (const [domain, totals] of Object.entries(run.counts || {})) {
    const label = DOMAIN_LABELS[domain] || domain;
    const directions = (run.counts_by_direction || {})[domain];
    const directed = directions
      ? DIRECTION_ROWS.filter(([direction]) => OUTCOME_COUNTS.some((outcome) => directions[direction][outcome])).map(([direction, name]) => [name(label, app), directions[direction]])
      : [];
    rows.push(...(directed.length ? directed : [[label, totals || {}]]));
  }
  return rows;
}
