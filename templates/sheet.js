// The on-screen sheet keeps what was typed, without an account and without a server: Save as PDF
// fills the site's own fillable PDF in the browser; Save answers writes a small file that Open
// saved answers reads back; Keep on this device (off until asked) uses this browser's storage; a
// link made by `worksheets link` carries answers in its fragment, which no browser sends anywhere.
//
// Written inline into each worksheet page as one plain ES module, so that it also runs from a
// page opened from disk, where a browser refuses module files. Only Save as PDF loads more
// (assets/js/pdf.js, pdf-lib and fontkit), and only when it is pressed.

const data = JSON.parse(document.getElementById("sheet-data").textContent);
const S = data.strings;
const form = document.querySelector(".sheet-form");
const status = document.getElementById("keep-status");
const keepBox = document.getElementById("keep-here");
const FORMAT = "worksheets-answers";
const VERSION = 1;
const STORE = `worksheets:${new URL(data.root, location.href).pathname}:${data.sheet}`;

/** Every answering control of the sheet (the page's own tools have no name). */
function controls() {
  return Array.from(form.querySelectorAll("input[name], textarea[name]"));
}

/** A name and the value each kind of control holds: text, a tick (true), a chosen value. */
function kind(control) {
  return control.type === "checkbox" ? "tick" : control.type === "radio" ? "choice" : "text";
}

/** What the sheet's form holds now, by field name; empty fields are left out. */
function collect() {
  const values = {};
  for (const c of controls()) {
    const k = kind(c);
    if (k === "tick" && c.checked) values[c.name] = true;
    else if (k === "choice" && c.checked) values[c.name] = c.value;
    else if (k === "text" && c.value.trim()) values[c.name] = c.value;
  }
  return values;
}

/**
 * A fingerprint of the form's questions: every field's name and kind, and each choice's value.
 * Answers saved from a sheet whose questions have changed since are not poured into this one.
 * The questions never change while the page is open: worked out once, as QUESTIONS.
 */
function fingerprint() {
  const parts = new Set(controls().map((c) => `${c.name}|${kind(c)}|${kind(c) === "choice" ? c.value : ""}`));
  let hash = 0x811c9dc5; // FNV-1a: short, and the same in every browser
  for (const ch of Array.from(parts).sort().join("\n")) {
    hash ^= ch.codePointAt(0);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, "0");
}

const QUESTIONS = fingerprint();

/** The problem with `values` for this form ("damaged"), or null when every value fits a field. */
function misfit(values) {
  if (!values || typeof values !== "object" || Array.isArray(values)) return "damaged";
  const byName = new Map();
  for (const c of controls()) byName.set(c.name, [...(byName.get(c.name) || []), c]);
  for (const [name, value] of Object.entries(values)) {
    const found = byName.get(name);
    if (!found) return "damaged";
    const k = kind(found[0]);
    const fits =
      (k === "text" && typeof value === "string") ||
      (k === "tick" && typeof value === "boolean") ||
      (k === "choice" && found.some((c) => c.value === value));
    if (!fits) return "damaged";
  }
  return null;
}

/**
 * Put `values` in the form: every field, so what is not in them is cleared (only the fields
 * named, with `only`). Storage is written by the callers that mean to, never from here. Returns
 * the names whose value the form took (a date field takes only a date it can read).
 */
function pour(values, only = false) {
  for (const c of controls()) {
    if (only && !(c.name in values)) continue;
    const k = kind(c);
    if (k === "tick") c.checked = values[c.name] === true;
    else if (k === "choice") c.checked = values[c.name] === c.value;
    else c.value = values[c.name] ?? "";
  }
  const now = collect();
  return Object.keys(values).filter((name) => now[name] === values[name]);
}

/** The first answer the browser finds out of bounds (a score of 12), pointed out; else null. */
function invalid() {
  const wrong = controls().find((c) => !c.checkValidity());
  if (wrong) wrong.reportValidity();
  return wrong || null;
}

function say(text) {
  status.textContent = "";
  status.textContent = text; // set anew, so a screen reader reads it even when it repeats
}

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (whole, key) => values[key] ?? whole);
}

