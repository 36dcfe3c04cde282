// Font helpers shared by the identify and catalog pages. Every candidate is shown in its
// own font: the server's font file is loaded with the FontFace API (the script form of
// @font-face) under a unique family name per family, weight and slant. A family whose
// files the browser cannot use is drawn by the server as a PNG instead.
"use strict";

const FFF = (() => {
  const ID = /^[a-z0-9][a-z0-9-]*$/;  // font ids from the catalog; anything else is never used
  let catalog = null;  // Promise<Map<id, entry>>
  const faces = new Map();  // face name -> Promise<string|null>

  function loadCatalog() {
    if (!catalog) {
      catalog = fetch("/api/fonts")
        .then((r) => (r.ok ? r.json() : { fonts: [] }))
        .then((j) => new Map(j.fonts.map((f) => [f.family, f])))
        .catch(() => new Map());
    }
    return catalog;
  }

  function faceName(id, weight, italic) {
    return `fff-${id}-${weight}-${italic ? "italic" : "normal"}`;
  }

  // Resolves to the CSS family name once the font file has loaded, or null.
  function face(id, weight, italic) {
    if (!ID.test(id)) return Promise.resolve(null);
    const name = faceName(id, weight, italic);
    if (!faces.has(name)) {
      const url = `/fonts/${encodeURIComponent(id)}/${weight}/${italic ? "italic" : "normal"}`;
      const f = new FontFace(name, `url("${url}")`, {
        weight: String(weight), style: italic ? "italic" : "normal", display: "block",
      });
      faces.set(name, f.load().then((loaded) => {
        document.fonts.add(loaded);
        return name;
      }).catch(() => null));
    }
    return faces.get(name);
  }

  function specimenUrl(id, weight, italic, text, size) {
    const q = new URLSearchParams({ text, size: String(size) });
    return `/api/specimen/${encodeURIComponent(id)}/${weight}/${italic ? "italic" : "normal"}.png?${q}`;
  }

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // A line of `text` in font `id`: a web font when the server has one, else a server-drawn
  // PNG, else the page's own font with a note. Returns the element at once; the font swaps
  // in when loaded. `size` in px.
  function specimen(id, weight, italic, text, size, cls) {
    const box = el("div", `specimen ${cls || ""}`);
    const line = el("span", "specimen-text", text);
    line.style.fontSize = `${size}px`;
    box.append(line);
    box.dataset.family = id;
    box.dataset.state = "loading";
    loadCatalog().then((cat) => {
      const entry = cat.get(id);
      if (entry && entry.webfont) {
        return face(id, weight, italic).then((name) => {
          if (name) {
            line.style.fontFamily = `"${name}", system-ui, sans-serif`;
            line.style.fontWeight = String(weight);
            line.style.fontStyle = italic ? "italic" : "normal";
            box.dataset.state = "webfont";
            box.dataset.face = name;
          } else {
            toImage(box, line, id, weight, italic, text, size);
          }
        });
      }
      if (entry && entry.files) return toImage(box, line, id, weight, italic, text, size);
      box.dataset.state = "missing";
      box.append(el("span", "badge", "font files not on this server"));
      return null;
    });
    return box;
  }

  function toImage(box, line, id, weight, italic, text, size) {
    const img = el("img", "specimen-img");
    img.alt = text;
    img.src = specimenUrl(id, weight, italic, text, size);
    img.style.height = `${Math.round(size * 1.4)}px`;
    img.onload = () => { box.dataset.state = "image"; };
    img.onerror = () => {
      box.dataset.state = "missing";
      img.remove();
      box.append(line, el("span", "badge", "cannot be drawn here"));
    };
    line.replaceWith(img);
  }

  return { loadCatalog, face, faceName, specimen, el };
})();
