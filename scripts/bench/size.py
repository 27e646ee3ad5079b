"""bench[size]: the unzipped ProcessDocumentFunction plus its layers from `make build` (.aws-sam/build)."""

from __future__ import annotations

from pathlib import Path

from scripts.bench.common import FUNCTION, ROOT, emit

TARGET_MB = 130.0


def size_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink()) / 1e6


def run() -> None:
    build = ROOT / ".aws-sam" / "build"
    if not (build / "template.yaml").exists():
        emit("size", status="not_built", hint="run_make_build", target_mb=int(TARGET_MB))
        return
    from newsproc.local.template import Template

    template = Template.load(build / "template.yaml")
    resource = template.of_type("AWS::Serverless::Function")[FUNCTION]
    refs = [layer["Ref"] for layer in resource["Properties"].get("Layers", []) if isinstance(layer, dict)]
    layers = {ref: size_mb(build / ref) for ref in refs}
    function_mb = size_mb(build / FUNCTION)
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
