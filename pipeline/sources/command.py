"""``leadgate normalize``: run a vendor file through its adapter and the rules, offline.

No database, no tenant: the rules run with their default configuration. Exit status 0
means the file was read (failed records are data, printed like the rest); a file that
cannot be read as the source, an unknown source or a bad mapping exits non-zero with a
message on stderr.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import BinaryIO

import click

from pipeline.normalize import DEFAULT_CONFIG
from pipeline.sources.errors import MappingError, SourceFormatError
from pipeline.sources.lines import LineChunk, normalize_stream
from pipeline.sources.mapping import load_mapping
from pipeline.sources.output import ResultWriter, Summary
from pipeline.sources.registry import SOURCE_NAMES, get_source

__all__ = ["normalize_command"]


@click.command("normalize")
@click.option(
    "--source",
    "source_name",
    required=True,
    type=click.Choice(SOURCE_NAMES, case_sensitive=False),
    help="Vendor layout to read the file with.",
)
@click.option(
    "--mapping",
    "mapping_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Column mapping (.toml or .json) for --source generic.",
)
@click.option("--summary", is_flag=True, help="Print counts per status and error code to stderr.")
@click.argument("file", type=click.File("rb"))
def normalize_command(
    source_name: str, mapping_path: Path | None, summary: bool, file: BinaryIO
) -> None:
    """Normalize FILE (CSV or JSON; - for stdin) and print one JSON object per record.

    Each line is {"record": N, "status": "ok", "lead": {...}, "warnings": [...]} or
    {"record": N, "status": "failed", "errors": [...], "raw": {...}}, in input order.
    """
    try:
        mapping = load_mapping(mapping_path) if mapping_path is not None else None
        adapter = get_source(source_name, mapping=mapping)
        output = normalize_stream(adapter, file, config=DEFAULT_CONFIG)
    except (MappingError, SourceFormatError) as error:
        raise click.ClickException(str(error)) from None
    except OSError as error:
        raise click.ClickException(f"cannot read {error.filename or file.name}: {error}") from None

    writer = ResultWriter(sys.stdout.buffer)
    counts = Summary() if summary else None
    try:
        for part in output:
            if isinstance(part, LineChunk):
                writer.write_lines(part.lines)
                if counts is not None:
                    counts.add_lines(len(part.lines), part.failures)
            else:
                writer.write(part)
                if counts is not None:
                    counts.add(part)
        writer.flush()
    except BrokenPipeError:
        raise  # the reader went away (`| head`): click exits quietly
    except OSError as error:
        raise click.ClickException(f"input/output failed: {error}") from None
    if counts is not None:
        click.echo(counts.render(), err=True, nl=False)


if __name__ == "__main__":
    normalize_command(prog_name="leadgate normalize")
