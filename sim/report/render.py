"""Rendering and writing a sweep report: figure files (PNG, SVG, PDF) and the document's blocks
as Markdown and as one self-contained HTML page.

Figures are written without a date stamp and with stable SVG ids, so the same data give the
same files; every file is written atomically.
"""

from __future__ import annotations

import base64
import html
import io
import re
from collections.abc import Sequence
from pathlib import Path

import matplotlib
from matplotlib.figure import Figure

from sim.io import atomic_write
from sim.report.collect import ReportError
from sim.report.document import Block, Bullets, Code, Heading, Image, Para, Table
from sim.report.plan import FIGURE_NAME, FigureSpec, RenderedFigure

FORMATS = ("png", "svg", "pdf")
DPI = 100


def check_formats(formats: Sequence[str] | str) -> tuple[str, ...]:
    """Validate figure formats (a sequence or a comma-separated string)."""
    if isinstance(formats, str):
        formats = formats.split(",")
    cleaned = tuple(dict.fromkeys(f.strip().lower().lstrip(".") for f in formats if f.strip()))
    unknown = [f for f in cleaned if f not in FORMATS]
    if unknown or not cleaned:
        raise ReportError(f"unsupported figure format {', '.join(unknown) or '(none)'}: "
                          f"choose among {', '.join(FORMATS)}")
    return cleaned


def save_figure(spec: FigureSpec, directory: Path, formats: Sequence[str]) -> RenderedFigure:
    """Draw a figure and write it in every format into ``directory`` (atomically)."""
    figure = spec.draw().figure
    rendered = RenderedFigure(spec)
    for fmt in formats:
        data = render_figure(figure, fmt)
        path = directory / f"{spec.name}.{fmt}"
        atomic_write(path, lambda tmp, d=data: Path(tmp).write_bytes(d))
        rendered.files[fmt], rendered.data[fmt] = path, data
    return rendered


def remove_stale_figures(directory: Path, rendered: list[RenderedFigure]) -> list[Path]:
    """Delete figure files of an earlier build that this build did not make (only files named
    like the report's figures, in a figure format), so figures/ matches the report."""
    made = {path for figure in rendered for path in figure.files.values()}
    stale = [p for p in directory.glob("*.*") if p.suffix[1:] in FORMATS
             and FIGURE_NAME.match(p.stem) and p not in made]
    for path in stale:
        path.unlink(missing_ok=True)
    return stale


def render_figure(figure: Figure, fmt: str) -> bytes:
    """A figure's bytes in a format, without a date stamp and with stable SVG ids (so the same
    data give the same files)."""
    buffer = io.BytesIO()
    metadata = {"Date": None} if fmt in ("svg", "pdf") else None
    with matplotlib.rc_context({"svg.hashsalt": "womsim-report", "svg.fonttype": "path"}):
        figure.savefig(buffer, format=fmt, dpi=DPI, metadata=metadata)
    return buffer.getvalue()


def render_markdown(blocks: list[Block]) -> str:
    """The blocks as Markdown (figures linked relative to the report's directory)."""
    parts = []
    for block in blocks:
        if isinstance(block, Heading):
            parts.append(f"{'#' * block.level} {block.text}")
        elif isinstance(block, Para):
            parts.append(block.text)
        elif isinstance(block, Bullets):
            parts.append("\n".join(f"- {item}" for item in block.items))
        elif isinstance(block, Table):
            parts.append(_markdown_table(block))
        elif isinstance(block, Code):
            parts.append(f"```{block.language}\n{block.text}\n```")
        elif isinstance(block, Image):
            parts.append(_markdown_image(block.figure))
    return "\n\n".join(parts) + "\n"


def _markdown_table(table: Table) -> str:
    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    align = ["---", *["---:"] * (len(table.header) - 1)]
    return "\n".join([line(table.header), line(align), *(line(r) for r in table.rows)])


