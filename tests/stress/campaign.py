"""The SCP fuzz campaign: an SCP process, seeded cases, checks every N cases.

:func:`run_campaign` starts ``scp_process.py`` (the embedded SCP over a demo
archive, short timeouts), sends ``cases`` fuzz cases drawn from one seed (see
:mod:`tests.stress.cases`) and, every ``check_every`` cases and at the end:

- asks a normal RPI query through the RPIQ engine and checks the answer
  (right patient, Pending then Success, no conformance problem);
- waits for the SCP's thread count to fall back to its idle level (no leaked
  association threads);
- samples the SCP's RSS (VmRSS of ``/proc/<pid>/status``);
- collects the SCP's findings (handler errors, exceptions raised in ``rpiq``,
  exceptions escaping threads).

Connections the SCP must close by itself (stalls, silent associations) wait in
a pool and fail the campaign if still open after their deadline. A dead SCP
process ends the campaign at once with its stderr.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import select
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tests.stress import cases, wire

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

SCP_SCRIPT = Path(__file__).with_name("scp_process.py")
ANSWER_WAIT_S = 15.0  # a sound C-FIND: normally answered in milliseconds
PROBE_WAIT_S = 3.0  # a broken message plus C-ECHO probe
CLOSE_WAIT_S = 1.0  # after our FIN, before handing the socket to the pool
CLOSE_SLACK_S = 15.0  # beyond the SCP's own timeout, on a loaded machine
POOL_LIMIT = 8
THREAD_SETTLE_S = 15.0
MB = 1024 * 1024
CHECK_PATIENTS = (
    ("DEMO-001", "GENERAL"),
    ("DEMO-002", "BREAST"),
    ("DEMO-003", "CARDIAC"),
)


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS (bytes) and Threads of a process from ``/proc/<pid>/status``."""
    values: dict[str, int] = {}
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            key, _, rest = line.partition(":")
            if key == "VmRSS":
                values["rss"] = int(rest.split()[0]) * 1024
            elif key == "Threads":
                values["threads"] = int(rest.strip())
    return values


# ------------------------------------------------------------ the SCP process


class ScpProcess:
    """``scp_process.py`` in a subprocess: address, stats, RSS, liveness."""

    def __init__(self, archive: Path, timeout: float) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(SCP_SCRIPT), "--archive", str(archive),
             "--timeout", str(timeout)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        assert self.proc.stdout is not None
        self.stderr_tail: deque[str] = deque(maxlen=200)
        self._reader = threading.Thread(target=self._read_stderr, daemon=True)
        self._reader.start()
        ready = self.proc.stdout.readline()
        if not ready.startswith("listening on "):
            self.stop()
            raise RuntimeError(f"SCP did not start: {ready!r} {self.stderr}")
        host, port = ready.split()[2].rsplit(":", 1)
        self.address = (host, int(port))

    def _read_stderr(self) -> None:
        stream = self.proc.stderr
        assert stream is not None
        for line in stream:
            self.stderr_tail.append(line)

    @property
    def stderr(self) -> str:
        return "".join(self.stderr_tail)

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def status(self) -> dict[str, int]:
        return proc_status(self.proc.pid)

    def stats(self) -> dict[str, Any]:
        """The SCP's own counters (see ``scp_process.Monitor.snapshot``)."""
        stdin, stdout = self.proc.stdin, self.proc.stdout
        assert stdin is not None
        assert stdout is not None
        stdin.write("stats\n")
        stdin.flush()
        line = stdout.readline()
        if not line:
            raise RuntimeError("the SCP process closed its stdout")
        result: dict[str, Any] = json.loads(line)
        return result

    def stop(self) -> int | None:
        """Close stdin (the SCP stops cleanly); kill if it does not exit."""
        with contextlib.suppress(OSError, ValueError):
            if self.proc.stdin is not None:
                self.proc.stdin.close()
        try:
            code = self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
            code = None
        self._reader.join(5)
        return code


# -------------------------------------------------------------------- report


