"""The ``ringfence`` command line: parse, call the library, render. Nothing more.

Each area registers its commands from its own module (``register(app)``), so this file
only lists them.
"""

from __future__ import annotations

from ringfence.cli._common import App

app = App(
    name="ringfence",
    help="Ownership-based access control: ingest, attribute, explain, screen, decide.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _register_all() -> None:
    from ringfence.cli import core as core_cli

    core_cli.register(app)
    from ringfence.cli import demo as demo_cli

    demo_cli.register(app)
    from ringfence.cli import service as service_cli

    service_cli.register(app)
    from ringfence.cli import ingest as ingest_cli

    ingest_cli.register(app)
    from ringfence.cli import screen as screen_cli

    screen_cli.register(app)
    from ringfence.cli import detect as detect_cli

    detect_cli.register(app)


_register_all()

if __name__ == "__main__":  # pragma: no cover
    app()
