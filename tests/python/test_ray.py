"""Sweeps on Ray: a local Ray head runs a 16-run sweep and gives the tables
of the same sweep run locally with ``--jobs 2``, byte for byte, through
``python -m tokenspice.ray_backend``, ``tokenspice.sweep(backend="ray")`` and
``tsp sweep --backend ray``; killing a worker mid-sweep still completes it.

Servers a test starts listen on 127.0.0.1 only, and Ray's gcs_server and
raylet listen on every interface whatever ``--node-ip-address`` says. So the
head runs in a network namespace of its own (``unshare --net``) whose only
interface is the loopback: every socket it opens is reachable through
127.0.0.1 of that namespace alone. The sweep drivers join it (``nsenter
--net``). The test stops every process it started by PID (the namespace's
processes and those naming the head's temporary folder), never by name,
so other Ray clusters on the machine are left alone. Creating a network
namespace needs root (CAP_SYS_ADMIN); without it the tests fail, saying so.
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

from helpers import ROOT, TSP  # noqa: E402  (tests/python/helpers.py)
PYTHON = os.environ.get("TOKENSPICE_PYTHON", sys.executable)
RAY = str(Path(PYTHON).parent / "ray")
MARKET = ROOT / "python" / "examples" / "curve_market.toml"
# The namespace is new and empty: every port in it is free.
PORT = 6379
ADDRESS = f"127.0.0.1:{PORT}"
TABLES = ("summary.csv", "summary.parquet", "tidy.csv", "tidy.parquet")
RUNS = 16
# Safety timeouts only: nothing asserts how fast anything is.
START_TIMEOUT = 180
SWEEP_TIMEOUT = 300
STOP_GRACE = 8


def find_tool(name):
    for folder in (os.environ.get("PATH", "").split(os.pathsep)) + ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]:
        path = Path(folder or ".") / name
        if path.is_file() and os.access(path, os.X_OK):
            return str(path)
    return None


def study_args(duration, out):
    """The 16-run study: 2 values of dip_pct × 8 seeds."""
    return [str(MARKET), "--factor", "agent.trader.params.dip_pct=2,5", "--seeds", "8",
            "--set", f'sim.duration="{duration}"', "--no-charts", "--quiet", "--out", str(out)]


# --- processes, from /proc -------------------------------------------------

def all_pids():
    return [int(entry) for entry in os.listdir("/proc") if entry.isdigit()]


def net_namespace(pid):
    try:
        return os.readlink(f"/proc/{pid}/ns/net")
    except OSError:
        return None


def cmdline(pid):
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


def comm(pid):
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def alive(pid):
    """The process exists and is not a zombie (a zombie holds no socket and runs nothing)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def parent(pid):
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def socket_inodes(pid):
    inodes = set()
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return inodes
    for fd in fds:
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(int(target[8:-1]))
    return inodes


def listening(net_folder):
    """{inode: (local address hex, port)} of the TCP sockets in LISTEN state
    in the network namespace whose /proc/PID/net folder is given."""
    sockets = {}
    for table in ("tcp", "tcp6"):
        path = Path(net_folder) / table
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] != "0A":  # TCP_LISTEN
                continue
            address, port = fields[1].split(":")
            sockets[int(fields[9])] = (address, int(port, 16))
    return sockets


class RayHead:
    """``ray start --head`` in a network namespace with only ``lo``."""

    def __init__(self):
        self.temp = tempfile.mkdtemp(prefix="tsp-ray-", dir="/tmp")  # unix sockets live here: keep it short
        self.log_path = Path(tempfile.mkdtemp(prefix="tsp-ray-log-")) / "ray-start.log"
        self.head = None
        self.namespace = None
        self.seen = set()

    # The namespace and its processes.

    def start(self):
        for tool in ("unshare", "nsenter", "ip"):
            if find_tool(tool) is None:
                raise AssertionError(f"{tool} not found: the Ray tests run Ray in a network namespace of its own, "
                                     "so that nothing they start listens beyond 127.0.0.1 (util-linux, iproute2)")
        if not os.path.exists(RAY):
            raise AssertionError(f"{RAY} not found: the Ray tests need Ray in the tokenspice Python ({PYTHON})")
        ip = find_tool("ip")
        probe = subprocess.run([find_tool("unshare"), "--net", "--fork", ip, "link", "set", "lo", "up"],
                               capture_output=True, text=True)
        if probe.returncode != 0:
            raise AssertionError(
                "cannot create a network namespace (`unshare --net` refused: "
                f"{probe.stderr.strip() or probe.returncode}). The Ray tests run the Ray head and the sweep drivers "
                "in a namespace whose only interface is the loopback, because Ray's gcs_server and raylet listen "
                "on every interface whatever --node-ip-address says; servers a test starts must listen on "
                "127.0.0.1 only. Run them as root (or with CAP_SYS_ADMIN).")
        command = [RAY, "start", "--head", "--node-ip-address=127.0.0.1", f"--port={PORT}", "--num-cpus=2",
                   "--include-dashboard=false", "--disable-usage-stats", f"--temp-dir={self.temp}", "--block"]
        own = net_namespace("self")
        with open(self.log_path, "wb") as log:
            self.head = subprocess.Popen(
                [find_tool("unshare"), "--net", "--fork", "sh", "-c", f'"{ip}" link set lo up && exec "$0" "$@"',
                 *command],
                cwd=ROOT, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=self.env(),
                start_new_session=True)
        self.seen.add(self.head.pid)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            namespace = net_namespace(self.head.pid)
            if self.head.poll() is not None:
                raise AssertionError(f"ray start ended ({self.head.returncode}):\n{self.log()}")
            if namespace and namespace != own:
                self.namespace = namespace
                break
            if time.monotonic() > deadline:
                raise AssertionError("unshare did not enter a network namespace of its own")
            time.sleep(0.05)
        while "Ray runtime started" not in self.log():
            if self.head.poll() is not None:
                raise AssertionError(f"ray start ended ({self.head.returncode}):\n{self.log()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"the Ray head did not start in {START_TIMEOUT}s:\n{self.log()}")
            time.sleep(0.2)
        self.members()

    def env(self):
        return {**os.environ, "RAY_USAGE_STATS_ENABLED": "0"}

    def log(self):
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def ours(self, pid):
        """A process of this head: in its namespace, or naming its temporary folder."""
        if pid == os.getpid():
            return False
        if self.head is not None and pid == self.head.pid:
            return self.head.poll() is None
        return (self.namespace is not None and net_namespace(pid) == self.namespace) or self.temp in cmdline(pid)

    def members(self):
        """The live processes of this head (each also recorded for stop())."""
        found = {pid for pid in all_pids() if alive(pid) and self.ours(pid)}
        self.seen |= found
        return found

    def net(self):
        """/proc/PID/net of a process in the namespace: the namespace's own tables."""
        return f"/proc/{self.head.pid}/net"

    def interfaces(self):
        lines = Path(self.net(), "dev").read_text().splitlines()[2:]
        return sorted(line.split(":", 1)[0].strip() for line in lines)

    def inside(self, args, timeout=SWEEP_TIMEOUT):
        """Run a command in the namespace (a Ray driver reaches the head there)."""
        return subprocess.run([find_tool("nsenter"), f"--net=/proc/{self.head.pid}/ns/net", *map(str, args)],
                              cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=self.env())

    def popen_inside(self, args, log):
        return subprocess.Popen([find_tool("nsenter"), f"--net=/proc/{self.head.pid}/ns/net", *map(str, args)],
                                cwd=ROOT, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                env=self.env())

    # Stopping, by PID.

    def signal_all(self, pids, sig):
        for pid in pids:
            if alive(pid) and self.ours(pid):
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    pass

    def wait_gone(self, pids, seconds):
        deadline = time.monotonic() + seconds
        while True:
            if self.head is not None:
                self.head.poll()  # reap our own child
            left = {pid for pid in pids if alive(pid) and self.ours(pid)} | self.members()
            if not left or time.monotonic() > deadline:
                return left
            time.sleep(0.1)

    def stop(self):
        """SIGTERM ``ray start`` (it stops the processes it started), then
        every process of the head left, then SIGKILL those still left;
        returns those alive after that."""
        pids = self.members() | self.seen
        if self.head is not None:
            self.signal_all([pid for pid in pids if parent(pid) == self.head.pid], signal.SIGTERM)
        left = self.wait_gone(pids, STOP_GRACE)
        if left:
            self.signal_all(left, signal.SIGTERM)
            left = self.wait_gone(pids | left, STOP_GRACE)
        if left:
            self.signal_all(left, signal.SIGKILL)
            left = self.wait_gone(pids | left, STOP_GRACE)
        if self.head is not None and self.head.poll() is None:
            try:
                self.head.wait(timeout=STOP_GRACE)
            except subprocess.TimeoutExpired:
                pass
        if not left:
            shutil.rmtree(self.temp, ignore_errors=True)
            shutil.rmtree(self.log_path.parent, ignore_errors=True)
        return {pid: cmdline(pid) or comm(pid) for pid in left}


class SweepOnRay(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cluster = RayHead()
        try:
            cls.cluster.start()
        except BaseException:
            cls.cluster.stop()
            raise
        cls.scratch = tempfile.TemporaryDirectory(prefix="tsp-ray-test-")
        cls.dir = Path(cls.scratch.name)
        cls.local = {}

    @classmethod
    def tearDownClass(cls):
        left = cls.cluster.stop()
        cls.scratch.cleanup()
        if left:
            raise AssertionError(f"processes of the Ray head still run after SIGKILL: {left}")

    def local_study(self, duration):
        """The study run locally with --jobs 2 (in the package: the agent is Python), once per duration."""
        if duration not in self.local:
            out = self.dir / f"local-{duration}"
            done = subprocess.run([PYTHON, "-m", "tokenspice", "sweep", *study_args(duration, out), "--jobs", "2"],
                                  cwd=ROOT, capture_output=True, text=True, timeout=SWEEP_TIMEOUT)
            self.assertEqual(done.returncode, 0, f"the local sweep failed:\n{done.stdout}\n{done.stderr}")
            self.local[duration] = out
        return self.local[duration]

    def assertSameTables(self, out, duration):
        expected = self.local_study(duration)
        for table in TABLES:
            self.assertTrue((out / table).exists(), f"{out / table} was not written")
            self.assertEqual((out / table).read_bytes(), (expected / table).read_bytes(),
                             f"{table} on Ray differs from the local run's")
        self.assertEqual(len(stored(out)), RUNS)

    def assertRan(self, done, what):
        self.assertEqual(done.returncode, 0, f"{what} failed:\n{done.stdout}\n{done.stderr}")

    def test_the_head_listens_in_a_namespace_with_only_loopback(self):
        self.assertEqual(self.cluster.interfaces(), ["lo"])
        inside = listening(self.cluster.net())
        self.assertIn(PORT, {port for _, port in inside.values()}, "the GCS does not listen in the namespace")
        held = set()
        for pid in self.cluster.members():
            held |= socket_inodes(pid)
        self.assertTrue(held & set(inside), "no listening socket of the head's processes in its namespace")
        # None of them listens in the test's own (the machine's) namespace.
        outside = listening("/proc/self/net")
        self.assertNotEqual(net_namespace("self"), self.cluster.namespace)
        self.assertEqual(held & set(outside), set(), "a Ray process listens outside its namespace")

    def test_a_sweep_on_ray_gives_the_tables_of_a_local_run(self):
        out = self.dir / "ray-module"
        done = self.cluster.inside([PYTHON, "-m", "tokenspice.ray_backend", "--address", ADDRESS, "--",
                                    *study_args("20d", out)])
        self.assertRan(done, "python -m tokenspice.ray_backend")
        self.assertSameTables(out, "20d")

    def test_sweep_with_backend_ray_gives_the_tables_of_a_local_run(self):
        out = self.dir / "ray-function"
        script = ("import sys, tokenspice\n"
                  "tokenspice.sweep(sys.argv[1], factors={'agent.trader.params.dip_pct': [2, 5]}, seeds=8,\n"
                  "                 set={'sim.duration': '20d'}, out=sys.argv[2], backend='ray', address=sys.argv[3])\n")
        done = self.cluster.inside([PYTHON, "-c", script, MARKET, out, ADDRESS])
        self.assertRan(done, "tokenspice.sweep(backend='ray')")
        self.assertSameTables(out, "20d")

    def test_tsp_sweep_backend_ray_gives_the_tables_of_a_local_run(self):
        self.assertTrue(os.path.exists(TSP), f"{TSP} not found (cargo build --release)")
        out = self.dir / "ray-tsp"
        done = self.cluster.inside([TSP, "sweep", *study_args("20d", out), "--backend", "ray",
                                    "--address", ADDRESS, "--python", PYTHON])
        self.assertRan(done, "tsp sweep --backend ray")
        self.assertSameTables(out, "20d")

    def test_killing_a_worker_mid_sweep_still_completes_the_sweep(self):
        self.local_study("2y")
        out = self.dir / "ray-killed"
        log_path = self.dir / "ray-killed.log"
        with open(log_path, "wb") as log:
            driver = self.cluster.popen_inside([PYTHON, "-m", "tokenspice.ray_backend", "--address", ADDRESS,
                                                "--shards", "4", "--", *study_args("2y", out)], log)
        try:
            killed = None
            deadline = time.monotonic() + SWEEP_TIMEOUT
            while killed is None and driver.poll() is None and time.monotonic() < deadline:
                done_before = len(stored(out))
                if done_before:
                    for pid in sorted(self.cluster.members()):
                        title = cmdline(pid)
                        if title.startswith("ray::_run_shard") or comm(pid) == "ray::_run_shard":
                            os.kill(pid, signal.SIGKILL)
                            killed = (pid, title, done_before)
                            break
                time.sleep(0.02)
            self.assertIsNotNone(killed, "no worker ran _run_shard after the first run was stored: "
                                         f"the sweep ended first?\n{log_path.read_text(errors='replace')}")
            pid, title, done_before = killed
            self.assertLess(done_before, RUNS, "the worker was killed after every run was stored")
            status = driver.wait(timeout=SWEEP_TIMEOUT)
        finally:
            if driver.poll() is None:
                driver.kill()
                driver.wait()
        self.assertFalse(alive(pid) and self.cluster.ours(pid), f"the killed worker {pid} ({title}) still runs")
        self.assertEqual(status, 0, f"the sweep failed after a worker was killed:\n{log_path.read_text(errors='replace')}")
        self.assertSameTables(out, "2y")


def stored(out):
    """The study's stored runs (a marker per finished run)."""
    return sorted(Path(out).glob("**/units/*.json"))


if __name__ == "__main__":
    unittest.main()
