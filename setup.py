"""The C extension of the compiled normalize path; everything else is in pyproject.toml.

Optional: a machine without a C compiler installs the package without it, and
``pipeline.sources.speedups`` runs its pure-Python definitions instead.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "pipeline.sources._speedups",
            sources=["pipeline/sources/_speedups.c"],
            optional=True,
        )
    ]
)
