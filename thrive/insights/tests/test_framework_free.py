"""The insights core must import and run without Django (the import-linter contract in
pyproject.toml checks the static imports; this checks what actually gets loaded)."""

import subprocess
import sys


def test_importing_every_insights_module_loads_no_django():
    code = (
        "import pkgutil, importlib, sys, thrive.insights as pkg\n"
        "for m in pkgutil.walk_packages(pkg.__path__, 'thrive.insights.'):\n"
        "    if '.tests' not in m.name and not m.name.endswith('__main__'):\n"
        "        importlib.import_module(m.name)\n"
        "bad = sorted(n for n in sys.modules if n == 'django' or n.startswith('django.'))\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_public_api_is_re_exported_and_listed():
    import thrive.insights as insights

    assert len(insights.__all__) == len(set(insights.__all__))
    for name in insights.__all__:
        assert getattr(insights, name) is not None, name
    assert "fit_bgnbd" in insights.__all__ and "basket_rules" in insights.__all__
