"""Split a markdown file into YAML front-matter and body, keeping line numbers for errors."""

from __future__ import annotations

from dataclasses import dataclass, field

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
    warnings: list[tuple[int, str]] = field(default_factory=list)  # (line, message)


FENCE = "---"


_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: ~10x faster


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """SafeLoader that leaves dates as text, so a bad date is our message, not a crash."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


MAX_YAML_VALUES = 10_000  # values a front-matter may stand for once aliases are expanded


def _compose(yaml_text: str) -> yaml.Node | None:
    loader = _Loader(yaml_text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def _construct(node: yaml.Node) -> object:
    """The value of a composed node. An explicit tag that does not fit its text (``!!int
    abc``, a 5,000-digit int, ``!!timestamp soon``) is an error at that value's line."""
    loader = _Loader("")
    try:
        return loader.construct_document(node)
    except yaml.YAMLError:
        raise
    except Exception as exc:  # PyYAML's constructors fail with whatever their parsing raises
        bad = _failing_node(node)
        text = bad.value if isinstance(bad.value, str) else ""
        text = text if len(text) <= 40 else text[:37] + "..."
        tag = bad.tag.replace("tag:yaml.org,2002:", "!!")
        raise FrontMatterError(f"invalid value in front-matter: {text!r} is not a valid {tag}",
                               bad.start_mark.line + 2, bad.start_mark.column + 1) from exc
    finally:
        loader.dispose()


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [child for pair in node.value for child in pair]
    return list(node.value) if isinstance(node, yaml.SequenceNode) else []


def _failing_node(node: yaml.Node) -> yaml.Node:
    """The innermost node whose value cannot be constructed."""
    for child in _children(node):
        try:
            _Loader("").construct_object(child, deep=True)
        except Exception:
            return _failing_node(child)
    return node


def _expanded_size(node: yaml.Node, limit: int) -> int:
    """How many values ``node`` stands for with its aliases expanded ("billion laughs"),
    counted without expanding them; the count stops once past ``limit``."""
    sizes: dict[int, int] = {}

    def size(n: yaml.Node) -> int:
        if id(n) not in sizes:
            total = 1
            for child in _children(n):
                total += size(child)
                if total > limit:
                    break
            sizes[id(n)] = total
        return sizes[id(n)]

    return size(node)


def _first_alias_line(yaml_text: str) -> int:
    for event in yaml.parse(yaml_text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent):
            return event.start_mark.line + 2
    return 2


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
        node = _compose(yaml_text)
        if node is not None and _expanded_size(node, MAX_YAML_VALUES) > MAX_YAML_VALUES:
            raise FrontMatterError(f"YAML aliases expand to more than {MAX_YAML_VALUES:,} values: "
                                   "write the values out instead", _first_alias_line(yaml_text))
        data = _construct(node) if node is not None else None
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
    warnings: list[tuple[int, str]] = []
    if isinstance(node, yaml.MappingNode):
        for key_node, _ in node.value:
            key, line = str(key_node.value), key_node.start_mark.line + 2
            if key in key_lines:
                warnings.append((line, f"duplicate key '{key}' (first on line {key_lines[key]}): "
                                       "this later value is the one used"))
            key_lines[key] = line
    return FrontMatter(data, key_lines, "".join(lines[end + 1 :]), end + 2, warnings)


def dump_front_matter(data: dict, body: str) -> str:
    """The inverse of split_front_matter, in the field order given, readable Chinese kept."""
    yaml_text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)
    return f"{FENCE}\n{yaml_text}{FENCE}\n\n{body.strip()}\n"
