"""render/media.py: where an article's images are published, which of its ``src`` values are
images of the content folder at all, and how the page's and the feed's body point at them."""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest
from articles import article

from site_builder.render.media import article_media, body_for_page, media_path, ranked_headings

# source_path: content/articles/2024/photo.md
PHOTO = article("photo", date="2024-02-01")


@pytest.mark.parametrize(("src", "published"), [
    ("photo.png", "media/articles/2024/photo.png"),
    ("./img/送温暖 现场.JPG", "media/articles/2024/img/song-wen-nuan-xian-chang.jpg"),
    ("../2023/old.webp", "media/articles/2023/old.webp"),
    ("/shared/logo.gif?v=2#top", "media/shared/logo.gif"),  # from the content folder
    ("../../../config.png", None),  # leaves the content folder
    ("/../secret.png", None),
    ("https://example.org/a.png", None),
    ("//cdn.example.org/a.png", None),
    ("data:image/png;base64,AAAA", None),
    ("#anchor", None),
    ("drawing.svg", None),  # opened on its own, SVG runs script with the site's origin
    ("notes.md", None),
    ("../../../config.yaml", None),
    ("no-suffix", None),
])
def test_only_image_files_inside_the_content_folder_are_published(src, published):
    assert media_path(PHOTO, src) == published


def test_the_page_points_up_to_the_media_folder_and_the_feed_at_the_absolute_url():
    a = article("photo", body_html='<p><img src="photo.png" alt="图"> '
                                   '<img src="https://example.org/x.png"></p>')
    assert body_for_page(a) == ('<p><img src="../../../media/articles/2024/photo.png" alt="图"> '
                                '<img src="https://example.org/x.png"></p>')
    assert body_for_page(a, "https://example.org/archive/") == (
        '<p><img src="https://example.org/archive/media/articles/2024/photo.png" alt="图"> '
        '<img src="https://example.org/x.png"></p>')


def test_headings_move_as_a_whole_so_the_highest_is_an_h2():
    assert ranked_headings("<h3>a</h3><h4 id='x'>b</h4>") == "<h2>a</h2><h3 id='x'>b</h3>"
    assert ranked_headings("<h1>a</h1><h2>b</h2>") == "<h2>a</h2><h3>b</h3>"
    assert ranked_headings("<h1>a</h1><h6>z</h6>") == "<h2>a</h2><h6>z</h6>"  # no h7
    assert ranked_headings("<h2>a</h2><p>h1</p>") == "<h2>a</h2><p>h1</p>"
    assert body_for_page(article("h", body_html="<h1>小标题</h1>")) == "<h2>小标题</h2>"


def test_article_media_maps_each_published_image_to_its_source_once():
    first = article("a", body_html='<img src="pic.png"><img src="../common/p.jpg">'
                                   '<img src="x.svg">')
    second = article("b", body_html='<img src="/articles/2024/pic.png">')
    assert article_media([first, second]) == {
        "media/articles/2024/pic.png": PurePosixPath("articles/2024/pic.png"),
        "media/articles/common/p.jpg": PurePosixPath("articles/2024/../common/p.jpg"),
    }
