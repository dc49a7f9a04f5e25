// The tax part of the config form: each active Loc8 tax type with the app tax rate it
// stands for, chosen from the app's sales tax rates and pre-selected with the match
// the sync would make. A matched Loc8 type keeps its code and takes the app's rate;
// a type set to "no rate" is left as it is in Loc8.

import { el } from "./dom.js";

// Saving sends every choice that differs from "nothing to match"; a type the sync could
// match but the admin set to "no rate" is sent as null, so it stays unmatched.
export class TaxMapping {
  constructor(form, { taxTypes, taxRates, saved }) {
    const card = form.card;
    const p = card.prefix;
    this.selects = [];
    const mapping = saved || {};
    const types = taxTypes.filter((type) => type.active).sort((a, b) => a.code.localeCompare(b.code));
    // Choices saved for types not shown (inactive ones, which old invoices may still carry)
    // are sent back as they were.
    const shown = new Set(types.map((type) => type.code));
    this.kept = Object.fromEntries(Object.entries(mapping).filter(([code]) => !shown.has(code)));
    const rows = types.map((type, index) => {
      const id = `${p}-tax-type-${index}`;
      const select = el("select", { id, name: id }, el("option", { value: "" }, `No ${card.name} rate: leave as it is in Loc8`));
      for (const rate of taxRates) {
        select.append(el("option", { value: rate.code }, `${rate.name} (${rate.code}, ${rate.rate}%)`));
      }
      const chosen = Object.hasOwn(mapping, type.code) ? mapping[type.code] : type.tax_rate_code;
      if (chosen && !taxRates.some((rate) => rate.code === chosen)) {
        select.append(el("option", { value: chosen }, `${chosen} · no longer available`));
      }
      select.value = chosen || "";
      select.dataset.taxTypeCode = type.code;
      // Whether an empty choice must be sent as null: the sync would match it otherwise.
      select.dataset.wouldMatch = type.tax_rate_code ? "yes" : "";
      select.dataset.savedNone = Object.hasOwn(mapping, type.code) && mapping[type.code] === null ? "yes" : "";
      this.selects.push(select);
      const error = form.errorSlot(`${id}-error`);
      const label = `${type.name} (${type.code}, ${type.rate}%)`;
      form.fields.set(`tax_rate_mappings.${type.code}`, { control: select, error, focus: select, label });
      return el(
        "div",
        { class: "field mapping" },
        el("label", { for: id }, type.name, " ", el("span", { class: "code" }, `${type.code} · ${type.rate}%`)),
        error,
        select,
      );
    });
    const groupError = form.errorSlot(`${p}-tax-types-error`);
    this.root = el(
      "fieldset",
      { id: `${p}-tax-types` },
      el("legend", {}, `${card.name} tax rate for each Loc8 tax type`),
      el(
        "p",
        { class: "hint" },
        `With tax rates synced, each Loc8 tax type keeps its code and takes the rate and name of the ${card.name} rate chosen here, so line items and invoices keep their tax types. ${card.name} sales tax rates that no Loc8 tax type stands for are added to Loc8. Invoices sent to ${card.name} use the rate chosen here.`,
      ),
      groupError,
      types.length ? rows : el("p", { class: "muted" }, "Loc8 has no tax types yet."),
    );
    form.fields.set("tax_rate_mappings", { group: this.root, error: groupError, focus: this.selects[0] || this.root, label: "Tax rates" });
  }

  body() {
    const mapping = { ...this.kept };
    for (const select of this.selects) {
      const code = select.dataset.taxTypeCode;
      if (select.value) mapping[code] = select.value;
      else if (select.dataset.wouldMatch || select.dataset.savedNone) mapping[code] = null;
    }
    return mapping;
  }
}
