"""render/minify: the theme's scripts and stylesheets reach readers minified, meaning intact."""

from __future__ import annotations

import gzip
import shutil
import subprocess

import pytest
from conftest import REPO

from site_builder.render.minify import minified

SCRIPT = """/*! theme licence */
// a comment a reader never needs
const path = `js/${name}.js`;   // a template literal keeps its text
const spaced = `two  spaces // not a comment`;
const url = "http://example.org/a//b";
const pattern = /\\/\\/+/g;
function add(a, b) {
    return a + b;
}
"""


def test_a_script_loses_comments_and_indentation_but_not_its_strings():
    out = minified("search.js", SCRIPT.encode()).decode()
    assert "a comment a reader never needs" not in out and "    return" not in out
    assert "/*! theme licence */" in out
    for kept in ("`js/${name}.js`", "`two  spaces // not a comment`",
                 '"http://example.org/a//b"', "/\\/\\/+/g"):
        assert kept in out


def test_a_stylesheet_is_minified_and_other_files_are_not():
    css = b"/* note */\nbody {\n  color: #222;\n}\n"
    assert minified("style.CSS", css) == b"body{color:#222}"
    for name, data in [("logo.png", b"\x89PNG\r\n"), ("notes.txt", b"// keep\n"),
                       ("latin1.js", "// caf\xe9".encode("latin-1"))]:
        assert minified(name, data) == data


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_theme_search_script_still_parses_and_is_smaller_on_the_wire(tmp_path):
    source = (REPO / "templates/static/search.js").read_bytes()
    out = minified("search.js", source)
    (tmp_path / "search.js").write_bytes(out)
    subprocess.run(["node", "--check", str(tmp_path / "search.js")], check=True)
    assert len(gzip.compress(out, 9)) < 0.8 * len(gzip.compress(source, 9))
