"""The colours labels are drawn in.

Schemas name colours by the 16 ANSI names ("yellow", "magenta"), but Textual turns
ANSI names into its theme's RGB (Monokai: yellow is orange, magenta is the same pink
as red), and a 16-colour terminal then shows that orange as bright red. So labels are
drawn in fixed RGB values chosen to look like their names everywhere: each is an
exact entry of the xterm 256-colour palette (drawn unchanged in 256 colours) and
comes back to its own ANSI colour (or that colour's bright twin) when reduced to 16.
"""

from __future__ import annotations

DRAWN: dict[str, str] = {
    "black": "#000000",
    "red": "#d70000",
    "green": "#00d700",
    "yellow": "#d7d700",
    "blue": "#0000ff",
    "magenta": "#d700d7",
    "cyan": "#00d7d7",
    "white": "#c6c6c6",
    "bright_black": "#767676",
    "bright_red": "#ff5f5f",
    "bright_green": "#5fff5f",
    "bright_yellow": "#ffff5f",
    "bright_blue": "#5f87ff",
    "bright_magenta": "#ff5fff",
    "bright_cyan": "#5fffff",
    "bright_white": "#ffffff",
}


def drawn(colour: str) -> str:
    """The colour to draw for a schema colour name (any other colour as given)."""
    return DRAWN.get(colour, colour)
