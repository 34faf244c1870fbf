"""Cut a page's logical lines into articles.

1. Bodies: runs of text. A new body starts at a byline (本报讯…, 本报记者 …), after a closing
   credit, after a wide gap, or at a headline group that is not a section subhead.
2. Headline groups are matched to bodies: normally the group right above a body, but some
   layouts print a headline below its body or in a cluster far from it, so each group goes to
   the body whose text shares most of its words (weighted by rarity on the page), with a bonus
   for sitting right above (or, less, right below) it.
3. Text with no headline and no byline at the top of the page is the lead of the next article;
   where the page gives no evidence of a boundary, text stays together.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from .. import segment
from .classify import (
    BYLINE,
    CREDIT,
    DATELINE,
    DIGEST,
    ENTRY,
    HEAD,
    LABEL,
    LEAD,
    TEXT,
    classify,
)
from .repair import Furniture, Page, Unit
from .text import HAN, ends_sentence, quote_balance, split_trailing_credit, width

HEADISH = (HEAD, LABEL)
_BOX_LABEL = re.compile(r"提示|导读|编者按|按语|链接")


@dataclass
class Piece:
    """One element of an article body."""

    kind: str  # "p", "h2" (section subhead), "h3" (timeline date), "byline", "credit", "label"
    text: str
    lineno: int


@dataclass
class Body:
    pieces: list[Piece] = field(default_factory=list)
    closed: bool = False  # ended by a closing credit
    starts_with_byline: bool = False
    index: int = 0  # position among the page's segments
    heads: list[HeadGroup] = field(default_factory=list)
    digest_title: str = ""
    widest_gap: int = 0  # the widest blank gap between two of its lines

    @property
    def lineno(self) -> int:
        return self.pieces[0].lineno if self.pieces else 0

    def text(self) -> str:
        return "".join(p.text for p in self.pieces)


@dataclass
class HeadGroup:
    """Headline lines printed together (no blank line between them), with any label/byline."""

    units: list[tuple[Unit, str]]
    index: int = 0  # position among the page's segments
    cluster: int = 0  # consecutive groups between two bodies share a cluster number
    under_body: bool = False  # evidenced as the headline of the body printed above it

    @property
    def lineno(self) -> int:
        return self.units[0][0].lineno

    def text(self) -> str:
        return "".join(u.text for u, k in self.units if k in HEADISH)

    @property
    def has_headline(self) -> bool:
        return any(k == HEAD for _, k in self.units)


@dataclass(eq=False)  # one article is one object: equal text is not the same article
class Draft:
    """An article as cut from the page, before metadata."""

    title: str
    subtitle: str = ""
    kicker: str = ""
    pieces: list[Piece] = field(default_factory=list)
    title_from_page: bool = True  # False when derived from the first sentence
    labels: list[str] = field(default_factory=list)
    digest: bool = False
    subtitle_line: int = 0

    @property
    def lineno(self) -> int:
        return min([p.lineno for p in self.pieces] or [0])

    def page_texts(self) -> list[str]:
        """Every piece of page text this article holds (for the nothing-lost accounting)."""
        out = [self.subtitle, self.kicker, *(p.text for p in self.pieces)]
        if self.title_from_page:
            out.append(self.title)
        return out


def split_page(page: Page) -> list[Draft]:
    kinds = classify(page.units)
    segments = _segments(page.units, kinds, page.furniture)
    segments = _take_banners(segments, page.furniture)
    segments = _merge_clusters(segments)
    bodies = [s for s in segments if isinstance(s, Body)]
    groups = [s for s in segments if isinstance(s, HeadGroup)]
    _assign(segments, bodies, groups)
    drafts: list[Draft] = []
    pending: list[Piece] = []  # untitled lead text waiting for the next article
    for seg_no, body in enumerate(bodies):
        if not body.heads and not body.digest_title and _is_lead_of_next(body, bodies, seg_no):
            pending.extend(body.pieces)
            continue
        draft = _draft(body)
        if pending:
            draft.pieces[_after_byline(draft.pieces):_after_byline(draft.pieces)] = pending
            pending = []
        drafts.append(draft)
    if pending:  # lead text with nothing after it: an article of its own
        drafts.append(_draft(Body(pieces=pending)))
    _move_parallel_subheads(drafts)
    return drafts


def _after_byline(pieces: list[Piece]) -> int:
    return 1 if pieces and pieces[0].kind == "byline" else 0


def _is_lead_of_next(body: Body, bodies: list[Body], n: int) -> bool:
    """Untitled text at the top of the page, before a headline: the next article's lead."""
    return (n == 0 and n + 1 < len(bodies) and not body.closed and not body.starts_with_byline
            and bodies[n + 1].heads != [] and bodies[n + 1].heads[0].index < bodies[n + 1].index)


