// Site search: reads the static index in ../search/ (written by site_builder/search/export.py)
// and answers like `site-builder search` (site_builder/search/engine.py): same matching rule,
// same BM25F scores, same order. No framework; every text goes in with textContent.

const BASE = new URL("../search/", import.meta.url);
const SNIPPET_CHARS = 110;
const SNIPPET_LEAD = 24;
const PAGE = 10;
const FILTERS = ["region", "year", "kind"];

const cache = new Map();
function fetchOnce(path, kind) {
  if (!cache.has(path)) {
    cache.set(path, fetch(new URL(path, BASE)).then((r) => {
      if (!r.ok) return kind === "json" ? null : new Uint8Array(0);
      return kind === "json" ? r.json() : r.arrayBuffer().then((b) => new Uint8Array(b));
    }));
  }
  return cache.get(path);
}
const json = (path) => fetchOnce(path, "json");
const bytes = (path) => fetchOnce(path, "bin");

// --- folding: the same character table as analysis.fold_char -------------------------------
let manifest = null;
let ignored = new Set();
let vocabulary = new Set();
const foldTable = new Map();

async function loadFolds(chars) {
  const pages = new Set(manifest.fold_pages);
  const want = new Set();
  for (const c of chars) {
    const page = c.codePointAt(0) >> 8;
    if (c.codePointAt(0) > 0x7f && pages.has(page)) want.add(page);
  }
  await Promise.all([...want].map(async (page) => {
    const pairs = Array.from((await json(`fold/${page}.json`)) || "");
    for (let i = 0; i + 1 < pairs.length; i += 2) foldTable.set(pairs[i], pairs[i + 1]);
  }));
}

function foldChar(c, table) {
  const code = c.codePointAt(0);
  if (code < 0x80) return code >= 65 && code <= 90 ? String.fromCharCode(code + 32) : c;
  return table.get(c) || c;
}

// Normalized form (folded, ignorable characters dropped) with original offsets.
function normalize(text, table = foldTable) {
  const chars = Array.from(text);
  const out = [];
  const offsets = [];
  chars.forEach((c, i) => {
    if (!ignored.has(c)) { out.push(foldChar(c, table)); offsets.push(i); }
  });
  return { chars, norm: out.join(""), normChars: out, offsets };
}

// --- query syntax: the same as query.parse_query -------------------------------------------
function parseQuery(text) {
  const groups = [];
  const filters = {};
  let group = [];
  const re = /"([^"]*)"?|(\S+)/g;
  let m;
  while ((m = re.exec(text || "")) !== null) {
    let quoted = m[1];
    let word = m[2];
    if (word === "OR") { if (group.length) groups.push(group); group = []; continue; }
    let negated = false;
    let raw;
    if (quoted === undefined) {
      if (word.startsWith("-") && word.length > 1) { negated = true; word = word.slice(1); }
      const at = word.indexOf(":");
      if (at > 0) {
        const key = word.slice(0, at).toLowerCase();
        const value = word.slice(at + 1);
        if (FILTERS.includes(key) && value && !negated) { filters[key] = value; continue; }
      }
      raw = word;
    } else {
      raw = quoted;
    }
    group.push({ raw, negated });
  }
  if (group.length) groups.push(group);
  return { groups, filters };
}

// --- binary records: the same layout as grams.py ---------------------------------------------
function uint(view, state) {
  let value = 0;
  let scale = 1;
  for (;;) {
    const b = view[state.i++];
    value += (b & 0x7f) * scale;
    if (b < 0x80) return value;
    scale *= 128;
  }
}