@dataclass
class Report:
    """What a campaign did and found; :attr:`ok` is the verdict."""

    seed: int
    cases_planned: int
    cases: int = 0
    by_category: Counter[str] = field(default_factory=Counter)
    outcomes: dict[str, Counter[str]] = field(default_factory=dict)
    crashes: int = 0
    hangs: int = 0
    silent_answers: int = 0
    checks_passed: int = 0
    checks_failed: int = 0
    thread_leaks: int = 0
    scp_findings: int = 0
    failures: list[str] = field(default_factory=list)
    notable: list[str] = field(default_factory=list)
    rss_start: int = 0
    rss_end: int = 0
    rss_peak: int = 0
    rss_samples: list[int] = field(default_factory=list)
    threads_idle: int = 0
    close_latency_max_s: float = 0.0
    wall_s: float = 0.0
    exit_code: int | None = None
    scp_stats: dict[str, Any] = field(default_factory=dict)

    @property
    def rss_growth(self) -> int:
        return self.rss_end - self.rss_start

    @property
    def ok(self) -> bool:
        return not (
            self.crashes
            or self.hangs
            or self.checks_failed
            or self.thread_leaks
            or self.scp_findings
            or self.failures
            or self.cases != self.cases_planned
        )

    def fail(self, text: str) -> None:
        if len(self.failures) < 50:
            self.failures.append(text)

    def remark(self, text: str) -> None:
        """Keep an odd but allowed outcome, with its case index for ``--replay``."""
        if len(self.notable) < 50:
            self.notable.append(text)

    def note(self, category: str, outcome: str) -> None:
        self.outcomes.setdefault(category, Counter())[outcome] += 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "seed": self.seed,
            "cases": self.cases,
            "cases_planned": self.cases_planned,
            "by_category": dict(sorted(self.by_category.items())),
            "outcomes": {k: dict(v) for k, v in sorted(self.outcomes.items())},
            "crashes": self.crashes,
            "hangs": self.hangs,
            "silent_answers": self.silent_answers,
            "checks_passed": self.checks_passed,
            "checks_failed": self.checks_failed,
            "thread_leaks": self.thread_leaks,
            "scp_findings": self.scp_findings,
            "failures": self.failures,
            "notable": self.notable,
            "rss_start_mb": round(self.rss_start / MB, 1),
            "rss_end_mb": round(self.rss_end / MB, 1),
            "rss_growth_mb": round(self.rss_growth / MB, 1),
            "rss_peak_mb": round(self.rss_peak / MB, 1),
            "rss_samples_mb": [round(rss / MB, 1) for rss in self.rss_samples],
            "threads_idle": self.threads_idle,
            "close_latency_max_s": round(self.close_latency_max_s, 2),
            "wall_s": round(self.wall_s, 1),
            "exit_code": self.exit_code,
            "scp_stats": self.scp_stats,
        }


# --------------------------------------------------------------- connections


@dataclass
class _Waiting:
    peer: wire.Peer
    since: float
    deadline: float
    label: str