def _segments(units: list[Unit], kinds: list[str], furniture: list[Furniture]
              ) -> list[Body | HeadGroup]:
    segments: list[Body | HeadGroup] = []
    body: Body | None = None
    i = 0
    n = len(units)

    def new_body(byline: bool = False) -> Body:
        nonlocal body
        body = Body(starts_with_byline=byline, index=len(segments))
        segments.append(body)
        return body

    while i < n:
        unit, kind = units[i], kinds[i]
        if kind in HEADISH:
            j = i + 1
            while j < n and (kinds[j] in HEADISH or (kinds[j] in (BYLINE, CREDIT) and units[j].gap == 0
                                                      and kinds[j - 1] == HEAD)
                             or (kinds[j] == BYLINE and kinds[j - 1] in HEADISH)):
                j += 1
            run = list(zip(units[i:j], kinds[i:j], strict=True))
            nxt = kinds[j] if j < n else None
            # A subhead is set off like the body's paragraphs; the next story's headline by a
            # wider gap than any inside the body (what follows decides the rest: a lead or
            # byline below starts a story).
            if (body is not None and not body.closed and kind == HEAD and nxt in (TEXT, ENTRY)
                    and _subhead_run(run, body) and units[j].gap <= max(1, body.widest_gap)
                    and not _heads_elsewhere(run, body, units[j].text)):
                # A subhead set on two lines (冰雪大世界里 / 工会驿站暖人心) is one subhead.
                body.pieces.append(Piece("h2", " ".join(u.text for u, _ in run), unit.lineno))
            else:
                body = None
                _add_groups(segments, run)
            i = j
            continue
        if kind == BYLINE and _closing_byline(body, units, kinds, i):
            kind = CREDIT
        if kind == CREDIT and body is not None and body.closed and unit.gap == 0 \
                and body.pieces and body.pieces[-1].kind == "credit":
            _add_piece(body, unit, kind)  # a second credit line: 文字：… / 图片：…供图
            i += 1
            continue
        if kind == BYLINE and _bare_dateline(body):
            _add_piece(body, unit, kind)  # 新华社北京1月22日电 / 新华社记者 樊华: one lead
            i += 1
            continue
        if kind == LEAD and _caption_only(body):
            _add_piece(body, unit, kind)  # a photo caption printed above the story's lead
            i += 1
            continue
        if kind in (LEAD, BYLINE, DIGEST) or body is None or body.closed or (
                kind == TEXT and unit.gap >= 2 and body.pieces and kinds[i - 1] == TEXT):
            body = new_body(byline=kind in (LEAD, BYLINE))
        if kind == DIGEST:
            boxed = unit.text.rstrip().endswith("□")
            body.digest_title = unit.text.rstrip()[:-1].rstrip() if boxed else unit.text
            if boxed:
                furniture.append(Furniture("□", unit.lineno, "marker"))
        else:
            if body.pieces:
                body.widest_gap = max(body.widest_gap, unit.gap)
            _add_piece(body, unit, kind)
        i += 1
    return segments


