"""bench[size]: the unzipped ProcessDocumentFunction plus its layers from `make build` (.aws-sam/build)."""

from __future__ import annotations

from pathlib import Path

from scripts.bench.common import FUNCTION, ROOT, emit

TARGET_MB = 130.0
BUILD = ROOT / ".aws-sam" / "build"


def size_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink()) / 1e6


def built_sizes() -> tuple[float, dict[str, float]] | None:
    """(ProcessDocumentFunction MB, {layer: MB}) of the build, unzipped; None without a build."""
    if not (BUILD / "template.yaml").exists():
        return None
    from newsproc.local.template import Template

    template = Template.load(BUILD / "template.yaml")
    resource = template.of_type("AWS::Serverless::Function")[FUNCTION]
    refs = [layer["Ref"] for layer in resource["Properties"].get("Layers", []) if isinstance(layer, dict)]
    return size_mb(BUILD / FUNCTION), {ref: size_mb(BUILD / ref) for ref in refs}


def run() -> None:
    sizes = built_sizes()
    if sizes is None:
        emit("size", status="not_built", hint="run_make_build", target_mb=int(TARGET_MB))
        return
    function_mb, layers = sizes
    total = function_mb + sum(layers.values())
    emit(
        "size",
        function_mb=round(function_mb, 2),
        layers_mb=round(sum(layers.values()), 1),
        total_mb=round(total, 1),
        target_mb=int(TARGET_MB),
        within_target=total <= TARGET_MB,
        **{f"{ref}_mb": round(mb, 1) for ref, mb in layers.items()},
    )