class ClosePool:
    """Connections the SCP must close by itself, checked without blocking."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.entries: list[_Waiting] = []

    def add(self, peer: wire.Peer, wait_s: float, label: str) -> None:
        now = time.monotonic()
        self.entries.append(_Waiting(peer, now, now + wait_s, label))

    def poll(self, wait_s: float = 0.0) -> None:
        """Drop entries the SCP closed; fail entries past their deadline."""
        if not self.entries:
            return
        socks = [entry.peer.sock for entry in self.entries]
        try:
            ready, _, _ = select.select(socks, [], [], wait_s)
        except (OSError, ValueError):
            ready = socks
        now = time.monotonic()
        keep: list[_Waiting] = []
        for entry in self.entries:
            if entry.peer.sock in ready and _eof(entry.peer):
                latency = now - entry.since
                self.report.close_latency_max_s = max(
                    self.report.close_latency_max_s, latency
                )
                entry.peer.close()
            elif now > entry.deadline:
                self.report.hangs += 1
                self.report.fail(f"hang: SCP kept {entry.label} open")
                entry.peer.close()
            else:
                keep.append(entry)
        self.entries = keep

    def drain(self, limit: int = 0) -> None:
        """Wait until at most ``limit`` entries are left."""
        while len(self.entries) > limit:
            self.poll(0.05)


def _eof(peer: wire.Peer) -> bool:
    """Read what is there; True when the SCP closed (EOF or reset)."""
    try:
        return not peer.sock.recv(65536)
    except BlockingIOError:
        return False
    except OSError:
        return True


def drain_until_closed(peer: wire.Peer, wait_s: float) -> bool:
    """Read and discard until EOF; False if still open after ``wait_s``."""
    deadline = time.monotonic() + wait_s
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        ready, _, _ = select.select([peer.sock], [], [], left)
        if ready and _eof(peer):
            return True


class Session:
    """The reused association for identifier and DIMSE cases."""

    def __init__(self, address: tuple[str, int]) -> None:
        self.address = address
        self.peer: wire.Peer | None = None
        self._message_id = 0

    def next_id(self) -> int:
        self._message_id = self._message_id % 65535 + 1
        return self._message_id

    def open(self) -> wire.Peer:
        """The live association, opened (a sound one) when needed."""
        if self.peer is not None:
            return self.peer
        peer = wire.Peer.connect(self.address)
        outcome = peer.associate(wire.associate_rq(), time.monotonic() + ANSWER_WAIT_S)
        if outcome.kind != "accepted" or not peer.accepted:
            peer.close()
            raise RuntimeError(f"a sound association was not accepted: {outcome}")
        self.peer = peer
        return peer

    def drop(self) -> wire.Peer | None:
        peer, self.peer = self.peer, None
        return peer

    def close(self) -> None:
        peer = self.drop()
        if peer is not None:
            peer.send(wire.release_rq())
            peer.close()


# ------------------------------------------------------------------- checks


def normal_query(address: tuple[str, int], index: int) -> str | None:
    """One sound RPI query through the RPIQ engine; None when the answer is right."""
    from rpiq.core.profiles import AEProfile
    from rpiq.core.query.engine import run_query
    from rpiq.core.query.events import Done, Failed, Match
    from rpiq.core.query.request import QueryRequest
    from rpiq.core.templates import RpiSopClass

    patient_id, sop_name = CHECK_PATIENTS[index % len(CHECK_PATIENTS)]
    profile = AEProfile(
        name="fuzz-check",
        called_ae="RPIQ",
        host=address[0],
        port=address[1],
        dimse_timeout=20.0,
        acse_timeout=20.0,
    )
    request = QueryRequest(patient_id=patient_id, sop_class=RpiSopClass[sop_name])
    matches: list[Match] = []
    done: Done | None = None
    for event in run_query(profile, request):
        if isinstance(event, Failed):
            return f"query {patient_id} failed: {event.kind} {event.message}"
        if isinstance(event, Match):
            matches.append(event)
        elif isinstance(event, Done):
            done = event
    if done is None or len(matches) != 1:
        return f"query {patient_id}: {len(matches)} matches, done={done}"
    if matches[0].patient.patient_id != patient_id:
        return f"query {patient_id} answered for {matches[0].patient.patient_id}"
    if done.report is not None and not done.report.ok:
        return f"query {patient_id}: conformance problems in the answer"
    return None


# ----------------------------------------------------------------- the runner


@dataclass
class Campaign:
    """One campaign against one SCP process (see :func:`run_campaign`)."""

    scp: ScpProcess
    report: Report
    timeout: float
    progress: Callable[[Report], None] | None = None
    pool: ClosePool = field(init=False)
    session: Session = field(init=False)
    _checks: int = 0

    def __post_init__(self) -> None:
        self.pool = ClosePool(self.report)
        self.session = Session(self.scp.address)

    # ------------------------------------------------------------ one case

    def run_case(self, index: int, category: str, rng: random.Random) -> None:
        if category in cases.STREAMS:
            outcome = self._stream(cases.STREAMS[category](rng), category, index)
        else:
            outcome = self._exchange(category, rng, index)
        self.report.note(category, outcome)

    def _exchange(self, category: str, rng: random.Random, index: int) -> str:
        peer = self.session.open()
        ids = [cx for cx in wire.FIND_CONTEXTS if cx.context_id in peer.accepted]
        cx = rng.choice(ids)
        message_id = self.session.next_id()
        if category in cases.IDENTIFIERS:
            max_pdv = rng.choice((peer.max_pdu or 16384, 1024, 1 << 20)) - 6
            exchange = cases.identifier_exchange(rng, category, cx, message_id, max_pdv)
        else:
            probe_id = self.session.next_id()
            exchange = cases.DIMSE[category](rng, cx, message_id, probe_id)
        if not peer.send(exchange.payload):
            self.session.drop()
            peer.close()
            return "closed-while-sending"
        wait = ANSWER_WAIT_S if exchange.framed else PROBE_WAIT_S
        outcome = peer.await_final(exchange.awaited_id, time.monotonic() + wait)
        if outcome.kind == "status" and outcome.status is not None:
            return f"status {outcome.status:04X}"
        self.session.drop()
        if exchange.framed:
            self.report.remark(f"case {index} {category}: {outcome.kind} on a C-FIND")
        if outcome.kind == "silent":
            if exchange.framed:
                self.report.silent_answers += 1
                self.report.fail(f"case {index} {category}: no answer to a C-FIND")
            self.pool.add(peer, self.timeout + CLOSE_SLACK_S, f"{category} #{index}")
        else:
            peer.close()
        return outcome.kind

    def _stream(self, stream: cases.Stream, category: str, index: int) -> str:
        if stream.stall:
            self.pool.drain(POOL_LIMIT - 1)
        peer = wire.Peer.connect(self.scp.address)
        for chunk in stream.chunks:
            if not peer.send(chunk):
                break
        label = f"{category} #{index}"
        if stream.stall:
            self.pool.add(peer, self.timeout + CLOSE_SLACK_S, label)
            return "stalled"
        outcome = "closed"
        if stream.probe:
            outcome = self._probe(peer)
        peer.half_close()
        if not drain_until_closed(peer, CLOSE_WAIT_S):
            self.pool.add(peer, self.timeout + CLOSE_SLACK_S, label)
            return f"{outcome}, slow close"
        peer.close()
        return outcome

    def _probe(self, peer: wire.Peer) -> str:
        """After odd A-ASSOCIATE-RQ fields: if accepted, a sound C-FIND must work."""
        try:
            got = peer.read_pdu(time.monotonic() + ANSWER_WAIT_S)
        except TimeoutError:
            return "silent"
        if got is None or got[0] != wire.ASSOCIATE_AC:
            return "not accepted" if got else "closed"
        peer.parse_ac(got[1])
        usable = [cx for cx in wire.FIND_CONTEXTS if cx.context_id in peer.accepted]
        if not usable:
            return "accepted, no query context"
        peer.send(
            wire.message(
                usable[0], _sound_command(usable[0]), _sound_id(usable[0]), 16384
            )
        )
        answer = peer.await_final(1, time.monotonic() + ANSWER_WAIT_S)
        if answer.kind == "status" and answer.status is not None:
            return f"accepted, query status {answer.status:04X}"
        return f"accepted, query {answer.kind}"

    # ---------------------------------------------------------- checkpoint

    def checkpoint(self) -> None:
        """Normal query, idle threads, RSS and the SCP's findings."""
        self.session.close()
        self.pool.drain()
        self._checks += 1
        problem = normal_query(self.scp.address, self._checks)
        if problem is None:
            self.report.checks_passed += 1
        else:
            self.report.checks_failed += 1
            self.report.fail(f"check after {self.report.cases} cases: {problem}")
        if not self._threads_settle():
            self.report.thread_leaks += 1
        self._sample()
        stats = self.scp.stats()
        self.report.scp_stats = stats
        if stats["finding_count"] > self.report.scp_findings:
            self.report.scp_findings = stats["finding_count"]
            for text in stats["findings"]:
                self.report.fail(f"SCP finding: {text}")
        if self.progress is not None:
            self.progress(self.report)

    def _threads_settle(self) -> bool:
        deadline = time.monotonic() + THREAD_SETTLE_S
        while True:
            threads = self.scp.status()["threads"]
            if threads <= self.report.threads_idle:
                return True
            if time.monotonic() > deadline:
                self.report.fail(
                    f"after {self.report.cases} cases the SCP has {threads} threads, "
                    f"idle level {self.report.threads_idle}"
                )
                return False
            time.sleep(0.05)

    def _sample(self) -> None:
        rss = self.scp.status()["rss"]
        self.report.rss_samples.append(rss)
        self.report.rss_end = rss
        self.report.rss_peak = max(self.report.rss_peak, rss)

    def warm_up(self) -> None:
        """A few sound queries so lazy imports and caches are in the baseline."""
        for index in range(len(CHECK_PATIENTS)):
            problem = normal_query(self.scp.address, index)
            if problem is not None:
                raise RuntimeError(f"the SCP fails a normal query at start: {problem}")
        time.sleep(0.5)
        status = self.scp.status()
        self.report.threads_idle = status["threads"]
        self.report.rss_start = self.report.rss_peak = self.report.rss_end = status[
            "rss"
        ]


