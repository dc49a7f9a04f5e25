// Words the page shows for the API's codes (run-summary.js words a run's counts).

export const STATUS_LABELS = {
  PENDING_AUTHORISATION: "Waiting for access",
  CHOOSE_ORGANISATION: "Choose an organisation",
  AUTHORISED: "Connected, not syncing yet",
  ACTIVE: "Active",
  PAUSED: "Paused",
  NEEDS_RECONNECT: "Needs reconnecting",
  DISCONNECTED: "Disconnected",
};
export const RUN_STATUS_LABELS = {
  QUEUED: "Queued",
  RUNNING: "Running",
  SUCCEEDED: "Succeeded",
  PARTIAL: "Partly succeeded",
  DEFERRED: "Deferred",
  FAILED: "Failed",
};
export const TRIGGER_LABELS = {
  schedule: "Schedule",
  manual: "Sync now",
  activation: "First sync",
  continuation: "Continued run",
  webhook: "Change in the app",
};
export const DOMAIN_LABELS = {
  invoices: "Invoices",
  line_items: "Line items",
  tax_rates: "Tax rates",
  customers: "Customers",
  payments: "Payments",
  sync: "Sync",
};
export const DOMAIN_HINTS = {
  invoices: (app) => `Send Loc8 invoices to ${app}.`,
  line_items: (app) => `Keep Loc8 line items and ${app}'s items in step.`,
  tax_rates: (app) => `Use ${app}'s tax rates in Loc8.`,
  customers: (app) => `Import ${app}'s customers, then keep them in step.`,
};
export const OUTCOME_COUNTS = ["created", "updated", "unchanged", "failed"];
