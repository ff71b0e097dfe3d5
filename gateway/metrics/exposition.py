"""Prometheus text exposition format 0.0.4, written by hand for the few families we have."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

__all__ = ["CONTENT_TYPE", "MetricFamily"]

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

Labels = Mapping[str, str]


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(labels: Labels) -> str:
    if not labels:
        return ""
    inner = ",".join(f'{name}="{_escape(value)}"' for name, value in labels.items())
    return "{" + inner + "}"


def _number(value: float) -> str:
    if value == float("inf"):
        return "+Inf"
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))


class MetricFamily:
    """One metric name with its HELP/TYPE lines and samples."""

    def __init__(self, name: str, kind: str, help_text: str) -> None:
        self.name = name
        self.kind = kind
        self.help_text = help_text
        self._samples: list[str] = []

    def add(self, value: float, labels: Labels | None = None, *, suffix: str = "") -> None:
        self._samples.append(f"{self.name}{suffix}{_labels(labels or {})} {_number(value)}")

    def add_histogram(
        self,
        labels: Labels,
        bounds_s: Iterable[float],
        cumulative: Iterable[int],
        total: int,
        sum_s: float,
    ) -> None:
        for bound, count in zip(bounds_s, cumulative, strict=True):
            self.add(count, {**labels, "le": _number(bound)}, suffix="_bucket")
        self.add(total, {**labels, "le": "+Inf"}, suffix="_bucket")
        self.add(sum_s, labels, suffix="_sum")
        self.add(total, labels, suffix="_count")

    def render(self) -> str:
        head = f"# HELP {self.name} {self.help_text}\n# TYPE {self.name} {self.kind}\n"
        return head + "".join(sample + "\n" for sample in self._samples)
