"""Archive stage: pure functions from articles to the listings readers browse.

Regions roll up (an article about 江苏/无锡/江阴 is listed on 江阴, 无锡 and 江苏), years group
by province, tags collect, and each article gets its neighbours and related items. Nothing
here touches files or templates.
"""

from .taxonomy import Archive, RegionNode, TagNode, YearNode, build_archive

__all__ = ["Archive", "RegionNode", "TagNode", "YearNode", "build_archive"]
