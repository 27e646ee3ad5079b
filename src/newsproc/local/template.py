"""Read the SAM template (CloudFormation tags included) so local resources cannot drift from it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


# Kept: cfn-lint's decoder is only in .tools and cfn-flip is not in the dev venv (nor the layers); the 15
# lines below are all the tag handling the local stack needs.
class _CfnLoader(yaml.SafeLoader):
    """Loads `!Ref X` as {"Ref": "X"}, `!GetAtt A.B` as {"Fn::GetAtt": ["A", "B"]}, `!Sub s` as {"Fn::Sub": s}."""


def _construct_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{suffix}": value}


_CfnLoader.add_multi_constructor("!", _construct_tag)

DEFAULT_TEMPLATE = Path(__file__).resolve().parents[3] / "template.yaml"


@dataclass(frozen=True)
class Template:
    body: dict[str, Any]

    @classmethod
    def load(cls, path: Path | str = DEFAULT_TEMPLATE) -> Template:
        with open(path, encoding="utf-8") as handle:
            return cls(yaml.load(handle, Loader=_CfnLoader))  # noqa: S506 - SafeLoader subclass

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        return self.body["Resources"]

    def resource(self, logical_id: str) -> dict[str, Any]:
        return self.resources[logical_id]

    def properties(self, logical_id: str) -> dict[str, Any]:
        return self.resources[logical_id].get("Properties", {})

    def of_type(self, resource_type: str) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.resources.items() if v["Type"] == resource_type}

    def parameter_default(self, name: str) -> Any:
        return self.body.get("Parameters", {}).get(name, {}).get("Default")

    def function_globals(self) -> dict[str, Any]:
        return self.body.get("Globals", {}).get("Function", {})

    def http_routes(self, function_id: str) -> list[tuple[str, str]]:
        """(METHOD, path) of every HttpApi event of a function, as the template declares them."""
        events = self.properties(function_id).get("Events", {})
        return [
            (e["Properties"]["Method"].upper(), e["Properties"]["Path"])
            for e in events.values()
            if e["Type"] == "HttpApi"
        ]

    def sqs_event(self, function_id: str) -> dict[str, Any]:
        events = self.properties(function_id).get("Events", {})
        return next(e["Properties"] for e in events.values() if e["Type"] == "SQS")

    def stream_event(self, function_id: str) -> dict[str, Any]:
        """The properties of a function's DynamoDB (Streams) event source."""
        events = self.properties(function_id).get("Events", {})
        return next(e["Properties"] for e in events.values() if e["Type"] == "DynamoDB")