def _closing_byline(body: Body | None, units: list[Unit], kinds: list[str], i: int) -> bool:
    """A byline-shaped line (记者：马骁 通讯员：杨洁、虎勇) right under a finished paragraph, with no
    text of its own after it (the page ends, or a headline or lead follows), is the article's
    closing credit; one above text opens the next article."""
    if body is None or body.closed or not body.pieces or units[i].gap > 1:
        return False
    last = body.pieces[-1]
    if last.kind != "p" or not ends_sentence(last.text):
        return False
    return i + 1 == len(units) or kinds[i + 1] in HEADISH or kinds[i + 1] in (LEAD, CREDIT)


def _caption_only(body: Body | None) -> bool:
    """A body holding only a short photo caption (慰问现场。张扬 本报记者 高远摄): the picture of
    the story whose lead follows, not a story of its own."""
    if body is None or body.closed or len(body.pieces) != 1 or body.pieces[0].kind != "p":
        return False
    text = body.pieces[0].text.strip()
    return width(text) <= 80 and text.endswith("摄") and not body.starts_with_byline


def _bare_dateline(body: Body | None) -> bool:
    """A body holding only a lead with no text after it (an agency dateline on its own line)."""
    from .byline import strip_lead

    return (body is not None and len(body.pieces) == 1 and body.pieces[0].kind == "p"
            and body.starts_with_byline and not strip_lead(body.pieces[0].text))


def _subhead_run(run: list[tuple[Unit, str]], body: Body) -> bool:
    """A section subhead inside an open body: one short headline line (or two set as one,
    no gap between them, in a body that already has text), set off no wider than the body's
    own paragraphs."""
    first = run[0][0]
    if len(run) > 2 or any(k != HEAD for _, k in run) or (len(run) == 2 and (
            run[1][0].gap > 0 or not any(p.kind == "p" for p in body.pieces))):
        return False
    return all(not u.vertical and not u.spaced and not _doubled(u) and width(u.text) <= 60
               for u, _ in run) and (first.gap < 2 or first.gap <= body.widest_gap)


def _heads_elsewhere(run: list[tuple[Unit, str]], body: Body, following: str) -> bool:
    """A headline naming a place the open article has not been about (neither it, nor one
    inside or above it), whose next paragraph names that place too, opens the next story
    (岳阳工会… under an item on 湘潭, with no blank lines to set them apart); a subhead
    stays within its article's places."""
    from .places import mentions

    text = " ".join(u.text for u, _ in run)
    heads = {m.region.path for m in mentions(text)}
    if not heads:
        return False
    seen = {m.region.path for m in mentions(body.text())}
    opening = {m.region.path for m in mentions(following[:60])}

    def related(a: str, b: str) -> bool:
        return a == b or a.startswith(b + "/") or b.startswith(a + "/")

    return any(h in opening and not any(related(h, s) for s in seen) for h in heads)


def _doubled(unit: Unit) -> bool:
    return unit.doubled


def _add_piece(body: Body, unit: Unit, kind: str) -> None:
    if kind == BYLINE:
        body.pieces.append(Piece("byline", unit.text, unit.lineno))
    elif kind == CREDIT:
        body.pieces.append(Piece("credit", unit.text, unit.lineno))
        body.closed = True
    elif kind == ENTRY:
        body.pieces.append(Piece("h3", unit.text, unit.lineno))
    elif kind == DATELINE:
        body.pieces.append(Piece("dateline", unit.text, unit.lineno))
    else:
        text, credit = split_trailing_credit(unit.text)
        body.pieces.append(Piece("p", text, unit.lineno))
        if credit:
            body.pieces.append(Piece("credit", credit, unit.lineno))
            body.closed = True


def _add_groups(segments: list[Body | HeadGroup], run: list[tuple[Unit, str]]) -> None:
    """A run of headline lines becomes groups split at blank lines, all in one cluster."""
    cluster = segments[-1].cluster + 1 if segments and isinstance(segments[-1], HeadGroup) \
        else len(segments)
    if segments and isinstance(segments[-1], HeadGroup):
        cluster = segments[-1].cluster
    current: list[tuple[Unit, str]] = []
    for unit, kind in run:
        if current and unit.gap > 0 and not (kind in (BYLINE, CREDIT) and current[-1][1] == HEAD
                                             and unit.vertical):
            segments.append(HeadGroup(current, index=len(segments), cluster=cluster))
            current = []
        current.append((unit, kind))
    if current:
        segments.append(HeadGroup(current, index=len(segments), cluster=cluster))


