"""`evimap meta` on real data: metafor's published BCG results, each analysis, every error case.

Expected values are metafor's, taken from the reference vectors in
/work/shared/data/metaref (named per test: `mf02` is
`mf02_bcg_rr_random_effects_reml_heterogeneity_ci_pi.json`, and so on). Values metafor prints
to 4 decimals are checked to half a unit in the 4th decimal (5e-5), as the vectors' `abs`
tolerance says; values printed to 2 decimals (I², the prediction interval) to 0.005.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from evimap.cli import app
from evimap.errors import NoConvergence
from evimap.synthesis.meta import fit as meta_fit

from ..conftest import DATA

META = DATA / "meta"
BCG = META / "bcg.csv"
PRINTED_4 = 5e-5
PRINTED_2 = 0.005


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner(env={"NO_COLOR": "1", "COLUMNS": "200"})


def run_json(runner: CliRunner, *args: str | Path) -> dict[str, Any]:
    result = runner.invoke(app, ["meta", *map(str, args)])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def run_error(runner: CliRunner, *args: str | Path) -> str:
    result = runner.invoke(app, ["meta", *map(str, args)])
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    return " ".join(result.stderr.split())


def test_cli_meta_bcg_rr_reml_reproduces_metafor(runner: CliRunner) -> None:
    # mf02: rma(yi, vi, data=escalc("RR", ...dat.bcg)) printed in metafor's rma.uni help
    # page (lines 545-556), confint() (252-258) and predict() (250-261).
    data = run_json(runner, BCG, "--measure", "RR", "--method", "REML", "--format", "json")
    assert data["k"] == 13
    assert data["q_df"] == 12
    for name, value in {
        "estimate": -0.7145,
        "se": 0.1798,
        "z_or_t": -3.9744,
        "ci_lower": -1.0669,
        "ci_upper": -0.3622,
        "tau2": 0.3132,
        "q": 152.2330,
        "se_tau2": 0.1664,
    }.items():
        assert data[name] == pytest.approx(value, abs=PRINTED_4), name
    assert data["p"] < 1e-4
    assert data["tau2_ci"] == pytest.approx([0.1197, 1.1115], abs=PRINTED_4)
    assert data["i2"] == pytest.approx(92.22, abs=PRINTED_2)
    assert data["h2"] == pytest.approx(12.86, abs=PRINTED_2)
    assert data["pi_lower"] == pytest.approx(-1.87, abs=PRINTED_2)
    assert data["pi_upper"] == pytest.approx(0.44, abs=PRINTED_2)
    assert data["exp_estimate"] == pytest.approx(0.49, abs=PRINTED_2)
    assert data["exp_pi_lower"] == pytest.approx(0.15, abs=PRINTED_2)
    assert data["exp_pi_upper"] == pytest.approx(1.55, abs=PRINTED_2)


def test_cli_meta_prints_every_design_field(runner: CliRunner) -> None:
    data = run_json(runner, BCG, "--measure", "RR")
    design = "estimate se ci_lower ci_upper z_or_t p tau2 tau2_ci i2 h2 q q_df q_p pi_lower"
    assert set((design + " pi_upper k").split()) <= set(data)
    assert data["file"] == str(BCG)
    assert data["analysis"] == "fit"


def test_cli_meta_lists_studies_with_labels_and_weights(runner: CliRunner) -> None:
    studies = run_json(runner, BCG, "--measure", "RR")["studies"]
    assert [s["study"] for s in studies][:2] == ["Aronson, 1948", "Ferguson & Simes, 1949"]
    assert sum(s["weight"] for s in studies) == pytest.approx(100.0)
    # mf02: escalc("RR") study 1, yi -0.8893 and vi 0.3256 (test_misc_escalc.r l.11-12)
    assert studies[0]["yi"] == pytest.approx(-0.8893, abs=PRINTED_4)
    assert studies[0]["vi"] == pytest.approx(0.3256, abs=PRINTED_4)


def test_cli_meta_fe_uses_q_based_i2(runner: CliRunner) -> None:
    # mf02: rma(yi, vi, method="FE") printed on the rma.uni help page, lines 916-925.
    data = run_json(runner, BCG, "--measure", "RR", "--method", "FE")
    assert data["estimate"] == pytest.approx(-0.4303, abs=PRINTED_4)
    assert data["se"] == pytest.approx(0.0405, abs=PRINTED_4)
    assert data["i2"] == pytest.approx(92.12, abs=PRINTED_2)
    assert data["tau2"] == 0.0


def test_cli_meta_knha_flag_equals_test_knha(runner: CliRunner) -> None:
    flag = run_json(runner, BCG, "--measure", "RR", "--knha")
    option = run_json(runner, BCG, "--measure", "RR", "--test", "knha")
    plain = run_json(runner, BCG, "--measure", "RR")
    assert flag == option
    assert flag["test"] == "knha"
    assert flag["estimate"] == pytest.approx(plain["estimate"])
    assert flag["se"] != pytest.approx(plain["se"])


def test_cli_meta_level_narrows_the_interval(runner: CliRunner) -> None:
    wide = run_json(runner, BCG, "--measure", "RR")
    narrow = run_json(runner, BCG, "--measure", "RR", "--level", "90")
    assert narrow["ci_upper"] - narrow["ci_lower"] < wide["ci_upper"] - wide["ci_lower"]


def test_cli_meta_mantel_haenszel_rr_reproduces_metafor(runner: CliRunner) -> None:
    # mf03: rma.mh(measure="RR", ...dat.bcg), printed summary.
    data = run_json(runner, BCG, "--measure", "RR", "--pooling", "mh")
    assert data["estimate"] == pytest.approx(-0.4537, abs=PRINTED_4)
    assert data["se"] == pytest.approx(0.0393, abs=PRINTED_4)
    assert data["q"] == pytest.approx(152.5676, abs=PRINTED_4)
    assert data["i2"] == pytest.approx(92.13, abs=PRINTED_2)


def test_cli_meta_peto_reproduces_metafor(runner: CliRunner) -> None:
    # mf04: rma.peto(...dat.bcg), printed summary.
    data = run_json(runner, BCG, "--measure", "OR", "--pooling", "peto")
    assert data["estimate"] == pytest.approx(-0.4744, abs=PRINTED_4)
    assert data["q"] == pytest.approx(167.7302, abs=PRINTED_4)


def test_cli_meta_leave1out_reproduces_metafor(runner: CliRunner) -> None:
    # mf05: leave1out(res)[1] at full precision (test_misc_leave1out.r).
    rows = run_json(runner, BCG, "--measure", "RR", "--analysis", "leave1out")["rows"]
    assert len(rows) == 13
    first = rows[0]
    assert first["omitted"] == "Aronson, 1948"
    assert first["k"] == 12
    assert first["estimate"] == pytest.approx(-0.707083788031436, abs=1e-4)
    assert first["tau2"] == pytest.approx(0.336156745300306, abs=1e-4)
    assert first["q"] == pytest.approx(151.582572747109, abs=1e-4)


def test_cli_meta_leave1out_with_mantel_haenszel_refits_mh(runner: CliRunner) -> None:
    # mf05: leave1out(rma.mh(measure="RR", ...))[1]
    args = (BCG, "--measure", "RR", "--pooling", "mh", "--analysis", "leave1out")
    first = run_json(runner, *args)["rows"][0]
    assert first["estimate"] == pytest.approx(-0.451379469928476, abs=1e-4)


def test_cli_meta_cumulative_by_year_reproduces_metafor(runner: CliRunner) -> None:
    # mf06: cumul(rma(yi, vi, data=dat), order=year)
    expected = [-0.889311, -1.325003, -0.97208, -1.001094, -1.101424, -0.973464, -0.901251]
    expected += [-0.788566, -0.865607, -0.785211, -0.708206, -0.794768, -0.714532]
    args = (BCG, "--measure", "RR", "--analysis", "cumulative", "--order", "year")
    data = run_json(runner, *args)
    assert [row["estimate"] for row in data["rows"]] == pytest.approx(expected, abs=1e-4)
    assert data["rows"][0]["added"] == "Aronson, 1948"
    assert data["rows"][-1]["added"] == "TPT Madras, 1980"


def test_cli_meta_trimfill_reproduces_metafor(runner: CliRunner) -> None:
    # mf07: trimfill(rma(yi, vi, data=dat)) printed on the trimfill help page.
    data = run_json(runner, BCG, "--measure", "RR", "--analysis", "trimfill")
    assert data["k0"] == 1
    assert data["side"] == "right"
    assert data["se_k0"] == pytest.approx(2.4528, abs=PRINTED_4)
    assert len(data["filled"]) == 1
    assert data["result"]["k"] == 14
    assert data["result"]["tau2"] == pytest.approx(0.3313, abs=PRINTED_4)
    assert data["result"]["q"] == pytest.approx(154.675, abs=PRINTED_4)


def test_cli_meta_metareg_reproduces_metafor(runner: CliRunner) -> None:
    # mf08: rma(yi, vi, mods = ~ ablat + year, data=dat) printed summary.
    args = (BCG, "--measure", "RR", "--analysis", "metareg", "--mods", "ablat,year")
    data = run_json(runner, *args)
    assert data["tau2"] == pytest.approx(0.1108, abs=PRINTED_4)
    assert data["q"] == pytest.approx(28.3251, abs=PRINTED_4)
    assert data["q_df"] == 10
    assert data["qm"] == pytest.approx(12.2043, abs=PRINTED_4)
    assert data["r2"] == pytest.approx(64.63, abs=PRINTED_2)
    assert [c["name"] for c in data["coefficients"]] == ["intrcpt", "ablat", "year"]


def test_cli_meta_subgroups_reproduce_metafor(runner: CliRunner) -> None:
    # mf09: rma(..., subset=alloc==…) per group, and rma(yi, vi, mods = ~ factor(alloc)).
    data = run_json(runner, BCG, "--measure", "RR", "--analysis", "subgroups", "--by", "alloc")
    groups = data["groups"]
    assert sorted(groups) == ["alternate", "random", "systematic"]
    assert groups["alternate"]["estimate"] == pytest.approx(-0.5408, abs=PRINTED_4)
    assert groups["random"]["estimate"] == pytest.approx(-0.9710, abs=PRINTED_4)
    assert groups["systematic"]["tau2"] == pytest.approx(0.4003, abs=PRINTED_4)
    assert data["qm"] == pytest.approx(1.7675, abs=PRINTED_4)
    assert data["qm_df"] == 2
    assert data["qm_p"] == pytest.approx(0.4132, abs=PRINTED_4)


def test_cli_meta_regtest_reproduces_metafor(runner: CliRunner) -> None:
    # mf19: regtest(rma(yi, vi, data=escalc("OR", ai, n1i, ci, n2i, data=dat.egger2001)))
    data = run_json(runner, META / "egger2001.csv", "--measure", "OR", "--analysis", "regtest")
    assert data["statistic"] == pytest.approx(-4.6686, abs=PRINTED_4)
    assert data["model"] == "rma"


def test_cli_meta_ranktest_reproduces_metafor(runner: CliRunner) -> None:
    # mf19: ranktest(rma(yi, vi, data=dat)) on the 16 magnesium trials.
    data = run_json(runner, META / "egger2001.csv", "--measure", "OR", "--analysis", "ranktest")
    assert data["tau"] == pytest.approx(0.15)
    assert data["p"] == pytest.approx(0.4503, abs=PRINTED_4)


def test_cli_meta_reads_means_and_sds(runner: CliRunner) -> None:
    from evimap.synthesis.meta import escalc, rma

    data = run_json(runner, META / "normand1999.csv", "--measure", "MD", "--method", "DL")
    # Normand 1999 table: Edinburgh 55 (47) n=155 vs 75 (64) n=156 days in hospital.
    assert data["studies"][0] == {
        "study": "Edinburgh",
        "yi": -20.0,
        "vi": pytest.approx(47**2 / 155 + 64**2 / 156),
        "weight": pytest.approx(data["studies"][0]["weight"]),
    }
    effects = escalc(
        "MD",
        m1i=[55, 27, 64, 66, 14, 19, 52, 21, 30],
        sd1i=[47, 7, 17, 20, 8, 7, 45, 16, 27],
        n1i=[155, 31, 75, 18, 8, 57, 34, 110, 60],
        m2i=[75, 29, 119, 137, 18, 18, 41, 31, 23],
        sd2i=[64, 4, 29, 48, 11, 4, 34, 27, 20],
        n2i=[156, 32, 71, 18, 13, 52, 33, 183, 52],
    )
    assert data["estimate"] == pytest.approx(rma(effects, method="DL").estimate)


def test_cli_meta_table_format_shows_the_pooled_ratio(runner: CliRunner) -> None:
    result = runner.invoke(app, ["meta", str(BCG), "--measure", "RR", "--format", "table"])
    assert result.exit_code == 0, result.output
    assert "0.49 [0.34, 0.70]" in result.stdout
    assert "Aronson, 1948" in result.stdout
    assert "152.2330" in result.stdout


@pytest.mark.parametrize(
    "analysis", ["leave1out", "cumulative", "trimfill", "regtest", "ranktest", "metareg"]
)
def test_cli_meta_table_format_works_for_every_analysis(runner: CliRunner, analysis: str) -> None:
    extra = ["--mods", "ablat"] if analysis == "metareg" else []
    args = ["meta", str(BCG), "--measure", "RR", "--analysis", analysis, "--format", "table"]
    result = runner.invoke(app, [*args, *extra])
    assert result.exit_code == 0, result.output
    assert analysis in result.stdout


def test_cli_meta_writes_forest_and_funnel_plots(runner: CliRunner, tmp_path: Path) -> None:
    forest, funnel = tmp_path / "forest.svg", tmp_path / "funnel.png"
    args = ["meta", str(BCG), "--measure", "RR", "--analysis", "trimfill"]
    result = runner.invoke(app, [*args, "--plot", str(forest), "--funnel", str(funnel)])
    assert result.exit_code == 0, result.output
    assert "Comstock &amp; Webster, 1969" in forest.read_text(encoding="utf-8")
    assert funnel.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


@pytest.mark.parametrize(
    ("file", "args", "message"),
    [
        ("bcg-negative-count.csv", ["--measure", "RR"], "row 3: ai = -3 is negative"),
        ("bcg-non-numeric-cell.csv", ["--measure", "RR"], "row 5: column bi holds '5O36'"),
        ("bcg-missing-column.csv", ["--measure", "RR"], "need non-events bi, di"),
        ("bcg-one-study.csv", ["--measure", "RR"], "1 usable study: REML"),
        ("bcg-short-row.csv", ["--measure", "RR"], "row 7 (line 8) does not have 9 cells"),
        ("normand1999-zero-group.csv", ["--measure", "MD"], "row 4: group size n2i = 0"),
        ("bcg.csv", [], "no measure given and no yi column"),
        ("bcg.csv", ["--measure", "MD"], "missing m1i, sd1i, n1i, m2i, sd2i, n2i"),
        ("bcg.csv", ["--measure", "RR", "--analysis", "subgroups", "--by", "x"], "no column 'x'"),
        ("bcg.csv", ["--measure", "RR", "--analysis", "metareg"], "needs --mods"),
        ("bcg.csv", ["--measure", "RR", "--pooling", "peto"], "Peto's method pools odds"),
        ("no-such-file.csv", ["--measure", "RR"], "cannot read"),
    ],
)
def test_cli_meta_bad_input_names_file_row_and_problem(
    runner: CliRunner, file: str, args: list[str], message: str
) -> None:
    error = run_error(runner, META / file, *args)
    assert f"file {META / file}" in error
    assert message in error


def test_cli_meta_one_study_is_fine_for_a_common_effect_model(runner: CliRunner) -> None:
    data = run_json(runner, META / "bcg-one-study.csv", "--measure", "RR", "--method", "FE")
    assert data["k"] == 1
    assert data["estimate"] == pytest.approx(-0.8893, abs=PRINTED_4)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--by", "alloc"], "--by is for --analysis subgroups, not fit"),
        (["--analysis", "fit", "--mods", "ablat"], "--mods is for --analysis metareg or regtest"),
        (["--pooling", "mh", "--analysis", "trimfill"], "--pooling mh works with"),
        (["--knha", "--test", "t"], "--knha contradicts --test t"),
    ],
)
def test_cli_meta_rejects_options_the_analysis_does_not_use(
    runner: CliRunner, args: list[str], message: str
) -> None:
    assert message in run_error(runner, BCG, "--measure", "RR", *args)


def test_cli_meta_reports_non_convergence_with_the_file(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    def diverging(*args: object, **kwargs: object) -> None:
        raise NoConvergence("Fisher scoring did not converge in 100 iterations", hint="try PM")

    monkeypatch.setattr("evimap.synthesis.meta.studies.rma", diverging)
    assert meta_fit.rma is not diverging
    error = run_error(runner, BCG, "--measure", "RR")
    assert f"file {BCG}: Fisher scoring did not converge" in error


def test_cli_meta_generic_yi_sei_input_gives_the_same_fit(
    runner: CliRunner, tmp_path: Path
) -> None:
    rr = run_json(runner, BCG, "--measure", "RR")
    generic = tmp_path / "bcg-yi-sei.csv"
    lines = ["study,yi,sei"] + [
        f"{s['study'].replace(',', '')},{s['yi']!r},{s['vi'] ** 0.5!r}" for s in rr["studies"]
    ]
    generic.write_text("\n".join(lines) + "\n", encoding="utf-8")
    data = run_json(runner, generic)
    assert data["measure"] == "GEN"
    assert data["estimate"] == pytest.approx(rr["estimate"], rel=1e-9)
    assert data["tau2"] == pytest.approx(rr["tau2"], rel=1e-6)


def test_cli_meta_leaves_out_a_study_with_a_missing_cell(runner: CliRunner, tmp_path: Path) -> None:
    lines = BCG.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace("1,Aronson,1948,4,", "1,Aronson,1948,NA,")
    missing = tmp_path / "bcg-missing-cell.csv"
    missing.write_text("\n".join(lines) + "\n", encoding="utf-8")
    data = run_json(runner, missing, "--measure", "RR", "--plot", tmp_path / "forest.svg")
    assert data["k"] == 12
    assert data["studies"][0]["study"] == "Ferguson & Simes, 1949"
    # metafor: leave1out(res)[1], the fit without Aronson 1948 (mf05)
    assert data["estimate"] == pytest.approx(-0.707083788031436, abs=1e-4)
    assert "Aronson, 1948" not in (tmp_path / "forest.svg").read_text(encoding="utf-8")
