"""A private redis-server for fault tests: its own free port and folder, stopped and started
again by the test (the machine's shared Redis on 6379 is never touched). It saves its data on
shutdown, as a production Redis with persistence does, so keys written before a stop are
there again after the start: exactly the case where a stale page could come back."""

import shutil
import subprocess
import time
from pathlib import Path

import pytest
import redis

from conftest import _free_port, _missing_service


class RedisServer:
    def __init__(self, folder: Path):
        self.folder = folder
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = [
            shutil.which("redis-server"),
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(self.folder),
            "--save",
            "3600 1",
            "--appendonly",
            "no",
            "--protected-mode",
            "no",
        ]
        log = (self.folder / "redis.log").open("a")
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while True:
            try:
                redis.Redis.from_url(self.url, socket_timeout=1).ping()
                return
            except redis.exceptions.ConnectionError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"redis-server did not start (see {self.folder / 'redis.log'})") from None
                time.sleep(0.05)

    def stop(self) -> None:
        """SIGTERM: redis-server saves its data (save points are set) and exits."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
        self.process = None

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_timeout=2)


@pytest.fixture(name="redis_server")
def redis_server_fixture(tmp_path):
    """A started private redis-server (see the module); stopped after the test."""
    if shutil.which("redis-server") is None:
        _missing_service("needs redis-server: apt-get install redis-server")
    folder = tmp_path / "redis"
    folder.mkdir()
    server = RedisServer(folder)
    server.start()
    yield server
    server.stop()