BANNER_MIN_GROUPS = 3  # banner(s) + the first article's headline, each set apart


def _take_banners(segments: list[Body | HeadGroup], furniture: list[Furniture]
                  ) -> list[Body | HeadGroup]:
    """Page banners: one-line headlines set apart at the top of a page of several articles
    (``2025年两节“工会送温暖行动”`` / ``冬日里，工会与您的“暖心约定”`` above ``山西：…``). When two
    or more of them stand above the headline of the first article, they title the whole page
    (a section or campaign), not that article: they become page furniture of kind "banner".
    A single line above a headline stays its kicker; a stack whose last line is a deck (the
    headline in the middle) is one article's headline."""
    top: list[HeadGroup] = []
    for seg in segments:
        if not isinstance(seg, HeadGroup):
            break
        top.append(seg)
    headlines = sum(1 for s in segments if isinstance(s, HeadGroup) and s.has_headline)
    if len(top) < BANNER_MIN_GROUPS or len(top) == len(segments) or headlines < len(top) + 2:
        return segments
    if any(len(g.units) != 1 or g.units[0][1] != HEAD or g.units[0][0].vertical
           or g.units[0][0].spaced for g in top):
        return segments
    texts = [g.text() for g in top]
    if any(t.startswith("——") for t in texts) or _pick_title(texts[-2:]) != 1:
        return segments
    for group in top[:-1]:
        unit = group.units[0][0]
        furniture.append(Furniture(unit.text, unit.lineno, "banner"))
    return segments[len(top) - 1 :]


def _merge_clusters(segments: list[Body | HeadGroup]) -> list[Body | HeadGroup]:
    """Headline groups stacked right above a body that can take a title are one headline
    (kicker / headline / deck); a cluster with nothing titleable below stays split, as
    headlines printed away from their articles."""
    for n, seg in enumerate(segments):  # positions in this list (banners were taken off)
        seg.index = n
    out: list[Body | HeadGroup] = []
    i = 0
    while i < len(segments):
        seg = segments[i]
        if isinstance(seg, HeadGroup):
            j = i
            while j < len(segments) and isinstance(segments[j], HeadGroup):
                j += 1
            cluster = segments[i:j]
            below = segments[j] if j < len(segments) else None
            above = out[-1] if out and isinstance(out[-1], Body) else None
            if (above is not None and isinstance(below, Body)
                    and _title_of_above(cluster[0], above, below, segments)):
                cluster[0].under_body = True  # printed under its body
                out.append(cluster[0])
                cluster = cluster[1:]
            if len(cluster) > 1 and isinstance(below, Body) and not below.digest_title:
                units = [u for g in cluster for u in g.units]
                out.append(HeadGroup(units, cluster=seg.cluster))
            else:
                out.extend(cluster)
            i = j
            continue
        out.append(seg)
        i += 1
    for n, seg in enumerate(out):
        seg.index = n
    return out


def _title_of_above(group: HeadGroup, above: Body, below: Body, segments: list) -> bool:
    """A headline printed under its own body (郑州“工会驿站”冬日暖人心 after the 郑州 story, the
    洛阳 headline and story below it): the body above has no headline of its own and shares
    more of the group's words than the body below does."""
    n = above.index
    if n > 0 and isinstance(segments[n - 1], HeadGroup):
        return False
    grams = _bigrams(group.text())
    if not grams:
        return False
    up = len(grams & _bigrams(above.text())) / len(grams)
    down = len(grams & _bigrams(below.text())) / len(grams)
    return up >= 0.3 and up > 2 * down


# --- matching headline groups to bodies -------------------------------------------------

def _bigrams(text: str) -> set[str]:
    han = "".join(HAN.findall(text))
    return {han[i : i + 2] for i in range(len(han) - 1)}


