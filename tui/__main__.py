"""``python -m tui`` does what ``workbook`` does."""

from tui.launch import main

main()
