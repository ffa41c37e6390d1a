// Save as PDF: fill the site's own fillable PDF of a sheet with what was typed on the page.
//
// The PDF keeps its form fields (it can still be edited in any viewer, and `worksheets import`
// reads it back), and each filled text field gets an appearance drawn here, so that it prints as
// typed even in a viewer that draws nothing itself. pdf-lib draws text with one font and in one
// direction; a client may type Arabic, a Latin name and digits in one box, so each line is cut
// into runs of one direction and one font, and the runs are placed in visual order here.
//
// This module is loaded only when Save as PDF is pressed, with pdf-lib and fontkit (`PDFLib` and
// `fontkit`, given by the caller) and a `fetchBytes(url)` that reads a file of the site.

const RTL_SCRIPT = /[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF]/u;
const HEBREW = /[\u0590-\u05FF\uFB1D-\uFB4F]/u;
const STRONG_LTR = /[\p{L}\p{M}]/u;
const DIGIT = /\p{Nd}/u;
const EMOJI = /\p{Extended_Pictographic}/u;
const MIRRORED = { "(": ")", ")": "(", "[": "]", "]": "[", "{": "}", "}": "{", "<": ">", ">": "<", "«": "»", "»": "«" };
const PADDING = 2;
const SMALLEST = 5;

/** The fonts a PDF's answers may need, by role, as files under the site's assets/fonts/. */
export const FONT_FILES = {
  latin: "AtkinsonHyperlegible-Regular.ttf",
  other: "NotoSans-Regular.ttf",
  arabic: "NotoSansArabic-Regular.ttf",
  hebrew: "NotoSansHebrew-Regular.ttf",
  emoji: "NotoEmoji-Regular.ttf",
};

/**
 * The bytes of `pdfBytes` (one of our fillable PDFs) with `values` set: text for a text field,
 * true or false for a tick box, the chosen value for a radio group. `fontUrl(file)` gives the
 * address of a font file. Names the PDF does not have are left out, never an error: the page and
 * the PDF are built from the same sheet. Returns { bytes, cut }: `cut` names the fields whose
 * text is too long to show whole on paper even at the smallest size (their value holds it all).
 */
export async function fillPdf({ PDFLib, fontkit, fetchBytes, fontUrl, pdfBytes, values, rtl }) {
  const doc = await PDFLib.PDFDocument.load(pdfBytes, { updateMetadata: false });
  doc.registerFontkit(fontkit);
  const fonts = new Fonts(PDFLib, fontkit, doc, fetchBytes, fontUrl);
  const form = doc.getForm();
  const cut = [];
  for (const field of form.getFields()) {
    const value = values[field.getName()];
    if (field instanceof PDFLib.PDFTextField) {
      const text = typeof value === "string" ? value : "";
      field.setText(text || undefined);
      if (text && !(await drawText(PDFLib, doc, fonts, field, text, rtl))) cut.push(field.getName());
    } else if (field instanceof PDFLib.PDFCheckBox) {
      value === true ? field.check() : field.uncheck();
    } else if (field instanceof PDFLib.PDFRadioGroup) {
      if (field.getOptions().includes(value)) field.select(value);
      else field.clear();
    }
  }
  // The appearances are drawn: a viewer must show them, not redraw them with the form's own
  // font, which holds only the letters printed on the blank sheet.
  form.acroForm.dict.set(PDFLib.PDFName.of("NeedAppearances"), PDFLib.PDFBool.False);
  return { bytes: await doc.save({ updateFieldAppearances: false }), cut };
}

/** The fonts loaded so far, each read and embedded once, picked for each character. */
class Fonts {
  constructor(PDFLib, fontkit, doc, fetchBytes, fontUrl) {
    Object.assign(this, { PDFLib, fontkit, doc, fetchBytes, fontUrl, loaded: new Map() });
  }

  /** The font for one role: { face (fontkit, to ask what it covers), pdf (embedded) }. */
  async get(role) {
    if (!this.loaded.has(role)) {
      this.loaded.set(
        role,
        (async () => {
          const bytes = await this.fetchBytes(this.fontUrl(FONT_FILES[role]));
          const face = this.fontkit.create(new Uint8Array(bytes));
          // Each font is cut down to the letters used, but for Noto Emoji, whose outlines
          // fontkit's subsetter loses (the PDF would show a blank): it is embedded whole.
          const pdf = await this.doc.embedFont(bytes, { subset: role !== "emoji" });
          return { role, face, pdf };
        })(),
      );
    }
    return this.loaded.get(role);
  }