def _sound_command(cx: wire.Context) -> bytes:
    return wire.command_set(wire.find_command(1, cx.abstract))


def _sound_id(cx: wire.Context) -> bytes:
    from tests.stress import dataset_bytes as dsb

    raw = dsb.rpi_identifier(dsb.Syntax(cx.explicit, cx.little))
    return cases.deflate(random.Random(0), raw) if cx.deflated else raw


def draw(seed: int, count: int) -> Iterator[tuple[int, str, random.Random]]:
    """The campaign's cases: (index, category, the case's own generator)."""
    rng = random.Random(seed)
    weights = [cases.WEIGHTS[name] for name in cases.CATEGORIES]
    for index in range(count):
        category = rng.choices(cases.CATEGORIES, weights)[0]
        yield index, category, random.Random(rng.getrandbits(64))


def run_campaign(
    count: int,
    seed: int,
    check_every: int = 1000,
    timeout: float = 2.0,
    progress: Callable[[Report], None] | None = None,
    only: frozenset[int] | None = None,
) -> Report:
    """Fuzz a fresh SCP process with ``count`` cases from ``seed``; see the module.

    ``only`` runs just those case indices (to replay a case from a report).
    """
    planned = count if only is None else len(only & frozenset(range(count)))
    report = Report(seed=seed, cases_planned=planned)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="rpiq-fuzz-") as tmp:
        scp = ScpProcess(Path(tmp) / "archive", timeout)
        campaign = Campaign(scp, report, timeout, progress)
        try:
            campaign.warm_up()
            _loop(campaign, count, seed, check_every, only)
        finally:
            campaign.session.drop()
            for entry in campaign.pool.entries:
                entry.peer.close()
            if scp.alive:
                report.exit_code = scp.stop()
                if report.exit_code != 0:
                    report.fail(
                        f"SCP exit code {report.exit_code}: {scp.stderr[-3000:]}"
                    )
            else:
                report.exit_code = scp.proc.returncode
    report.wall_s = time.perf_counter() - start
    return report


def _loop(
    campaign: Campaign,
    count: int,
    seed: int,
    check_every: int,
    only: frozenset[int] | None,
) -> None:
    report, scp = campaign.report, campaign.scp
    for index, category, rng in draw(seed, count):
        if only is not None and index not in only:
            continue
        try:
            campaign.run_case(index, category, rng)
        except (OSError, RuntimeError) as exc:
            report.note(category, f"fuzzer error {type(exc).__name__}")
            report.fail(f"case {index} {category}: {type(exc).__name__}: {exc}")
            campaign.session.drop()
        report.by_category[category] += 1
        report.cases += 1
        campaign.pool.poll()
        if not scp.alive:
            report.crashes += 1
            report.fail(
                f"SCP process died (code {scp.proc.returncode}) at case {index} "
                f"{category}: {scp.stderr[-3000:]}"
            )
            return
        if report.cases % check_every == 0:
            campaign.checkpoint()
    if report.cases % check_every:
        campaign.checkpoint()


def environment() -> dict[str, str]:
    """Facts that make a run's timing comparable."""
    return {
        "python": sys.version.split()[0],
        "cpus": str(os.cpu_count()),
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }
