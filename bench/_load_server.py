"""The Odoo server of bench/load.py (not a benchmark): a process of its own on free loopback
ports, prefork (--workers) or threaded (--workers=0), stopped as tools/common.sh stops one."""
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import odoo

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """An Odoo server of its own on loopback ports; stopped as tools/common.sh does (one
    SIGTERM to the master, which stops its workers)."""

    def __init__(self, options, workers, log):
        self.port = free_port()
        odoo_args = [a for a in options.odoo_args if not a.startswith(("--logfile",
                                                                        "--log-level"))]
        command = [sys.executable, os.path.join(ROOT, "tools", "odoo-bin")]
        if workers:
            command += ["-c", options.server_conf, "--workers=%d" % workers,
                        "--longpolling-port=%d" % free_port()]
        else:
            command += ["--workers=0", "--max-cron-threads=1", "--load=web,queue_job"]
        command += odoo_args + ["-d", options.db, "--db-filter=^%s$" % options.db,
                                "--http-interface=127.0.0.1", "--http-port=%d" % self.port,
                                "--logfile=%s" % log, "--log-level=warn"]
        self.url = "http://127.0.0.1:%d" % self.port
        self.postmaster = None
        host = odoo.tools.config["db_host"] or ""
        try:
            with open(os.path.join(os.path.dirname(host), "data", "postmaster.pid")) as pid:
                self.postmaster = int(pid.readline())
        except (OSError, ValueError):
            pass
        self.process = subprocess.Popen(command)
        for _second in range(300):
            try:
                urllib.request.urlopen(self.url + "/web/login", timeout=10).read()
                return
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError("the server stopped (%s)" % log)
                time.sleep(1)
        raise RuntimeError("the server did not answer within 300 s (%s)" % log)

    def children(self):
        import psutil
        try:
            return psutil.Process(self.process.pid).children(recursive=True)
        except psutil.Error:
            return []

    def memory(self):
        """Resident memory of the largest worker (MB)."""
        sizes = []
        for child in self.children():
            try:
                sizes.append(child.memory_info().rss)
            except Exception:   # pylint: disable=broad-except
                pass
        return max(sizes or [0]) / 2 ** 20

    def cpu(self):
        """CPU seconds used so far by the server's processes and by PostgreSQL's (the
        postmaster of --db_host's cluster and its backends): what an operation costs, whatever
        else runs on the machine."""
        import psutil
        totals = []
        roots = [self.process.pid, self.postmaster]
        for root in roots:
            total = 0.0
            try:
                parent = psutil.Process(root)
                for proc in [parent] + parent.children(recursive=True):
                    try:
                        times = proc.cpu_times()
                        total += times.user + times.system
                    except psutil.Error:
                        pass
            except (psutil.Error, ValueError, TypeError):
                pass
            totals.append(total)
        return totals

    def stop(self):
        children = self.children()
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=120)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = "killed after 120 s"
        left = [c.pid for c in children if c.is_running() and c.status() != "zombie"]
        return code, left
