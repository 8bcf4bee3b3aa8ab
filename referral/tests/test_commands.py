"""The `refer` and `referral_eval` commands.

These tests have no database mark: pytest-django refuses any query, so they also prove that the
commands never touch the database.
"""
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from referral.ranking import rank

TPCLINIC = Path(sys.executable).with_name("tpclinic")
HEADACHE = ["head.temple:left", "head.behind-ear:left", "neck.side:left"]


def run(*args, stdin=None) -> str:
    out = io.StringIO()
    kwargs = {"stdout": out}
    if stdin is not None:
        kwargs["stdin"] = io.StringIO(stdin)
    call_command("refer", *args, **kwargs)
    return out.getvalue()


def test_json_output_is_one_array_best_first():
    result = json.loads(run("--json", *HEADACHE))
    assert len(result) == 10
    assert result[0]["muscle"] == "upper-trapezius" and result[0]["side"] == "left"
    assert {"muscle", "side", "score", "explained_essential", "unexplained"} <= result[0].keys()
    assert result[0]["explained_essential"] == HEADACHE
    scores = [c["score"] for c in result]
    assert scores == sorted(scores, reverse=True)


def test_top_limits_the_candidates():
    assert len(json.loads(run("--json", "--top", "3", *HEADACHE))) == 3


def test_intensity_can_be_given_after_an_at_sign():
    faint = json.loads(run("--json", "--top", "500", "head.temple:left@1"))
    strong = json.loads(run("--json", "--top", "500", "head.temple:left@10"))
    score = lambda rows: next(r["score"] for r in rows if (r["muscle"], r["side"]) == ("temporalis", "left"))
    assert score(strong) > score(faint)


def test_table_output_is_readable():
    text = run("--top", "3", *HEADACHE)
    lines = text.splitlines()
    assert any(line.startswith("1  Trapezius (upper fibres)") and " left " in line for line in lines)
    assert "Essential" in text and "Unexplained" in text
    assert "head.temple:left" in text
    assert len([line for line in lines if line[:1].isdigit()]) == 3


def test_empty_drawing_is_not_an_error():
    assert json.loads(run("--json")) == []
    assert "nothing to rank" in run()


@pytest.mark.parametrize(
    "words, message",
    [
        (["neck.nowhere:left"], "Unknown body region 'neck.nowhere'"),
        (["neck.angle"], "needs a side"),
        (["neck.angle:middle"], "needs a side"),
        (["back.sacrum:left"], "midline"),
        (["neck.angle:left@loud"], "intensity"),
        (["neck.angle:left@12"], "0 to 10"),
    ],
)
def test_bad_codes_and_sides_exit_with_code_2(words, message):
    with pytest.raises(CommandError, match=message) as raised:
        run("--json", *words)
    assert raised.value.returncode == 2


def test_bad_top_and_mixed_batch_exit_with_code_2():
    with pytest.raises(CommandError) as raised:
        run("--top", "0", *HEADACHE)
    assert raised.value.returncode == 2
    with pytest.raises(CommandError) as raised:
        run("--batch", "-", *HEADACHE, stdin="")
    assert raised.value.returncode == 2


def test_batch_prints_one_array_per_line():
    out = run("--batch", "-", "--top", "2", stdin=" ".join(HEADACHE) + "\n\nfoot.heel:right ankle.back:right\n")
    lines = out.splitlines()
    assert len(lines) == 3
    first, blank, third = (json.loads(line) for line in lines)
    assert first[0]["muscle"] == "upper-trapezius" and len(first) == 2
    assert blank == []
    assert third[0]["side"] == "right"


def test_batch_reports_a_bad_line_and_carries_on():
    out = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("refer", "--batch", "-", stdout=out, stdin=io.StringIO("neck.angle:left\nneck.angle\nback.sacrum\n"))
    assert raised.value.returncode == 1
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(lines) == 3
    assert isinstance(lines[0], list) and lines[0]
    assert set(lines[1]) == {"error"} and "needs a side" in lines[1]["error"]
    assert isinstance(lines[2], list) and lines[2][0]["muscle"] == "multifidi"


def test_referral_eval_prints_the_three_sets_against_their_targets():
    out = io.StringIO()
    call_command("referral_eval", stdout=out)
    text = out.getvalue()
    for label in ("Textbook vignettes", "leave-one-publication-out", "examination findings", "Top-1:", "Top-3:",
                  "Brier score", "Reliability", "target >="):
        assert label in text
    out = io.StringIO()
    call_command("referral_eval", "--json", stdout=out)
    figures = json.loads(out.getvalue())
    assert figures["textbook_vignettes"]["cases"] >= 45 and figures["textbook_vignettes"]["top3"] >= 0.9
    assert all({"id", "expected", "rank", "top"} <= miss.keys() for miss in figures["published_cases_lopo"]["misses"])


# -- the installed console script -----------------------------------------------------------------


def tpclinic(*args, stdin: str | None = None) -> subprocess.CompletedProcess:
    if not TPCLINIC.exists():
        pytest.skip("the tpclinic console script is not installed next to this Python")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tpclinic.test_settings"}
    return subprocess.run(
        [str(TPCLINIC), *args], input=stdin, capture_output=True, text=True, env=env, timeout=60
    )


def test_console_script_prints_json():
    result = tpclinic("refer", "--json", "--top", "5", *HEADACHE)
    assert result.returncode == 0, result.stderr
    candidates = json.loads(result.stdout)
    assert len(candidates) == 5
    assert (candidates[0]["muscle"], candidates[0]["side"]) == ("upper-trapezius", "left")


def test_console_script_rejects_a_bad_code_with_exit_2():
    result = tpclinic("refer", "--json", "neck.nowhere:left")
    assert result.returncode == 2
    assert "neck.nowhere" in result.stderr
    assert result.stdout == ""


def test_console_script_batch_from_stdin():
    result = tpclinic("refer", "--batch", "-", "--top", "1", stdin="neck.angle:left\nbad.code:left\n\n")
    assert result.returncode == 1
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines[0][0]["muscle"] == rank(["neck.angle:left"], top=1)[0].muscle  # the same answer as in process
    assert "error" in lines[1]
    assert lines[2] == []
