// Site search: reads the static index in ../search/ (written by site_builder/search/export.py)
// and answers like `site-builder search` (site_builder/search/engine.py): same matching rule,
// same BM25F scores, same order. No framework; every text goes in with textContent.
//
// Time to first results is mostly round trips in series, so a query waits for as few as it
// can: the page carries the manifest (data-manifest, written by the build once the index is),
// the query's shards go out first (lengths.bin with them; fold pages and places.bin after),
// and each hit is shown as soon as it and the hits above it have arrived. Document sets are
// bitmaps and scores typed arrays: one pass each.
//
// A classic deferred script, not a module: Chromium ran a module 10-20 ms after its bytes
// were in (module map, instantiation), a deferred script at once — and a reload or a return
// to the same query is drawn from what the tab remembers as soon as the script runs.

(() => {
  "use strict";

  // (An older search.html loads this file as a module, where there is no currentScript.)
  const BASE = new URL("../search/", (document.currentScript
    || document.querySelector('script[src$="static/search.js"]')).src);
  const PAGE = 10;

  const cache = new Map();
  // priority "low": not needed for the first hits (HTTP/1.1 hosts give a page 6 connections).
  function fetchOnce(path, kind, priority = "auto") {
    if (!cache.has(path)) {
      cache.set(path, FROM_FOLDER ? scriptChunk(path, kind) : fetchFile(path, kind, priority));
    }
    return cache.get(path);
  }

  // --- transport: how the index's files reach the page ------------------------------------------
  // Over http(s) they are fetched. Opened from a folder (file://), a page may not fetch, but it
  // may run the scripts beside it: each file has a script copy, search/js/<path>.js (written
  // by site_builder/search/script_chunks.py), which hands its contents to searchChunk().
  const FROM_FOLDER = location.protocol === "file:";

  function fetchFile(path, kind, priority) {
    return fetch(new URL(path, BASE), { priority }).then((r) => {
      if (!r.ok) return kind === "json" ? null : new Uint8Array(0);
      return kind === "json" ? r.json() : r.arrayBuffer().then((b) => new Uint8Array(b));
    });
  }

  const chunkWaiting = new Map();  // path → resolve, until its script has run
  window.searchChunk = (path, data) => {
    const resolve = chunkWaiting.get(path);
    chunkWaiting.delete(path);
    if (resolve) resolve(data);
  };

  // A JSON file's copy holds its value; a binary file's, its bytes in base64.
  function scriptChunk(path, kind) {
    return new Promise((resolve) => {
      const settle = (data) => {
        if (kind === "json") resolve(data === undefined ? null : data);
        else resolve(typeof data === "string" ? fromBase64(data) : new Uint8Array(0));
      };
      chunkWaiting.set(path, settle);
      const script = document.createElement("script");
      script.src = new URL(`js/${path}.js`, BASE).href;
      script.async = true;
      const done = () => {
        script.remove();
        if (chunkWaiting.get(path) === settle) { chunkWaiting.delete(path); settle(undefined); }
      };
      script.onload = done;  // (a copy that did not call searchChunk: as a missing file)
      script.onerror = done;
      document.head.append(script);
    });
  }

  function fromBase64(text) {
    const binary = atob(text);
    const out = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
    return out;
  }

  // Where a result links to: from a folder, a folder's index.html (else the browser lists
  // the folder).
  function pageHref(url) {
    const href = new URL(url, new URL("../", BASE)).href;
    return FROM_FOLDER && href.endsWith("/") ? `${href}index.html` : href;
  }
  const json = (path, priority) => fetchOnce(path, "json", priority);
  const bytes = (path, priority) => fetchOnce(path, "bin", priority);

  // The page carries the manifest; a page without it (an older template) fetches it.
  const carried = document.getElementById("search")?.dataset.manifest;
  const manifestLoaded = (carried ? Promise.resolve(carried).then(JSON.parse)
    : json("manifest.json")).catch(() => null);

  // --- folding: the same character table as analysis.fold_char -------------------------------
  let manifest = null;
  let ignored = new Set();
  let vocabulary = new Set();
  const foldTable = new Map();
  const foldPagesLoaded = new Set();

  const foldsMissing = (chars) => chars.some((c) => {
    const page = c.codePointAt(0) >> 8;
    return c.codePointAt(0) > 0x7f && manifest.fold_pages.includes(page) && !foldPagesLoaded.has(page);
  });

  // Fold pages the text needs that are not loaded yet: a promise, or null when none is missing.
  function loadFolds(chars) {
    const pages = new Set(manifest.fold_pages);
    const want = new Set();
    for (const c of chars) {
      const page = c.codePointAt(0) >> 8;
      if (c.codePointAt(0) > 0x7f && pages.has(page) && !foldPagesLoaded.has(page)) want.add(page);
    }
    if (!want.size) return null;
    return Promise.all([...want].map(async (page) => {
      const pairs = Array.from((await json(`fold/${page}.json`, "low")) || "");
      for (let i = 0; i + 1 < pairs.length; i += 2) foldTable.set(pairs[i], pairs[i + 1]);
      foldPagesLoaded.add(page);
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

  // --- query syntax: Whoosh's QueryParser as exact.ExactParser configures it ----------------
  // Tagging, field names, operators and the query tree follow whoosh.qparser step by step, so
  // a query means the same here and in `site-builder search`: words AND-ed, `a OR b` (binds
  // tighter than the AND of words), "phrase" one term, -word excluded, field:value.
  const SCHEMA = new Set(["id", "number", "text", "title", "url", "place", "region", "year",
    "date", "kind", "tag", "author", "body", "folds"]);
  const WS = "\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
  const SPACE = new RegExp(`[${WS}]+`, "uy");
  const IS_SPACE = new RegExp(`^[${WS}]$`, "u");
  const PHRASE = /"([^"]*)"/y;
  const FIELD = /([\p{L}\p{N}_]+|\*):/uy;
  // zero-width characters and bidirectional marks (reader.ZERO_WIDTH): removed from a query
  const INVISIBLE = new RegExp("[\\u200b\\u200c\\u200d\\u2060\\ufeff\\u00ad\\u200e\\u200f\\u061c\\u202a-\\u202e\\u2066-\\u2069]", "gu");

  function prepare(text) {  // exact.prepare
    const out = (text || "").replace(INVISIBLE, "");
    return (out.match(/"/g) || []).length % 2 ? `${out}"` : out;
  }

  function tag(text) {  // QueryParser.tag: phrase, field name, NOT, OR, white space, else words
    const nodes = [];
    let pos = 0;
    let prev = 0;
    const space = (i) => i >= 0 && i < text.length && IS_SPACE.test(text[i]);
    const at = (re) => { re.lastIndex = pos; const m = re.exec(text); return m ? [m, re.lastIndex] : null; };
    while (pos < text.length) {
      let node = null;
      let end = pos;
      let hit;
      if ((hit = at(PHRASE))) { node = { type: "phrase", text: hit[0][1] }; end = hit[1]; }
      else if ((hit = at(FIELD))) { node = { type: "field", name: hit[0][1], original: hit[0][0] }; end = hit[1]; }
      else if (text[pos] === "-" && (pos === 0 || space(pos - 1)) && pos + 1 < text.length && !space(pos + 1)) { node = { type: "not" }; end = pos + 1; }
      else if (text.startsWith("OR", pos) && space(pos - 1) && space(pos + 2)) { node = { type: "or" }; end = pos + 2; }
      else if ((hit = at(SPACE))) { node = { type: "ws" }; end = hit[1]; }
      if (node) {
        if (prev < pos) nodes.push({ type: "word", text: text.slice(prev, pos) });
        nodes.push(node);
        prev = pos = end;
      } else pos += 1;
    }
    if (prev < text.length) nodes.push({ type: "word", text: text.slice(prev) });
    return nodes;
  }

  const hasText = (n) => n.type === "word" || n.type === "phrase";
  const toWord = (n) => ({ type: "word", text: n.original });

  function fieldnames(group) {  // FieldsPlugin.do_fieldnames (remove_unknown)
    const known = [];
    let pending = null;
    for (const node of group) {
      if (node.type === "field" && !SCHEMA.has(node.name)) { pending = node; continue; }
      if (pending) {
        if (hasText(node)) node.text = pending.original + node.text;
        else known.push(toWord(pending));
        pending = null;
      }
      known.push(node);
    }
    if (pending) known.push(toWord(pending));
    const out = [];
    for (let i = known.length - 1; i >= 0; i--) {
      let node = known[i];
      if (node.type === "field") node = toWord(node);
      if (i > 0 && node.type !== "ws" && known[i - 1].type === "field") {
        if (node.field === undefined) node.field = known[i - 1].name;
        i--;
      }
      out.push(node);
    }
    return out.reverse();
  }

  function operators(group) {  // OperatorsPlugin.do_operators: NOT (prefix), then OR (infix)
    for (let i = 0; i < group.length;) {
      if (group[i].type !== "not") { i++; continue; }
      const length = group.length;
      group.splice(i, 1);
      if (i < length - 1) group[i] = { type: "group", op: "not", nodes: [group[i]] };
    }
    for (let i = 0; i < group.length;) {
      if (group[i].type !== "or") { i++; continue; }
      if (i > 0 && i < group.length - 1) {
        const left = group[i - 1];
        const right = group[i + 1];
        if (left.type === "group" && left.op === "or") { left.nodes.push(right); group.splice(i, 2); }
        else group.splice(i - 1, 3, { type: "group", op: "or", nodes: [left, right] });
      } else group.splice(i, 1);
    }
    return group;
  }

  // The query tree of `text`: {op: and|or|not, nodes} over leaves {kind: exact|keyword|filter}
  // (null leaves dropped, as GroupNode.query does), then filters pulled out and exclusions made
  // AndNot groups (exact._pull_filters, exact._exclusions).
  function parseQuery(text) {
    const nodes = operators(fieldnames(tag(prepare(text))).filter((n) => n.type !== "ws"));
    const build = (node) => {
      if (node.type === "group") {
        const subs = node.nodes.map(build).filter(Boolean);
        if (node.op === "not") return subs.length ? { op: "not", nodes: subs } : null;
        return { op: node.op, nodes: subs };
      }
      return leaf(node.field || "text", node.text);
    };
    const filters = [];
    let tree = pullFilters({ op: "and", nodes: nodes.map(build).filter(Boolean) }, filters);
    tree = tree && exclusions(tree);
    return { tree, filters, text };
  }

  function leaf(field, value) {  // ExactParser.field_query (terms folded when ranked)
    if (field === "text" || field === "title") return { kind: "exact", field, raw: value };
    if (field === "tag" || field === "author") return { kind: "keyword", field, raw: value };
    if (["region", "year", "date", "kind"].includes(field)) return { kind: "filter", field, value };
    return { kind: "exact", field: "text", raw: `${field}:${value}` };
  }

  function pullFilters(node, filters) {
    if (node.kind === "filter") { filters.push(node); return null; }
    if (node.op === "and" || node.op === "or") {
      const subs = node.nodes.map((n) => pullFilters(n, filters)).filter(Boolean);
      if (!subs.length) return null;
      return subs.length === 1 ? subs[0] : { op: node.op, nodes: subs };
    }
    return node;
  }

  function exclusions(node) {
    if (node.op === "or") {
      const subs = node.nodes.map(exclusions).filter(Boolean);
      if (!subs.length) return null;
      return subs.length === 1 ? subs[0] : { op: "or", nodes: subs };
    }
    const members = node.op === "and" ? node.nodes : [node];
    const positive = members.filter((q) => q.op !== "not");
    const negative = members.filter((q) => q.op === "not").map((q) => q.nodes[0]);
    if (!positive.length) return null;
    const kept = positive.length === 1 ? positive[0] : { op: "and", nodes: positive };
    if (!negative.length) return kept;
    return { op: "andnot", a: kept, b: negative.length === 1 ? negative[0] : { op: "or", nodes: negative } };
  }

  // Leaves with their folded term (as the fold table is loaded now); a leaf folding to nothing
  // drops out, as in ExactParser.
  function foldTree(node) {
    if (!node) return null;
    if (node.kind) {
      const term = normalize(node.raw).normChars;
      return term.length ? { ...node, term, text: term.join("") } : null;
    }
    if (node.op === "andnot") {
      const a = foldTree(node.a);
      const b = foldTree(node.b);
      return a && (b ? { op: "andnot", a, b } : a);
    }
    const subs = node.nodes.map(foldTree).filter(Boolean);
    if (!subs.length) return null;
    return subs.length === 1 && node.op !== "not" ? subs[0] : { op: node.op, nodes: subs };
  }

  function leaves(node, out = [], negated = false) {
    if (!node) return out;
    if (node.kind) { out.push({ ...node, negated }); return out; }
    if (node.op === "andnot") { leaves(node.a, out, negated); leaves(node.b, out, true); return out; }
    for (const n of node.nodes) leaves(n, out, negated || node.op === "not");
    return out;
  }

  // exact.year_range / date_range: [low, high] (null: open), or null when not one
  const RANGE = /^([^.]*)(\.\.)?([^.]*)$/;
  function yearRange(value) {
    const m = RANGE.exec(value.trim());
    if (!m) return null;
    const low = m[1];
    const high = m[2] ? m[3] : m[1];
    if (![low, high].every((v) => v === "" || /^[0-9]{4}$/.test(v))) return null;
    if (low === "" && high === "") return null;
    return [low ? Number(low) : null, high ? Number(high) : null];
  }
  function dayBound(text, last) {
    const pieces = text.split("-");
    if (pieces.length < 1 || pieces.length > 3 || !pieces.every((p) => /^[0-9]+$/.test(p))) return null;
    if (pieces[0].length !== 4 || pieces.slice(1).some((p) => p.length < 1 || p.length > 2)) return null;
    const month = pieces.length > 1 ? Number(pieces[1]) : (last ? 12 : 1);
    const day = pieces.length > 2 ? Number(pieces[2]) : (last ? 31 : 1);
    if (month < 1 || month > 12 || day < 1 || day > 31) return null;
    return Number(pieces[0]) * 10000 + month * 100 + day;
  }
  function dateRange(value) {
    const m = RANGE.exec(value.trim());
    if (!m) return null;
    const parts = [m[1], m[2] ? m[3] : m[1]];
    const bounds = [];
    for (let i = 0; i < 2; i++) {
      if (parts[i] === "" && m[2]) { bounds.push(null); continue; }
      const day = dayBound(parts[i], i === 1);
      if (day === null) return null;
      bounds.push(day);
    }
    return bounds[0] === null && bounds[1] === null ? null : bounds;
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

  const FAMILY = { d: "g", k: "g", t: "t", P: "t", p: "p", h: "w", w: "w" };

  function shardPath(kind, term) {
    const family = FAMILY[kind];
    return `${family}/${crc32(encoder.encode(term)) % manifest.shards[family]}.bin`;
  }

  async function record(kind, term) {
    const key = encoder.encode(term);
    const shard = await bytes(shardPath(kind, term));
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
  function eachBlock(p, decodeBlock) {
    if (!p) return;
    const st = { i: 0 };
    while (st.i < p.length) {
      const base = uint(p, st) * 2 ** manifest.block_bits;
      const size = uint(p, st);
      decodeBlock(p.subarray(st.i, st.i + size), base);
      st.i += size;
    }
  }

  // A d or t record as a bitmap over all documents.
  function docBits(p) {
    const bits = new Uint8Array(manifest.documents);
    eachBlock(p, (b, base) => {
      if (b[0] === 1) {
        for (let i = 1; i < b.length; i++) {
          const byte = b[i];
          if (byte) for (let bit = 0; bit < 8; bit++) if (byte & (1 << bit)) bits[base + (i - 1) * 8 + bit] = 1;
        }
        return;
      }
      const st = { i: 1 };
      let last = base;
      for (let n = uint(b, st); n > 0; n--) { last += uint(b, st); bits[last] = 1; }
    });
    return bits;
  }

  // A p or P record as flat arrays, no object per document: documents ascending, the positions
  // of docs[i] ascending in pos[at[i]] … pos[at[i + 1] - 1]. Every number takes a byte at least,
  // so the payload's length bounds both counts.
  function positionLists(p) {
    const size = p ? p.length : 0;
    const docs = new Int32Array(size);
    const at = new Int32Array(size + 1);
    const pos = new Int32Array(size);
    let n = 0;
    let m = 0;
    eachBlock(p, (b, base) => {
      const st = { i: 0 };
      let last = base;
      for (let k = uint(b, st); k > 0; k--) {
        last += uint(b, st);
        docs[n] = last;
        at[n++] = m;
        let prev = 0;
        for (let j = uint(b, st); j > 0; j--) { prev += uint(b, st); pos[m++] = prev; }
      }
    });
    at[n] = m;
    return { n, docs, at, pos };
  }

  // An h or w record: flat [document, tf, ...].
  function words(p) {
    const out = [];
    eachBlock(p, (b, base) => {
      const st = { i: 0 };
      let last = base;
      for (let n = uint(b, st); n > 0; n--) {
        last += uint(b, st);
        out.push(last, uint(b, st));
      }
    });
    return out;
  }

  // Field lengths as one byte: the same integer table as grams.LENGTHS. lengths.bin holds
  // every document's title length byte, then every body's.
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

  const counted = (term) => term.length > 2 && !vocabulary.has(term.join(""));

  // Documents whose text (title=true: title) contains the folded term (array of characters):
  // { bits, counts } — counts: its occurrences per document when counted(term), else null.
  // The rule of reader.Postings.matches.
  const matchCache = new Map();
  function matches(term, title = false) {
    const key = `${title ? "t" : "a"}:${term.join("")}`;
    if (!matchCache.has(key)) matchCache.set(key, findMatches(term, title));
    return matchCache.get(key);
  }

  async function findMatches(term, title) {
    const text = term.join("");
    if (term.length <= 2) return { bits: docBits(await record(title ? "t" : "d", text)), counts: null };
    if (!title && vocabulary.has(text)) return { bits: docBits(await record("d", text)), counts: null };
    const lists = await Promise.all(coveringBigrams(term).map(async ([o, gram]) =>
      ({ o, ...positionLists(await record(title ? "P" : "p", gram)) })));
    lists.sort((a, b) => a.n - b.n);  // the shortest list drives; the result is the same
    const [first, ...rest] = lists;
    const bits = new Uint8Array(manifest.documents);
    const counts = new Int32Array(manifest.documents);
    const row = new Int32Array(rest.length);  // per list: the index of the document in hand
    const next = new Int32Array(rest.length);  // per list: the next position to compare
    for (let i = 0; i < first.n; i++) {
      const d = first.docs[i];
      let everywhere = true;
      for (let k = 0; k < rest.length && everywhere; k++) {  // documents ascending: walk forward
        const l = rest[k];
        let r = row[k];
        while (r < l.n && l.docs[r] < d) r++;
        row[k] = r;
        next[k] = l.at[r];
        everywhere = r < l.n && l.docs[r] === d;
      }
      if (!everywhere) continue;
      // a start s is an occurrence when every bigram (offset o) is at s + o; starts ascending
      for (let a = first.at[i]; a < first.at[i + 1]; a++) {
        const s = first.pos[a] - first.o;
        let all = true;
        for (let k = 0; k < rest.length && all; k++) {
          const l = rest[k];
          const want = s + l.o;
          const end = l.at[row[k] + 1];
          let j = next[k];
          while (j < end && l.pos[j] < want) j++;
          next[k] = j;
          all = j < end && l.pos[j] === want;
        }
        if (all) { bits[d] = 1; counts[d]++; }
      }
    }
    return { bits, counts };
  }

  // Term scores rounded to a multiple of 2^-20 (reader.quantized): sums are then exact,
  // whatever order the terms are added in (Whoosh's matcher trees add in their own).
  const quantized = (score) => Math.floor(score * 2 ** 20 + 0.5) / 2 ** 20;

  // --- scoring: reader.Postings.scores, the same operations in the same order ---------------
  // Per document containing the term: MATCH, + TITLE_HIT if the title contains it, + BM25F of
  // the term as a word (its h/w records), or else (counted) of its occurrences.
  const scoreCache = new Map();
  function termScores(term) {
    const key = term.join("");
    if (!scoreCache.has(key)) scoreCache.set(key, computeScores(term));
    return scoreCache.get(key);
  }

  async function computeScores(term) {
    const s = manifest.scoring;
    const text = term.join("");
    const n = manifest.documents;
    const [every, titled, titleRecord, bodyRecord, lengths] = await Promise.all(
      [matches(term), matches(term, true), record("h", text), record("w", text), bytes("lengths.bin")]);
    let titleWords = words(titleRecord);
    let bodyWords = words(bodyRecord);
    if (!titleWords.length && !bodyWords.length && counted(term)) {
      titleWords = [];
      bodyWords = [];
      for (let d = 0; d < n; d++) {
        const inTitle = titled.counts[d];
        if (inTitle) titleWords.push(d, inTitle);
        if (every.counts[d] > inTitle) bodyWords.push(d, every.counts[d] - inTitle);
      }
    }
    const weights = new Float64Array(n);
    const seen = new Uint8Array(n);
    for (const [field, postings, boost, at] of [["title", titleWords, s.title_boost, 0], ["body", bodyWords, 1, n]]) {
      const idf = Math.log(s.documents / (postings.length / 2 + 1)) + 1;
      const avg = s.avg_length[field];
      const norms = LENGTHS.map((length) => s.k1 * ((1 - s.b) + s.b * length / avg));
      for (let i = 0; i < postings.length; i += 2) {
        const d = postings[i];
        const tf = postings[i + 1];
        let score = idf * ((tf * (s.k1 + 1)) / (tf + norms[lengths[at + d]]));
        if (boost !== 1) score *= boost;
        weights[d] = seen[d] ? weights[d] + score : score;
        seen[d] = 1;
      }
    }
    const out = new Float64Array(n);
    for (let d = 0; d < n; d++) {
      if (!every.bits[d]) continue;
      const base = titled.bits[d] ? s.match + s.title_hit : s.match;
      out[d] = quantized(seen[d] ? base + weights[d] : base);
    }
    return out;
  }

  // A query tree's documents and scores (Whoosh's And/Or/AndNot matchers: AND and OR add the
  // scores of the terms that match; keywords add nothing; an exclusion keeps the left side's).
  async function evaluate(node) {
    const n = manifest.documents;
    if (node.kind === "exact") {
      const [m, scores] = await Promise.all([matches(node.term, node.field === "title"), termScores(node.term)]);
      return { bits: m.bits, scores };
    }
    if (node.kind === "keyword") return { bits: docBits(await record("k", `${node.field}:${node.text}`)), scores: null };
    if (node.op === "andnot") {
      const [a, b] = await Promise.all([evaluate(node.a), evaluate(node.b)]);
      const bits = a.bits.slice();
      for (let d = 0; d < n; d++) if (b.bits[d]) bits[d] = 0;
      return { bits, scores: a.scores };
    }
    const subs = await Promise.all(node.nodes.map(evaluate));
    const and = node.op === "and";
    const bits = new Uint8Array(n);
    const scores = new Float64Array(n);
    for (let d = 0; d < n; d++) {
      let hit = and;
      let score = 0;
      for (const sub of subs) {
        if (sub.bits[d]) { if (sub.scores) score += sub.scores[d]; if (!and) hit = true; }
        else if (and) { hit = false; break; }
      }
      if (hit) { bits[d] = 1; scores[d] = score; }
    }
    return { bits, scores };
  }

  // The documents the filters allow (null: no filter), and what could not be applied, with
  // suggestions (ExactParser._filter).
  async function allowedDocs(filters) {
    if (!filters.length) return { bits: null, problems: [] };
    const n = manifest.documents;
    const bits = new Uint8Array(n).fill(1);
    const problems = [];
    const keep = (ok) => { for (let d = 0; d < n; d++) if (bits[d] && !ok(d)) bits[d] = 0; };
    const none = () => keep(() => false);
    for (const f of filters) {
      if (f.field === "region") {
        const aliases = (await json("aliases.json")) || {};
        const name = f.value.trim().replace(/^\/+|\/+$/g, "");
        const path = Object.hasOwn(aliases, name) ? aliases[name] : null;
        if (!path) {
          const places = [...new Set(Object.values(aliases).map((p) => p.split("/")[0]))].sort().slice(0, 8);
          problems.push(`没有叫“${f.value}”的地区。本站的地区有：${places.join("、")}`);
          none();
          continue;
        }
        const found = docBits(await record("k", `region:${path}`));
        keep((d) => found[d]);
      } else if (f.field === "kind") {
        const want = manifest.kinds.indexOf(f.value.toLowerCase());
        if (want < 0) {
          problems.push(`没有“${f.value}”类型的文章。类型有：${manifest.kinds.join("、")}`);
          none();
          continue;
        }
        const kinds = await bytes("kinds.bin");
        keep((d) => kinds[d] === want);
      } else if (f.field === "year") {
        const range = yearRange(f.value);
        if (!range) { problems.push(`“${f.value}”不是年份（例如 year:2024 或 year:2020..2022）`); none(); continue; }
        const [low, high] = range;
        const inside = (y) => (low === null || y >= low) && (high === null || y <= high);
        const runs = manifest.year_runs;
        if (runs.length && !runs.some(([y]) => inside(y))) {
          const years = runs.map(([y]) => y);
          problems.push(`没有 ${f.value} 年的文章。本站文章的年份为 ${Math.min(...years)}–${Math.max(...years)}`);
        }
        const ok = new Uint8Array(n);
        runs.forEach(([year, start], i) => { if (inside(year)) ok.fill(1, start, i + 1 < runs.length ? runs[i + 1][1] : n); });
        keep((d) => ok[d]);
      } else {
        const range = dateRange(f.value);
        if (!range) { problems.push(`“${f.value}”不是日期（例如 date:2024-02 或 date:2024-01-01..2024-02-15）`); none(); continue; }
        const [low, high] = range;
        const raw = await bytes("dates.bin");
        const dates = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
        keep((d) => {
          const day = dates.getUint32(4 * d, true);
          return day !== 0 && (low === null || day >= low) && (high === null || day <= high);
        });
      }
    }
    return { bits, problems };
  }

  // Folding the query needs its characters' fold pages: one more round trip, which almost never
  // changes anything (queries are mostly simplified Chinese already). So the query is ranked as
  // folded so far first; that answer is `early` (shown at once) when every term was found in
  // the index: the index holds folded text only, so its characters are already folded (bar rare
  // chains like 薴→苧→苎, which `final` corrects). `final` is the exact answer: the early one if
  // the fold pages change no term, else the query ranked again (a traditional-character query
  // such as 溫暖 waits for that second round).
  function startQuery(text, sort) {
    const parsed = parseQuery(text);
    parsed.sort = sort;
    const filtered = allowedDocs(parsed.filters);
    const guess = foldTree(parsed.tree);
    const first = rank(parsed, guess, filtered);
    first.catch(() => {});  // a failure reaches the caller through `final`
    const chars = Array.from(leaves(parsed.tree).map((t) => t.raw).join(""));
    if (!foldsMissing(chars)) return { early: first.catch(() => null), final: first };
    // The fold pages are asked for once the shards have answered: the shards alone fill the
    // browser's connections, and the pages then only confirm the hits (or correct a term).
    const folding = first.then(() => loadFolds(chars), () => loadFolds(chars));
    const final = folding.then(() => {
      const tree = foldTree(parsed.tree);
      return JSON.stringify(tree) === JSON.stringify(guess) ? first : rank(parsed, tree, filtered);
    });
    final.catch(() => {});  // reported by show()
    return { early: first.then((answer) => (answer.everyTermFound ? answer : null), () => null), final };
  }

  // Documents by score, highest first; equal scores: the newer article first, which is the
  // higher number (export.py numbers documents oldest first): exact.Ranked. Scores are
  // multiples of 2^-20, so each is one integer key, score × 2^20 × 2^21 + document number.
  function order(scores, scored) {
    const n = scores.length;
    const tie = 2 ** 21;
    const all = new Float64Array(n);
    let count = 0;
    let fits = n <= tie;
    for (let d = 0; d < n; d++) {
      if (!scored[d]) continue;
      const key = scores[d] * 2 ** 20;
      if (key < 0 || key >= 2 ** 31) fits = false;
      all[count++] = key * tie + d;
    }
    if (!fits) {  // never at a real archive's sizes; the plain comparison then
      const docs = [];
      for (let d = 0; d < n; d++) if (scored[d]) docs.push(d);
      return docs.sort((a, b) => scores[b] - scores[a] || b - a);
    }
    const sorted = all.subarray(0, count).sort();
    const ranked = new Array(sorted.length);
    for (let i = 0; i < sorted.length; i++) {
      ranked[i] = sorted[sorted.length - 1 - i] % tie;
    }
    return ranked;
  }

  // Match, score and order: what engine.SearchIndex.search asks of Whoosh.
  async function rank(parsed, tree, filtered) {
    const { bits: allowed, problems } = await filtered;
    if (!tree && !parsed.filters.length) {
      return { empty: true, problems, tree, everyTermFound: true, query: parsed.text };
    }
    const n = manifest.documents;
    const positive = leaves(tree).filter((l) => l.kind === "exact" && !l.negated);
    const exact = leaves(tree).filter((l) => l.kind === "exact");
    const found = await Promise.all(exact.map((l) => matches(l.term, l.field === "title")));
    const everyTermFound = found.every((m) => m.bits.includes(1));
    let scored;
    let scores;
    if (tree) {
      ({ bits: scored, scores } = await evaluate(tree));
      scores ||= new Float64Array(n);  // (keywords alone score nothing)
      // Masked on a copy: a lone term's bits are its cached matches, which later queries reuse.
      if (allowed) scored = scored.map((bit, d) => bit & allowed[d]);
    } else {
      scored = allowed.slice();
      scores = new Float64Array(n);
    }
    let ranked;
    if (parsed.sort === "date") {
      ranked = [];
      for (let d = n - 1; d >= 0; d--) if (scored[d]) ranked.push(d);
    } else ranked = order(scores, scored);
    const terms = [...new Set(positive.map((l) => l.text))];
    for (const d of ranked.slice(0, PAGE)) json(`doc/${d}.json`);  // the hits on screen, at once
    const counts = bytes("places.bin", "low").then((places) => facets(ranked, places));
    return { query: parsed.text, sort: parsed.sort, ranked, scores, terms, tree,
      filters: parsed.filters, problems, counts, everyTermFound };
  }

  // --- facets ----------------------------------------------------------------------------------
  let yearOf = null;
  function facets(ranked, places) {
    const runs = manifest.year_runs;
    if (!yearOf) {
      yearOf = new Uint8Array(manifest.documents);
      runs.forEach(([, start], i) => yearOf.fill(i, start, i + 1 < runs.length ? runs[i + 1][1] : manifest.documents));
    }
    const wide = manifest.place_bytes !== 1;
    const perPlace = new Int32Array(manifest.places.length);
    const perYear = new Int32Array(runs.length);
    for (const d of ranked) {
      perPlace[wide ? places[2 * d] | (places[2 * d + 1] << 8) : places[d]]++;
      perYear[yearOf[d]]++;
    }
    const province = new Map();
    const city = new Map();
    const bump = (m, k, n) => m.set(k, (m.get(k) || 0) + n);
    perPlace.forEach((count, i) => {
      if (!count) return;
      const [p, c] = manifest.places[i].split("/");
      bump(province, p, count);
      if (c) bump(city, `${p}/${c}`, count);
    });
    const year = new Map();
    perYear.forEach((count, i) => { if (count) bump(year, String(runs[i][0]), count); });
    const sorted = (m) => [...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    const newestFirst = [...year].sort((a, b) => Number(b[0]) - Number(a[0]));  // years read as a timeline
    return { province: sorted(province), city: sorted(city), year: newestFirst };
  }

  // --- snippets: the same fragments as snippets.make_snippet ----------------------------------
  const SNIPPET_CHARS = 150;
  const MAX_FRAGMENTS = 3;
  const SENTENCE_ENDS = "。！？!?；;";
  const CLAUSE_ENDS = "，、,：:";
  const JOINER = " … ";

  // Per term, its spans in `text` (code point offsets of the original characters).
  function termSpans(text, terms, table) {
    const { norm, normChars, offsets } = normalize(text, table);
    // indexOf counts UTF-16 units; offsets are per code point (they differ past U+FFFF only)
    let point = null;
    if (norm.length !== normChars.length) {
      point = [];
      normChars.forEach((c, i) => { point.push(i); if (c.length > 1) point.push(i); });
    }
    return terms.map((term) => {
      const length = Array.from(term).length;
      const spans = [];
      let from = 0;
      for (;;) {
        const at = norm.indexOf(term, from);
        if (at < 0) break;
        const start = point ? point[at] : at;
        spans.push([offsets[start], offsets[start + length - 1] + 1]);
        from = at + 1;
      }
      return spans;
    });
  }

  function merged(spans) {
    const out = [];
    for (const [a, b] of [...spans].sort((x, y) => x[0] - y[0] || x[1] - y[1])) {
      if (out.length && a <= out[out.length - 1][1]) out[out.length - 1][1] = Math.max(out[out.length - 1][1], b);
      else out.push([a, b]);
    }
    return out;
  }

  const findMarks = (text, terms, table) => merged(termSpans(text, terms, table).flat());

  function sentences(chars) {
    const out = [];
    let start = 0;
    for (let i = 0; i < chars.length; i++) {
      if (SENTENCE_ENDS.includes(chars[i]) && (i + 1 === chars.length || !SENTENCE_ENDS.includes(chars[i + 1]))) {
        let end = i + 1;
        while (end < chars.length && chars[end] === " ") end++;
        out.push([start, end]);
        start = end;
      }
    }
    if (start < chars.length) out.push([start, chars.length]);
    return out;
  }

  function snippet(text, terms, table) {
    const chars = Array.from(text);
    const perTerm = termSpans(text, terms, table);
    const bounds = sentences(chars);
    const holds = bounds.map(([s, e]) => new Set(perTerm.flatMap((spans, t) =>
      (spans.some(([a]) => a >= s && a < e) ? [t] : []))));
    const wanted = new Set(perTerm.flatMap((spans, t) => (spans.length ? [t] : [])));
    let chosen = [];
    while (wanted.size && chosen.length < MAX_FRAGMENTS) {
      let best = -1;
      let bestNew = 0;
      holds.forEach((held, i) => {
        const fresh = [...held].filter((t) => wanted.has(t)).length;
        if (fresh > bestNew) { best = i; bestNew = fresh; }
      });
      if (best < 0) break;
      chosen.push(best);
      for (const t of holds[best]) wanted.delete(t);
    }
    if (!chosen.length && bounds.length) chosen = [0];
    chosen.sort((a, b) => a - b);
    const marks = merged(perTerm.flat());
    const share = Math.floor(SNIPPET_CHARS / Math.max(1, chosen.length));
    const pieces = [];
    const shown = [];
    let at = 0;
    for (const i of chosen) {
      let [start, end] = bounds[i];
      const firstMark = marks.find(([a, b]) => a >= start && b <= end);
      if (firstMark && firstMark[0] + 8 > start + share) {  // the hit is past the share
        let clause = start;
        for (let j = start; j < firstMark[0]; j++) if (CLAUSE_ENDS.includes(chars[j])) clause = j + 1;
        start = firstMark[0] + 8 <= clause + share ? clause : Math.max(start, firstMark[0] - 10);
      }
      const cut = Math.min(end, start + share);
      const piece = chars.slice(start, cut).join("").trimEnd();
      if (pieces.length) at += JOINER.length;
      const stop = start + Array.from(piece).length;
      for (const [a, b] of marks) {
        if (a < stop && b > start) shown.push([Math.max(a, start) - start + at, Math.min(b, stop) - start + at]);
      }
      pieces.push(piece + (cut < end && piece ? "…" : ""));
      at += Array.from(pieces[pieces.length - 1]).length;
    }
    return { text: pieces.join(JOINER), marks: shown };
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

  let root = null;
  let shown = PAGE;
  let current = null;
  let seq = 0;  // the query shown: an older one stops where it is
  let drawing = 0;  // the list being drawn: an older drawing stops where it is

  // The page's own elements (templates/search.html draws them, so nothing moves when the
  // script starts); the year range offers the archive's years.
  function ui() {
    const $ = (selector) => root.querySelector(selector);
    const view = { form: $(".search-form"), input: $("#q"), sort: $("#search-sort"),
      from: $("#search-from"), to: $("#search-to"), status: $(".search-status"),
      results: $(".search-results"), side: $(".search-facets"), more: $(".search-more"),
      header: document.getElementById("site-search") };  // the header's box: the same query
    const years = manifest.year_runs.map(([y]) => y).sort((a, b) => a - b);
    for (const select of [view.from, view.to]) {
      for (const year of years) select.append(el("option", { value: String(year) }, String(year)));
    }
    return view;
  }

  const sortOf = () => (new URL(location.href).searchParams.get("sort") === "date" ? "date" : "relevance");

  // The year range control shows the query's year: filter (a year or a range).
  function showYears(view, query) {
    const filter = parseQuery(query).filters.find((f) => f.field === "year");
    const range = filter ? yearRange(filter.value) : null;
    view.from.value = range && range[0] !== null ? String(range[0]) : "";
    view.to.value = range && range[1] !== null ? String(range[1]) : "";
  }

  // A query asked after the page loaded checks, beside its own fetches, that the index is
  // still the one the page holds (the dev server rebuilds under an open page; a site is
  // published anew): if not, the new manifest replaces it, what was fetched goes, and the
  // query runs again.
  async function indexChanged() {
    if (FROM_FOLDER) return false;  // a page from a folder may not fetch, and no server rebuilds it
    const response = await fetch(new URL("manifest.json", BASE), { cache: "no-cache" }).catch(() => null);
    const fresh = response && response.ok ? await response.json().catch(() => null) : null;
    if (!fresh || fresh.export === manifest.export) return false;
    for (const known of [cache, matchCache, scoreCache]) known.clear();
    yearOf = null;
    setup(fresh);
    return true;
  }

  async function show(view, query, { push = false, answer: started = null } = {}) {
    const mine = ++seq;
    const checked = started ? null : indexChanged();
    const sort = sortOf();
    root.dataset.state = "busy";
    const url = new URL(location.href);
    if (query) url.searchParams.set("q", query); else url.searchParams.delete("q");
    if (url.href !== location.href) history[push ? "pushState" : "replaceState"](null, "", url);
    view.input.value = query;
    if (view.header) view.header.value = query;
    view.sort.value = sort;
    showYears(view, query);
    document.title = query ? `${query} · 搜索` : document.title;
    if (!query.trim()) {
      clear(view);
      view.status.textContent = "输入词语开始搜索。";
      root.dataset.state = "done";
      return;
    }
    const remembered = recall(query, sort);
    if (remembered) {
      drawRemembered(view, remembered);
      await painted();  // before the query runs again: its ranking would hold the frame back
    } else view.status.textContent = "正在搜索…";
    const job = (await started) || startQuery(query, sort);
    const early = await job.early;
    if (mine !== seq) return;
    const showAnswer = (answer) => {
      current = answer;
      shown = PAGE;
      if (sameHits(remembered, answer)) {  // on screen already
        view.more.hidden = shown >= answer.ranked.length;
        return null;
      }
      return render(view, answer, mine);
    };
    const shownEarly = early && showAnswer(early);
    let answer;
    try {
      answer = await job.final;
    } catch (err) {
      if (mine === seq) view.status.textContent = "搜索索引无法读取，请稍后再试。";
      throw err;
    }
    if (mine !== seq) return;
    await (answer === early ? shownEarly : showAnswer(answer));
    if (checked && await checked && mine === seq) {
      await show(view, query);
      return;
    }
    if (mine === seq) root.dataset.state = "done";  // tests and scripts wait for this
  }

  // Resolves once the browser has drawn a frame with what is in the page now.
  const painted = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)));

  function clear(view) {
    view.results.replaceChildren();
    view.side.replaceChildren();
    view.more.hidden = true;
  }

  // What one hit shows (plain data: it is also what the tab remembers).
  function hitOf(doc, d, answer) {
    let table = foldTable;
    if (doc.f) {
      table = new Map(foldTable);
      const pairs = Array.from(doc.f);
      for (let k = 0; k + 1 < pairs.length; k += 2) table.set(pairs[k], pairs[k + 1]);
    }
    const snip = snippet(doc.x, answer.terms, table);
    const titleMarks = findMarks(doc.t, answer.terms, table);
    const only = answer.terms.length && !snip.marks.length ? (titleMarks.length ? "title" : "tags") : "";
    return { d, score: answer.scores[d], url: doc.u, title: doc.t, titleMarks,
      meta: `${doc.r} · ${doc.d || doc.y}`, snippet: snip.text, marks: snip.marks, only };
  }

  const ONLY = { title: "检索词仅见于标题", tags: "检索词仅见于标签等栏目" };

  function hitItem(hit) {
    const li = el("li", { class: "search-hit" });
    const link = el("a", { href: pageHref(hit.url), class: "article-link" });
    marked(link, hit.title, hit.titleMarks);
    const meta = el("span", { class: "meta" }, hit.meta);
    li.append(link, meta);
    if (hit.only) li.append(el("span", { class: "search-only" }, ONLY[hit.only]));
    const p = el("p", { class: "summary" });
    marked(p, hit.snippet, hit.marks);
    li.dataset.score = String(hit.score);
    li.append(p);
    return li;
  }

  // --- the first pages this tab has shown: the same query again (a reload, a link back to the
  // results) is drawn at once from sessionStorage, for this exact index (manifest digest) only.
  const REMEMBERED = 20;
  const recentKey = "search:recent";
  const pageKey = (query, sort) => `search:${manifest.export}:${sort}:${query}`;

  function recall(query, sort) {
    try {
      return JSON.parse(sessionStorage.getItem(pageKey(query, sort)));
    } catch {
      return null;  // storage disabled, or not ours
    }
  }

  function remember(query, sort, page) {
    const key = pageKey(query, sort);
    try {
      const recent = (JSON.parse(sessionStorage.getItem(recentKey)) || []).filter((k) => k !== key);
      recent.push(key);
      for (const old of recent.splice(0, Math.max(0, recent.length - REMEMBERED))) {
        sessionStorage.removeItem(old);
      }
      sessionStorage.setItem(key, JSON.stringify(page));
      sessionStorage.setItem(recentKey, JSON.stringify(recent));
    } catch {
      // storage full or disabled: nothing is remembered
    }
  }

  function drawRemembered(view, page) {
    view.status.textContent = statusText(page.total, page.problems || []);
    view.results.replaceChildren(...page.hits.map(hitItem));
    view.more.hidden = true;  // until the query has run again: "more" needs its whole order
    renderFacets(view, page.counts, page);
  }

  const sameHits = (page, answer) => page && page.total === answer.ranked.length &&
    page.hits.every((hit, i) => hit.d === answer.ranked[i]) &&
    page.hits.length === Math.min(PAGE, answer.ranked.length);

  const statusText = (total, problems) => [...problems, total ? `找到 ${total} 篇` : "没有找到结果。"].join(" ");

  // Hits appear in order as their documents arrive; the previous list stays until the first
  // new hit can replace it (no empty flash while typing).
  async function render(view, answer, mine) {
    const token = ++drawing;
    const stale = () => mine !== seq || token !== drawing;
    if (answer.empty) {
      clear(view);
      view.status.textContent = "没有可搜索的词：请输入词语、\"短语\"，或 region:、year:。";
      return;
    }
    const total = answer.ranked.length;
    if (!total) {
      clear(view);
      view.status.textContent = statusText(0, answer.problems);
      const help = el("li", { class: "search-help" });
      help.append(el("p", {}, "试试：减少词语、换一个更短的词（如“温暖”而非“送温暖活动”）、去掉 region: 或 year: 筛选，或按地区、年份浏览。"));
      view.results.replaceChildren(help);
      return;
    }
    const top = answer.ranked.slice(0, shown);
    const docs = top.map((d) => json(`doc/${d}.json`));
    view.status.textContent = statusText(total, answer.problems);
    const showFacets = async () => {
      const counts = await answer.counts;
      if (!stale()) renderFacets(view, counts, answer);
    };
    let facetsShown = null;
    const hits = [];
    for (let i = 0; i < top.length; i++) {
      const doc = await docs[i];
      if (stale()) return;
      if (!doc) continue;
      hits.push(hitOf(doc, top[i], answer));
      const li = hitItem(hits[hits.length - 1]);
      if (hits.length > 1) view.results.append(li); else view.results.replaceChildren(li);
      facetsShown ||= showFacets();
    }
    if (!hits.length) view.results.replaceChildren();
    view.more.hidden = shown >= total;  // under the hits, once they are drawn
    await (facetsShown || showFacets());
    if (!stale() && shown === PAGE && hits.length === top.length) {
      remember(answer.query, answer.sort, { total, hits, counts: await answer.counts,
        filters: answer.filters, problems: answer.problems });
    }
  }

  function renderFacets(view, counts, answer) {
    const active = new Set((answer.filters || []).map((f) => `${f.field}:${f.value}`));
    const blocks = [];
    const add = (title, key, entries, label = (k) => k) => {
      if (!entries.length) return;
      const box = el("section", { class: "facet" });
      box.append(el("h2", {}, title));
      const ul = el("ul");
      for (const [value, n] of entries.slice(0, 30)) {
        const li = el("li");
        const b = el("button", { type: "button", "data-facet": key, "data-value": value,
          "aria-pressed": String(active.has(`${key}:${value}`)) });
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

  // The query with `key:value` as its only `key:` filter (the same one again: none).
  function withFilter(query, key, value) {
    const parts = query.match(/"[^"]*"?|\S+/g) || [];
    const kept = parts.filter((p) => !p.toLowerCase().startsWith(`${key}:`));
    const had = parts.length !== kept.length && parts.includes(`${key}:${value}`);
    if (value && !had) kept.push(`${key}:${value}`);
    return kept.join(" ");
  }

  function setup(loaded) {
    manifest = loaded;
    ignored = new Set(Array.from(manifest.ignored));
    vocabulary = new Set(manifest.vocabulary);
  }

  // The query in the address starts as soon as the manifest is here, while the page is still
  // being parsed and laid out (the script is deferred): show() takes over this job.
  const firstQuery = new URL(location.href).searchParams.get("q") || "";
  const ready = manifestLoaded.then((loaded) => { if (loaded) setup(loaded); return loaded; });
  // (Not when the tab remembers its first page: that is drawn first, then the query runs.)
  const firstAnswer = firstQuery.trim()
    ? ready.then((loaded) => loaded && !recall(firstQuery, sortOf()) && startQuery(firstQuery, sortOf())) : null;

  async function main() {
    if (document.readyState === "loading") {
      await new Promise((resolve) => document.addEventListener("DOMContentLoaded", resolve, { once: true }));
    }
    root = document.getElementById("search");
    if (!root) return;
    if (!(await ready)) {
      root.querySelector(".search-status").textContent = "搜索索引缺失：请先运行 site-builder build。";
      return;
    }
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
    view.sort.addEventListener("change", () => {
      const url = new URL(location.href);
      if (view.sort.value === "date") url.searchParams.set("sort", "date"); else url.searchParams.delete("sort");
      history.pushState(null, "", url);
      show(view, view.input.value);
    });
    const years = () => {
      let [from, to] = [view.from.value, view.to.value];
      if (from && to && Number(from) > Number(to)) [from, to] = [to, from];
      const value = from === to ? from : `${from}..${to}`;
      show(view, withFilter(view.input.value, "year", value === ".." ? "" : value), { push: true });
    };
    view.from.addEventListener("change", years);
    view.to.addEventListener("change", years);
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
    // Focusing lays the page out: with a query, only once its first hits are in.
    const focus = () => { if (document.activeElement === document.body) view.input.focus(); };
    if (!firstAnswer) focus();
    await show(view, firstQuery, { answer: firstAnswer }).finally(focus);
  }

  main();
})();
