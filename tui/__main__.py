"""``python -m tui`` does what ``workbook`` does."""

from tui.cli import main

main()