/** A file name for today: the sheet's title and the date, in the page's language. */
function fileName(extension) {
  const day = new Intl.DateTimeFormat(document.documentElement.lang, {
    day: "numeric",
    month: "short",
    year: "numeric",
  }).format(new Date());
  return `${data.title} – ${day}`.replace(/[\\/:*?"<>|]+/g, " ").replace(/\s+/g, " ") + extension;
}

function download(blob, name) {
  const url = URL.createObjectURL(blob);
  const link = Object.assign(document.createElement("a"), { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

// ---- Save answers and Open saved answers ----

function saveAnswers() {
  if (invalid()) return;
  const file = {
    format: FORMAT,
    version: VERSION,
    sheet: data.sheet,
    title: data.title,
    questions: QUESTIONS,
    saved: new Date().toISOString(),
    fields: collect(),
  };
  const name = fileName(".json");
  download(new Blob([JSON.stringify(file, null, 2)], { type: "application/json" }), name);
  say(fill(S.saved_answers, { file: name }));
}

/** What a saved-answers file's text means for this sheet: { values } or { problem }. */
function readAnswers(text) {
  let file;
  try {
    file = JSON.parse(text);
  } catch {
    return { problem: S.answers_damaged };
  }
  if (!file || file.format !== FORMAT || file.version !== VERSION) return { problem: S.answers_damaged };
  if (file.sheet !== data.sheet) return { problem: fill(S.answers_other_sheet, { title: String(file.title || file.sheet) }) };
  if (file.questions !== QUESTIONS) return { problem: S.answers_old };
  if (misfit(file.fields)) return { problem: S.answers_damaged };
  return { values: file.fields };
}

async function openAnswers(event) {
  const [chosen] = event.target.files;
  event.target.value = ""; // the same file may be chosen again
  if (!chosen) return;
  const { values, problem } = readAnswers(await chosen.text());
  if (problem) return say(problem);
  pour(values);
  keep();
  say(S.opened_answers);
}

// ---- Keep on this device ----

function keep() {
  if (!keepBox.checked) return;
  try {
    localStorage.setItem(STORE, JSON.stringify({ questions: QUESTIONS, fields: collect() }));
  } catch {
    keepBox.checked = false;
    say(S.keep_failed);
  }
}

function stored() {
  try {
    return JSON.parse(localStorage.getItem(STORE) || "null");
  } catch {
    return null;
  }
}

function unkeep() {
  try {
    localStorage.removeItem(STORE);
  } catch {
    // Storage refused: then nothing was kept either.
  }
}

function toggleKeep() {
  if (keepBox.checked) {
    keep();
    if (keepBox.checked) say(S.keep_on);
  } else {
    unkeep();
    say(S.keep_off);
  }
}

function forget() {
  if (!confirm(S.forget_confirm)) return;
  keepBox.checked = false;
  unkeep();
  pour({});
  say(S.forgotten);
}

function restoreKept() {
  const kept = stored();
  if (!kept) return;
  if (kept.questions === QUESTIONS && !misfit(kept.fields)) {
    keepBox.checked = true;
    pour(kept.fields);
    say(S.kept_back);
  } else {
    say(S.kept_old); // left in storage, and Keep left off, so that typing does not replace them
  }
}

// ---- A link that fills the sheet ----

/** The answers a `#fill=` fragment carries: base64url of raw DEFLATE of JSON. */
async function unpack(encoded) {
  const base64 = encoded.replace(/-/g, "+").replace(/_/g, "/");
  const bytes = Uint8Array.from(atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4)), (c) => c.charCodeAt(0));
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
  return JSON.parse(await new Response(stream).text());
}

/** The words a person sees for a field: its label, its group's legend, or its aria-label. */
function labelOf(name) {
  const control = controls().find((c) => c.name === name);
  const group = control.closest("fieldset");
  const label = control.type === "radio" && group ? group.querySelector("legend") : control.labels?.[0];
  return (label?.textContent || control.getAttribute("aria-label") || name).trim();
}

/** Whether this browser can unpack a link: raw DEFLATE came to DecompressionStream later. */
function canUnpack() {
  try {
    new DecompressionStream("deflate-raw");
    return true;
  } catch {
    return false;
  }
}

/**
 * Fill the sheet from a `#fill=` link. The fragment leaves the address bar first, whatever it
 * holds. A link opened over answers kept on this device fills only what is still empty: what the
 * client wrote since is theirs, and the notice lists what it left alone.
 */
async function fillFromLink() {
  if (!location.hash.startsWith("#fill=")) return;
  const packed = /^#fill=([A-Za-z0-9_-]*)/.exec(location.hash)[1]; // text pasted after it is ignored
  history.replaceState(null, "", location.pathname + location.search);
  if (typeof DecompressionStream === "undefined" || !canUnpack()) return notice(S.link_unsupported);
  let carried;
  try {
    carried = await unpack(packed);
  } catch {
    return notice(S.link_broken);
  }
  if (!carried || carried.v !== 1 || typeof carried.sheet !== "string") return notice(S.link_broken);
  if (carried.sheet !== data.sheet) return notice(fill(S.link_other, { title: carried.sheet }));
  if (misfit(carried.fields)) return notice(S.link_broken);
  const mine = collect();
  const kept = Object.keys(carried.fields).filter((name) => name in mine && mine[name] !== carried.fields[name]);
  const wanted = Object.fromEntries(Object.entries(carried.fields).filter(([name]) => !kept.includes(name)));
  const took = pour(wanted, true);
  keep();
  notice(S.prefilled, [...new Set([...took].map(labelOf))]);
  if (kept.length) notice(S.link_kept, [...new Set(kept.map(labelOf))], true);
}

/** A notice above the sheet (added to what it says, with `more`), with a list under it when
 * given one, brought into view: on a phone it is below the page's first screen. */
function notice(text, items = [], more = false) {
  const box = document.getElementById("keep-notice");
  if (!more) box.replaceChildren();
  box.append(Object.assign(document.createElement("p"), { textContent: text }));
  if (items.length) {
    const list = document.createElement("ul");
    for (const item of items) list.append(Object.assign(document.createElement("li"), { textContent: item }));
    box.append(list);
  }
  box.hidden = false;
  box.scrollIntoView({ block: "center" });
}

// ---- Save as PDF ----

let libraries;

function script(src) {
  return new Promise((resolve, reject) => {
    const tag = Object.assign(document.createElement("script"), { src });
    tag.onload = resolve;
    tag.onerror = () => reject(new Error(src));
    document.head.append(tag);
  });
}

async function bytesOf(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${response.status} ${new URL(url, location.href).pathname}`);
  return response.arrayBuffer();
}

async function savePdf(button) {
  if (invalid()) return;
  button.disabled = true;
  say(S.making_pdf);
  try {
    libraries ??= Promise.all([
      import(data.assets + "js/pdf.js"),
      script(data.assets + "vendor/pdf-lib.min.js"),
      script(data.assets + "vendor/fontkit.umd.min.js"),
    ]);
    const [{ fillPdf }] = await libraries;
    const paper = document.getElementById("paper");
    const { bytes, cut } = await fillPdf({
      PDFLib: window.PDFLib,
      fontkit: window.fontkit,
      fetchBytes: bytesOf,
      fontUrl: (file) => data.assets + "fonts/" + file,
      pdfBytes: await bytesOf(paper.value),
      values: collect(),
      rtl: document.documentElement.dir === "rtl",
    });
    const name = fileName(".pdf");
    download(new Blob([bytes], { type: "application/pdf" }), name);
    const labels = [...new Set(cut.map(labelOf))].join(", ");
    say(fill(cut.length ? S.pdf_cut : S.made_pdf, { file: name, fields: labels }));
  } catch (error) {
    libraries = undefined;
    say(fill(S.pdf_failed, { reason: error.message }));
  } finally {
    button.disabled = false;
  }
}

/** Letter paper where it is the custom (going by the browser's region), else A4. */
function choosePaper() {
  const paper = document.getElementById("paper");
  if (!paper) return;
  const region = (navigator.language.split("-")[1] || "").toUpperCase();
  const wanted = ["US", "CA", "MX", "PH", "CL", "CO", "VE"].includes(region) ? "letter" : "a4";
  const option = Array.from(paper.options).find((o) => o.dataset.paper === wanted);
  if (option) paper.value = option.value;
}

// ---- Start ----

function start() {
  document.getElementById("tools-off").hidden = true;
  document.getElementById("keep").hidden = false;
  const pdfButton = document.getElementById("save-pdf");
  if (pdfButton && location.protocol === "file:") {
    document.getElementById("pdf-tools").hidden = true;
    document.getElementById("pdf-off").hidden = false;
  } else if (pdfButton) {
    choosePaper();
    pdfButton.addEventListener("click", () => savePdf(pdfButton));
  }
  const picker = document.getElementById("answers-file");
  document.getElementById("save-answers").addEventListener("click", saveAnswers);
  document.getElementById("open-answers").addEventListener("click", () => picker.click());
  picker.addEventListener("change", openAnswers);
  keepBox.addEventListener("change", toggleKeep);
  document.getElementById("forget").addEventListener("click", forget);
  form.addEventListener("input", keep);
  form.addEventListener("change", keep);
  restoreKept();
  fillFromLink();
  window.addEventListener("hashchange", fillFromLink); // a link pasted into this tab
}

start();
