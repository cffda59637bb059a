"""Exactly once through crashes: real `carnet notify send --loop` workers, killed with SIGKILL.

Each test runs the real command in a private data directory against loopback SMTP and SMS
gateway servers. A server holds the N-th message it receives, the test kills the worker
while it waits for the answer, then restarts a worker: the message in flight is found in
"sending" once its lease has passed and is resent only if the provider did not confirm it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid

import pytest

from .cli import CARNET, env_for
from .loopback import LoopbackSmsGateway, LoopbackSmtp

pytestmark = pytest.mark.no_db

N = 6
QUEUE = """
from carnet.accounts import services as accounts
from carnet.notify import services
user = accounts.create_user("crash@example.org", None)
services.update_preferences(user, sms=True, phone="+33612345678")
for i in range({n}):
    services.notify_user(user.pk, "new_message")
"""


@pytest.fixture
def home(tmp_path):
    """A fresh install; on PostgreSQL runs, a scratch PostgreSQL database of its own."""
    env = env_for(tmp_path)
    url = os.environ.get("DATABASE_URL", "")
    scratch = None
    if url.startswith("postgres"):
        import psycopg

        scratch = f"notify_crash_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{scratch}"')
        env["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + scratch
    yield tmp_path, env
    if scratch:
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')


def run(env, *args, input=None):
    result = subprocess.run(
        [str(CARNET), *args], env=env, input=input, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def statuses(env) -> dict:
    out = run(env, "notify", "status")
    return {k: int(v) for k, v in (line.split(": ") for line in out.splitlines())}


def settle(env, timeout=120):
    """Wait (bounded) until nothing is queued or being sent; return the final counts."""
    deadline = time.monotonic() + timeout
    while True:
        counts = statuses(env)
        if counts["queued"] == 0 and counts["sending"] == 0:
            return counts
        if time.monotonic() > deadline:
            pytest.fail(f"the outbox did not settle: {counts}")
        time.sleep(0.3)


def worker(env) -> subprocess.Popen:
    return subprocess.Popen(
        [str(CARNET), "notify", "send", "--loop", "--interval", "0.1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    assert proc.returncode in (0, -signal.SIGTERM), proc.stderr.read().decode()[-3000:]


def setup_env(home, env, smtp, gateway, lease="1"):
    key = home / "sms.key"
    key.write_text(gateway.key)
    env.update(
        CARNET_EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}",
        CARNET_SMS_BACKEND="http",
        CARNET_SMS_URL=gateway.url,
        CARNET_SMS_KEY_FILE=str(key),
        CARNET_NOTIFY_LEASE=lease,
        CARNET_NOTIFY_KICK="0",
    )
    run(env, "migrate", "--noinput", "-v0")
    run(env, "migrate", "--database", "keystore", "--noinput", "-v0")


def sent_refs(env, channel) -> list[str]:
    code = (
        "from carnet.notify.models import Message\n"
        f"for m in Message.objects.filter(channel='{channel}', status='sent').order_by('pk'):\n"
        "    print(m.idempotency_key)\n"
    )
    return run(env, "shell", "-v0", "-c", code).split()


def test_an_sms_in_flight_when_the_worker_is_killed_is_sent_once(home):
    tmp, env = home
    smtp = LoopbackSmtp().start()
    gateway = LoopbackSmsGateway(key="crash-key", hold_nth=3).start()
    try:
        setup_env(tmp, env, smtp, gateway)
        run(env, "shell", "-c", QUEUE.format(n=N))
        first = worker(env)
        assert gateway.hold.reached.wait(120), first.stderr.read().decode()[-3000:]
        first.send_signal(signal.SIGKILL)  # mid-batch, while the gateway holds SMS no. 3
        first.wait(timeout=30)
        gateway.hold.release.set()
        assert statuses(env)["sending"] == 1

        second = worker(env)
        try:
            counts = settle(env)
        finally:
            stop(second)
        assert counts["sent"] == 3 * N and counts["failed"] == 0
        refs = sent_refs(env, "sms")
        assert len(refs) == N
        # Every SMS reached the gateway exactly once; the one in flight was asked about
        # (GET by client_ref), not posted again.
        assert gateway.counts == dict.fromkeys(refs, 1)
        assert len(gateway.lookups) == 1 and gateway.lookups[0] in refs
        assert set(smtp.counts.values()) == {1} and len(smtp.counts) == N
    finally:
        gateway.stop()
        smtp.stop()


def test_an_email_in_flight_when_the_worker_is_killed_reaches_the_mailbox_once(home):
    tmp, env = home
    smtp = LoopbackSmtp(hold_nth=2).start()
    gateway = LoopbackSmsGateway(key="crash-key").start()
    try:
        setup_env(tmp, env, smtp, gateway)
        run(env, "shell", "-c", QUEUE.format(n=N))
        first = worker(env)
        assert smtp.hold.reached.wait(120), first.stderr.read().decode()[-3000:]
        first.send_signal(signal.SIGKILL)  # during the SMTP DATA of email no. 2
        first.wait(timeout=30)
        smtp.hold.release.set()

        second = worker(env)
        try:
            counts = settle(env)
        finally:
            stop(second)
        assert counts["sent"] == 3 * N and counts["failed"] == 0
        refs = sent_refs(env, "email")
        ids = {f"<{r}@carnet.localhost>" for r in refs}
        # SMTP cannot be asked whether it kept a message: the one in flight is sent again
        # with the same Message-ID, and the mailbox keeps one copy per Message-ID.
        assert set(smtp.mailbox) == ids and len(ids) == N
        held = smtp.received[1]["message_id"]
        assert smtp.counts[held] == 2
        assert all(n == 1 for mid, n in smtp.counts.items() if mid != held)
        assert gateway.counts == dict.fromkeys(sent_refs(env, "sms"), 1)
    finally:
        gateway.stop()
        smtp.stop()


def test_parallel_workers_never_send_a_message_twice(home):
    tmp, env = home
    smtp = LoopbackSmtp().start()
    gateway = LoopbackSmsGateway(key="crash-key").start()
    try:
        setup_env(tmp, env, smtp, gateway, lease="300")
        run(env, "shell", "-c", QUEUE.format(n=40))
        workers = [worker(env) for _ in range(3)]
        try:
            counts = settle(env)
        finally:
            for w in workers:
                stop(w)
        assert counts["sent"] == 3 * 40
        assert len(gateway.counts) == 40 and set(gateway.counts.values()) == {1}
        assert len(smtp.counts) == 40 and set(smtp.counts.values()) == {1}
        assert gateway.lookups == []
    finally:
        gateway.stop()
        smtp.stop()


def test_notify_send_without_loop_sends_what_is_due_and_exits(tmp_path):
    smtp = LoopbackSmtp().start()
    gateway = LoopbackSmsGateway(key="k").start()
    env = env_for(tmp_path)
    try:
        setup_env(tmp_path, env, smtp, gateway)
        run(env, "shell", "-c", QUEUE.format(n=2))
        out = run(env, "notify", "send")
        assert out.strip() == "4 messages sent."
        assert run(env, "notify", "send").strip() == "0 messages sent."
        assert len(smtp.received) == 2 and len(gateway.posts) == 2
    finally:
        gateway.stop()
        smtp.stop()
