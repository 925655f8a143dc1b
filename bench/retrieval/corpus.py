"""The evaluation's documents: the texts of ``texts/``, each uploaded in the format
people would have it in — three as PDFs (fpdf2), one as DOCX (python-docx), one as
a web page, the rest as Markdown or plain text."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterable
from pathlib import Path

TEXTS = Path(__file__).parent / "texts"
PDFS = ("lighthouses", "seabirds", "handbook")
DOCX = ("sourdough",)
HTML = ("water_treatment",)

_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")


def blocks(source: str) -> list[tuple[int, str]]:
    """The text's headings (level 1-6) and paragraphs (level 0), in order."""
    found: list[tuple[int, str]] = []
    for block in source.split("\n\n"):
        block = block.strip()
        if not block:
            continue
        heading = _HEADING.match(block)
        found.append((len(heading[1]), heading[2]) if heading else (0, " ".join(block.split())))
    return found


def documents(stems: Iterable[str] | None = None) -> dict[str, bytes]:
    """Each text (all, or those of ``stems``) as an uploaded file, by filename."""
    files: dict[str, bytes] = {}
    for path in sorted(TEXTS.iterdir()):
        if stems is not None and path.stem not in stems:
            continue
        source = path.read_text(encoding="utf-8")
        if path.stem in PDFS:
            files[f"{path.stem}.pdf"] = _pdf(blocks(source))
        elif path.stem in DOCX:
            files[f"{path.stem}.docx"] = _docx(blocks(source))
        elif path.stem in HTML:
            files[f"{path.stem}.html"] = _html(blocks(source))
        else:
            files[path.name] = source.encode()
    return files


def _pdf(content: list[tuple[int, str]]) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    for level, text in content:
        pdf.set_font("helvetica", style="B" if level else "", size=16 - 2 * level if level else 11)
        pdf.multi_cell(0, 6, text)
        pdf.ln(3)
    return bytes(pdf.output())


def _docx(content: list[tuple[int, str]]) -> bytes:
    import docx

    document = docx.Document()
    for level, text in content:
        if level:
            document.add_heading(text, level=level)
        else:
            document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _html(content: list[tuple[int, str]]) -> bytes:
    """A web page as a site would serve it: navigation, scripts, styles, a cookie
    banner and a footer around the article."""
    body = "\n".join(
        f"<h{level}>{html.escape(text)}</h{level}>" if level else f"<p>{html.escape(text)}</p>"
        for level, text in content
    )
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(content[0][1])}</title>
<style>body {{ font-family: sans-serif; }} .banner {{ position: fixed; }}</style>
<script>window.analytics = {{ track: function () {{ return "pipes reservoir chlorine"; }} }};
</script></head>
<body><nav><a href="/">Home</a> <a href="/bills">Pay your bill</a>
<a href="/outages">Report a leak</a></nav>
<div class="banner">We use cookies to improve our website. <button>Accept all</button></div>
<main><article>
{body}
</article></main>
<footer>Copyright Town Water Company. Registered office: 1 Reservoir Road.</footer>
<script src="/static/app.js"></script></body></html>"""
    return page.encode()
