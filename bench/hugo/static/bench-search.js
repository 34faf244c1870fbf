// Bench search page for Pagefind's JS API: search ?q=, then load the data of the first
// 10 results (what a reader needs to see them) and list them.
const q = new URLSearchParams(location.search).get("q") || "";
document.getElementById("q").value = q;
if (q) {
  const pagefind = await import("/pagefind/pagefind.js");
  const search = await pagefind.search(q);
  const list = document.getElementById("results");
  const pending = search.results.slice(0, 10).map((r) => r.data());
  for (const next of pending) {
    const d = await next;
    const li = document.createElement("li");
    li.className = "result";
    const a = document.createElement("a");
    a.href = d.url;
    a.textContent = d.meta.title || d.url;
    const p = document.createElement("p");
    p.innerHTML = d.excerpt;
    li.append(a, p);
    list.append(li);
  }
  document.body.dataset.results = String(search.results.length);
}
