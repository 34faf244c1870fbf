"""Split a markdown file into YAML front-matter and body, keeping line numbers for errors."""

from __future__ import annotations

from dataclasses import dataclass

import yaml


class FrontMatterError(ValueError):
    """A front-matter problem at a 1-based line of the file (None when it has no line)."""

    def __init__(self, message: str, line: int | None = None, col: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.col = col


@dataclass(frozen=True)
class FrontMatter:
    data: dict  # the parsed mapping
    key_lines: dict[str, int]  # 1-based file line of each top-level key
    body: str
    body_line: int  # 1-based file line where the body starts


FENCE = "---"


_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: ~10x faster


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """SafeLoader that leaves dates as text, so a bad date is our message, not a crash."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _parse(yaml_text: str) -> tuple[yaml.Node | None, object]:
    """Compose once, keeping the node tree for line numbers, and construct from it."""
    loader = _Loader(yaml_text)
    try:
        node = loader.get_single_node()
        return node, (loader.construct_document(node) if node is not None else None)
    finally:
        loader.dispose()


def split_front_matter(text: str) -> FrontMatter:
    """Parse ``---`` fenced YAML at the top of ``text``.

    Raises FrontMatterError with the file line of the problem: a missing opening or closing
    fence, YAML syntax, or a top level that is not a mapping.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip() != FENCE:
        raise FrontMatterError(
            "no front-matter: the file must start with a line '---', then YAML, then '---'", 1
        )
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() == FENCE), None)
    if end is None:
        raise FrontMatterError("front-matter is not closed: add a line '---' after the YAML", 1)
    yaml_text = "".join(lines[1:end])
    try:
        node = yaml.compose(yaml_text, Loader=_Loader)
        data = yaml.load(yaml_text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 2 if mark else 1
        col = mark.column + 1 if mark else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise FrontMatterError(f"invalid YAML in front-matter: {problem}", line, col) from exc
    if data is None:
        data, node = {}, None
    if not isinstance(data, dict):
        raise FrontMatterError("front-matter must be a mapping of 'key: value' lines", 2)
    key_lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, _ in node.value:
            key_lines[str(key_node.value)] = key_node.start_mark.line + 2
    return FrontMatter(data, key_lines, "".join(lines[end + 1 :]), end + 2)


def dump_front_matter(data: dict, body: str) -> str:
    """The inverse of split_front_matter, in the field order given, readable Chinese kept."""
    yaml_text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)
    return f"{FENCE}\n{yaml_text}{FENCE}\n\n{body.strip()}\n"
