"""An S3-compatible server on loopback for tests: moto's server mode in a subprocess,
started once per run like the test Postgres, and never skipped: if it cannot start,
the tests that need it fail."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO

import httpx
from obstore.store import S3Store

from tests.support.server_process import free_port

START_SECONDS = 30.0
REGION = "us-east-1"
# moto takes any credentials; obstore insists on some.
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


@dataclass(frozen=True)
class S3Server:
    """A running S3-compatible server: its endpoint URL."""

    endpoint_url: str

    def new_bucket(self) -> str:
        """The name of a new, empty bucket."""
        name = f"chatcore-{uuid.uuid4().hex[:12]}"
        response = httpx.put(f"{self.endpoint_url}/{name}", trust_env=False, timeout=10)
        response.raise_for_status()
        return name

    def store(self, bucket: str, prefix: str) -> S3Store:
        """An obstore client for ``bucket``/``prefix`` on this server."""
        return S3Store(
            bucket,
            prefix=prefix,
            endpoint=self.endpoint_url,
            region=REGION,
            access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
            secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
            client_options={"allow_http": True},
        )

    def environ(self, bucket: str, prefix: str) -> dict[str, str]:
        """The settings of a chatcore process storing its files here."""
        return {
            "CHATCORE_STORAGE_URL": f"s3://{bucket}/{prefix}",
            "CHATCORE_S3_ENDPOINT_URL": self.endpoint_url,
            "CHATCORE_S3_REGION": REGION,
            **CREDENTIALS,
        }


@contextmanager
def running_s3_server() -> Iterator[S3Server]:
    """moto's server on a free loopback port for the block; RuntimeError (with its
    output) if it does not answer in time."""
    port = free_port()
    command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    # Its request log goes to a file: a pipe nobody reads would fill and stall it.
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        try:
            server = S3Server(f"http://127.0.0.1:{port}")
            _wait_until_up(server, process, log)
            yield server
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_up(server: S3Server, process: subprocess.Popen[bytes], log: IO[bytes]) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            output = log.read().decode(errors="replace")
            raise RuntimeError(f"the S3 server (moto) exited:\n{output}")
        try:
            httpx.get(server.endpoint_url, trust_env=False, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"the S3 server (moto) did not answer on {server.endpoint_url}")
