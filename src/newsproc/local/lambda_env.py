"""Where and how a built function runs: the python3.12 interpreter, the runtime's SDK, and the template's
environment resolved to local values (`!Ref`, `!GetAtt`, `!Sub`, `!Join`). Used by newsproc.local.built."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsproc.local.template import Template

ROOT = Path(__file__).resolve().parents[3]
DEFAULT_BUILD_DIR = ROOT / ".aws-sam" / "build"


# The SDK the python3.12 Lambda runtime ships (boto3 + botocore, s3transfer, jmespath, dateutil, urllib3), which
# the layers deliberately leave out. AWS no longer publishes the runtime's version: the "Runtime-included SDK
# versions" section of https://docs.aws.amazon.com/lambda/latest/dg/lambda-python.html only says it "depends
# on the runtime version and your AWS Region" (print boto3.__version__ in a function to see it). So this is the
# boto3 pin of pyproject.toml (the one source of pins), the version the code is tested with.
def runtime_sdk_pin() -> str:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return next(dependency for dependency in project["dependencies"] if dependency.startswith("boto3=="))


ACCOUNT_ID = "123456789012"
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}

# ------------------------------------------------------------------------------------------- interpreter, SDK


def find_python312(explicit: str | None = None) -> str | None:
    """A python3.12 that runs: the explicit one, pyenv's 3.12.x, or python3.12 on PATH (may be a pyenv shim)."""
    candidates: list[str] = []
    if explicit:
        candidates.append(explicit)
    else:
        root = os.environ.get("PYENV_ROOT")
        if not root and shutil.which("pyenv"):
            root = subprocess.run(["pyenv", "root"], capture_output=True, text=True, check=False).stdout.strip()
        versions = Path(root or Path.home() / ".pyenv") / "versions"
        candidates += [str(p) for p in sorted(versions.glob("3.12*/bin/python3.12"), reverse=True)]
        found = shutil.which("python3.12")
        if found:
            candidates.append(found)
    for candidate in candidates:
        try:
            probe = subprocess.run(
                [candidate, "-c", "import sys; print(sys.version_info[:2] == (3, 12))"],
                capture_output=True, text=True, timeout=30, check=False,
            )  # fmt: skip
        except (OSError, subprocess.TimeoutExpired):
            continue
        if probe.returncode == 0 and probe.stdout.strip() == "True":
            return candidate
    return None


def runtime_sdk(python: str, pin: str | None = None, cache_dir: Path | None = None) -> Path:
    """The runtime's boto3 for python3.12 in `.aws-sam/runtime-sdk/<pin>` (shared with scripts/layer_smoke.py),
    installed by pip on first use into a scratch folder renamed into place (concurrent callers are safe)."""
    pin = pin or runtime_sdk_pin()
    target = (cache_dir or ROOT / ".aws-sam" / "runtime-sdk") / pin.replace("==", "-")
    if (target / "boto3").is_dir():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        subprocess.run(
            [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile",
             "--target", str(scratch), pin],
            check=True, timeout=600, capture_output=True,
        )  # fmt: skip
        try:
            scratch.rename(target)
        except OSError:  # another process won the race
            if not (target / "boto3").is_dir():
                raise
    except subprocess.CalledProcessError as exc:
        raise RuntimeError(f"pip could not install {pin} for {python}: {exc.stderr.decode()[-2000:]}") from exc
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return target


# ---------------------------------------------------------------------------------------- template values