MATCH_ADJACENT = 0.3  # least score for a headline group right above or below a body
MATCH_AWAY = 0.45  # least score (all of it shared words) for a group away from its body
CANDIDATES_MAX = 48  # bodies sharing a rare word with a group, nearest first, that are scored


def _assign(segments: list, bodies: list[Body], groups: list[HeadGroup]) -> None:
    """Each headline group goes to a body: the best-scoring pair first, a score being the
    share of the group's words (weighted by rarity on the page) found in the body plus a
    bonus for adjacency.

    Only pairs that can reach the thresholds are scored, so a page of thousands of items
    takes time in proportion to its size: the bodies next to a group, and the bodies that
    share one of the group's rarest words — a body lacking all of the rarest words that make
    up more than ``1 - MATCH_AWAY`` of the group's weight cannot share ``MATCH_AWAY`` of it
    (the prefix filter of set-similarity joins)."""
    if not groups or not bodies:
        return
    body_grams = [_bigrams(b.text() + b.digest_title) for b in bodies]
    postings: dict[str, list[int]] = {}
    for bi, grams in enumerate(body_grams):
        for g in grams:
            postings.setdefault(g, []).append(bi)
    total = len(bodies)
    idf_of: dict[str, float] = {}

    def idf(g: str) -> float:
        if g not in idf_of:
            idf_of[g] = math.log((1 + total) / (1 + len(postings.get(g, ())))) + 1.0
        return idf_of[g]

    body_at = {body.index: bi for bi, body in enumerate(bodies)}
    scores: list[tuple[float, int, int, int]] = []
    for gi, group in enumerate(groups):
        if not group.has_headline:
            continue
        grams = sorted(_bigrams(group.text()), key=lambda g: (-idf(g), g))
        weight = sum(idf(g) for g in grams) or 1.0
        candidates = _neighbour_bodies(segments, group, body_at)
        rare: set[int] = set()
        covered = 0.0
        for g in grams:
            if covered > (1 - MATCH_AWAY) * weight:
                break
            covered += idf(g)
            rare.update(postings.get(g, ()))
        nearest = sorted(rare - candidates, key=lambda bi: (abs(bodies[bi].index - group.index), bi))
        candidates.update(nearest[:CANDIDATES_MAX])
        for bi in candidates:
            body = bodies[bi]
            adjacency = _adjacency(segments, group, body)
            overlap = sum(idf(g) for g in grams if g in body_grams[bi]) / weight
            score = overlap + adjacency
            if score >= MATCH_ADJACENT and (adjacency > 0 or score >= MATCH_AWAY):
                scores.append((score, -abs(group.index - body.index), gi, bi))
    scores.sort(reverse=True)
    taken: dict[int, int] = {}  # group → body
    title_cluster: dict[int, int] = {}  # body → cluster of the headline group it took
    for _score, _, gi, bi in scores:
        group, body = groups[gi], bodies[bi]
        if gi in taken or (bi in title_cluster and title_cluster[bi] != group.cluster):
            continue
        if body.digest_title:
            continue
        taken[gi] = bi
        title_cluster.setdefault(bi, group.cluster)
    last_taken: dict[int, int] = {}  # cluster → the body its latest placed group went to
    for gi, group in enumerate(groups):
        if gi in taken:
            last_taken[group.cluster] = taken[gi]
        elif not group.has_headline and group.cluster in last_taken:
            # A column label printed among headlines goes with the headline above it.
            taken[gi] = last_taken[group.cluster]
    following = 0
    for gi, group in enumerate(groups):
        if gi not in taken:  # no evidence where it belongs: keep it with the text below
            while following < len(bodies) and bodies[following].index <= group.index:
                following += 1
            taken[gi] = min(following, len(bodies) - 1)
    for gi, bi in sorted(taken.items(), key=lambda kv: groups[kv[0]].index):
        bodies[bi].heads.append(groups[gi])


def _neighbour_bodies(segments: list, group: HeadGroup, body_at: dict[int, int]) -> set[int]:
    """The bodies a group may be adjacent to: the first body on each side of its run of
    headline groups."""
    out: set[int] = set()
    for step in (-1, 1):
        n = group.index + step
        while 0 <= n < len(segments) and isinstance(segments[n], HeadGroup):
            n += step
        if 0 <= n < len(segments) and n in body_at:
            out.add(body_at[n])
    return out


