// The identify page: take a picture (drop, pick, paste), POST it to /api/identify, and show
// the answer: the picture with every character box, each region's candidates written in
// themselves, look-alikes, notices. Data only ever reaches the page through textContent,
// attributes set as properties, and CSSOM: never as HTML.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const { el, specimen } = FFF;
  const PANGRAM = "Sphinx of black quartz, judge my vow. 0123456789";
  let busy = false;
  let pictureUrl = null;
  let maxBytes = Infinity;  // the server's upload limit, from /healthz

  // ------------------------------------------------------------------ input
  function setup() {
    const drop = $("drop");
    const input = $("file");
    input.addEventListener("change", () => input.files[0] && send(input.files[0]));
    drop.addEventListener("keydown", (e) => {
      if (e.key === "Enter" || e.key === " ") { e.preventDefault(); input.click(); }
    });
    ["dragenter", "dragover"].forEach((t) => document.addEventListener(t, (e) => {
      e.preventDefault();
      drop.classList.add("over");
    }));
    ["dragleave", "dragend"].forEach((t) => document.addEventListener(t, (e) => {
      if (!e.relatedTarget) drop.classList.remove("over");
    }));
    document.addEventListener("drop", (e) => {
      e.preventDefault();
      drop.classList.remove("over");
      const f = e.dataTransfer && e.dataTransfer.files[0];
      if (f) send(f);
    });
    document.addEventListener("paste", (e) => {
      const items = (e.clipboardData && e.clipboardData.items) || [];
      for (const it of items) {
        if (it.kind === "file" && it.type.startsWith("image/")) {
          e.preventDefault();
          send(it.getAsFile());
          return;
        }
      }
    });
    FFF.loadCatalog();
    fetch("/healthz").then((r) => r.json()).then((h) => {
      if (typeof h.max_upload_mb === "number") {
        maxBytes = h.max_upload_mb * 1024 * 1024;
        $("limit").textContent = `${h.max_upload_mb} MB`;
      }
    }).catch(() => {});
  }

  function status(text) {
    $("status").hidden = !text;
    $("status-text").textContent = text || "";
  }

  function showError(message) {
    const text = message ? message.charAt(0).toUpperCase() + message.slice(1) : "";
    $("error").hidden = !text;
    $("error").textContent = text;
  }

  // ------------------------------------------------------------------ request
  async function send(file) {
    if (busy) return;
    if (file.size > maxBytes) {
      showError(`This file is ${(file.size / 1048576).toFixed(1)} MB; the limit is ${$("limit").textContent}.`);
      return;
    }
    busy = true;
    showError("");
    status("Reading the text and comparing every character…");
    document.body.classList.add("has-result");
    if (pictureUrl) URL.revokeObjectURL(pictureUrl);
    pictureUrl = URL.createObjectURL(file);
    const form = new FormData();
    form.append("file", file, file.name || "pasted.png");
    let data = null;
    try {
      const r = await post(form);
      data = await r.json().catch(() => null);
      if (!data) throw new Error(`The server answered ${r.status} without a result; try again.`);
      if (data.error) throw new Error(data.error);
      window.fffResult = data;
      render(data);
    } catch (e) {
      window.fffResult = data;
      $("result").hidden = true;
      showError(e instanceof TypeError ? "The server could not be reached; try again." : e.message);
    } finally {
      status("");
      busy = false;
      $("file").value = "";
    }
  }

  // A full queue answers 503 + Retry-After: wait as told and try again, a few times.
  async function post(form) {
    for (let attempt = 1; ; attempt++) {
      const r = await fetch("/api/identify", { method: "POST", body: form });
      const wait = Number(r.headers.get("Retry-After"));
      if (r.status !== 503 || !wait || attempt >= 4) return r;
      for (let left = Math.min(wait, 60); left > 0; left--) {
        status(`The server is busy; trying again in ${left} s…`);
        await new Promise((done) => setTimeout(done, 1000));
      }
      status("Reading the text and comparing every character…");
    }
  }

  // ------------------------------------------------------------------ result
  function render(j) {
    const img = $("picture");
    img.onload = () => {
      // Small screenshots are shown larger (boxes and letters stay readable).
      const w = img.naturalWidth;
      img.style.width = w && w < 480 ? `${Math.min(480, 4 * w)}px` : "";
      drawBoxes(j, w, img.naturalHeight);
    };
    img.src = pictureUrl;
    $("read-text").textContent = j.text ? j.text : "no text found";
    $("glyph-count").textContent = j.glyphs.length ? `· ${j.glyphs.length} characters as evidence` : "";
    renderNotice(j);
    renderWarnings(j.warnings);
    const regions = $("regions");
    regions.replaceChildren();
    if (!j.fonts.length) {
      regions.append(el("p", "panel empty", "No text was found in this picture. Try a tighter crop "
        + "with larger, sharper letters."));
    }
    orderedRegions(j).forEach(({ region, index, main }, k, all) => {
      regions.append(regionSection(j, region, index, main, all.length));
    });
    $("result").hidden = false;
    document.body.classList.add("has-result");
  }

  function renderNotice(j) {
    const n = $("notice");
    const p = j.in_catalog;
    n.hidden = !(typeof p === "number" && p < 0.5);
    if (!n.hidden) {
      n.textContent = `This font is probably not in the catalog (${Math.round(p * 100)}% that it is one the tool knows): `
        + "the fonts below, and their scores, compare known fonts only: they are the closest free matches, "
        + "not the font itself.";
    }
  }

  function renderWarnings(list) {
    const ul = $("warnings");
    ul.replaceChildren(...(Array.isArray(list) ? list : []).map((w) => el("li", "", String(w))));
    ul.hidden = !ul.children.length;
  }

  // The main region (the one `fonts` describes) first, then the others in reading order.
  function orderedRegions(j) {
    const key = (fs) => fs.map((f) => f.family).join(",");
    const top = key(j.fonts);
    let mainIndex = j.regions.findIndex((r) => key(r.fonts) === top);
    if (mainIndex < 0 && j.regions.length) mainIndex = 0;
    const out = j.regions.map((region, index) => ({ region, index, main: index === mainIndex }));
    return out.sort((a, b) => Number(b.main) - Number(a.main));
  }

  // The text read in a region: the stretch of `text` its glyphs came from, when the glyphs
  // spell `text` (spaces aside); else its letters, spaced where the gap is word-sized.
  function regionText(j, region) {
    const gs = region.glyphs.map((i) => j.glyphs[i]).filter(Boolean);
    if (!gs.length) return j.text;
    const pos = [];
    for (let k = 0; k < j.text.length; k++) if (!/\s/.test(j.text[k])) pos.push(k);
    if (pos.length === j.glyphs.length && j.glyphs.every((g, i) => g.char === j.text[pos[i]])) {
      const first = Math.min(...region.glyphs);
      const last = Math.max(...region.glyphs);
      return j.text.slice(pos[first], pos[last] + 1).replace(/\s+/g, " ").slice(0, 120);
    }
    const hs = gs.map((g) => g.box[3] - g.box[1]).sort((a, b) => a - b);
    const h = hs[Math.floor(hs.length / 2)] || 1;
    let out = "";
    gs.forEach((g, k) => {
      const prev = gs[k - 1];
      if (prev && (g.box[0] - prev.box[2] > 0.45 * h || g.box[1] > prev.box[3])) out += " ";
      out += g.char;
    });
    return out.slice(0, 120);
  }

  function regionSection(j, region, index, main, total) {
    const fonts = main ? j.fonts : region.fonts;
    const sec = el("section", "region");
    sec.dataset.region = String(index);
    if (total > 1) {
      sec.append(el("h2", "region-title", main ? "Main text" : `Other text · region ${index + 1}`));
      sec.addEventListener("mouseenter", () => highlightRegion(index, true));
      sec.addEventListener("mouseleave", () => highlightRegion(index, false));
    }
    const text = regionText(j, region) || j.text;
    if (!main && typeof region.in_catalog === "number" && region.in_catalog < 0.5) {
      sec.append(el("p", "notice", `This text's font is probably not in the catalog (${Math.round(region.in_catalog * 100)}% `
        + "that it is one the tool knows): the scores below compare known fonts only, so they are its closest "
        + "free matches."));
    }
    if (!fonts.length) return sec;
    const own = Array.isArray(region.glyphs) ? region.glyphs : null;  // this text's characters only
    const winner = candidate(j, fonts[0], 1, text, true, own);
    const typo = typographyBlock(region);
    if (typo) winner.append(typo);
    sec.append(winner);
    const similar = fonts[0].similar;
    if (Array.isArray(similar) && similar.length) sec.append(similarBlock(similar, fonts[0], text));
    if (fonts.length > 1) {
      const list = el("div", "runners");
      list.append(el("h3", "runners-title", "Other candidates"));
      fonts.slice(1).forEach((f, k) => list.append(candidate(j, f, k + 2, text, false, own)));
      sec.append(list);
    }
    return sec;
  }

  function percent(p) {
    if (p > 0 && p < 0.005) return "<1%";
    return p >= 0.995 && p < 1 ? ">99%" : `${Math.round(p * 100)}%`;
  }

  function styleLine(f) {
    if (typeof f.weight !== "number") return "style not estimated for this region";
    const width = typeof f.width === "number" ? ` · Width ${f.width}%` : "";
    return `Weight ${f.weight}${width} · ${f.italic ? "Italic" : "Upright"}`;
  }

  // The region's measured typography (size, spacing, colours, case) and its CSS, when the
  // JSON carries them.
  function typographyBlock(region) {
    if (typeof region.css !== "string" && typeof region.size_px !== "number") return null;
    const box = el("div", "typo");
    const facts = el("p", "typo-facts");
    const add = (label, value) => facts.append(el("span", "fact", `${label} ${value}`));
    if (typeof region.size_px === "number") add("Size", `${region.size_px} px`);
    if (typeof region.letter_spacing_em === "number") add("Letter spacing", `${region.letter_spacing_em} em`);
    if (typeof region.line_height === "number") add("Line height", String(region.line_height));
    if (typeof region.case === "string") add("Case", region.case);
    if (Array.isArray(region.decorations) && region.decorations.length) add("Drawn with", region.decorations.join(", "));
    for (const key of ["color", "background"]) {
      if (typeof region[key] !== "string") continue;
      const fact = el("span", "fact", `${key === "color" ? "Ink" : "Paper"} ${region[key]}`);
      const sw = el("i", "swatch");
      sw.style.backgroundColor = region[key];  // CSSOM: an invalid value is simply ignored
      fact.prepend(sw);
      facts.append(fact);
    }
    box.append(facts);
    if (typeof region.css === "string") {
      const details = el("details", "css");
      details.append(el("summary", "", "CSS for this text"));
      const code = [region.css_import, region.css].filter((x) => typeof x === "string").join("\n\n");
      details.append(el("pre", "", code));
      const copy = el("button", "copy", "Copy CSS");
      copy.type = "button";
      copy.addEventListener("click", () => navigator.clipboard.writeText(code)
        .then(() => { copy.textContent = "Copied"; }).catch(() => { copy.textContent = "Select and copy"; }));
      details.append(copy);
      box.append(details);
    }
    return box;
  }

  function candidate(j, f, rank, text, winner, own) {
    const weight = typeof f.weight === "number" ? f.weight : 400;
    const italic = Boolean(f.italic);
    const card = el("article", winner ? "cand winner" : "cand");
    card.dataset.family = f.family;
    const head = el("header", "cand-head");
    head.append(el("span", "rank", String(rank)));
    const title = el("div", "cand-title");
    title.append(el("h3", "cand-name", f.name), el("p", "cand-meta", styleLine(f)));
    head.append(title);
    const pct = Math.max(0, Math.min(1, Number(f.score) || 0));
    const score = el("div", "score");
    score.append(el("span", "score-num", percent(pct)));
    const meter = el("span", "meter");
    const fill = el("i");
    fill.style.width = `${Math.max(2, pct * 100)}%`;
    meter.append(fill);
    score.append(meter);
    head.append(score);
    card.append(head);
    card.append(specimen(f.family, weight, italic, text || f.name, winner ? 52 : 26, "read"));
    card.append(specimen(f.family, weight, italic, PANGRAM, winner ? 22 : 15, "pangram"));
    const mine = own ? own.map((i) => j.glyphs[i]).filter(Boolean) : j.glyphs;
    const votes = mine.filter((g) => g.best_family === f.family).length;
    card.append(el("p", "votes", votes ? `${votes} of ${mine.length} characters voted for it`
      : "no character voted for it alone"));
    card.addEventListener("mouseenter", () => highlightFamily(f.family));
    card.addEventListener("mouseleave", () => highlightFamily(null));
    card.addEventListener("focusin", () => highlightFamily(f.family));
    card.addEventListener("focusout", () => highlightFamily(null));
    card.tabIndex = 0;
    return card;
  }

  function similarBlock(similar, winner, text) {
    const box = el("div", "similar");
    box.append(el("h3", "similar-title", `Closest free alternatives to ${winner.name}`));
    const row = el("div", "similar-row");
    similar.slice(0, 6).forEach((s) => {
      const chip = el("div", "chip");
      chip.dataset.family = String(s.family);
      const head = el("div", "chip-head");
      head.append(el("span", "chip-name", String(s.name || s.family)));
      if (typeof s.similarity === "number") head.append(el("span", "chip-sim", `${Math.round(s.similarity * 100)}%`));
      if (s.free === false) head.append(el("span", "badge", "check its licence"));
      chip.append(head, specimen(String(s.family), 400, false, text.slice(0, 28) || "Aa", 24, "chip-spec"));
      row.append(chip);
    });
    box.append(row);
    return box;
  }

  // ------------------------------------------------------------------ overlay
  function pct(v, total) { return `${(100 * v) / total}%`; }

  function place(node, box, w, h) {
    node.style.left = pct(box[0], w);
    node.style.top = pct(box[1], h);
    node.style.width = pct(box[2] - box[0], w);
    node.style.height = pct(box[3] - box[1], h);
  }

  function drawBoxes(j, w, h) {
    const ov = $("overlay");
    ov.replaceChildren();
    if (!w || !h) return;
    // Green where a glyph's own best font is its region's winner.
    const winnerOf = new Map();
    j.regions.forEach((r) => r.glyphs.forEach((i) => winnerOf.set(i, r.fonts.length ? r.fonts[0].family : null)));
    const overall = j.fonts.length ? j.fonts[0].family : null;
    if (j.regions.length > 1) {
      j.regions.forEach((r, k) => {
        const rb = el("div", "region-box");
        rb.dataset.region = String(k);
        place(rb, r.box, w, h);
        rb.append(el("span", "region-tag", String(k + 1)));
        ov.append(rb);
      });
    }
    // Letter labels scale with the glyphs on screen; where they would collide they alternate
    // above and below the boxes.
    const scale = (document.getElementById("picture").clientWidth || w) / w;
    const widths = j.glyphs.map((g) => (g.box[2] - g.box[0]) * scale).sort((a, b) => a - b);
    const mid = widths[Math.floor(widths.length / 2)] || 20;
    const size = Math.max(8, Math.min(12, Math.round(mid * 0.8)));
    ov.style.setProperty("--label", `${size}px`);
    const half = (0.62 * size + 6) / 2;  // half a label's width on screen, px
    const rowEnd = { above: new Map(), below: new Map() };  // per text line: right end of the last label
    j.glyphs.forEach((g, i) => {
      const winner = winnerOf.has(i) ? winnerOf.get(i) : overall;
      const b = el("div", g.best_family === winner ? "box agree" : "box other");
      b.dataset.family = g.best_family;
      b.dataset.index = String(i);
      place(b, g.box, w, h);
      b.title = `“${g.char}”: closest font ${g.best_family}, OCR confidence ${Math.round(g.ocr_confidence * 100)}%`;
      const label = el("span", "box-char", g.char);
      const centre = ((g.box[0] + g.box[2]) / 2) * scale;
      const line = Math.round(g.box[3] / Math.max(1, g.box[3] - g.box[1]));
      const fits = (row) => (rowEnd[row].get(line) ?? -Infinity) <= centre - half;
      const row = fits("above") || !fits("below") ? "above" : "below";
      rowEnd[row].set(line, centre + half);
      if (row === "below") label.classList.add("below");
      b.append(label);
      ov.append(b);
    });
  }

  function highlightFamily(family) {
    const ov = $("overlay");
    ov.classList.toggle("focus", Boolean(family));
    ov.querySelectorAll(".box").forEach((b) => b.classList.toggle("hl", b.dataset.family === family));
  }

  function highlightRegion(index, on) {
    $("overlay").querySelectorAll(".region-box").forEach((b) => {
      b.classList.toggle("hl", on && b.dataset.region === String(index));
    });
  }

  setup();
})();
