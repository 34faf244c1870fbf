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
  const SNIPPET_CHARS = 110;
  const SNIPPET_LEAD = 24;
  const PAGE = 10;
  const FILTERS = ["region", "year", "kind"];

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

  // Groups of normalized terms (arrays of characters) with the fold table as loaded now.
  function foldedGroups(parsed) {
    return parsed.groups
      .map((g) => g.map((t) => ({ term: normalize(t.raw).normChars, negated: t.negated }))
        .filter((t) => t.term.length))
      .filter((g) => g.some((t) => !t.negated));
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

  // Documents whose text (title=true: title) contains the normalized term (array of chars),
  // as a bitmap: the rule of reader.match_docs.
  async function matchDocs(term, title = false) {
    const text = term.join("");
    if (term.length <= 2) return docBits(await record(title ? "t" : "d", text));
    if (!title && vocabulary.has(text)) return docBits(await record("d", text));
    const lists = await Promise.all(coveringBigrams(term).map(async ([o, gram]) =>
      ({ o, ...positionLists(await record(title ? "P" : "p", gram)) })));
    lists.sort((a, b) => a.n - b.n);  // the shortest list drives; the result is the same
    const [first, ...rest] = lists;
    const out = new Uint8Array(manifest.documents);
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
      // a start s is the phrase's when every bigram (offset o) is at s + o; starts ascending
      for (let a = first.at[i]; a < first.at[i + 1] && !out[d]; a++) {
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
        if (all) out[d] = 1;
      }
    }
    return out;
  }

  // --- scoring: Whoosh's BM25F, the same operations in the same order as engine._term_scores --
  // Per document: MATCH, + TITLE_HIT if the title contains the term, + BM25 of the word.
  async function termScores(term) {
    const s = manifest.scoring;
    const text = term.join("");
    const n = manifest.documents;
    const out = new Float64Array(n).fill(s.match);
    const [titled, titleWords, bodyWords, lengths] = await Promise.all(
      [matchDocs(term, true), record("h", text), record("w", text), bytes("lengths.bin")]);
    const base = s.match + s.title_hit;
    for (let d = 0; d < n; d++) if (titled[d]) out[d] = base;
    const sum = new Float64Array(n);
    const seen = new Uint8Array(n);
    for (const [field, payload, boost, at] of [["title", titleWords, s.title_boost, 0], ["body", bodyWords, 1, n]]) {
      const postings = words(payload);
      const idf = Math.log(s.documents / (postings.length / 2 + 1)) + 1;
      const avg = s.avg_length[field];
      const norms = LENGTHS.map((length) => s.k1 * ((1 - s.b) + s.b * length / avg));
      for (let i = 0; i < postings.length; i += 2) {
        const d = postings[i];
        const tf = postings[i + 1];
        let score = idf * ((tf * (s.k1 + 1)) / (tf + norms[lengths[at + d]]));
        if (boost !== 1) score *= boost;
        sum[d] = seen[d] ? sum[d] + score : score;
        seen[d] = 1;
      }
    }
    for (let d = 0; d < n; d++) if (seen[d]) out[d] += sum[d];
    return out;
  }

  const rounded = (score) => Math.floor(score * 1e6 + 0.5);

  // The documents the filters allow, as a bitmap (null: no filter).
  async function allowedDocs(filters) {
    if (!Object.keys(filters).length) return null;
    const n = manifest.documents;
    const allowed = new Uint8Array(n).fill(1);
    const keep = (ok) => { for (let d = 0; d < n; d++) if (allowed[d] && !ok(d)) allowed[d] = 0; };
    const [kinds, aliases, districts, names] = await Promise.all([
      filters.kind ? bytes("kinds.bin") : null,
      filters.region ? json("aliases.json") : null,
      filters.region ? bytes("districts.bin") : null,
      filters.region ? json("districts.json") : null,
    ]);
    if (filters.year) {
      const want = filters.year.trim();
      const runs = manifest.year_runs;
      const ok = new Uint8Array(n);
      runs.forEach(([year, start], i) => {
        if (String(year) === want) ok.fill(1, start, i + 1 < runs.length ? runs[i + 1][1] : n);
      });
      keep((d) => ok[d]);
    }
    if (filters.kind) {
      const want = manifest.kinds.indexOf(filters.kind.trim().toLowerCase());
      keep((d) => kinds[d] === want);
    }
    if (filters.region) {
      let value = filters.region.trim().replace(/^\/+|\/+$/g, "");
      if (aliases && aliases[value]) value = aliases[value];
      const wanted = new Uint8Array((names || []).length);
      (names || []).forEach((path, i) => {
        if (path === value || path.startsWith(value + "/")) wanted[i] = 1;
      });
      keep((d) => wanted[districts[2 * d] | (districts[2 * d + 1] << 8)] === 1);
    }
    return allowed;
  }

  // Folding the query needs its characters' fold pages: one more round trip, which almost never
  // changes anything (queries are mostly simplified Chinese already). So the query is ranked as
  // folded so far first; that answer is `early` (shown at once) when every term was found in
  // the index: the index holds folded text only, so its characters are already folded (bar rare
  // chains like 薴→苧→苎, which `final` corrects). `final` is the exact answer: the early one if
  // the fold pages change no term, else the query ranked again (a traditional-character query
  // such as 溫暖 waits for that second round).
  function startQuery(text) {
    const parsed = parseQuery(text);
    parsed.text = text;
    const filtered = allowedDocs(parsed.filters);
    const guess = foldedGroups(parsed);
    const first = rank(parsed, guess, filtered);
    first.catch(() => {});  // a failure reaches the caller through `final`
    const chars = Array.from(parsed.groups.flat().map((t) => t.raw).join(""));
    if (!foldsMissing(chars)) return { early: first.catch(() => null), final: first };
    // The fold pages are asked for once the shards have answered: the shards alone fill the
    // browser's connections, and the pages then only confirm the hits (or correct a term).
    const folding = first.then(() => loadFolds(chars), () => loadFolds(chars));
    const final = folding.then(() => {
      const groups = foldedGroups(parsed);
      return JSON.stringify(groups) === JSON.stringify(guess) ? first : rank(parsed, groups, filtered);
    });
    final.catch(() => {});  // reported by show()
    return { early: first.then((answer) => (answer.everyTermFound ? answer : null), () => null), final };
  }


  // Documents by score rounded to 1e-6, highest first; equal scores: the newer article first,
  // which is the higher number (export.py numbers documents oldest first). Sorted as one number
  // each, rounded score × 2^21 + document number, with the typed array's own sort.
  function order(scores, scored) {
    const n = scores.length;
    const tie = 2 ** 21;
    const all = new Float64Array(n);
    let count = 0;
    let fits = n <= tie;
    for (let d = 0; d < n; d++) {
      if (!scored[d]) continue;
      const key = rounded(scores[d]);
      if (key < 0 || key >= 2 ** 31) fits = false;
      all[count++] = key * tie + d;
    }
    if (!fits) {  // never at a real archive's sizes; the plain comparison then
      const docs = [];
      for (let d = 0; d < n; d++) if (scored[d]) docs.push(d);
      return docs.sort((a, b) => rounded(scores[b]) - rounded(scores[a]) || b - a);
    }
    const sorted = all.subarray(0, count).sort();
    const ranked = new Array(sorted.length);
    for (let i = 0; i < sorted.length; i++) {
      ranked[i] = sorted[sorted.length - 1 - i] % tie;
    }
    return ranked;
  }

  // Match, score and order: the steps of engine.SearchIndex.run.
  async function rank(parsed, groups, filtered) {
    if (!groups.length && !Object.keys(parsed.filters).length) {
      return { empty: true, groups, everyTermFound: true };
    }
    const matched = new Map();
    const docs = (term) => {
      const key = term.join("");
      if (!matched.has(key)) matched.set(key, matchDocs(term));
      return matched.get(key);
    };
    const perTerm = new Map();
    for (const group of groups) {
      for (const t of group) {
        docs(t.term);
        const key = t.term.join("");
        if (!t.negated && !perTerm.has(key)) perTerm.set(key, termScores(t.term));
      }
    }
    const allowed = await filtered;
    const everyTermFound = (await Promise.all(matched.values())).every((bits) => bits.includes(1));
    const n = manifest.documents;
    const scores = new Float64Array(n);
    const scored = new Uint8Array(n);
    if (!groups.length && allowed) scored.set(allowed);
    for (const group of groups) {
      const positive = group.filter((t) => !t.negated).map((t) => t.term.join(""));
      const negative = group.filter((t) => t.negated).map((t) => t.term.join(""));
      const sets = await Promise.all(positive.map((t) => matched.get(t)));
      const outs = await Promise.all(negative.map((t) => matched.get(t)));
      const termMaps = await Promise.all(positive.map((t) => perTerm.get(t)));
      const found = allowed ? allowed.slice() : new Uint8Array(n).fill(1);
      for (const s of sets) for (let d = 0; d < n; d++) found[d] &= s[d];
      for (const s of outs) for (let d = 0; d < n; d++) if (s[d]) found[d] = 0;
      for (let d = 0; d < n; d++) {
        if (!found[d]) continue;
        let groupScore = 0;  // a term without a title or word hit adds MATCH (termScores)
        for (let k = 0; k < termMaps.length; k++) groupScore += termMaps[k][d];
        scores[d] = (scored[d] ? scores[d] : 0) + groupScore;
        scored[d] = 1;
      }
    }
    const ranked = order(scores, scored);
    const terms = [...new Set(groups.flat().filter((t) => !t.negated).map((t) => t.term.join("")))];
    for (const d of ranked.slice(0, PAGE)) json(`doc/${d}.json`);  // the hits on screen, at once
    const counts = bytes("places.bin", "low").then((places) => facets(ranked, places));
    return { query: parsed.text, ranked, scores, terms, groups, filters: parsed.filters, counts,
      everyTermFound };
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
    return { province: sorted(province), city: sorted(city), year: sorted(year) };
  }

  // --- snippets: the same window as engine.make_snippet ---------------------------------------
  function findMarks(text, terms, table) {
    const { norm, normChars, offsets } = normalize(text, table);
    // indexOf counts UTF-16 units; offsets are per code point (they differ past U+FFFF only)
    let point = null;
    if (norm.length !== normChars.length) {
      point = [];
      normChars.forEach((c, i) => { point.push(i); if (c.length > 1) point.push(i); });
    }
    const spans = [];
    for (const term of terms) {
      const length = Array.from(term).length;
      let from = 0;
      for (;;) {
        const at = norm.indexOf(term, from);
        if (at < 0) break;
        const start = point ? point[at] : at;
        spans.push([offsets[start], offsets[start + length - 1] + 1]);
        from = at + 1;
      }
    }
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

  let root = null;
  let shown = PAGE;
  let current = null;
  let seq = 0;  // the query shown: an older one stops where it is
  let drawing = 0;  // the list being drawn: an older drawing stops where it is

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

  async function show(view, query, { push = false, answer: started = null } = {}) {
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
    const remembered = recall(query);
    if (remembered) {
      drawRemembered(view, remembered);
      await painted();  // before the query runs again: its ranking would hold the frame back
    } else view.status.textContent = "正在搜索…";
    const job = (await started) || startQuery(query);
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
    return { d, score: answer.scores[d], url: doc.u, title: doc.t,
      titleMarks: findMarks(doc.t, answer.terms, table), meta: `${doc.r} · ${doc.d || doc.y}`,
      snippet: snip.text, marks: snip.marks };
  }

  function hitItem(hit) {
    const li = el("li", { class: "search-hit" });
    const link = el("a", { href: pageHref(hit.url), class: "article-link" });
    marked(link, hit.title, hit.titleMarks);
    const meta = el("span", { class: "meta" }, hit.meta);
    const p = el("p", { class: "summary" });
    marked(p, hit.snippet, hit.marks);
    li.dataset.score = String(hit.score);
    li.append(link, meta, p);
    return li;
  }

  // --- the first pages this tab has shown: the same query again (a reload, a link back to the
  // results) is drawn at once from sessionStorage, for this exact index (manifest digest) only.
  const REMEMBERED = 20;
  const recentKey = "search:recent";
  const pageKey = (query) => `search:${manifest.export}:${query}`;

  function recall(query) {
    try {
      return JSON.parse(sessionStorage.getItem(pageKey(query)));
    } catch {
      return null;  // storage disabled, or not ours
    }
  }

  function remember(query, page) {
    const key = pageKey(query);
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
    view.status.textContent = `找到 ${page.total} 篇`;
    view.results.replaceChildren(...page.hits.map(hitItem));
    view.more.hidden = true;  // until the query has run again: "more" needs its whole order
    renderFacets(view, page.counts, page);
  }

  const sameHits = (page, answer) => page && page.total === answer.ranked.length &&
    page.hits.every((hit, i) => hit.d === answer.ranked[i]) &&
    page.hits.length === Math.min(PAGE, answer.ranked.length);

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
      view.status.textContent = "没有找到结果。";
      const help = el("li", { class: "search-help" });
      help.append(el("p", {}, "试试：减少词语、换一个更短的词（如“温暖”而非“送温暖活动”）、去掉 region: 或 year: 筛选，或按地区、年份浏览。"));
      view.results.replaceChildren(help);
      return;
    }
    const top = answer.ranked.slice(0, shown);
    const docs = top.map((d) => json(`doc/${d}.json`));
    view.status.textContent = `找到 ${total} 篇`;
    view.more.hidden = shown >= total;
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
    await (facetsShown || showFacets());
    if (!stale() && shown === PAGE && hits.length === top.length) {
      remember(answer.query, { total, hits, counts: await answer.counts, filters: answer.filters });
    }
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

  function setup(loaded) {
    manifest = loaded;
    ignored = new Set(Array.from(manifest.ignored));
    vocabulary = new Set(manifest.vocabulary);
  }

  // The query in the address starts as soon as the manifest is here, while the page is still
  // being parsed and laid out (the script is async): show() takes over this job.
  const firstQuery = new URL(location.href).searchParams.get("q") || "";
  const ready = manifestLoaded.then((loaded) => { if (loaded) setup(loaded); return loaded; });
  // (Not when the tab remembers its first page: that is drawn first, then the query runs.)
  const firstAnswer = firstQuery.trim()
    ? ready.then((loaded) => loaded && !recall(firstQuery) && startQuery(firstQuery)) : null;

  async function main() {
    if (document.readyState === "loading") {
      await new Promise((resolve) => document.addEventListener("DOMContentLoaded", resolve, { once: true }));
    }
    root = document.getElementById("search");
    if (!root) return;
    if (!(await ready)) { root.append(el("p", {}, "搜索索引缺失：请先运行 site-builder build。")); return; }
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
    if (header) header.value = firstQuery;
    // Focusing lays the page out: with a query, only once its first hits are in.
    const focus = () => { if (document.activeElement === document.body) view.input.focus(); };
    if (!firstAnswer) focus();
    await show(view, firstQuery, { answer: firstAnswer }).finally(focus);
  }

  main();
})();
