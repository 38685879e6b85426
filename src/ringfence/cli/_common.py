"""Helpers shared by CLI modules: dates, error rendering, the console."""

from __future__ import annotations

import datetime as dt
import functools
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import typer
from rich.console import Console

from ringfence.exc import IngestError, PolicyError, RingfenceError

console = Console()
err_console = Console(stderr=True, soft_wrap=True)

F = TypeVar("F", bound=Callable[..., Any])


def parse_date(value: str | None, *, option: str = "--as-of") -> dt.date:
    if not value:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not an ISO date (YYYY-MM-DD)",
                                 param_hint=option) from None


def handle_errors(func: F) -> F:
    """Render ringfence errors as readable messages and a non-zero exit, not tracebacks."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (IngestError, PolicyError) as err:
            err_console.print(f"[bold red]error:[/] {err.message.splitlines()[0]}")
            for p in err.problems[:200]:
                err_console.print(f"  {p}", markup=False, highlight=False)
            if len(err.problems) > 200:
                err_console.print(f"  ... and {len(err.problems) - 200} more")
            sys.exit(2)
        except RingfenceError as err:
            err_console.print(f"[bold red]error:[/] {err.message}", highlight=False)
            sys.exit(2)

    return wrapper  # type: ignore[return-value]