def _adjacency(segments: list, group: HeadGroup, body: Body) -> float:
    """Bonus for a group right above a body (its cluster touches the body) or right below."""
    if group.index < body.index and not group.under_body and all(
            isinstance(s, HeadGroup) for s in segments[group.index + 1 : body.index]):
        return 0.6 + (0.4 if body.starts_with_byline else 0.0)
    if group.index > body.index and all(isinstance(s, HeadGroup) for s in
                                        segments[body.index + 1 : group.index]):
        above = body.index > 0 and isinstance(segments[body.index - 1], HeadGroup)
        return 0.25 if above else 0.5
    return 0.0


# --- building the draft ----------------------------------------------------------------

def _draft(body: Body) -> Draft:
    heads: list[Unit] = []
    labels: list[str] = []
    top: list[Piece] = []
    for group in body.heads:
        for unit, kind in group.units:
            if kind == HEAD:
                heads.append(unit)
            elif kind == LABEL and _BOX_LABEL.search(unit.text):
                top.append(Piece("label", unit.text, unit.lineno))  # heads a text box
            elif kind == LABEL:
                labels.append(unit.text)
            else:
                top.append(Piece("byline" if kind == BYLINE else "credit", unit.text, unit.lineno))
    pieces = top + body.pieces
    draft = Draft(title="", pieces=pieces, labels=labels)
    texts = _join_colon_kickers([u.text for u in heads])
    if body.digest_title:
        draft.digest = True
        texts = [*texts, body.digest_title]
    if not texts:
        draft.title = derive_title(pieces)
        draft.title_from_page = False
    elif len(texts) == 1:
        draft.title = texts[0]
    else:
        title_i = _pick_title(texts[-2:]) + len(texts) - 2
        draft.title = texts[title_i]
        deck_i = [i for i, t in enumerate(texts) if i != title_i
                  and (i > title_i or t.startswith("——"))]
        decks = [texts[i] for i in deck_i]
        kickers = [t for i, t in enumerate(texts) if i != title_i and i not in deck_i]
        draft.subtitle = " ".join(decks)
        lines = [u.lineno for u in heads if u.text in decks]
        draft.subtitle_line = lines[0] if lines else 0
        draft.kicker = " ".join(kickers)
    draft.kicker = " ".join([*labels, draft.kicker]).strip()
    return draft


def _join_colon_kickers(texts: list[str]) -> list[str]:
    """``市场监管总局：`` above ``严守外卖餐饮安全底线`` is one headline."""
    out: list[str] = []
    for text in texts:
        if out and out[-1].rstrip().endswith(("：", ":")):
            out[-1] = out[-1].rstrip() + text
        else:
            out.append(text)
    return out


def _pick_title(pair: list[str]) -> int:
    """Of a kicker/headline/deck pair, the main headline: not a —— deck, then the one that
    names a place or body (a newsy line), then the longer."""
    from .places import mentions

    scores = []
    for text in pair:
        score = 0.0 if text.startswith("——") else 1.0
        score += 0.5 if mentions(text) else 0.0
        score += len(HAN.findall(text)) / 100
        scores.append(score)
    return max(range(len(pair)), key=lambda i: (scores[i], -i))


_LEADING_TIME = re.compile(r"^(?:\d{1,2}月\d{1,2}日|近日|日前|当天|当日|今天|昨天|目前|近年来|今年以来)[，,]")
_SENTENCE = re.compile(r"[^。！？!?]+[。！？!?]?")
TITLE_MAX = 30  # characters; a derived title longer than this is shortened
# Prepositions that open an adverbial between a subject and its verb (X通过…，开展…): the
# predicate a title needs is then in the next clause.
_ADVERBIAL = frozenset({"通过", "围绕", "按照", "依托", "借助", "针对", "结合", "立足", "聚焦", "为了",
                        "坚持", "紧扣", "紧紧围绕", "以"})


