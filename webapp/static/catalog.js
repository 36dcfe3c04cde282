// The catalog page: a specimen of every family, searchable by name. Font files load only
// when a card scrolls into view.
"use strict";

(() => {
  const { el, specimen } = FFF;
  const LINE = "Sphinx of black quartz, judge my vow";
  const grid = document.getElementById("families");
  const count = document.getElementById("count");
  const search = document.getElementById("search");
  const cards = [];

  function regularWeight(f) {
    return f.weights.includes(400) ? 400 : f.weights.reduce((a, b) => (Math.abs(b - 400) < Math.abs(a - 400) ? b : a));
  }

  const observer = new IntersectionObserver((entries) => {
    entries.forEach((e) => {
      if (!e.isIntersecting || e.target.dataset.drawn) return;
      e.target.dataset.drawn = "1";
      observer.unobserve(e.target);
      const f = e.target.fff;
      const w = regularWeight(f);
      e.target.append(specimen(f.family, w, false, f.name, 34, "big"), specimen(f.family, w, false, LINE, 16, "line"));
    });
  }, { rootMargin: "300px" });

  function card(f) {
    const c = el("article", "family");
    c.fff = f;
    c.dataset.family = f.family;
    const head = el("div", "family-head");
    head.append(el("span", "family-name", f.name),
      el("span", "", `${f.weights.length} weight${f.weights.length > 1 ? "s" : ""}${f.italic ? " · italic" : ""}`));
    c.append(head);
    observer.observe(c);
    return c;
  }

  function filter() {
    const q = search.value.trim().toLowerCase();
    let shown = 0;
    cards.forEach((c) => {
      const hit = !q || c.fff.name.toLowerCase().includes(q) || c.fff.family.includes(q);
      c.hidden = !hit;
      shown += hit ? 1 : 0;
    });
    count.textContent = q ? `${shown} of ${cards.length} families` : `${cards.length} families`;
  }

  FFF.loadCatalog().then((cat) => {
    [...cat.values()].sort((a, b) => a.name.localeCompare(b.name)).forEach((f) => {
      const c = card(f);
      cards.push(c);
      grid.append(c);
    });
    filter();
  });
  search.addEventListener("input", filter);
})();