  /** The font to draw character `ch` with: by script, then the first that has it. */
  async forChar(ch) {
    if (HEBREW.test(ch)) return this.get("hebrew");
    if (RTL_SCRIPT.test(ch)) return this.get("arabic");
    if (EMOJI.test(ch) && !DIGIT.test(ch) && ch.codePointAt(0) > 0xff) return this.get("emoji");
    const latin = await this.get("latin");
    if (latin.face.hasGlyphForCodePoint(ch.codePointAt(0))) return latin;
    return this.get("other");
  }
}

/** "R", "L" or "N" (neither: spaces, punctuation), and digits as "D". */
function strength(ch) {
  if (DIGIT.test(ch)) return "D"; // Arabic-Indic digits too: a number reads left to right
  if (RTL_SCRIPT.test(ch)) return "R";
  if (STRONG_LTR.test(ch)) return "L";
  return "N";
}

/**
 * One line of logical text cut into runs { text, font } in visual order, left to right.
 * A simplified form of the Unicode bidirectional algorithm, enough for a line typed into a box:
 * letters keep their script's direction, numbers read left to right, and a space or mark takes
 * the direction of the letters on both sides of it, else the line's. Neighbouring runs of one
 * direction form a group; a right-to-left group's runs go right to left, whatever their fonts.
 */
async function runs(line, rtlLine, fonts) {
  const chars = Array.from(line);
  const kinds = chars.map(strength);
  const side = (k) => (k === undefined ? rtlLine : k === "R");
  const before = [];
  let seen;
  for (const k of kinds) {
    before.push(seen);
    if (k !== "N") seen = k;
  }
  const dirs = new Array(chars.length);
  seen = undefined;
  for (let i = chars.length - 1; i >= 0; i--) {
    const k = kinds[i];
    if (k === "R" || k === "L" || k === "D") dirs[i] = k === "R";
    else dirs[i] = side(before[i]) === side(seen) ? side(seen) : rtlLine;
    if (k !== "N") seen = k;
  }
  const cut = [];
  for (let i = 0; i < chars.length; i++) {
    const last = cut[cut.length - 1];
    // A space or mark stays in the font of the letters before it when that font has it, so that
    // it does not cut a run of Arabic words in two.
    const keepsFont =
      last && last.rtl === dirs[i] && kinds[i] === "N" && last.font.face.hasGlyphForCodePoint(chars[i].codePointAt(0));
    const font = keepsFont ? last.font : await fonts.forChar(chars[i]);
    if (last && last.rtl === dirs[i] && last.font === font) last.chars.push(chars[i]);
    else cut.push({ chars: [chars[i]], rtl: dirs[i], font });
  }
  const groups = [];
  for (const { chars: cs, rtl, font } of cut) {
    // fontkit shapes a run holding Arabic or Hebrew script and turns it round itself: a
    // right-to-left run without such script is turned round here, and a left-to-right run with
    // it (Arabic-Indic digits) is turned round first, so that fontkit puts it back.
    const mirrored = rtl ? cs.map((c) => MIRRORED[c] || c) : cs;
    const turnedByFontkit = cs.some((c) => RTL_SCRIPT.test(c));
    const text = (rtl === turnedByFontkit ? mirrored : [...mirrored].reverse()).join("");
    const group = groups[groups.length - 1];
    if (group && group.rtl === rtl) group.runs.push({ text, font });
    else groups.push({ rtl, runs: [{ text, font }] });
  }
  for (const group of groups) if (group.rtl) group.runs.reverse();
  if (rtlLine) groups.reverse();
  return groups.flatMap((group) => group.runs);
}

function width(run, size) {
  return run.font.pdf.widthOfTextAtSize(run.text, size);
}

/** The direction of a field's text: its first letter's, else the page's (as `dir="auto"`). */
function isRtl(text, pageRtl) {
  const first = Array.from(text).map(strength).find((k) => k === "R" || k === "L");
  return first === undefined ? pageRtl : first === "R";
}