def derive_title(pieces: list[Piece]) -> str:
    """A title for text the page printed without one, from its first sentence: the sentence
    when short; else its subject and main clause (an adverbial 通过… between them skipped), a
    leading chain of places reduced to the last one (浙江省台州市路桥区横街镇 → 路桥区横街镇), and
    at most ``TITLE_MAX`` characters, cut at a word boundary and marked with ….

    The manifest and ``--report`` mark such titles as derived."""
    from .byline import strip_lead

    for piece in pieces:
        if piece.kind != "p":
            continue
        text = _LEADING_TIME.sub("", strip_lead(piece.text).strip())
        m = _SENTENCE.match(text)
        sentence = (m.group(0) if m else text).strip("“”\"'‘’ 。！？!?")
        title = _shorten(_drop_place_chain(sentence))
        if quote_balance(title) > 0:
            title += "”"
        if title:
            return title
    return "（无题）"


def _shorten(sentence: str) -> str:
    if len(sentence) <= TITLE_MAX:
        return sentence
    clauses = [c for c in re.split(r"[，,；;：:]", sentence) if c]
    title = clauses[0]
    skip = _adverbial_at(title)
    if skip and len(clauses) > 1:
        title = _drop_place_chain(title[:skip] + clauses[1])
    else:
        for clause in clauses[1:]:
            if len(title) + len(clause) + 1 > TITLE_MAX - 2:
                break
            title += "，" + clause
    title = title.strip("“”\"'‘’ ")
    if len(title) <= TITLE_MAX:
        return title
    cut = max((start for _w, start, _e in segment.tokenize(title)
               if start <= TITLE_MAX - 1), default=TITLE_MAX - 1)
    return title[: cut or TITLE_MAX - 1].rstrip("，、,“") + "…"


def _adverbial_at(clause: str) -> int:
    """Where an adverbial (通过…, 围绕…) starts after the clause's subject; 0 if none."""
    for word, start, _end in segment.tokenize(clause):
        if start >= 2 and word in _ADVERBIAL:
            return start
    return 0


def _drop_place_chain(text: str) -> str:
    """``浙江省台州市路桥区横街镇的…`` → ``路桥区横街镇的…``: the region is in the metadata, so a
    title keeps only the most specific of several places named one after another at its start."""
    from .places import mentions

    chain = []
    position = 0
    for m in mentions(text):
        if m.start != position:
            break
        chain.append(m)
        position = m.start + len(m.text)
    if len(chain) < 2:
        return text
    return text[chain[-1].start :]


def _shape(text: str) -> tuple[int, int]:
    parts = text.split()
    return len(parts), len(parts[0]) if len(parts) > 1 else len(text)


def _move_parallel_subheads(drafts: list[Draft]) -> None:
    """A deck shaped like the article's section subheads (多措并举 关心职工实打实 above
    舍得投入 用“年味”…) is its first section heading, not a subtitle."""
    for draft in drafts:
        if not draft.subtitle or not draft.title_from_page or draft.subtitle.startswith("——"):
            continue
        subheads = [p.text for p in draft.pieces if p.kind == "h2"]
        shape = _shape(draft.subtitle)
        same = [s for s in subheads if _shape(s)[0] == shape[0]
                and abs(_shape(s)[1] - shape[1]) <= (0 if shape[0] > 1 else 2)]
        if len(same) >= 1 and len(subheads) >= 2:
            index = _after_byline(draft.pieces)
            while index < len(draft.pieces) and draft.pieces[index].kind == "p" and not any(
                    p.kind == "h2" for p in draft.pieces[:index]) and index < len(draft.pieces) and \
                    draft.pieces[index].lineno < _subtitle_line(draft):
                index += 1
            draft.pieces.insert(index, Piece("h2", draft.subtitle, _subtitle_line(draft)))
            draft.subtitle = ""


def _subtitle_line(draft: Draft) -> int:
    return draft.subtitle_line


__all__ = ["Draft", "Piece", "derive_title", "ends_sentence", "split_page"]
