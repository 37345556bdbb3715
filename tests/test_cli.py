"""The ``gamesim`` command: list, run, sweep, one-line errors with exit code 2.

Most tests call :func:`gamesim.cli.main` in-process (fast); a few run the real
command in a subprocess (``python -m gamesim`` and the console script).
"""

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
import types
from pathlib import Path

import pytest

import gamesim
from gamesim.cli import ProgressBar, main
from reference_values import AXELROD_SCORES

IPD_PLOTS = ("score_distribution.png", "pairwise_heatmap.png", "cooperation_rate.png")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def call(*argv):
    """Run main(argv) in-process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main([str(a) for a in argv])
    return rc, out.getvalue(), err.getvalue()


def run_subprocess(*argv, cwd=None):
    env = {**os.environ, "MPLBACKEND": "Agg"}
    env.pop("GAMESIM_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "gamesim", *map(str, argv)], capture_output=True,
                          text=True, cwd=cwd, env=env, timeout=120)


@pytest.fixture(scope="module")
def ipd_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("ipd") / "out"
    rc, stdout, stderr = call("run", "ipd_tournament", "--out", out)
    return rc, stdout, stderr, out


# -- list ------------------------------------------------------------------------------
def test_list_names_and_descriptions():
    rc, out, err = call("list")
    assert rc == 0 and err == ""
    assert "ipd_tournament" in out and "grim_trigger_threshold" in out
    assert "prisoner's dilemma" in out.lower()


def test_list_verbose_shows_parameters_with_defaults():
    rc, out, _ = call("list", "-v")
    assert rc == 0
    for line in ("turns=200", "noise=0.0", "matching=round_robin", "copies=1", "delta_min=0.05", "max_rounds=5000"):
        assert line in out


def test_list_one_scenario():
    rc, out, _ = call("list", "grim_trigger_threshold")
    assert rc == 0
    assert "delta_max=0.95" in out and "ipd_tournament" not in out


def test_version_and_help():
    rc, out, _ = call("--version")
    assert rc == 0 and gamesim.__version__ in out
    rc, out, _ = call("run", "--help")
    assert rc == 0 and "--set" in out and "--seed" in out and "--out" in out
    rc, out, _ = call("sweep", "--help")
    assert rc == 0 and "--grid" in out and "--scheduler" in out


# -- run ipd_tournament ------------------------------------------------------------------
def test_run_ipd_exit_code_and_table(ipd_run):
    rc, stdout, stderr, _ = ipd_run
    assert rc == 0, stderr
    lines = stdout.splitlines()
    header = next(i for i, l in enumerate(lines) if "rank" in l and "strategy" in l)
    first = lines[header + 1].split()
    assert first[:2] == ["1", "TitForTat"]
    assert float(first[2]) == pytest.approx(AXELROD_SCORES["TitForTat"], abs=1e-4)
    ranked = [lines[header + 1 + k].split()[1] for k in range(8)]
    assert ranked == sorted(AXELROD_SCORES, key=lambda n: -AXELROD_SCORES[n])


def test_run_ipd_scores_equal_axelrod(ipd_run):
    summary = json.loads((ipd_run[3] / "summary.json").read_text())
    assert set(summary["scores"]) == set(AXELROD_SCORES)
    for name, value in AXELROD_SCORES.items():
        assert abs(summary["scores"][name] - value) <= 1e-12, name


def test_run_ipd_summary_fields(ipd_run):
    summary = json.loads((ipd_run[3] / "summary.json").read_text())
    assert summary["scenario"] == "ipd_tournament"
    assert summary["seed"] == 0
    assert summary["version"] == gamesim.__version__
    p = summary["parameters"]
    assert p["turns"] == 200 and p["noise"] == 0.0 and p["continuation"] is None
    assert p["matching"] == "round_robin" and p["copies"] == 1
    assert (p["R"], p["S"], p["T"], p["P"]) == (3, 0, 5, 1)
    assert p["players"].split(",") == list(AXELROD_SCORES)
    assert summary["ranking"][0] == "TitForTat"
    assert 0 < summary["cooperation_rate"] < 1


def test_run_ipd_writes_plots_and_data(ipd_run):
    out = ipd_run[3]
    for name in IPD_PLOTS:
        data = (out / name).read_bytes()
        assert len(data) > 1000 and data.startswith(PNG_MAGIC), name
    for name in ("scores.csv", "series.csv", "arrays.npz", "parameters.json"):
        assert (out / name).stat().st_size > 0, name


def test_run_with_set_and_seed(tmp_path):
    rc, out, err = call("run", "ipd_tournament", "--set", "turns=30", "--set", "noise=0.1",
                        "--set", "players=TitForTat,Grudger,Random(0.3)", "--seed", 7, "--out", tmp_path)
    assert rc == 0, err
    s = json.loads((tmp_path / "summary.json").read_text())
    assert s["seed"] == 7 and s["parameters"]["turns"] == 30 and s["parameters"]["noise"] == 0.1
    assert set(s["scores"]) == {"TitForTat", "GrimTrigger", "Random(0.3)"}


def test_default_out_dir_is_results_scenario(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rc, _, err = call("run", "grim_trigger_threshold", "--set", "n=3")
    assert rc == 0, err
    assert (tmp_path / "results" / "grim_trigger_threshold" / "summary.json").is_file()


# -- run grim_trigger_threshold -------------------------------------------------------------
@pytest.mark.parametrize("T, expected", [(5, 0.5), (10, 7 / 9)])
def test_run_grim_trigger(tmp_path, T, expected):
    rc, out, err = call("run", "grim_trigger_threshold", "--set", f"T={T}", "--out", tmp_path)
    assert rc == 0, err
    s = json.loads((tmp_path / "summary.json").read_text())
    assert s["delta_star"] == pytest.approx(expected, abs=1e-12)
    assert s["agrees"] is True
    assert "agrees with theory" in out
    png = (tmp_path / "discount_sweep.png").read_bytes()
    assert png.startswith(PNG_MAGIC) and len(png) > 1000


# -- errors: one line on stderr, exit code 2 ---------------------------------------------
BAD_INPUTS = [
    ("run", "no_such_scenario"),
    ("run", "ipd_tournament", "--set", "turns"),
    ("run", "ipd_tournament", "--set", "=3"),
    ("run", "ipd_tournament", "--set", "bogus=1"),
    ("run", "ipd_tournament", "--set", "turns=-5"),
    ("run", "ipd_tournament", "--set", "turns=0"),
    ("run", "ipd_tournament", "--set", "turns=2.5"),
    ("run", "ipd_tournament", "--set", "noise=1.5"),
    ("run", "ipd_tournament", "--set", "noise=-0.1"),
    ("run", "ipd_tournament", "--set", "noise=abc"),
    ("run", "ipd_tournament", "--set", "continuation=1"),
    ("run", "ipd_tournament", "--set", "matching=ring"),
    ("run", "ipd_tournament", "--set", "players=TitForTat,NoSuchStrategy"),
    ("run", "ipd_tournament", "--set", "players=Random(2)"),
    ("run", "ipd_tournament", "--set", "players=TitForTat"),
    ("run", "ipd_tournament", "--set", "T=2"),
    ("run", "ipd_tournament", "--seed", "-1"),
    ("run", "ipd_tournament", "--bogus"),
    ("run", "grim_trigger_threshold", "--set", "delta_min=0"),
    ("run", "grim_trigger_threshold", "--set", "delta_min=0.9", "--set", "delta_max=0.1"),
    ("run",),
    (),
    ("frobnicate",),
    ("list", "no_such_scenario"),
    ("sweep", "ipd_tournament", "--grid", "turns"),
    ("sweep", "ipd_tournament", "--grid", "turns=10,,20"),
    ("sweep", "ipd_tournament", "--grid", "turns=10,-1"),
    ("sweep", "ipd_tournament", "--grid", "bogus=1,2"),
    ("sweep", "ipd_tournament", "--grid", "turns=10", "--grid", "turns=20"),
    ("sweep", "ipd_tournament", "--grid", "turns=10", "--set", "turns=20"),
    ("sweep", "ipd_tournament", "--grid", "turns=10", "--seeds", "0"),
]


@pytest.mark.parametrize("argv", BAD_INPUTS, ids=lambda a: " ".join(a) or "<none>")
def test_bad_input_is_one_line_exit_2(argv, tmp_path):
    out_dir = tmp_path / "out"
    args = list(argv) + (["--out", out_dir] if len(argv) >= 2 and argv[0] in ("run", "sweep") else [])
    rc, out, err = call(*args)
    assert rc == 2
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("gamesim: error:")
    assert "Traceback" not in err and out == ""
    assert not out_dir.exists()          # nothing was written


def test_error_names_the_field():
    assert "noise" in call("run", "ipd_tournament", "--set", "noise=2")[2]
    assert "turns" in call("run", "ipd_tournament", "--set", "turns=-1")[2]
    assert "'bogus'" in call("run", "ipd_tournament", "--set", "bogus=1")[2]
    assert "available" in call("run", "nope")[2]


def test_unwritable_out_dir(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    rc, out, err = call("run", "ipd_tournament", "--set", "turns=5", "--out", blocker / "sub")
    assert rc == 2 and len(err.splitlines()) == 1 and err.startswith("gamesim: error: --out")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can write anywhere")
def test_read_only_out_dir(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        rc, _, err = call("run", "ipd_tournament", "--set", "turns=5", "--out", ro / "x")
        assert rc == 2 and err.startswith("gamesim: error: --out") and len(err.splitlines()) == 1
    finally:
        ro.chmod(0o700)


# -- sweep -----------------------------------------------------------------------------------
def test_sweep_local(tmp_path):
    rc, out, err = call("sweep", "ipd_tournament", "--grid", "turns=10,20", "--grid", "noise=0,0.1",
                        "--set", "players=TitForTat,Defector,Random(0.3)", "--seeds", 2, "--out", tmp_path)
    assert rc == 0, err
    import pandas as pd

    df = pd.read_csv(tmp_path / "sweep.csv")
    assert len(df) == 8
    for col in ("run", "turns", "noise", "players", "seed", "scores.TitForTat", "scores.Defector",
                "scores.Random(0.3)", "cooperation_rate", "ranking"):
        assert col in df.columns, col
    assert sorted(df["seed"].unique()) == [0, 1]
    assert sorted(df["turns"].unique()) == [10, 20]
    s = json.loads((tmp_path / "summary.json").read_text())
    assert s["scenario"] == "ipd_tournament" and s["runs"] == 8 and s["seeds"] == [0, 1]
    assert s["grid"] == {"turns": [10, 20], "noise": [0.0, 0.1]}
    assert s["version"] == gamesim.__version__
    assert len(s["points"]) == 4 and all(p["runs"] == 2 for p in s["points"])
    # deterministic players without noise: both seeds agree, so the spread is 0
    first = s["points"][0]
    assert first["parameters"] == {"turns": 10, "noise": 0.0}
    assert first["std"]["scores.TitForTat"] >= 0


def test_sweep_values_with_commas(tmp_path):
    rc, _, err = call("sweep", "ipd_tournament", "--grid", "players=TitForTat,Defector;MemoryOne(1,0,1,0),Cooperator",
                      "--set", "turns=5", "--out", tmp_path)
    assert rc == 0, err
    s = json.loads((tmp_path / "summary.json").read_text())
    assert s["grid"]["players"] == ["TitForTat,Defector", "MemoryOne(1,0,1,0),Cooperator"]


def test_sweep_scheduler_without_distributed(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)        # import distributed -> ImportError
    rc, out, err = call("sweep", "ipd_tournament", "--grid", "turns=5", "--scheduler", "tcp://127.0.0.1:8786",
                        "--out", tmp_path / "o")
    assert rc == 2 and len(err.splitlines()) == 1
    assert err.startswith("gamesim: error:") and "pip install distributed" in err


def test_sweep_scheduler_uses_dask_client(tmp_path, monkeypatch):
    calls = {}

    class Future:
        def __init__(self, value):
            self.value = value

        def result(self):
            return self.value

    class Client:
        def __init__(self, address):
            calls["address"] = address
            self.scheduler_address = address

        def map(self, fn, *iterables, pure=True):
            calls["n"] = len(iterables[0])
            import pickle

            pickle.dumps(fn)                                    # tasks must be picklable
            return [Future(fn(*args)) for args in zip(*iterables)]

        def close(self):
            calls["closed"] = True

    monkeypatch.setitem(sys.modules, "distributed", types.SimpleNamespace(Client=Client))
    rc, out, err = call("sweep", "grim_trigger_threshold", "--grid", "T=5,10", "--set", "n=5", "--seeds", 2,
                        "--scheduler", "tcp://sched:8786", "--out", tmp_path)
    assert rc == 0, err
    assert calls == {"address": "tcp://sched:8786", "n": 4, "closed": True}
    s = json.loads((tmp_path / "summary.json").read_text())
    assert s["scheduler"] == "tcp://sched:8786" and s["runs"] == 4
    assert [p["mean"]["delta_star"] for p in s["points"]] == pytest.approx([0.5, 7 / 9])


def test_sweep_scheduler_unreachable(tmp_path, monkeypatch):
    def refuse(address):
        raise OSError(f"Timed out trying to connect to {address}")

    monkeypatch.setitem(sys.modules, "distributed", types.SimpleNamespace(Client=refuse))
    rc, _, err = call("sweep", "ipd_tournament", "--grid", "turns=5", "--scheduler", "tcp://nowhere:1", "--out", tmp_path)
    assert rc == 2 and len(err.splitlines()) == 1 and "cannot connect" in err


# -- progress ----------------------------------------------------------------------------------
def test_progress_bar_draws_and_ends_line():
    s = io.StringIO()
    bar = ProgressBar(s, enabled=True, delay=0, interval=0, width=10)
    for done in range(0, 101, 25):
        bar(done, 100, "rounds")
    text = s.getvalue()
    assert text.endswith("\n") and text.count("\n") == 1
    assert "rounds [##########] 100% 100/100" in text


def test_progress_bar_silent_for_short_tasks_and_when_disabled():
    s = io.StringIO()
    bar = ProgressBar(s, enabled=True, delay=60)
    bar(0, 10, "x")
    bar(10, 10, "x")
    assert s.getvalue() == ""
    bar = ProgressBar(s, enabled=False, delay=0)
    bar(5, 10, "x")
    assert s.getvalue() == ""
    assert ProgressBar(io.StringIO()).enabled is False          # not a terminal


def test_run_with_progress_flag(tmp_path):
    rc, _, err = call("run", "ipd_tournament", "--set", "turns=20", "--progress", "--out", tmp_path)
    assert rc == 0 and "error" not in err


# -- subprocess: the real command ---------------------------------------------------------------
def test_subprocess_run(tmp_path):
    r = run_subprocess("run", "ipd_tournament", "--out", tmp_path / "ipd")
    assert r.returncode == 0, r.stderr
    s = json.loads((tmp_path / "ipd" / "summary.json").read_text())
    for name, value in AXELROD_SCORES.items():
        assert abs(s["scores"][name] - value) <= 1e-12
    for name in IPD_PLOTS:
        assert (tmp_path / "ipd" / name).stat().st_size > 0


def test_subprocess_error_is_one_line():
    r = run_subprocess("run", "ipd_tournament", "--set", "noise=7")
    assert r.returncode == 2
    assert r.stderr.splitlines() == [r.stderr.strip()] and r.stderr.startswith("gamesim: error: noise")
    assert "Traceback" not in r.stderr


def test_console_script():
    exe = Path(sys.executable).with_name("gamesim")
    exe = str(exe) if exe.exists() else shutil.which("gamesim")
    if exe is None:
        pytest.skip("the gamesim console script is not installed")
    r = subprocess.run([exe, "list"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "ipd_tournament" in r.stdout and "grim_trigger_threshold" in r.stdout