const CRC = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});
function crc32(data) {
  let c = 0xffffffff;
  for (const b of data) c = CRC[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
const encoder = new TextEncoder();

const FAMILY = { d: "g", t: "t", P: "t", p: "p", h: "w", w: "w" };

async function record(kind, term) {
  const key = encoder.encode(term);
  const family = FAMILY[kind];
  const shard = await bytes(`${family}/${crc32(key) % manifest.shards[family]}.bin`);
  const st = { i: 0 };
  const want = kind.charCodeAt(0);
  while (st.i < shard.length) {
    const k = shard[st.i++];
    const n = uint(shard, st);
    const start = st.i;
    st.i += n;
    const size = uint(shard, st);
    if (k === want && n === key.length && key.every((b, j) => shard[start + j] === b)) {
      return shard.subarray(st.i, st.i + size);
    }
    st.i += size;
  }
  return null;
}

// A record is a run of blocks (number, length, bytes); inside a block documents are gaps
// from the block's first document. Layouts as in grams.py.
function decodeBlocks(p, decodeBlock) {
  const out = [];
  if (!p) return out;
  const st = { i: 0 };
  while (st.i < p.length) {
    const base = uint(p, st) * 2 ** manifest.block_bits;
    const size = uint(p, st);
    decodeBlock(p.subarray(st.i, st.i + size), base, out);
    st.i += size;
  }
  return out;
}

function docsBlock(p, base, out) {
  if (p[0] === 1) {
    for (let i = 1; i < p.length; i++) {
      for (let bit = 0; bit < 8; bit++) if (p[i] & (1 << bit)) out.push(base + (i - 1) * 8 + bit);
    }
    return;
  }
  const st = { i: 1 };
  let last = base;
  for (let n = uint(p, st); n > 0; n--) { last += uint(p, st); out.push(last); }
}

function positionsBlock(p, base, out) {
  const st = { i: 0 };
  let last = base;
  for (let n = uint(p, st); n > 0; n--) {
    last += uint(p, st);
    const poses = [];
    let prev = 0;
    for (let k = uint(p, st); k > 0; k--) { prev += uint(p, st); poses.push(prev); }
    out.push([last, poses]);
  }
}

function wordsBlock(p, base, out) {
  const st = { i: 0 };
  let last = base;
  for (let n = uint(p, st); n > 0; n--) {
    last += uint(p, st);
    const tf = uint(p, st);
    out.push([last, tf, p[st.i++]]);
  }
}

// Field lengths as one byte: the same integer table as grams.LENGTHS.
const LENGTHS = Array.from({ length: 128 }, (_, i) => i);
while (LENGTHS.length < 256) {
  const last = LENGTHS[LENGTHS.length - 1];
  LENGTHS.push(last + Math.max(1, last >> 4));
}

function coveringBigrams(term) {
  const offsets = [];
  for (let o = 0; o < term.length - 1; o += 2) offsets.push(o);
  if (offsets[offsets.length - 1] !== term.length - 2) offsets.push(term.length - 2);
  return offsets.map((o) => [o, term.slice(o, o + 2).join("")]);
}

// Documents whose text (title=true: title) contains the normalized term (array of chars).
async function matchDocs(term, title = false) {
  const text = term.join("");
  if (term.length <= 2) return new Set(decodeBlocks(await record(title ? "t" : "d", text), docsBlock));
  if (!title && vocabulary.has(text)) return new Set(decodeBlocks(await record("d", text), docsBlock));
  const lists = await Promise.all(coveringBigrams(term).map(async ([o, gram]) =>
    [o, new Map(decodeBlocks(await record(title ? "P" : "p", gram), positionsBlock))]));
  const out = new Set();
  for (const [d, first] of lists[0][1]) {
    let starts = new Set(first.map((p) => p - lists[0][0]));
    for (const [o, postings] of lists.slice(1)) {
      const poses = postings.get(d);
      if (!poses) { starts = new Set(); break; }
      const here = new Set(poses.map((p) => p - o));
      starts = new Set([...starts].filter((s) => here.has(s)));
      if (!starts.size) break;
    }
    if (starts.size) out.add(d);
  }
  return out;
}

// --- scoring: Whoosh's BM25F, term by term, summed in the same order as engine.py ----------
async function termScores(term) {
  const s = manifest.scoring;
  const text = term.join("");
  const out = new Map();
  const base = s.match + s.title_hit;
  const [titled, titleWords, bodyWords] = await Promise.all(
    [matchDocs(term, true), record("h", text), record("w", text)]);
  for (const d of titled) out.set(d, base);
  const words = new Map();
  for (const [field, payload, boost] of [["title", titleWords, s.title_boost], ["body", bodyWords, 1]]) {
    const postings = decodeBlocks(payload, wordsBlock);
    const idf = Math.log(s.documents / (postings.length + 1)) + 1;
    const avg = s.avg_length[field];
    for (const [d, tf, lengthByte] of postings) {
      const fl = LENGTHS[lengthByte];
      let score = idf * ((tf * (s.k1 + 1)) / (tf + s.k1 * ((1 - s.b) + s.b * fl / avg)));
      if (boost !== 1) score *= boost;
      words.set(d, words.has(d) ? words.get(d) + score : score);
    }
  }
  for (const [d, score] of words) out.set(d, (out.has(d) ? out.get(d) : s.match) + score);
  return out;
}

const rounded = (score) => Math.floor(score * 1e6 + 0.5);

async function allowedDocs(filters) {
  if (!Object.keys(filters).length) return null;
  let allowed = null;
  const keep = (docs) => { allowed = allowed ? new Set(docs.filter((d) => allowed.has(d))) : new Set(docs); };
  if (filters.year) {
    const want = Number(filters.year.trim());
    const runs = manifest.year_runs;
    const docs = [];
    runs.forEach(([year, start], i) => {
      if (year === want) {
        const end = i + 1 < runs.length ? runs[i + 1][1] : manifest.documents;
        for (let d = start; d < end; d++) docs.push(d);
      }
    });
    keep(docs);
  }
  if (filters.kind) {
    const kinds = await bytes("kinds.bin");
    const want = manifest.kinds.indexOf(filters.kind.trim().toLowerCase());
    keep([...kinds.keys()].filter((d) => kinds[d] === want));
  }
  if (filters.region) {
    let value = filters.region.trim().replace(/^\/+|\/+$/g, "");
    const aliases = (await json("aliases.json")) || {};
    if (aliases[value]) value = aliases[value];
    const [districts, names] = await Promise.all([bytes("districts.bin"), json("districts.json")]);
    const docs = [];
    for (let d = 0; d < manifest.documents; d++) {
      const path = names[districts[2 * d] | (districts[2 * d + 1] << 8)];
      if (path === value || path.startsWith(value + "/")) docs.push(d);
    }
    keep(docs);
  }
  return allowed;
}

async function runQuery(text) {
  const parsed = parseQuery(text);
  await loadFolds(Array.from(parsed.groups.flat().map((t) => t.raw).join("")));
  const groups = parsed.groups
    .map((g) => g.map((t) => ({ term: normalize(t.raw).normChars, negated: t.negated }))
      .filter((t) => t.term.length))
    .filter((g) => g.some((t) => !t.negated));
  if (!groups.length && !Object.keys(parsed.filters).length) return { empty: true, groups };
  const matched = new Map();
  const docs = (term) => {
    const key = term.join("");
    if (!matched.has(key)) matched.set(key, matchDocs(term));
    return matched.get(key);
  };
  const perTerm = new Map();
  // Every fetch the query needs starts now, in parallel; the steps below await them in order.
  for (const group of groups) {
    for (const t of group) {
      docs(t.term);
      const key = t.term.join("");
      if (!t.negated && !perTerm.has(key)) perTerm.set(key, termScores(t.term));
    }
  }
  bytes("places.bin");
  const allowed = await allowedDocs(parsed.filters);
  const scores = new Map();
  if (!groups.length) for (const d of allowed || []) scores.set(d, 0);
  for (const group of groups) {
    const positive = group.filter((t) => !t.negated).map((t) => t.term);
    const sets = await Promise.all(positive.map(docs));
    let found = [...sets[0]].filter((d) => sets.every((s) => s.has(d)));
    for (const t of group.filter((t) => t.negated)) {
      const out = await docs(t.term);
      found = found.filter((d) => !out.has(d));
    }
    if (allowed) found = found.filter((d) => allowed.has(d));
    for (const term of positive) {
      const key = term.join("");
      if (!perTerm.has(key)) perTerm.set(key, termScores(term));
    }
    const termMaps = await Promise.all(positive.map((t) => perTerm.get(t.join(""))));
    for (const d of found) {
      let groupScore = 0;
      for (const m of termMaps) groupScore += m.has(d) ? m.get(d) : manifest.scoring.match;
      scores.set(d, (scores.has(d) ? scores.get(d) : 0) + groupScore);
    }
  }
  const keys = new Map([...scores].map(([d, score]) => [d, rounded(score)]));
  const ranked = [...scores.keys()].sort((a, b) => keys.get(b) - keys.get(a) || a - b);
  const terms = [...new Set(groups.flat().filter((t) => !t.negated).map((t) => t.term.join("")))];
  return { ranked, scores, terms, groups, filters: parsed.filters };
}

// --- facets ----------------------------------------------------------------------------------
async function facets(ranked) {
  const places = await bytes("places.bin");
  const province = new Map();
  const city = new Map();
  const year = new Map();
  const runs = manifest.year_runs;
  const bump = (m, k) => m.set(k, (m.get(k) || 0) + 1);
  for (const d of ranked) {
    const path = manifest.places[manifest.place_bytes === 1 ? places[d] : places[2 * d] | (places[2 * d + 1] << 8)];
    const [p, c] = path.split("/");
    bump(province, p);
    if (c) bump(city, `${p}/${c}`);
    let lo = 0;
    while (lo + 1 < runs.length && runs[lo + 1][1] <= d) lo++;
    bump(year, String(runs[lo][0]));
  }
  const sorted = (m) => [...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return { province: sorted(province), city: sorted(city), year: sorted(year) };
}

// --- snippets: the same window as engine.make_snippet ---------------------------------------
function findMarks(text, terms, table) {
  const { norm, normChars, offsets } = normalize(text, table);
  const spans = [];
  for (const term of terms) {
    const t = Array.from(term);
    let from = 0;
    for (;;) {
      const at = norm.indexOf(term, from);
      if (at < 0) break;
      const start = Array.from(norm.slice(0, at)).length;  // code points, not UTF-16 units
      spans.push([offsets[start], offsets[start + t.length - 1] + 1]);
      from = at + 1;
    }
  }
  void normChars;
  spans.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const merged = [];
  for (const [a, b] of spans) {
    if (merged.length && a <= merged[merged.length - 1][1]) {
      merged[merged.length - 1][1] = Math.max(merged[merged.length - 1][1], b);
    } else merged.push([a, b]);
  }
  return merged;
}

function snippet(text, terms, table) {
  const chars = Array.from(text);
  const marks = findMarks(text, terms, table);
  let start = marks.length ? Math.max(0, marks[0][0] - SNIPPET_LEAD) : 0;
  const end = Math.min(chars.length, start + SNIPPET_CHARS);
  if (end - start < SNIPPET_CHARS) start = Math.max(0, end - SNIPPET_CHARS);
  const prefix = start > 0 ? "…" : "";
  const suffix = end < chars.length ? "…" : "";
  const shift = prefix.length - start;
  const inside = marks.filter(([a, b]) => a < end && b > start)
    .map(([a, b]) => [Math.max(a, start) + shift, Math.min(b, end) + shift]);
  return { text: prefix + chars.slice(start, end).join("") + suffix, marks: inside };
}

function marked(parent, text, marks) {
  const chars = Array.from(text);
  let last = 0;
  for (const [a, b] of marks) {
    parent.append(chars.slice(last, a).join(""));
    const m = document.createElement("mark");
    m.textContent = chars.slice(a, b).join("");
    parent.append(m);
    last = b;
  }
  parent.append(chars.slice(last).join(""));
}

// --- page ------------------------------------------------------------------------------------
function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

const root = document.getElementById("search");
let shown = PAGE;
let current = null;
let seq = 0;

function ui() {
  const form = el("form", { class: "search-form", role: "search", action: "" });
  const input = el("input", { type: "search", name: "q", id: "q", "aria-label": "搜索",
    placeholder: "送温暖 快递小哥 region:江苏 year:2024", autocomplete: "off" });
  const button = el("button", { type: "submit" }, "搜索");
  form.append(input, button);
  const status = el("p", { class: "search-status", role: "status", "aria-live": "polite" });
  const layout = el("div", { class: "search-layout" });
  const results = el("ol", { class: "search-results" });
  const side = el("aside", { class: "search-facets", "aria-label": "筛选" });
  const more = el("button", { type: "button", class: "search-more", hidden: "" }, "更多结果");
  const main = el("div");
  main.append(results, more);
  layout.append(main, side);
  root.append(form, status, layout);
  return { form, input, status, results, side, more };
}

async function show(view, query, { push = false } = {}) {
  const mine = ++seq;
  root.dataset.state = "busy";
  const url = new URL(location.href);
  if (query) url.searchParams.set("q", query); else url.searchParams.delete("q");
  if (url.href !== location.href) history[push ? "pushState" : "replaceState"](null, "", url);
  view.input.value = query;
  document.title = query ? `${query} · 搜索` : document.title;
  if (!query.trim()) {
    clear(view);
    view.status.textContent = "输入词语开始搜索。";
    root.dataset.state = "done";
    return;
  }
  view.status.textContent = "正在搜索…";
  let answer;
  try {
    answer = await runQuery(query);
  } catch (err) {
    if (mine === seq) view.status.textContent = "搜索索引无法读取，请稍后再试。";
    throw err;
  }
  if (mine !== seq) return;
  current = answer;
  shown = PAGE;
  await render(view, answer, mine);
  if (mine === seq) root.dataset.state = "done";  // tests and scripts wait for this
}

function clear(view) {
  view.results.replaceChildren();
  view.side.replaceChildren();
  view.more.hidden = true;
}

async function render(view, answer, mine) {
  if (answer.empty) {
    clear(view);
    view.status.textContent = "没有可搜索的词：请输入词语、\"短语\"，或 region:、year:。";
    return;
  }
  const total = answer.ranked.length;
  if (!total) {
    clear(view);
    view.status.textContent = "没有找到结果。";
    const help = el("li", { class: "search-help" });
    help.append(el("p", {}, "试试：减少词语、换一个更短的词（如“温暖”而非“送温暖活动”）、去掉 region: 或 year: 筛选，或按地区、年份浏览。"));
    view.results.replaceChildren(help);
    view.side.replaceChildren();
    view.more.hidden = true;
    return;
  }
  const top = answer.ranked.slice(0, shown);
  const [docs, counts] = await Promise.all([
    Promise.all(top.map((d) => json(`doc/${d}.json`))),
    facets(answer.ranked),
  ]);
  if (mine !== seq) return;
  view.status.textContent = `找到 ${total} 篇`;
  const items = top.map((d, i) => {
    const doc = docs[i];
    const table = new Map(foldTable);
    const pairs = Array.from(doc.f || "");
    for (let k = 0; k + 1 < pairs.length; k += 2) table.set(pairs[k], pairs[k + 1]);
    const li = el("li", { class: "search-hit" });
    const link = el("a", { href: new URL(doc.u, new URL("../", BASE)).href, class: "article-link" });
    marked(link, doc.t, findMarks(doc.t, answer.terms, table));
    const meta = el("span", { class: "meta" }, `${doc.r} · ${doc.d || doc.y}`);
    const snip = snippet(doc.x, answer.terms, table);
    const p = el("p", { class: "summary" });
    marked(p, snip.text, snip.marks);
    li.dataset.score = String(answer.scores.get(d));
    li.append(link, meta, p);
    return li;
  });
  view.results.replaceChildren(...items);
  view.more.hidden = shown >= total;
  renderFacets(view, counts, answer);
}

function renderFacets(view, counts, answer) {
  const blocks = [];
  const add = (title, key, entries, label = (k) => k) => {
    if (!entries.length) return;
    const box = el("section", { class: "facet" });
    box.append(el("h2", {}, title));
    const ul = el("ul");
    for (const [value, n] of entries.slice(0, 30)) {
      const li = el("li");
      const active = answer.filters[key] === value;
      const b = el("button", { type: "button", "data-facet": key, "data-value": value,
        "aria-pressed": String(active) });
      b.append(label(value), " ", el("span", { class: "count" }, `(${n})`));
      li.append(b);
      ul.append(li);
    }
    box.append(ul);
    blocks.push(box);
  };
  add("年份", "year", counts.year);
  add("省份", "region", counts.province);
  add("城市", "region", counts.city, (k) => k.split("/")[1]);
  view.side.replaceChildren(...blocks);
}

function withFilter(query, key, value) {
  const parts = query.match(/"[^"]*"?|\S+/g) || [];
  const kept = parts.filter((p) => !p.toLowerCase().startsWith(`${key}:`));
  const had = parts.length !== kept.length && parts.includes(`${key}:${value}`);
  if (!had) kept.push(`${key}:${value}`);
  return kept.join(" ");
}

async function main() {
  if (!root) return;
  manifest = await json("manifest.json");
  if (!manifest) { root.append(el("p", {}, "搜索索引缺失：请先运行 site-builder build。")); return; }
  ignored = new Set(Array.from(manifest.ignored));
  vocabulary = new Set(manifest.vocabulary);
  const view = ui();
  view.form.addEventListener("submit", (e) => {
    e.preventDefault();
    show(view, view.input.value, { push: true });
  });
  let timer = 0;
  view.input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => show(view, view.input.value), 150);
  });
  view.side.addEventListener("click", (e) => {
    const b = e.target.closest("button[data-facet]");
    if (b) show(view, withFilter(view.input.value, b.dataset.facet, b.dataset.value), { push: true });
  });
  view.more.addEventListener("click", () => {
    shown += PAGE;
    if (current) render(view, current, seq);
  });
  root.addEventListener("keydown", (e) => {
    if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
    const links = [view.input, ...view.results.querySelectorAll("a")];
    const at = links.indexOf(document.activeElement);
    if (at < 0) return;
    const next = links[at + (e.key === "ArrowDown" ? 1 : -1)];
    if (next) { e.preventDefault(); next.focus(); }
  });
  window.addEventListener("popstate", () => show(view, new URL(location.href).searchParams.get("q") || ""));
  const header = document.getElementById("site-search");
  const q = new URL(location.href).searchParams.get("q") || "";
  if (header) header.value = q;
  view.input.focus();
  await show(view, q);
}

main();

export { normalize, parseQuery, runQuery };
