"""Peak resident memory of this process, and a way to reset it so that each stage gets its own peak.

Linux keeps the peak (VmHWM in /proc/self/status); writing "5" to /proc/self/clear_refs resets it to the
current RSS. Elsewhere the reset is a no-op and every stage reports the process peak so far.
"""

from __future__ import annotations

import re
import resource
import sys

_HWM = re.compile(r"VmHWM:\s+(\d+)\s+kB")


def peak_rss_mb() -> float:
    """The process's peak RSS in MB since start or since the last `reset_peak()`."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            m = _HWM.search(fh.read())
        if m:
            return int(m.group(1)) / 1024
    except OSError:
        pass
    return maxrss_to_mb(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def reset_peak() -> bool:
    """Reset the peak to the current RSS; False where the OS does not allow it."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def maxrss_to_mb(ru_maxrss: int) -> float:
    """getrusage's ru_maxrss (KB on Linux, bytes on macOS) -> MB."""
    return ru_maxrss / (1024 * 1024) if sys.platform == "darwin" else ru_maxrss / 1024
