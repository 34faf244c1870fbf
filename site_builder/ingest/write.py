"""Files: article markdown, the bulletin copy and its JSON manifest; safe re-runs.

The manifest (``content/bulletins/<name>.json``, format in docs/ingest.md) records the
sha256 of every article file ingest wrote. On a re-run an article file whose content no
longer has that hash was changed by an editor and is left alone unless ``--force``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..content.frontmatter import dump_front_matter, split_front_matter
from ..content.loader import ascii_slug
from .cut import Cut, CutArticle
from .text import simplified

SLUG_WORDS = 8
SLUG_CHARS = 60
MANIFEST_VERSION = 1


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>])")
_MD_LINE_START = re.compile(r"^(\s*)([#>+\-=]|\d+[.)])")


def md_escape(text: str) -> str:
    """Text that markdown shows as written (no emphasis, links, HTML or list markers)."""
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return _MD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def render_body(article: CutArticle) -> str:
    blocks = []
    for piece in article.draft.pieces:
        text = md_escape(piece.text)
        if piece.kind == "h2":
            blocks.append(f"## {text}")
        elif piece.kind == "h3":
            blocks.append(f"### {text}")
        elif piece.kind == "label":
            blocks.append(f"**{text}**")
        else:
            blocks.append(text)
    return "\n\n".join(blocks)


def front_matter(article: CutArticle, source: str) -> dict:
    meta = article.meta
    data: dict = {"title": meta.title}
    if meta.subtitle:
        data["subtitle"] = meta.subtitle
    if meta.date:
        data["date"] = meta.date.isoformat()
    data["year"] = meta.year
    data["region"] = meta.region.path
    regions = [r.path for r in meta.regions]
    if regions and regions != [meta.region.path]:
        data["regions"] = regions
    if meta.authors:
        data["authors"] = meta.authors
    if meta.tags:
        data["tags"] = meta.tags
    data["kind"] = meta.kind
    data["source"] = source
    data["summary"] = meta.summary
    return data


def article_slug(title: str) -> str:
    """Pinyin of the title (of its simplified form: 廈門 is xia-men, not sha-men)."""
    words = ascii_slug(simplified(title)).split("-")[:SLUG_WORDS]
    slug = "-".join(words)
    while len(slug) > SLUG_CHARS and "-" in slug:
        slug = slug.rsplit("-", 1)[0]
    return slug[:SLUG_CHARS] or "item"


def region_folder(article: CutArticle) -> str:
    return article.meta.region.slug_path.replace("/", "-")


@dataclass
class PlannedFile:
    path: Path  # absolute
    rel: str  # relative to the project root, posix
    content: str
    article: CutArticle | None = None
    status: str = ""  # new, updated, unchanged, kept (edited), forced


@dataclass
class Plan:
    bulletin_path: Path
    bulletin_text: str
    manifest_path: Path
    manifest: dict
    root: Path = Path(".")
    files: list[PlannedFile] = field(default_factory=list)
    stale: list[tuple[str, str]] = field(default_factory=list)  # (rel path, status)
    warnings: list[str] = field(default_factory=list)


def _rel(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _source_of(path: Path) -> str | None:
    try:
        return split_front_matter(path.read_text(encoding="utf-8")).data.get("source")
    except (OSError, UnicodeDecodeError, ValueError):
        return None


def plan(cut: Cut, name: str, content_dir: Path, root: Path) -> Plan:
    """Decide every file to write for one bulletin (nothing is written here)."""
    bulletins = content_dir / "bulletins"
    stem = Path(name).stem
    old = _load_manifest(bulletins / f"{stem}.json")
    old_hashes = {a["path"]: a.get("sha256") for a in old.get("articles", []) if "path" in a}
    result = Plan(bulletin_path=bulletins / f"{stem}.txt", bulletin_text=cut.text,
                  manifest_path=bulletins / f"{stem}.json", manifest={}, root=root)
    used: set[Path] = set()
    entries = []
    for article in cut.articles:
        folder = content_dir / "articles" / str(article.meta.year) / region_folder(article)
        base = article_slug(article.meta.title)
        path = folder / f"{base}.md"
        n = 2
        while path in used or (path.exists() and _rel(path, root) not in old_hashes
                               and _source_of(path) != name):
            suffix = hashlib.sha1(name.encode()).hexdigest()[:6] if n == 2 and path not in used \
                else str(n)
            path = folder / f"{base}-{suffix}.md"
            n += 1
        used.add(path)
        content = dump_front_matter(front_matter(article, name), render_body(article))
        rel = _rel(path, root)
        planned = PlannedFile(path, rel, content, article)
        recorded = old_hashes.get(rel)
        if not path.exists():
            planned.status = "new"
        else:
            current = path.read_text(encoding="utf-8", errors="replace")
            if current == content:
                planned.status = "unchanged"
            elif recorded is not None and sha256(current) == recorded:
                planned.status = "updated"
            else:
                planned.status = "edited"
        result.files.append(planned)
        entries.append(planned)
    new_paths = {f.rel for f in result.files}
    for rel, recorded in old_hashes.items():
        if rel in new_paths:
            continue
        path = root / rel
        if not path.exists():
            continue
        current = path.read_text(encoding="utf-8", errors="replace")
        result.stale.append((rel, "remove" if sha256(current) == recorded else "edited"))
    result.manifest = _manifest(cut, name, entries, old_hashes)
    result.warnings.extend(_other_bulletin(result, cut, bool(old)))
    return result


def _other_bulletin(result: Plan, cut: Cut, has_manifest: bool) -> list[str]:
    """A bulletin of the same name whose text differs is another page (or another version
    of it): replacing it would remove the articles cut from it, so say which."""
    if not result.bulletin_path.exists():
        return []
    try:
        existing = result.bulletin_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        existing = None
    if existing == cut.text:
        return []
    where = _rel(result.bulletin_path, result.root)
    if not has_manifest:
        return [f"{where} exists with other text and no manifest: a different bulletin with "
                "the same name?"]
    going = [rel for rel, status in result.stale if status == "remove"]
    kept = [rel for rel, status in result.stale if status != "remove"]
    message = f"{where} holds a different text under the same name"
    if going:
        message += f"; replacing it would remove {len(going)} article(s): " + ", ".join(going)
    if kept:
        message += f"; {len(kept)} edited article(s) would stay: " + ", ".join(kept)
    return [message]


def _manifest(cut: Cut, name: str, files: list[PlannedFile], old_hashes: dict) -> dict:
    header = cut.page.header
    articles = []
    for f in files:
        a = f.article
        assert a is not None
        sha = sha256(f.content)
        if f.status == "edited" and old_hashes.get(f.rel):
            sha = old_hashes[f.rel]  # still what ingest wrote: the editor's change stays detected
        articles.append({
            "path": f.rel, "title": a.meta.title, "sha256": sha, "region": a.meta.region.path,
            "year": a.meta.year, "date": a.meta.date.isoformat() if a.meta.date else None,
            "kind": a.meta.kind, "line": a.draft.lineno, "chars": a.chars,
            "title_derived": not a.draft.title_from_page,
            "paper": header.paper, "page": header.page,
        })
    return {
        "version": MANIFEST_VERSION,
        "source": name,
        "paper": header.paper,
        "page": header.page,
        "date": header.date.isoformat() if header.date else None,
        "year": cut.evidence.year,
        "year_evidence": cut.evidence.how,
        "editors": header.editors,
        "section": cut.page.banners,
        "furniture": [f.text for f in cut.page.furniture],
        "furniture_lines": [{"line": f.lineno, "kind": f.kind, "text": f.text}
                            for f in cut.page.furniture],
        "dropped": [{"line": d.lineno, "reason": d.reason, "text": d.text} for d in cut.page.dropped],
        "articles": articles,
        "unassigned": [cut.unassigned] if cut.unassigned else [],
    }


def _load_manifest(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_text_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def apply(result: Plan, *, force: bool) -> None:
    """Write what the plan says; never overwrite an edited article unless forced."""
    write_text_atomic(result.bulletin_path, result.bulletin_text)
    for f in result.files:
        if f.status in ("new", "updated") or (f.status == "edited" and force):
            write_text_atomic(f.path, f.content)
            if f.status == "edited":
                f.status = "forced"
    for rel, status in result.stale:
        if status == "remove":  # an edited article no longer cut stays, even with --force
            (result.root / rel).unlink(missing_ok=True)
    if force:
        for entry, f in zip(result.manifest["articles"], result.files, strict=True):
            entry["sha256"] = sha256(f.content)
    write_text_atomic(result.manifest_path,
                      json.dumps(result.manifest, ensure_ascii=False, indent=2) + "\n")
