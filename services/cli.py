"""The `emosync` command: serve the API, analyze a text."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from fastapi import FastAPI

    from services.core.settings import Settings

app = typer.Typer(help="EmoSync: personalized emotional analogies.", no_args_is_help=True)


class ServiceName(StrEnum):
    all = "all"
    profile = "profile"
    retrieval = "retrieval"
    generator = "generator"


DEFAULT_PORTS = {
    ServiceName.all: 8000,
    ServiceName.profile: 8001,
    ServiceName.retrieval: 8002,
    ServiceName.generator: 8003,
}


@app.command()
def serve(
    service: Annotated[
        ServiceName, typer.Argument(help="Which service; default all-in-one.")
    ] = ServiceName.all,
    host: Annotated[str | None, typer.Option(help="Bind address (default EMOSYNC_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default per service).")] = None,
) -> None:
    """Run the API server (all-in-one embedded by default, or one service)."""
    import uvicorn

    from services.core.observability import configure_logging
    from services.core.settings import get_settings

    settings = get_settings()
    bind_host = host or settings.host
    settings.check_bind_address(bind_host)
    configure_logging(settings.log_level)
    bind_port = port or (settings.port if service is ServiceName.all else DEFAULT_PORTS[service])
    uvicorn.run(
        _app_factory(service)(settings),
        host=bind_host,
        port=bind_port,
        log_config=None,
        access_log=False,
    )


def _app_factory(service: ServiceName) -> Callable[[Settings], FastAPI]:
    # Imported on demand: each service loads only what it runs.
    if service is ServiceName.all:
        from services.allinone import create_app as all_in_one

        return all_in_one
    if service is ServiceName.profile:
        from services.profile.app import create_app as profile

        return profile
    if service is ServiceName.retrieval:
        from services.retrieval.app import create_app as retrieval

        return retrieval
    from services.generator.app import create_app as generator

    return generator


@app.command()
def migrate() -> None:
    """Recompute every stored experience's vectors with the current models (services stopped)."""
    from services.core.analysis import TextAnalysis
    from services.core.settings import get_settings
    from services.profile.migration import migrate as run_migration

    settings = get_settings()
    analysis = TextAnalysis.from_settings(settings)
    count = run_migration(settings, analysis)
    analysis.embedder.close()
    typer.echo(f"re-analyzed {count} experiences" if count else "the store is already current")


@app.command()
def analyze(text: Annotated[str, typer.Argument(help="An experience, in your own words.")]) -> None:
    """Print a text's emotions, appraisal and theme."""
    from rich.console import Console
    from rich.table import Table

    from services.core.analysis import TextAnalysis
    from services.core.settings import get_settings

    analysis = TextAnalysis.from_settings(get_settings())
    [result] = asyncio.run(analysis.analyze([text]))
    structure = result.analysis.structure
    console = Console()
    emotions = Table(title="Emotions (top 6)")
    emotions.add_column("emotion")
    emotions.add_column("p", justify="right")
    for name, p in sorted(structure.emotions.items(), key=lambda kv: -kv[1])[:6]:
        emotions.add_row(name, f"{p:.2f}")
    appraisal = Table(title="Appraisal")
    appraisal.add_column("dimension")
    appraisal.add_column("score", justify="right")
    for name, value in structure.appraisal.items():
        appraisal.add_row(name, f"{value:.2f}")
    console.print(emotions, appraisal)
    console.print(
        f"theme: [bold]{structure.theme.name}[/] ({structure.theme.score:.2f})  "
        f"valence {structure.valence:+.2f}  arousal {structure.arousal:.2f}  "
        f"analyzer {structure.analyzer.name} {structure.analyzer.version}"
    )
    analysis.embedder.close()


if __name__ == "__main__":
    app()