def _markdown_image(figure: RenderedFigure) -> str:
    files = {fmt: f"figures/{path.name}" for fmt, path in figure.files.items()}
    shown = files.get("png") or files.get("svg")
    links = " · ".join(f"[{fmt.upper()}]({path})" for fmt, path in files.items())
    image = f"![{figure.spec.title}]({shown})\n\n" if shown else ""
    return f"{image}{links}"


CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2em auto;
       max-width: 1100px; padding: 0 1em; color: #222; line-height: 1.45; }
h1 { font-size: 1.6em; border-bottom: 2px solid #ddd; padding-bottom: .3em; }
h2 { font-size: 1.3em; border-bottom: 1px solid #eee; padding-bottom: .2em; margin-top: 2em; }
h3 { font-size: 1.12em; margin-top: 1.6em; } h4 { font-size: 1em; margin-bottom: .3em; }
code { background: #f3f3f3; padding: 0 .25em; border-radius: 3px; font-size: .92em; }
pre { background: #f6f8fa; padding: .8em; overflow-x: auto; border-radius: 4px;
      font-size: .85em; max-height: 32em; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-size: .88em; margin: .6em 0; }
th, td { border: 1px solid #ddd; padding: .3em .55em; white-space: nowrap; }
th { background: #f3f3f3; } td:not(:first-child) { text-align: right;
     font-variant-numeric: tabular-nums; }
tr:nth-child(even) td { background: #fafafa; }
figure { margin: .4em 0 .2em 0; } figure img, figure svg { max-width: 100%; height: auto; }
p.read { color: #555; font-size: .92em; }
"""


def render_html(blocks: list[Block], title: str) -> str:
    """The blocks as one self-contained HTML page: inline CSS, figures embedded (base64 PNG, or
    inline SVG when no PNG was made), no external resource."""
    body = []
    for block in blocks:
        if isinstance(block, Heading):
            body.append(f"<h{block.level}>{_inline(block.text)}</h{block.level}>")
        elif isinstance(block, Para):
            css = ' class="read"' if block.text.startswith("How to read:") else ""
            body.append(f"<p{css}>{_inline(block.text)}</p>")
        elif isinstance(block, Bullets):
            items = "".join(f"<li>{_inline(item)}</li>" for item in block.items)
            body.append(f"<ul>{items}</ul>")
        elif isinstance(block, Table):
            body.append(_html_table(block))
        elif isinstance(block, Code):
            body.append(f'<pre><code class="language-{html.escape(block.language)}">'
                        f"{html.escape(block.text)}</code></pre>")
        elif isinstance(block, Image):
            body.append(_html_image(block.figure))
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{html.escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
            + "\n".join(body) + "\n</body>\n</html>\n")


def _inline(text: str) -> str:
    """Escape text for HTML, then render `code` and **bold**."""
    escaped = html.escape(text, quote=False)
    escaped = re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped)
    return re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", escaped)


def _html_table(table: Table) -> str:
    head = "".join(f"<th>{_inline(h)}</th>" for h in table.header)
    rows = "".join("<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in row) + "</tr>"
                   for row in table.rows)
    return (f'<div class="scroll"><table><thead><tr>{head}</tr></thead>'
            f"<tbody>{rows}</tbody></table></div>")


def _html_image(figure: RenderedFigure) -> str:
    alt = html.escape(figure.spec.title)
    if "png" in figure.data:
        encoded = base64.b64encode(figure.data["png"]).decode("ascii")
        content = f'<img src="data:image/png;base64,{encoded}" alt="{alt}">'
    elif "svg" in figure.data:
        content = _inline_svg(figure.data["svg"].decode("utf-8"))
    else:
        names = ", ".join(f"figures/{p.name}" for p in figure.files.values())
        content = f"<p>(figure saved as {html.escape(names)})</p>"
    return f"<figure>{content}</figure>"


def _inline_svg(svg: str) -> str:
    """An SVG document as an element to put inside HTML (no XML declaration or doctype)."""
    svg = re.sub(r"<\?xml[^>]*\?>", "", svg)
    svg = re.sub(r"<!DOCTYPE[^>]*>", "", svg, flags=re.DOTALL)
    return svg.strip()
