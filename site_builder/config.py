"""The typed site configuration read from ``config.yaml``.

Every option is a dataclass field with a type and a default. Loading walks the YAML node tree
(not the plain data) so an unknown key or a wrong type is reported with its line, and it
collects every problem before failing, as MkDocs does.
"""

from __future__ import annotations

import os
import types
import typing
from dataclasses import MISSING, dataclass, field, fields, is_dataclass
from pathlib import Path

from .errors import Diagnostic, SiteError, display_path

if typing.TYPE_CHECKING:
    import yaml


@dataclass(frozen=True)
class Paths:
    content: str = "content"  # articles and bulletins
    templates: str = "templates"  # jinja2 templates and static/ assets
    output: str = "output"  # the built site


@dataclass(frozen=True)
class Pagination:
    per_page: int = 20  # list items per page on region, year and tag pages


@dataclass(frozen=True)
class Feeds:
    entries: int = 30  # newest articles in each Atom feed
    per_province: bool = True  # also write one feed per province
    per_city: bool = True  # ... per city (prefecture)
    per_tag: bool = True  # ... per tag


@dataclass(frozen=True)
class Search:
    user_dictionary: list[str] = field(default_factory=list)  # extra words for the segmenter


@dataclass(frozen=True)
class Ingest:
    tags: list[str] = field(default_factory=list)  # campaign vocabulary used to tag articles


@dataclass(frozen=True)
class Config:
    title: str = "site_builder archive"
    description: str = ""
    base_url: str = ""  # absolute site URL; empty means relative links everywhere
    language: str = "zh-CN"
    trusted_html: bool = False  # True keeps raw HTML in article bodies unsanitized
    paths: Paths = field(default_factory=Paths)
    pagination: Pagination = field(default_factory=Pagination)
    feeds: Feeds = field(default_factory=Feeds)
    search: Search = field(default_factory=Search)
    ingest: Ingest = field(default_factory=Ingest)
    # Not read from the file: where the file lives, to resolve relative paths.
    root: Path = field(default=Path("."), metadata={"internal": True})

    @property
    def content_dir(self) -> Path:
        return self.root / self.paths.content

    @property
    def templates_dir(self) -> Path:
        return self.root / self.paths.templates

    @property
    def output_dir(self) -> Path:
        return self.root / self.paths.output

    def settings(self) -> dict:
        """Every field but ``root``: what a build's output depends on, not where it runs."""
        return {k: v for k, v in vars(self).items() if k != "root"}


CONFIG_NAME = "config.yaml"


def find_config(start: Path | None = None) -> Path | None:
    """The project's config.yaml: in ``start`` (default: the working folder) or the nearest
    folder above it, so commands work from anywhere inside a project (as git does). Relative
    to the working folder when it is under it or above it (``config.yaml``, ``../config.yaml``)."""
    here = Path.cwd()
    folder = (start or here).resolve()
    for candidate in (folder, *folder.parents):
        path = candidate / CONFIG_NAME
        if path.is_file():
            try:
                return Path(os.path.relpath(path, here))
            except ValueError:  # another drive (Windows)
                return path
    return None


def config_root(path: Path | str = CONFIG_NAME) -> Path:
    """The project folder of the config file ``path`` (what its relative paths are relative
    to), without reading the file; SiteError if there is no such file."""
    path = Path(path)
    if not path.exists():
        raise SiteError(Diagnostic(display_path(path), None, "config file not found"))
    return path.parent


def load_config(path: Path | str = CONFIG_NAME, **overrides: object) -> Config:
    """Read and check ``config.yaml``; raise SiteError listing every problem with its line."""
    # yaml is imported where a file is read, not at the top: `site-builder search` needs only
    # config_root, and each of its processes would load yaml for nothing.
    import yaml

    root = config_root(path)
    path = Path(path)
    shown = display_path(path)
    try:
        node = yaml.compose(path.read_text(encoding="utf-8-sig"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        raise SiteError(Diagnostic(shown, line, f"invalid YAML: {exc}")) from exc
    except UnicodeDecodeError as exc:
        raise SiteError(Diagnostic(shown, None, f"not UTF-8 text: {exc}")) from exc
    problems: list[Diagnostic] = []
    if node is None:
        values: dict = {}
    else:
        values = _convert(node, Config, "", shown, problems)
    if problems:
        raise SiteError(problems)
    values.update({k: v for k, v in overrides.items() if v is not None})
    return Config(root=root, **values)


def _convert(node: yaml.Node, cls: type, prefix: str, shown: str, problems: list) -> dict:
    """Turn a mapping node into keyword arguments for dataclass ``cls``."""
    import yaml  # where a file is read: see load_config

    if not isinstance(node, yaml.MappingNode):
        problems.append(_at(shown, node, f"{prefix or 'config'} must be a mapping"))
        return {}
    known = {f.name: f for f in fields(cls) if not f.metadata.get("internal")}
    hints = typing.get_type_hints(cls)
    out: dict = {}
    for key_node, value_node in node.value:
        key = key_node.value
        dotted = f"{prefix}{key}"
        if key not in known:
            hint = ", ".join(sorted(known))
            problems.append(_at(shown, key_node, f"unknown key '{dotted}' (known here: {hint})"))
            continue
        want = hints[key]
        if is_dataclass(want):
            out[key] = want(**_convert(value_node, want, dotted + ".", shown, problems))
            continue
        value = yaml.safe_load(yaml.serialize(value_node))
        if not _is_instance(value, want):
            problems.append(_at(shown, value_node, f"'{dotted}' must be {_describe(want)}, "
                                                   f"got {type(value).__name__}"))
            continue
        out[key] = value
    for name, f in known.items():
        if f.default is MISSING and f.default_factory is MISSING and name not in out:
            problems.append(_at(shown, node, f"missing required key '{prefix}{name}'"))
    return out


def _is_instance(value: object, want: object) -> bool:
    origin = typing.get_origin(want)
    if origin is list:
        (item,) = typing.get_args(want)
        return isinstance(value, list) and all(_is_instance(v, item) for v in value)
    if origin in (typing.Union, types.UnionType):
        return any(_is_instance(value, a) for a in typing.get_args(want))
    if want is type(None):
        return value is None
    if want is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, want)  # type: ignore[arg-type]


def _describe(want: object) -> str:
    origin = typing.get_origin(want)
    if origin is list:
        return f"a list of {_describe(typing.get_args(want)[0])}"
    names = {str: "text", int: "a whole number", bool: "true or false"}
    return names.get(want, getattr(want, "__name__", str(want)))  # type: ignore[arg-type]


def _at(shown: str, node: yaml.Node, message: str) -> Diagnostic:
    return Diagnostic(shown, node.start_mark.line + 1, message, col=node.start_mark.column + 1)
