"""Large inputs, sized by the caller: a folder of many articles and a file that is one long line.

CI runs them at a bounded size; ``SITE_BUILDER_LONG=1`` runs the sizes the issue names.
"""

from __future__ import annotations

import os
from pathlib import Path

LONG = os.environ.get("SITE_BUILDER_LONG") == "1"
FOLDER_ARTICLES = 50_000 if LONG else 5_000
LINE_BYTES = 10 * 1024 * 1024  # cheap to build at full size, so CI runs it too

REGIONS = ["江苏/无锡/江阴", "江苏/无锡", "浙江/宁波/海曙", "广东/深圳", "四川/成都", "全国",
           "山西/太原", "江苏/南京/鼓楼", "湖北/武汉", "浙江/杭州/西湖", "西藏/拉萨", "新疆/喀什"]
TAGS = ["送温暖", "两节", "留岗过年", "困难职工", "农民工", "快递小哥", "年货", "金秋助学"]
SENTENCE = "市总工会走访慰问困难职工和坚守岗位的户外劳动者，送上米面油等年货和慰问金。"


def write_folder(folder: Path, count: int) -> list[str]:
    """``count`` valid articles in ONE folder; returns their expected URLs (under folder's name)."""
    folder.mkdir(parents=True, exist_ok=True)
    urls = []
    for i in range(count):
        year = 2015 + i % 11
        tags = f"[{TAGS[i % 8]}, {TAGS[(i * 5 + 3) % 8]}]"
        (folder / f"a{i:06d}.md").write_text(
            f"---\ntitle: 第{i}号报道\ndate: {year}-{1 + i % 12:02d}-{1 + i % 28:02d}\n"
            f"region: {REGIONS[i % len(REGIONS)]}\ntags: {tags}\n---\n\n"
            f"{SENTENCE}编号{i}。\n", encoding="utf-8")
        urls.append(f"a{i:06d}")
    return urls


def one_line_body(size: int) -> str:
    """About ``size`` bytes of bulletin text with no line break, now and then a link or bold."""
    unit = "送温暖工会在行动，" * 100 + "**重点**，见[通知](https://example.org/n)。"
    return unit * (size // len(unit.encode("utf-8")) + 1)
