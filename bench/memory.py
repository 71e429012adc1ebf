"""A fresh process serves the statistics page once (cold) and prints its peak RSS in MiB.

VmHWM, not getrusage: ru_maxrss survives exec, so it would report the bench that started us.
"""

import sys
from pathlib import Path

from .data import make_app
from .pages import _get, _login

app = make_app(sys.argv[1])
client = app.test_client()
_login(client, "admin")
_get(client, "/admin/statistics")
status = Path("/proc/self/status").read_text()
kib = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:"))
print(kib / 1024)
