"""Re-join an article continued in another column of the page.

A multi-column page exported as text can print the end of an article away from its start.
The evidence used, and nothing else: an article whose text stops mid-sentence (…工作， or
…希望以), and elsewhere on the page a paragraph that starts mid-sentence — closing a quote it
never opened (后有更多这样的活动。”…) or, at the tail of another article, a run of paragraphs
that names the dangling article's province and not its host's.
"""

from __future__ import annotations

from .. import segment
from ..gazetteer import Gazetteer
from .places import mentions
from .split import Draft, Piece, derive_title
from .text import SENTENCE_END, join_wrapped, last_significant, quote_balance


def _dangling(draft: Draft) -> bool:
    paragraphs = [p for p in draft.pieces if p.kind == "p"]
    if not paragraphs or draft.pieces[-1].kind != "p":
        return False
    return last_significant(paragraphs[-1].text) not in SENTENCE_END


def _opens_mid_quote(text: str) -> bool:
    """True when the first sentence closes a quote it never opened."""
    for i, ch in enumerate(text[:200]):
        if ch == "“":
            return False
        if ch == "”":
            return i > 0
    return False


def _provinces(text: str, gaz: Gazetteer) -> set[str]:
    return {m.region.names[0] for m in mentions(text, gaz) if m.region.names}


def rejoin_jumps(drafts: list[Draft], gaz: Gazetteer) -> list[Draft]:
    for target in list(drafts):
        if target not in drafts or not _dangling(target):
            continue
        last_text = [p.text for p in target.pieces if p.kind == "p"][-1]
        if quote_balance(last_text) > 0:  # stops inside a quotation: look for its end
            found = _find_quote_continuation(drafts, target)
        else:
            found = _find_region_tail(drafts, target, gaz)
        if not found:
            continue
        host, start = found
        moved = host.pieces[start:]
        del host.pieces[start:]
        last = max(i for i, p in enumerate(target.pieces) if p.kind == "p")
        target.pieces[last] = Piece("p", join_wrapped(target.pieces[last].text, moved[0].text),
                                    target.pieces[last].lineno)
        target.pieces.extend(moved[1:])
        if not host.title_from_page:
            # The host was only the untitled opening of the same article (a reading-tip box).
            lead = 1 if target.pieces and target.pieces[0].kind == "byline" else 0
            target.pieces[lead:lead] = host.pieces
            target.labels = host.labels + target.labels
            target.kicker = " ".join(x for x in (host.kicker, target.kicker) if x)
            drafts.remove(host)
            if not target.title_from_page:
                target.title = derive_title(target.pieces)
        elif not host.pieces:
            drafts.remove(host)
    return drafts


def _find_quote_continuation(drafts: list[Draft], target: Draft) -> tuple[Draft, int] | None:
    for host in drafts:
        if host is target:
            continue
        for i, piece in enumerate(host.pieces):
            if piece.kind == "p" and i > 0 and _opens_mid_quote(piece.text):
                return host, i
    return None


def _find_region_tail(drafts: list[Draft], target: Draft, gaz: Gazetteer
                      ) -> tuple[Draft, int] | None:
    from .repair import _sentence_opener

    want = _provinces(target.title + "".join(p.text for p in target.pieces), gaz)
    if len(want) != 1:
        return None
    for host in drafts:
        if host is target:
            continue
        home = _provinces(host.title, gaz) or _provinces(
            "".join(p.text for p in host.pieces[:2]), gaz)
        if not home or home & want:
            continue
        # The tail of the host that never names the host's province.
        start = len(host.pieces)
        while start > 0 and host.pieces[start - 1].kind == "p" and not (
                _provinces(host.pieces[start - 1].text, gaz) & home):
            start -= 1
        tail = host.pieces[start:]
        if not tail or start == 0:
            continue
        for offset, piece in enumerate(tail):
            word = segment.words(piece.text[:12])[0]
            if _sentence_opener(word) or piece.text.startswith(("“", "本报")):
                continue
            rest = "".join(p.text for p in tail[offset:])
            if _provinces(rest, gaz) & want:
                return host, start + offset
            break
    return None
