"""Helpers shared by CLI modules: the app and command classes, dates, error rendering, the
console."""

from __future__ import annotations

import datetime as dt
import functools
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from ringfence.exc import IngestError, PolicyError, RingfenceError

console = Console()
err_console = Console(stderr=True, soft_wrap=True)

F = TypeVar("F", bound=Callable[..., Any])


def _flags_untyped(params: list[Any]) -> list[Any]:
    for p in params:
        if isinstance(p, TyperOption) and p.is_flag:
            p.metavar = ""  # typer shows the metavar, when set, instead of the type
    return params


class Command(TyperCommand):
    """A command whose help reads as users expect: a flag shows no value type (typer
    prints ``<bool>`` for ``--json``), and the usage line names arguments ``SNAPSHOT``,
    optional ones ``[SNAPSHOT]`` (typer prints ``{snapshot}``)."""

    # (typer vendors its own click: its types are not importable, hence Any)
    def get_params(self, ctx: Any) -> list[Any]:
        return _flags_untyped(super().get_params(ctx))

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for p in self.get_params(ctx):
            if isinstance(p, TyperArgument):
                name = (p.metavar or p.name or "").upper()
                name = name if p.required else f"[{name}]"
                pieces.append(name + ("..." if p.nargs != 1 else ""))
            else:
                pieces.extend(p.get_usage_pieces(ctx))
        return pieces


class Group(TyperGroup):
    """A command group whose flags (``--version``, ``--help``) show no value type."""

    def get_params(self, ctx: Any) -> list[Any]:
        return _flags_untyped(super().get_params(ctx))


class App(typer.Typer):
    """``typer.Typer`` whose groups are :class:`Group` and commands :class:`Command`.
    The main app is one, and so is every sub-app added to it, whether its module made it
    with :class:`App` or with plain ``typer.Typer``."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("cls", Group)
        super().__init__(**kwargs)

    def command(self, name: str | None = None, *, cls: type[TyperCommand] | None = None,
                **kwargs: Any) -> Callable[[F], F]:
        decorator: Callable[[F], F] = super().command(name, cls=cls or Command, **kwargs)
        return decorator

    def add_typer(self, typer_instance: typer.Typer, **kwargs: Any) -> None:
        _adopt(typer_instance)
        kwargs.setdefault("cls", Group)
        super().add_typer(typer_instance, **kwargs)


def _adopt(app: typer.Typer) -> None:
    for info in app.registered_commands:
        if info.cls is None or info.cls is TyperCommand:  # not chosen by its module
            info.cls = Command
    for group in app.registered_groups:
        if isinstance(group.typer_instance, typer.Typer):
            _adopt(group.typer_instance)


def parse_date(value: str | None, *, option: str = "--as-of") -> dt.date:
    if not value:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not an ISO date (YYYY-MM-DD)",
                                 param_hint=option) from None


def os_error_text(err: OSError) -> str:
    """An operating-system error as one line: what failed and on which file, escaped."""
    where = f": {err.filename}" if err.filename else ""
    return escape(f"{err.strerror or err}{where}")


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
        except OSError as err:  # disk full, no permission, a file gone: said, no traceback
            err_console.print(f"[bold red]error:[/] {os_error_text(err)}", highlight=False)
            sys.exit(2)

    return wrapper  # type: ignore[return-value]