@dataclass(frozen=True)
class ResolveContext:
    """What `!Ref`, `!GetAtt` and `!Sub` resolve to locally.

    `refs`: logical id -> local value (`Ref`), "LogicalId.Attribute" -> value (`GetAtt`); `parameters`
    override the template's defaults. A resource's name expression (its BucketName, QueueName, ...) stands
    for the resource itself: the template's `RAW_BUCKET: !Sub "newsproc-raw-${Stage}-..."` is the local
    name of RawBucket when refs has one. An unknown Ref of a resource falls back to its logical id
    (`X.Alias` to X's); an unknown GetAtt raises KeyError.
    """

    template: Template
    refs: Mapping[str, str] = field(default_factory=dict)
    parameters: Mapping[str, str] = field(default_factory=dict)
    region: str = "us-east-1"
    account_id: str = ACCOUNT_ID

    def pseudo(self) -> dict[str, str]:
        return {
            "AWS::AccountId": self.account_id,
            "AWS::Region": self.region,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackName": "newsproc-local",
            "AWS::StackId": f"arn:aws:cloudformation:{self.region}:{self.account_id}:stack/newsproc-local/local",
            "AWS::NoValue": "",
        }

    def _name_expressions(self) -> dict[str, str]:
        names = ("BucketName", "QueueName", "TableName", "FunctionName", "TopicName")
        found = {}
        for logical_id, resource in self.template.resources.items():
            if logical_id not in self.refs:
                continue
            for name in names:
                expression = resource.get("Properties", {}).get(name)
                if expression is not None:
                    found[json.dumps(expression, sort_keys=True)] = logical_id
        return found

    def ref(self, name: str) -> str:
        if name in self.refs:
            return str(self.refs[name])
        if name in self.parameters:
            return str(self.parameters[name])
        pseudo = self.pseudo()
        if name in pseudo:
            return pseudo[name]
        if name in self.template.body.get("Parameters", {}):
            default = self.template.parameter_default(name)
            if default is None:
                raise KeyError(f"template parameter {name} has no default: pass it in parameters")
            return str(default)
        base = name.split(".", 1)[0]
        if base in self.refs:
            return str(self.refs[base])
        if base in self.template.resources:
            return base
        raise KeyError(f"!Ref {name}: no such parameter or resource")

    def get_att(self, logical_id: str, attribute: str) -> str:
        key = f"{logical_id}.{attribute}"
        if key in self.refs:
            return str(self.refs[key])
        raise KeyError(f"!GetAtt {key}: pass its local value in refs[{key!r}]")

    def resolve(self, value: Any) -> Any:
        """The local value of a template expression (plain values are returned as they are)."""
        if isinstance(value, dict) and len(value) == 1:
            logical_id = self._name_expressions().get(json.dumps(value, sort_keys=True))
            if logical_id is not None:
                return str(self.refs[logical_id])
            (key, arg), = value.items()  # fmt: skip
            if key == "Ref":
                return self.ref(arg)
            if key == "Fn::GetAtt":
                logical_id, attribute = arg if isinstance(arg, list) else str(arg).split(".", 1)
                return self.get_att(logical_id, attribute)
            if key == "Fn::Sub":
                return self._sub(arg)
            if key == "Fn::Join":
                separator, items = arg
                return str(separator).join(str(self.resolve(item)) for item in items)
        if isinstance(value, dict):
            return {k: self.resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        return value

    def _sub(self, arg: Any) -> str:
        text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])
        out, index = [], 0
        while index < len(text):
            start = text.find("${", index)
            if start < 0:
                out.append(text[index:])
                break
            out.append(text[index:start])
            end = text.index("}", start)
            name = text[start + 2 : end]
            if name.startswith("!"):  # ${!Literal}
                out.append("${" + name[1:] + "}")
            elif name in variables:
                out.append(str(self.resolve(variables[name])))
            elif "." in name and not name.startswith("AWS::") and name.split(".", 1)[0] in self.template.resources:
                out.append(self.get_att(*name.split(".", 1)))
            else:
                out.append(self.ref(name))
            index = end + 1
        return "".join(out)


def local_refs(resources: Any, region: str = "us-east-1", account_id: str = ACCOUNT_ID) -> dict[str, str]:
    """`ResolveContext.refs` for the harness's resources (newsproc.local.resources.LocalResources)."""
    r = resources
    refs = {
        "RawBucket": r.raw_bucket,
        "RawBucket.Arn": f"arn:aws:s3:::{r.raw_bucket}",
        "ResultsBucket": r.results_bucket,
        "ResultsBucket.Arn": f"arn:aws:s3:::{r.results_bucket}",
        "DocumentsTable": r.table,
        "DocumentsTable.Arn": f"arn:aws:dynamodb:{region}:{account_id}:table/{r.table}",
        "IngestQueue": r.queue_url,
        "IngestQueue.Arn": r.queue_arn,
        "IngestQueue.QueueName": r.queue_url.rstrip("/").rsplit("/", 1)[-1],
        "IngestDeadLetterQueue": r.dlq_url,
        "IngestDeadLetterQueue.Arn": r.dlq_arn,
        "IngestDeadLetterQueue.QueueName": r.dlq_url.rstrip("/").rsplit("/", 1)[-1],
    }
    if getattr(r, "trends_table", ""):  # the trend counters (CountEntitiesFunction, GET /trends)
        refs |= {
            "TrendsTable": r.trends_table,
            "TrendsTable.Arn": f"arn:aws:dynamodb:{region}:{account_id}:table/{r.trends_table}",
            "DocumentsTable.StreamArn": r.stream_arn,
            "EntityCountsDeadLetterQueue": r.counts_dlq_url,
            "EntityCountsDeadLetterQueue.Arn": r.counts_dlq_arn,
            "EntityCountsDeadLetterQueue.QueueName": r.counts_dlq_url.rstrip("/").rsplit("/", 1)[-1],
        }
    return refs


def function_environment(template: Template, function_id: str, context: ResolveContext) -> dict[str, str]:
    """Globals.Function.Environment.Variables, then the function's own, resolved to local values."""
    variables: dict[str, Any] = {}
    variables.update(template.function_globals().get("Environment", {}).get("Variables", {}) or {})
    variables.update(template.properties(function_id).get("Environment", {}).get("Variables", {}) or {})
    return {name: str(context.resolve(value)) for name, value in variables.items()}


def setting(template: Template, function_id: str, name: str, default: Any) -> Any:
    value = template.properties(function_id).get(name)
    if value is None:
        value = template.function_globals().get(name, default)
    return value


# ------------------------------------------------------------------------------------------------- worker
