"""What an import did: counts per outcome and every bad row with its line number."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class RowProblem:
    line: int
    field: str | None
    message: str
    column: str | None = None

    def describe(self) -> str:
        where = f"第 {self.line} 行"
        if self.field:
            where += f" {self.field}"
        if self.column and self.column != self.field:
            where += f"（列“{self.column}”）"
        return f"{where}: {self.message}"


@dataclass
class ImportReport:
    file: str
    format: str
    encoding: str | None = None
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    valid: int = 0
    dry_run: bool = False
    publish: bool = False
    problems: list[RowProblem] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> int:
        return len({problem.line for problem in self.problems})

    @property
    def imported(self) -> int:
        return self.created + self.updated + self.unchanged

    @property
    def ok(self) -> bool:
        return not self.problems

    def sorted_problems(self) -> list[RowProblem]:
        return sorted(self.problems, key=lambda problem: problem.line)

    def summary(self) -> str:
        if self.dry_run:
            return (f"试运行（未写入）：共 {self.rows} 行，校验通过 {self.valid}，失败 {self.failed}")
        return (f"导入完成：共 {self.rows} 行，新建 {self.created}，更新 {self.updated}，未变 {self.unchanged}，"
                f"失败 {self.failed}" + ("（已发布）" if self.publish else "（草稿）"))

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "format": self.format, "encoding": self.encoding, "rows": self.rows,
                "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "imported": self.imported, "valid": self.valid, "failed": self.failed, "dry_run": self.dry_run,
                "publish": self.publish, "seconds": round(self.seconds, 3), "ignored_columns": self.ignored_columns,
                "problems": [asdict(problem) for problem in self.sorted_problems()]}
