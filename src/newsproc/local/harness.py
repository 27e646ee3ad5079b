"""The one moto harness: the template's bucket, queues and table in moto, in process or as a server.

Used by the tests, `make demo`, the reliability scenarios and `newsproc local`, so every local run
creates the same resources from template.yaml and sets the environment the functions read.
"""

from __future__ import annotations

import contextlib
import os
import socket
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from newsproc import aws
from newsproc.local import moto_s3_events
from newsproc.local.resources import LocalResources, create_resources
from newsproc.local.template import Template


class PortInUseError(OSError):
    """The moto server's port is taken."""


@dataclass
class MotoStack:
    """Clients of the harness itself (never faulted or counted by the scenarios) and the resources."""

    s3: Any
    sqs: Any
    dynamodb: Any  # the DynamoDB resource
    resources: LocalResources
    template: Template
    endpoint_url: str | None = None  # None: in-process moto (mock_aws)
    streams: Any = None  # the DynamoDB Streams client (the documents table's stream feeds the trend counters)

    @property
    def environment(self) -> dict[str, str]:
        """What the functions read, as the template sets it, plus the local endpoint when there is one."""
        env = self.resources.environment() | {"QUEUE_URL": self.resources.queue_url}
        if self.endpoint_url:
            env["AWS_ENDPOINT_URL"] = self.endpoint_url
        return env

    @property
    def table(self) -> Any:
        return self.dynamodb.Table(self.resources.table)


def _create(template: Template, endpoint_url: str | None) -> MotoStack:
    import boto3
    from botocore.config import Config

    moto_s3_events.install()

    s3, sqs = boto3.client("s3", endpoint_url=endpoint_url), boto3.client("sqs", endpoint_url=endpoint_url)
    dynamodb = boto3.resource("dynamodb", endpoint_url=endpoint_url)
    # botocore sends stream calls to <account>.streams-ddb.<region>.amazonaws.com, a host moto 5.2.5 does not
    # serve in process: the regional endpoint instead (the same API).
    streams = boto3.client(
        "dynamodbstreams", endpoint_url=endpoint_url, config=Config(account_id_endpoint_mode="disabled")
    )
    resources = create_resources(template, s3=s3, sqs=sqs, dynamodb=dynamodb.meta.client)
    return MotoStack(s3, sqs, dynamodb, resources, template, endpoint_url, streams)


@contextlib.contextmanager
def temporary_environment(values: Mapping[str, str]) -> Iterator[None]:
    """Set these variables meanwhile; afterwards each is as it was (or unset)."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextlib.contextmanager
def moto_stack(template: Template | None = None) -> Iterator[MotoStack]:
    """In-process moto (`mock_aws`) with the template's resources; the functions' variables set meanwhile."""
    from moto import mock_aws

    with mock_aws():
        aws.reset_clients()
        stack = _create(template or Template.load(), None)
        try:
            with temporary_environment(stack.environment):
                yield stack
        finally:
            aws.reset_clients()


def check_port_free(host: str, port: int) -> None:
    """Raise PortInUseError at once: moto's server thread would fail silently and leave start() waiting."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise PortInUseError(f"port {port} on {host} is in use ({exc.strerror})") from None


@contextlib.contextmanager
def moto_server(host: str = "127.0.0.1", port: int = 0, template: Template | None = None) -> Iterator[MotoStack]:
    """moto as a server on `host:port` (0: a free port), reached through `stack.endpoint_url`.

    The process environment is left alone: callers that run the functions in process set
    `stack.environment` themselves, subprocesses get it passed.
    """
    from moto.server import ThreadedMotoServer

    if port:
        check_port_free(host, port)
    server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
    server.start()
    bound_host, bound_port = server.get_host_and_port()
    endpoint_url = f"http://{bound_host}:{bound_port}"
    try:
        # moto's backends live in this process: start from none, and leave none behind for the next stack.
        _reset(endpoint_url)
        yield _create(template or Template.load(), endpoint_url)
    finally:
        _reset(endpoint_url)
        server.stop()


def _reset(endpoint_url: str) -> None:
    import urllib.request

    urllib.request.urlopen(urllib.request.Request(f"{endpoint_url}/moto-api/reset", method="POST"), timeout=30).close()