/** Lines of `text` no wider than `room` at `size`, breaking between words where it can. */
async function wrap(text, rtlText, fonts, size, room, multiline) {
  const measure = (line) => lineWidth(line, rtlText, fonts, size);
  if (!multiline) return [text.replace(/\s+/g, " ")];
  const lines = [];
  for (const paragraph of text.split("\n")) {
    let line = "";
    for (const word of paragraph.split(" ")) {
      const tried = line ? `${line} ${word}` : word;
      if (!line || (await measure(tried)) <= room) {
        line = tried;
        continue;
      }
      lines.push(line);
      line = word;
    }
    // A word longer than the box is broken where it has to be, measured letter by letter (a
    // long address or a row of marks must not cost time growing with the cube of its length).
    while (Array.from(line).length > 1 && (await measure(line)) > room) {
      const letters = Array.from(line);
      let used = 0;
      let n = 0;
      for (let next = await measure(letters[0]); n < letters.length && used + next <= room; n++) {
        used += next;
        next = n + 1 < letters.length ? await measure(letters[n + 1]) : 0;
      }
      lines.push(letters.slice(0, Math.max(n, 1)).join(""));
      line = letters.slice(Math.max(n, 1)).join("");
    }
    lines.push(line);
  }
  return lines;
}

/** Draw `text` as the appearance of every widget of text field `field`; false if it did not fit. */
async function drawText(PDFLib, doc, fonts, field, text, pageRtl) {
  let fits = true;
  const rtl = isRtl(text, pageRtl);
  const multiline = field.isMultiline();
  const colour = inkOf(field);
  for (const widget of field.acroField.getWidgets()) {
    const box = uprightBox(widget);
    const room = box.width - 2 * PADDING;
    let size = fontSizeOf(field);
    let lines;
    for (;;) {
      lines = await wrap(text, rtl, fonts, size, room, multiline);
      const tall = lines.length * size * 1.25 + PADDING <= box.height;
      const wide = multiline || (await lineWidth(lines[0], rtl, fonts, size)) <= room;
      if (tall && wide) break;
      if (size <= SMALLEST) {
        fits = false;
        break;
      }
      size -= 0.5;
    }
    const ops = [PDFLib.beginMarkedContent("Tx"), PDFLib.pushGraphicsState()];
    ops.push(PDFLib.rectangle(1, 1, box.width - 2, box.height - 2), PDFLib.clip(), PDFLib.endPath());
    ops.push(PDFLib.beginText(), PDFLib.setFillingRgbColor(...colour));
    const resources = {};
    let y = multiline ? box.height - PADDING - size : (box.height - size) / 2 + size * 0.22;
    for (const line of lines) {
      const placed = await runs(line, rtl, fonts);
      const total = placed.reduce((w, r) => w + width(r, size), 0);
      let x = rtl ? box.width - PADDING - total : PADDING;
      for (const run of placed) {
        resources[run.font.pdf.name] = run.font.pdf.ref;
        ops.push(PDFLib.setFontAndSize(run.font.pdf.name, size));
        ops.push(PDFLib.setTextMatrix(1, 0, 0, 1, x, y));
        ops.push(PDFLib.showText(run.font.pdf.encodeText(run.text)));
        x += width(run, size);
      }
      y -= size * 1.25;
    }
    ops.push(PDFLib.endText(), PDFLib.popGraphicsState(), PDFLib.endMarkedContent());
    const stream = doc.context.formXObject(ops, {
      BBox: [0, 0, box.width, box.height],
      Resources: { Font: resources },
    });
    widget.setNormalAppearance(doc.context.register(stream));
  }
  return fits;
}

/** How wide a line of logical text is at `size`. */
async function lineWidth(line, rtl, fonts, size) {
  return (await runs(line, rtl, fonts)).reduce((w, r) => w + width(r, size), 0);
}

/** A widget's rectangle with its corners in order, written back to the widget: WeasyPrint writes
 * the top edge first, and pdf-lib would then draw an appearance of negative height. */
function uprightBox(widget) {
  const r = widget.getRectangle();
  const box = {
    x: Math.min(r.x, r.x + r.width),
    y: Math.min(r.y, r.y + r.height),
    width: Math.abs(r.width),
    height: Math.abs(r.height),
  };
  widget.setRectangle(box);
  return box;
}

/** The size a field's own default appearance gives its text, 10 if it gives none. */
function fontSizeOf(field) {
  const match = /([\d.]+)\s+Tf/.exec(field.acroField.getDefaultAppearance() || "");
  return match && Number(match[1]) > 0 ? Number(match[1]) : 10;
}

/** The colour a field's default appearance writes in (the sheet's ink), black if none. */
function inkOf(field) {
  const match = /([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+rg/.exec(field.acroField.getDefaultAppearance() || "");
  return match ? match.slice(1, 4).map(Number) : [0, 0, 0];
}
