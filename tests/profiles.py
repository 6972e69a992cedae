"""How many examples the property tests (hypothesis) run: the full count in `make test`, a few in `make test-fast`.

Hypothesis profiles, registered by tests/conftest.py: "default" is hypothesis' own, and "quick" (loaded by
`pytest --quick`, which `make test-fast` passes, or by HYPOTHESIS_PROFILE=quick) caps every property test at
QUICK_EXAMPLES. A test that sets its own count writes it as `examples(n)`, so that the cap applies to it too: an
explicit `max_examples` would otherwise win over the profile."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

QUICK = "quick"
# enough to run each property on a few generated inputs (a wiring or contract break shows at once), few enough
# that the extractor fuzz, whose examples each cost a whole extraction (~0.7 s), stays within seconds
QUICK_EXAMPLES = 5

settings.register_profile(
    QUICK, max_examples=QUICK_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def examples(full: int) -> int:
    """`full`, or QUICK_EXAMPLES when smaller under the quick profile."""
    return min(full, QUICK_EXAMPLES) if settings.get_current_profile_name() == QUICK else full
