"""Pytest plugin behind `make reliability`: sums the figures the fault and hostile tests record.

Tests record through the `figures` fixture (tests/faults/conftest.py); this prints faults
survived, inputs tried and alerts lost at the end of the run.
"""

from collections import Counter

FIGURES = Counter()


def pytest_runtest_logreport(report):
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        if "faults" in report.keywords:
            FIGURES["faults_run"] += 1
            FIGURES["faults_survived"] += report.passed
        else:
            FIGURES["others_failed"] += report.failed
        for name, value in report.user_properties:
            FIGURES[name] += value


def pytest_terminal_summary(terminalreporter):
    kept = not (FIGURES["alerts_lost"] or FIGURES["alerts_repeated"] or FIGURES["others_failed"])
    kept = kept and FIGURES["faults_survived"] == FIGURES["faults_run"] > 0
    terminalreporter.section("reliability")
    for line in (
        f"faults survived: {FIGURES['faults_survived']} of {FIGURES['faults_run']}",
        f"inputs tried:    {FIGURES['inputs']} hostile inputs"
        f" ({FIGURES['others_failed']} hostile-input tests failed)",
        f"alerts lost:     {FIGURES['alerts_lost']} of {FIGURES['alerts_expected']} deliveries"
        f" checked under faults ({FIGURES['alerts_repeated']} duplicated)",
        "result:          " + ("all kept" if kept else "FAILURES: see above"),
    ):
        terminalreporter.write_line(line)
