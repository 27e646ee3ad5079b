"""Print the unzipped size of each built function and layer; fail when a function plus its layers
is over Lambda's 250 MB limit.  Usage: python scripts/build_sizes.py [.aws-sam/build]
"""

from __future__ import annotations

import sys
from pathlib import Path

from newsproc.local.template import Template

LAMBDA_LIMIT_MB = 250.0


def size_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink()) / 1e6


def main(build_dir: str = ".aws-sam/build") -> int:
    root = Path(build_dir)
    template = Template.load(root / "template.yaml")
    layers = {name: size_mb(root / name) for name in template.of_type("AWS::Serverless::LayerVersion")}
    for name, mb in layers.items():
        print(f"size[layer:{name}]: unzipped_mb={mb:.1f}")
    worst = 0.0
    for name, resource in template.of_type("AWS::Serverless::Function").items():
        refs = [layer["Ref"] for layer in resource["Properties"].get("Layers", []) if isinstance(layer, dict)]
        function_mb = size_mb(root / name)
        layers_mb = sum(layers.get(ref, 0.0) for ref in refs)
        total = function_mb + layers_mb
        worst = max(worst, total)
        print(
            f"size[function:{name}]: function_mb={function_mb:.2f} layers_mb={layers_mb:.1f} "
            f"total_mb={total:.1f} limit_mb={LAMBDA_LIMIT_MB:.0f} layers={','.join(refs)}"
        )
    if worst > LAMBDA_LIMIT_MB:
        print(f"FAIL: a function plus its layers is {worst:.1f} MB unzipped, over {LAMBDA_LIMIT_MB} MB")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
