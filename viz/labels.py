"""Chinese labels for vis-network, which wraps text only at spaces: break them ourselves.

>>> wrap("东湖区财政局机关党支部", 6)
'东湖区财政局\\n机关党支部'
>>> wrap("ABC Logistics 有限公司", 9)
'ABC\\nLogistics\\n有限公司'
"""
from __future__ import annotations


def wrap(text: str, width: int = 8, max_lines: int = 3) -> str:
    """Break ``text`` into lines of at most ``width`` characters (CJK counted as one), at
    spaces where there are any, otherwise anywhere; an ellipsis marks what was cut."""
    words = text.split() if " " in text else [text]
    lines: list[str] = []
    for word in words:
        while len(word) > width:
            lines.append(word[:width])
            word = word[width:]
        if lines and len(lines[-1]) + 1 + len(word) <= width and " " in text:
            lines[-1] += " " + word
        elif word:
            lines.append(word)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][:-1] + "…"
    return "\n".join(lines)
