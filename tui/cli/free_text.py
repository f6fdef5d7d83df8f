"""Free text that starts with a dash: ``workbook log REF "- rolled back"``.

Click takes every word that starts with a dash for an option, so a log line written as a
list item was refused as the unknown option ``'- '``. A :class:`TextCommand` first moves
the words that cannot be options (a space, or no letter after the dash: ``- rolled
back``, ``-> failover``, ``-5% errors``) behind ``--``, where click reads them as its
positional arguments, in the order typed. A word that could be an option (``-x``,
``--tgs``) is still refused, and when the command takes free text the error says how to
pass it as text: after ``--``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import islice

import click

# What a mistyped option looks like: a dash or two, a letter, then word characters; an
# attached value (--at=21:00) may hold anything.
_OPTION_LIKE = re.compile(r"--?[A-Za-z][\w-]*(=.*)?", re.DOTALL)


class FreeText(click.Argument):
    """A positional argument that holds a person's words: a log line, a title."""


def _only_text(word: str) -> bool:
    return word.startswith("-") and len(word) > 1 and not _OPTION_LIKE.fullmatch(word)


class TextCommand(click.Command):
    """A command with :class:`FreeText` arguments that may start with a dash."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, self._text_behind_double_dash(ctx, args))
        except click.NoSuchOption as exc:
            raise click.UsageError(
                f"{exc.format_message()} If it is text, put -- before the text: "
                f"{self._usage_with_double_dash(ctx)}",
                ctx=exc.ctx,
            ) from exc

    def _text_behind_double_dash(self, ctx: click.Context, args: list[str]) -> list[str]:
        """``args`` with the options first, then ``--`` and every positional word in order;
        ``args`` as given when no word needs it."""
        if not any(_only_text(word) for word in args):
            return args
        arity = {
            name: 0 if param.is_flag or param.count else param.nargs
            for param in self.get_params(ctx)
            if isinstance(param, click.Option)
            for name in (*param.opts, *param.secondary_opts)
        }
        options: list[str] = []
        positional: list[str] = []
        words: Iterator[str] = iter(args)
        for word in words:
            if word == "--":
                positional.extend(words)
                break
            if word in arity:
                values = list(islice(words, arity[word]))
                if len(values) < arity[word]:
                    # Said here: left to click, the "--" added below would become the value.
                    raise click.BadOptionUsage(
                        word, f"Option {word!r} requires an argument.", ctx=ctx
                    )
                options += [word, *values]
            elif word.startswith("-") and len(word) > 1 and not _only_text(word):
                options.append(word)  # an unknown option, or --name=value: click judges
            else:
                positional.append(word)
        return [*options, "--", *positional]

    def _usage_with_double_dash(self, ctx: click.Context) -> str:
        words: list[str] = [ctx.command_path, "[OPTIONS]"]
        for param in self.get_params(ctx):
            if isinstance(param, click.Argument):
                if isinstance(param, FreeText) and "--" not in words:
                    words.append("--")
                words.append(param.human_readable_name)
        return " ".join(words)
