// The config form of one card: what to sync (payments as a switch under invoices),
// the invoice status, the account payments go into, the default account and one
// account per Loc8 line item. It shows each problem the API answers next to
// its field, with a summary that links to them.

import { api, integrationPath } from "./api.js";
import { el, busy, hidden, replace } from "./dom.js";
import { DOMAIN_HINTS, DOMAIN_LABELS } from "./labels.js";
import { adviceFor } from "./messages.js";
import { TaxMapping } from "./tax-mapping.js";

const DOMAINS = ["invoices", "line_items", "tax_rates", "customers"];
// Where a suggested account comes from, as the page says it (the default is not suggested:
// "Use the default account" already says so).
const SUGGESTED_FROM = {
  app_item: (app) => `the account ${app}'s item uses now.`,
  loc8_line_item: (app) => `the account this item has in Loc8 (active in ${app}).`,
};

export class ConfigForm {
  constructor(card, { accounts, lineItems, taxTypes, config, etag }) {
    this.card = card;
    this.etag = etag;
    lineItems = [...lineItems].sort((a, b) => a.name.localeCompare(b.name));
    const active = accounts
      .filter((account) => account.status === "ACTIVE")
      .sort((a, b) => a.code.localeCompare(b.code, undefined, { numeric: true }));
    this.accounts = active.filter((account) => account.class === "REVENUE");
    this.paymentAccounts = active.filter((account) => account.accepts_payments);
    this.fields = new Map(); // API field name -> { control, error, focus }
    const p = card.prefix;
    // A first config sends payments too, into the first bank account (changeable below).
    const firstBank = this.paymentAccounts.find((account) => account.bank) || this.paymentAccounts[0];
    const values = config || {
      sync: { ...Object.fromEntries(DOMAINS.map((domain) => [domain, true])), payments: Boolean(firstBank) },
      invoice_status: card.invoiceStatuses[0],
      default_account_code: null,
      payment_account_code: firstBank ? firstBank.code : null,
      line_item_accounts: {},
    };

    this.summary = el("div", { class: "error-summary", tabindex: "-1", hidden: true });

    // What syncs.
    this.syncBoxes = DOMAINS.map((domain) =>
      el("input", { type: "checkbox", id: `${p}-sync-${domain}`, name: "sync", value: domain, checked: Boolean(values.sync && values.sync[domain]), "aria-describedby": `${p}-sync-${domain}-hint` }),
    );
    const syncError = this.errorSlot(`${p}-sync-error`);
    // Payments: a switch of its own, under invoices (they are recorded on the invoices sent).
    this.paymentsBox = el("input", { type: "checkbox", id: `${p}-sync-payments`, name: "sync", value: "payments", checked: Boolean(values.sync && values.sync.payments), "aria-describedby": `${p}-sync-payments-hint` });
    const paymentsError = this.errorSlot(`${p}-sync-payments-error`);
    const paymentsChoice = el(
      "div",
      { class: "choice sub-choice" },
      this.paymentsBox,
      el("label", { for: `${p}-sync-payments` }, "Payments"),
      el(
        "p",
        { class: "hint", id: `${p}-sync-payments-hint` },
        `Record payments taken in Loc8 on the invoices in ${card.name}, into the account chosen below. Payments made in ${card.name} come back to Loc8 with invoices either way.`,
      ),
      paymentsError,
    );
    const syncSet = el(
      "fieldset",
      { id: `${p}-sync` },
      el("legend", {}, "Data to sync"),
      syncError,
      DOMAINS.map((domain, index) => [
        el(
          "div",
          { class: "choice" },
          this.syncBoxes[index],
          el("label", { for: `${p}-sync-${domain}` }, DOMAIN_LABELS[domain]),
          el("p", { class: "hint", id: `${p}-sync-${domain}-hint` }, DOMAIN_HINTS[domain](card.name)),
        ),
        domain === "invoices" ? paymentsChoice : null,
      ]),
    );
    this.fields.set("sync", { group: syncSet, error: syncError, focus: this.syncBoxes[0], label: "Data to sync" });
    this.fields.set("sync.payments", { control: this.paymentsBox, error: paymentsError, focus: this.paymentsBox, label: "Payments" });

    // Invoice status.
    const statusError = this.errorSlot(`${p}-invoice-status-error`);
    const statusChoices = [
      ["DRAFT", "Draft", `Invoices arrive in ${card.name} as drafts for you to approve. With payments on, an invoice already paid (or part paid) in Loc8 arrives approved: a draft cannot take a payment.`],
      ["AUTHORISED", "Approved", card.invoiceStatuses.includes("DRAFT")
        ? `Invoices arrive in ${card.name} approved, ready for payment.`
        : `Invoices arrive in ${card.name} approved, ready for payment (${card.name} has no draft invoices).`],
    ].filter(([value]) => card.invoiceStatuses.includes(value));
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

    // The account payments taken in Loc8 go into.
    this.paymentSelect = this.accountSelect(`${p}-payment-account`, values.payment_account_code || null, "No payment account", this.paymentAccounts);
    const paymentAccountError = this.errorSlot(`${p}-payment-account-error`);
    const paymentAccountField = el(
      "div",
      { class: "field" },
      el("label", { for: `${p}-payment-account` }, "Payment account"),
      el("p", { class: "hint", id: `${p}-payment-account-hint` }, `The ${card.name} account that receives payments taken in Loc8. Only active bank accounts and accounts that accept payments are listed.`),
      paymentAccountError,
      this.paymentSelect,
    );
    this.describe(this.paymentSelect, `${p}-payment-account-hint`);
    this.fields.set("payment_account_code", { control: this.paymentSelect, error: paymentAccountError, focus: this.paymentSelect, label: "Payment account" });

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

    // One account per Loc8 line item. Until a config is saved, an item starts on the
    // account it already has (the app item's, else Loc8's own), marked as a suggestion.
    const mapping = values.line_item_accounts || {};
    const unsaved = !config || config.source === "previous_connection";
    this.itemSelects = [];
    const itemRows = lineItems.map((item, index) => {
      const id = `${p}-line-item-${index}`;
      const suggestion = SUGGESTED_FROM[item.suggestion_source] ? item.suggested_account_code : null;
      const preselected = mapping[item.id] || (unsaved ? suggestion : null);
      const select = this.accountSelect(id, preselected, "Use the default account");
      select.dataset.lineItemId = item.id;
      this.itemSelects.push(select);
      const error = this.errorSlot(`${id}-error`);
      const label = `${item.name} (${item.code})`;
      this.fields.set(`line_item_accounts.${item.id}`, { control: select, error, focus: select, label });
      // Marked as a suggestion only where no mapping was chosen; beside a chosen one, only
      // that the app item is on another account now (saving moves it).
      let noteText = null;
      if (suggestion && !mapping[item.id]) noteText = `Suggested: ${suggestion}, ${SUGGESTED_FROM[item.suggestion_source](card.name)}`;
      else if (suggestion && item.suggestion_source === "app_item" && mapping[item.id] !== suggestion) noteText = `${card.name}'s item is on ${suggestion} now.`;
      let note = null;
      if (noteText) {
        note = el("p", { class: "hint suggestion", id: `${id}-suggestion` }, noteText);
        this.describe(select, note.id);
      }
      return el("div", { class: "field mapping" }, el("label", { for: id }, item.name, " ", el("span", { class: "code" }, item.code)), note, error, select);
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

    // One app tax rate per Loc8 tax type, next to the accounts.
    this.taxMapping = taxTypes
      ? new TaxMapping(this, { taxTypes: taxTypes.tax_types, taxRates: taxTypes.tax_rates, saved: config ? config.tax_rate_mappings : null })
      : null;

    // A config remembered from this organisation's last connection is not saved yet.
    const organisation = card.integration && card.integration.organisation;
    const remembered = (this.rememberedNotice =
      config && config.source === "previous_connection"
        ? el("div", { class: "notice notice-info remembered", role: "note" }, el("p", {}, `These settings are the ones you last saved for ${organisation ? organisation.name : card.name}. Check them, then save to start syncing.`))
        : null);

    this.submit = el("button", { type: "submit", class: "primary" });
    this.root = el(
      "form",
      { class: "stack config-form", novalidate: true, "aria-labelledby": `${p}-config-heading` },
      el("h4", { id: `${p}-config-heading` }, "What to sync"),
      remembered,
      this.summary,
      syncSet,
      statusSet,
      paymentAccountField,
      defaultField,
      mappingSet,
      this.taxMapping ? this.taxMapping.root : null,
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

  accountSelect(id, current, emptyLabel, accounts = this.accounts) {
    const select = el("select", { id, name: id }, el("option", { value: "" }, emptyLabel));
    for (const account of accounts) {
      select.append(el("option", { value: account.code }, `${account.code} · ${account.name}`));
    }
    if (current && !accounts.some((account) => account.code === current)) {
      // Saved earlier but no longer an account that can be chosen: keep it visible.
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
      sync: { ...Object.fromEntries(this.syncBoxes.map((box) => [box.value, box.checked])), payments: this.paymentsBox.checked },
      invoice_status: checked ? checked.value : this.card.invoiceStatuses[0],
      default_account_code: this.defaultSelect.value || null,
      payment_account_code: this.paymentSelect.value || null,
      line_item_accounts: lineItemAccounts,
      ...(this.taxMapping ? { tax_rate_mappings: this.taxMapping.body() } : {}),
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
    if (name.startsWith("tax_rate_mappings")) return this.fields.get("tax_rate_mappings");
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
      if (this.rememberedNotice) this.rememberedNotice.remove(); // saved now
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
