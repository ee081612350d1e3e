"""Reading the metaref vectors and mapping their metafor calls onto the engine, generically.

A vector file describes data (columns, or a pointer to another file's data), and analyses
whose `call` (engine-neutral settings) and `r_call` (the peer's R call) say what was run.
The mapping is a table from metafor vocabulary to engine calls: `ARGUMENTS` resolves
metafor argument names (ai, n1i, yi, …) to columns, `PROCEDURES` maps metafor functions
(rma, rma.mh, rma.peto, leave1out, cumul, trimfill, regtest, …) to engine calls, and
`values_of` names every engine output the way metafor names it (beta, ci.lb, QE, I2 …).
An analysis the table cannot map raises `Unsupported` with the reason.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from evimap.synthesis.meta import bias, diagnostics, mh
from evimap.synthesis.meta.fit import predict, rma
from evimap.synthesis.meta.measures import EffectSizes, Measure, escalc
from evimap.synthesis.meta.result import MetaResult

HERE = Path(__file__).resolve().parents[2] / "data" / "metaref"


class Unsupported(Exception):
    """The analysis uses something the mapping table has no entry for."""


@dataclass(frozen=True)
class Case:
    """One expected analysis of one vector file."""

    path: Path
    doc: dict[str, Any]
    index: int
    analysis: dict[str, Any]

    @property
    def ident(self) -> str:
        name = self.analysis.get("name") or _pm01_name(self.analysis)
        return f"{self.path.stem[:4]}-{self.index:02d}-{_slug(name)}"


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_")[:60]


def _pm01_name(case: dict[str, Any]) -> str:
    mods = "+".join(case.get("mods") or []) or "int"
    return f"{case['design']}_{mods}_{case['method']}_{case['test']}"


def vector_dirs() -> list[Path]:
    """The bundled vectors plus any directory named by EVIMAP_METAREF_DIR."""
    dirs = [HERE]
    extra = os.environ.get("EVIMAP_METAREF_DIR")
    if extra:
        dirs.extend(Path(part) for part in extra.split(os.pathsep) if part)
    return dirs


def cases() -> list[Case]:
    """Every expected analysis in every vector file."""
    found: list[Case] = []
    for directory in vector_dirs():
        for path in sorted(directory.glob("*.json")):
            if path.name == "index.json":
                continue
            doc = json.loads(path.read_text(encoding="utf-8"))
            analyses = doc.get("analyses") or doc.get("cases") or []
            found.extend(Case(path, doc, i, a) for i, a in enumerate(analyses))
    return found


# ---------------------------------------------------------------- data resolution

ARGUMENTS = (
    "ai",
    "bi",
    "ci",
    "di",
    "n1i",
    "n2i",
    "m1i",
    "sd1i",
    "m2i",
    "sd2i",
    "yi",
    "vi",
    "sei",
    "mi",
    "sdi",
    "ni",
)
"""metafor argument names the runner passes on (a column named so maps to itself)."""

ALIASES = {"event_e": "ai", "n_e": "n1i", "event_c": "ci", "n_c": "n2i", "y": "yi", "v": "vi"}
"""Column names other peers use for metafor's arguments (R meta's metabin, PyMARE)."""


def _data_block(case: Case) -> dict[str, Any]:
    doc = case.doc
    data = doc.get("data")
    if not isinstance(data, dict):
        other = json.loads((case.path.parent / doc["data_file"]).read_text(encoding="utf-8"))
        data = other["data"]
    return data


def _tables(block: dict[str, Any]) -> list[dict[str, list[Any]]]:
    """The column tables in a data block: `columns`, `columns_all`, nested datasets, or the
    block itself when it is a flat table."""
    found = []
    for key in ("columns", "columns_all"):
        if isinstance(block.get(key), dict):
            found.append(block[key])
    for value in block.values():
        if isinstance(value, dict) and isinstance(value.get("columns"), dict):
            found.append(value["columns"])
        elif (
            isinstance(value, dict)
            and any(isinstance(v, list) for v in value.values())
            and "columns" not in value
            and value is not block.get("columns")
        ):
            found.append({k: v for k, v in value.items() if isinstance(v, list)})
    flat = {k: v for k, v in block.items() if isinstance(v, list)}
    if flat:
        found.append(flat)
    return found


def _mapping(case: Case, block: dict[str, Any]) -> dict[str, str]:
    """metafor argument → column, from data_mapping, `used`, the R call's `arg=col` pairs."""
    mapping: dict[str, str] = {}
    for key, column in (case.doc.get("data_mapping") or {}).items():
        if isinstance(column, str):
            mapping[key] = column
    for key, column in (block.get("used") or {}).items():
        mapping[key.split()[0]] = column
    calls = " ".join(
        str(a.get("r_call", "")) for a in case.doc.get("analyses", []) if isinstance(a, dict)
    )
    for arg, column in re.findall(r"\b(\w+)=([A-Za-z][\w.]*)", calls):
        if arg in ARGUMENTS and column not in ("dat", "TRUE", "FALSE"):
            mapping.setdefault(arg, column)
    return mapping


def _derive(table: dict[str, list[Any]], block: dict[str, Any]) -> dict[str, list[Any]]:
    """Columns defined in the block's `derived` note (`name = min(col, number)`)."""
    out = dict(table)
    note = block.get("derived")
    if isinstance(note, str):
        for name, column, bound in re.findall(r"([\w.]+)\s*=\s*min\((\w+),\s*([\d.]+)\)", note):
            if column in out:
                out[name] = [min(float(x), float(bound)) for x in out[column]]
    return out


def _rows(expr: str, table: dict[str, list[Any]], k: int) -> np.ndarray:
    """Row indices selected by an R subset expression (`col=="v"`, `1:7`, `c(1:7,14)`, `-16`)."""
    text = expr.strip()
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1]
    match = re.fullmatch(r"([\w.]+)\s*==\s*\"?([^\"]*)\"?", text)
    if match:
        column, value = match.groups()
        return np.array([i for i, x in enumerate(table[column]) if str(x) == value], dtype=int)
    if text.startswith("c(") and text.endswith(")"):
        parts = [p.strip() for p in text[2:-1].split(",")]
        return np.concatenate([_rows(p, table, k) for p in parts])
    match = re.fullmatch(r"(\d+):(\d+)", text)
    if match:
        return np.arange(int(match.group(1)) - 1, int(match.group(2)))
    match = re.fullmatch(r"-(\d+)", text)
    if match:
        return np.array([i for i in range(k) if i != int(match.group(1)) - 1])
    match = re.fullmatch(r"\d+", text)
    if match:
        return np.array([int(text) - 1])
    raise Unsupported(f"subset expression {expr!r}")


@dataclass(frozen=True)
class Data:
    """Resolved study data: metafor arguments as arrays, plus every raw column."""

    args: dict[str, np.ndarray]
    columns: dict[str, list[Any]]

    def column(self, name: str) -> np.ndarray:
        return np.asarray(self.columns[name], dtype=np.float64)


SUBSET = re.compile(r"subset\s*=\s*(c\([^)]*\)|\([^)]*\)|[^,)\s]+)")


def defining_call(case: Case) -> str:
    """The R code that made the analysis's data: its own call when it runs escalc, else the
    latest earlier `escalc` call of the file for the same measure (R's `dat` at that point)."""
    own = case.analysis.get("r_call") or ""
    earlier = case.doc.get("analyses", [])[: case.index]
    if "..." in own:
        for other in reversed(earlier):
            text = other.get("r_call") or ""
            if "escalc(" in text and "..." not in text:
                return own + "; " + text
    if "escalc(" in own or "rma.mh" in own or "rma.peto" in own:
        return own
    measure = (case.analysis.get("call") or {}).get("measure")
    for other in reversed(earlier):
        text = other.get("r_call") or ""
        if "escalc(" in text and (other.get("call") or {}).get("measure") == measure:
            return text + "; " + own
    return own


def study_data(case: Case, needs: tuple[str, ...]) -> Data:
    """The table an analysis runs on: the first table providing what the measure needs."""
    block = _data_block(case)
    call = case.analysis.get("call") or {}
    if isinstance(call.get("data"), str) and call["data"] in block:
        block = {**block[call["data"]], "used": block.get("used")}
    mapping = _mapping(case, block)
    for table in _tables(block):
        table = _derive(table, block)
        args: dict[str, np.ndarray] = {}
        for name, values in table.items():
            target = ALIASES.get(name, name)
            if target in ARGUMENTS:
                args[target] = _numeric(values)
        for arg, column in mapping.items():
            if arg in ARGUMENTS and column in table:
                args[arg] = _numeric(table[column])
        if all(n in args for n in needs):
            k = len(next(iter(table.values())))
            rows = np.arange(k)
            subset = block.get("subset")
            if isinstance(subset, str) and "==" in subset:
                rows = _rows(subset.split("(")[0].strip(), table, k)
            chosen = call.get("subset")
            if not isinstance(chosen, str) and "subgroup" not in call:
                found = SUBSET.search(defining_call(case))
                chosen = found.group(1) if found else None
            if isinstance(chosen, str):
                view = {c: [v[i] for i in rows] for c, v in table.items()}
                rows = rows[_rows(chosen, view, len(rows))]
            return Data(
                {a: v[rows] for a, v in args.items()},
                {c: [v[i] for i in rows] for c, v in table.items()},
            )
    raise Unsupported(f"no data table provides {', '.join(needs)}")


def _numeric(values: list[Any]) -> np.ndarray:
    return (
        np.array([np.nan if v is None else v for v in values], dtype=object).astype(np.float64)
        if all(v is None or isinstance(v, int | float) for v in values)
        else np.asarray(values)
    )


# ---------------------------------------------------------------- the analysis settings

TWO_BY_TWO = {"OR", "RR", "RD", "AS", "PETO"}
CONTINUOUS = {"MD", "SMD", "SMDH", "ROM"}


def effective_call(case: Case) -> dict[str, Any]:
    """The call's settings; a call that only post-processes an earlier fit (`predict(res)`
    without defining `res`) inherits the settings of the analysis before it."""
    call = dict(case.analysis.get("call") or {})
    own = case.analysis.get("r_call") or ""
    if "(res" in own and "res <-" not in own and case.index > 0:
        previous = case.doc["analyses"][case.index - 1].get("call") or {}
        for key, value in previous.items():
            call.setdefault(key, value)
    return call


def measure_of(case: Case) -> str | None:
    """The metafor measure named by the call (first word: "PETO (per-study …)" → PETO)."""
    text = effective_call(case).get("measure")
    if not text:
        match = re.search(r'measure="(\w+)"', case.analysis.get("r_call") or "")
        return match.group(1) if match else None
    word = str(text).split()[0].upper()
    if word not in {m.value for m in Measure}:
        raise Unsupported(f"measure {text!r} is not in the engine's Measure table")
    return word


def effect_sizes(case: Case, measure: str | None) -> tuple[EffectSizes, Data]:
    """escalc on the analysis's data, with the call's correction/variance options."""
    call = case.analysis.get("call") or {}
    r_call = defining_call(case)
    options: dict[str, Any] = {}
    if "add" in call:
        options["add"] = float(call["add"])
    if "homoscedastic" in str(call.get("variance", "")) or "sd1i=sdpi" in r_call:
        options["vtype"] = "HO"
    if measure in TWO_BY_TWO and _has_counts(case):
        data, cells = _cells(case)
        es = escalc(measure, **cells, **options)
    elif measure in CONTINUOUS:
        data = study_data(case, ("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i"))
        es = escalc(
            measure,
            **{k: data.args[k] for k in ("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i")},
            **options,
        )
    elif measure == "MN":
        data = study_data(case, ("mi", "sdi", "ni"))
        es = escalc("MN", m1i=data.args["mi"], sd1i=data.args["sdi"], n1i=data.args["ni"])
    else:
        es, data = _generic(case, measure)
    scale = re.search(r"yi\s*\*\s*([\d.]+)", r_call)
    if scale:
        factor = float(scale.group(1))
        es = EffectSizes(es.measure, es.yi * factor, es.vi * factor**2, es.ni, es.corrected)
    return es, data


def _has_counts(case: Case) -> bool:
    try:
        _cells(case)
    except Unsupported:
        return False
    return True


def _cells(case: Case) -> tuple[Data, dict[str, np.ndarray]]:
    """The 2x2 columns: four cells, or events and group sizes."""
    for needs in (("ai", "bi", "ci", "di"), ("ai", "ci", "n1i", "n2i")):
        try:
            data = study_data(case, needs)
        except Unsupported:
            continue
        return data, {k: data.args[k] for k in needs}
    raise Unsupported("no 2x2 columns (ai, bi, ci, di or ai, n1i, ci, n2i)")


def _generic(case: Case, measure: str | None) -> tuple[EffectSizes, Data]:
    try:
        data = study_data(case, ("yi", "vi"))
        return escalc("GEN", yi=data.args["yi"], vi=data.args["vi"]), data
    except Unsupported:
        pass
    estimate = (measure or "").lower()
    data = study_data(case, ())
    if estimate and estimate in data.columns and "ci.lb" in data.columns:
        es = escalc(
            "GEN",
            yi=data.column(estimate),
            ci_lower=data.column("ci.lb"),
            ci_upper=data.column("ci.ub"),
            log_scale=Measure(measure or "GEN").is_ratio,
        )
        return es, data
    raise Unsupported("no yi/vi, 2x2, means or estimate+CI columns for this analysis")


def rma_options(case: Case, method: str | None = None) -> dict[str, Any]:
    """method/test/level for rma from the call (model common → FE, random/mixed → τ² method)."""
    call = effective_call(case)
    model = str(call.get("model", ""))
    tau2_method = call.get("tau2_method")
    if method is None:
        if model.startswith("common"):
            method = "FE"
        elif isinstance(tau2_method, str) and tau2_method in {m.value.upper() for m in _methods()}:
            method = tau2_method
        else:
            match = re.search(r'method="(\w+)"', case.analysis.get("r_call") or "")
            method = match.group(1) if match else "REML"
    test = str(call.get("test", "z"))
    if "Hartung-Knapp" in str(call.get("random_ci", "")):
        test = "knha"
    level = float(call.get("level", 95))
    return {"method": method, "test": test, "level": level}


def _methods() -> list[Any]:
    from evimap.synthesis.meta.tau2 import Method

    return list(Method)


def moderators(case: Case, data: Data) -> tuple[np.ndarray | None, list[str], bool]:
    """The moderator matrix, coefficient names and intercept flag from `mods`."""
    mods = (case.analysis.get("call") or {}).get("mods")
    if mods is None:
        return None, [], True
    if isinstance(mods, list):
        return np.column_stack([data.column(m) for m in mods]), list(mods), True
    formula = str(mods).replace(" ", "")
    intercept = not formula.startswith("~0+")
    factor = re.fullmatch(r"~(?:0\+)?factor\((\w+)\)", formula)
    if not factor:
        raise Unsupported(f"moderator formula {mods!r}")
    values = data.columns[factor.group(1)]
    levels = sorted(set(values))
    used = levels[1:] if intercept else levels
    matrix = np.column_stack([[1.0 if v == level else 0.0 for v in values] for level in used])
    return matrix, [f"factor({factor.group(1)}){lvl}" for lvl in used], intercept


# ---------------------------------------------------------------- engine outputs by metafor name


def values_of(res: MetaResult) -> dict[str, Any]:
    """Every output of a fit under the names metafor (and meta, statsmodels) give it."""
    lo, hi = res.tau2_ci if res.tau2_ci is not None else (math.nan, math.nan)
    typical = res.typical_v
    v: dict[str, Any] = {
        "beta": res.estimate,
        "b": res.estimate,
        "estimate": res.estimate,
        "mu": res.estimate,
        "pred": res.estimate,
        "TE": res.estimate,
        "TE_fixed": res.estimate,
        "TE_random": res.estimate,
        "se": res.se,
        "seTE": res.se,
        "seTE_fixed": res.se,
        "seTE_random (HK)": res.se,
        "zval": res.z_or_t,
        "z": res.z_or_t,
        "tval": res.z_or_t,
        "zval_fixed": res.z_or_t,
        "zval_random (t)": res.z_or_t,
        "pval": res.p,
        "pval_fixed": res.p,
        "pval_random": res.p,
        "ci.lb": res.ci_lower,
        "ci_lb": res.ci_lower,
        "lower_fixed": res.ci_lower,
        "lower_random (HK, t16)": res.ci_lower,
        "ci.ub": res.ci_upper,
        "ci_ub": res.ci_upper,
        "upper_fixed": res.ci_upper,
        "upper_random (HK, t16)": res.ci_upper,
        "QE": res.q,
        "Q": res.q,
        "QEp": res.q_p,
        "Qp": res.q_p,
        "pval_Q": res.q_p,
        "QE_df": res.q_df,
        "df_Q": res.q_df,
        "k": res.k,
        "tau2": res.tau2,
        "tau": res.tau,
        "se.tau2": res.se_tau2,
        "se_tau2": res.se_tau2,
        "I2": res.i2,
        "I2_percent": res.i2,
        "I2 (fraction)": res.i2 / 100.0,
        "H2": res.h2,
        "H": math.sqrt(res.h2),
        "pi.lb": res.pi_lower,
        "pi.ub": res.pi_upper,
        "lower_predict": res.pi_lower,
        "upper_predict": res.pi_upper,
        "QM": res.qm,
        "QMp": res.qm_p,
        "QM_df": res.qm_df[0],
        "R2_percent": res.r2,
        "dof": None if math.isnan(res.df) else res.df,
        "df": res.df,
        "tau2.estimate": res.tau2,
        "tau2.ci.lb": lo,
        "tau2.ci.ub": hi,
        "tau.estimate": res.tau,
        "tau.ci.lb": math.sqrt(max(lo, 0)) if lo == lo else lo,
        "tau.ci.ub": math.sqrt(max(hi, 0)) if hi == hi else hi,
        "lower_tau2 (J)": lo,
        "upper_tau2 (J)": hi,
        "w_fixed": res.weights,
        "w_random": res.weights,
        "yi": res.yi,
        "vi": res.vi,
    }
    for suffix, t2 in (("estimate", res.tau2), ("ci.lb", lo), ("ci.ub", hi)):
        v[f"I2_percent.{suffix}"] = 100.0 * t2 / (typical + t2) if typical > 0 else math.nan
        v[f"H2.{suffix}"] = t2 / typical + 1.0 if typical > 0 else math.nan
    v["random:tau2"] = [res.tau2, lo, hi]
    v["random:I2"] = [v["I2_percent.estimate"], v["I2_percent.ci.lb"], v["I2_percent.ci.ub"]]
    v["random:H2"] = [v["H2.estimate"], v["H2.ci.lb"], v["H2.ci.ub"]]
    v["fixed"] = [res.estimate, res.ci_lower, res.ci_upper]
    v["confint"] = [res.estimate, res.ci_lower, res.ci_upper]
    if res.binary_tests is not None:
        t = res.binary_tests
        v.update(
            {
                "CO (Cochran test)": t.cochran,
                "COp": t.cochran_p,
                "MH (Cochran-Mantel-Haenszel test, printed as CMH)": t.cmh,
                "CMH": t.cmh,
                "MHp": t.cmh_p,
                "TA (Tarone)": t.tarone,
                "Tarone": t.tarone,
                "TAp": t.tarone_p,
            }
        )
    for i, name in enumerate(res.coef_names):
        v[f"beta:{name}"] = float(res.beta[i])
        v[f"zval:{name}"] = float(res.beta_stat[i])
        v[f"se:{name}"] = float(res.beta_se[i])
    return v


def lookup(values: dict[str, Any], name: str) -> Any:
    """The value an expected name refers to (exp_ prefix, name[a,b] vectors, rounding)."""
    if name in values:
        return values[name]
    match = re.fullmatch(r"(\w+)\[(?:(\w+):\s*)?([^\]]+)\]", name)
    if match:
        head, group, items = match.groups()
        parts = [p.strip() for p in items.split(",")]
        if head == "rounded4":
            return [round(float(lookup(values, p)), 4) for p in parts]
        if group:
            return lookup(values, f"{head}:{group}")
        keyed = [f"{head}:{p}" for p in parts]
        if all(k in values for k in keyed):
            return [values[k] for k in keyed]
        if head == "exp":
            return [float(np.exp(lookup(values, p))) for p in parts]
        return lookup(values, head)
    if " (" in name:
        return lookup(values, name.split(" (")[0])
    if name.startswith("exp_"):
        inner = lookup(values, name[4:])
        return np.exp(np.asarray(inner, dtype=float)) if inner is not None else None
    raise KeyError(name)


# ---------------------------------------------------------------- metafor functions → engine


@dataclass
class Outcome:
    """What the engine produced for one analysis: named values and per-row values."""

    values: dict[str, Any]
    rows: list[dict[str, Any]] | None = None


def _r_arg(case: Case, name: str) -> str | None:
    match = re.search(rf'\b{name}\s*=\s*"([^"]+)"', case.analysis.get("r_call") or "")
    return match.group(1) if match else None


def _binary_fit(case: Case, measure: str, rows: np.ndarray | None = None) -> MetaResult:
    """rma.mh / rma.peto on the analysis's 2x2 data (optionally on some rows only)."""
    call = case.analysis.get("call") or {}
    _data, cells = _cells(case)
    if rows is not None:
        cells = {k: v[rows] for k, v in cells.items()}
    level = float(call.get("level", 95))
    if str(call.get("method")).lower() == "peto":
        return mh.rma_peto(**cells, level=level)
    return mh.rma_mh(measure, **cells, level=level, correct=bool(call.get("correct", True)))


def _refit(case: Case, measure: str | None) -> tuple[diagnostics.Refit, int, Data]:
    """A refit function for the analysis's model (IV, MH or Peto) and its study count."""
    method = str((case.analysis.get("call") or {}).get("method", "")).lower()
    if method in ("mh", "peto"):
        m = measure or "OR"
        full = _binary_fit(case, m)
        data = study_data(case, ())
        return (lambda rows: _binary_fit(case, m, rows)), full.k, data
    es, data = effect_sizes(case, measure)
    return diagnostics.rma_refit(es.yi, es.vi, **rma_options(case)), len(es.yi), data


def _series(fits: list[MetaResult]) -> dict[str, Any]:
    table = [values_of(f) for f in fits]
    return {
        key: [row[key] for row in table]
        for key in table[0]
        if not isinstance(table[0][key], (list, np.ndarray))
    }


def evaluate(case: Case) -> Outcome:
    """Run the analysis on the engine through the mapping table."""
    a = case.analysis
    if "design" in a:
        return _grid_case(case)
    call = a.get("call") or {}
    procedure = str(call.get("procedure", "")).lower()
    measure = measure_of(case)
    for word, handler in PROCEDURES.items():
        if procedure.startswith(word):
            return handler(case, measure)
    if "hatvalues" in (a.get("r_call") or ""):
        return _influence(case, measure)
    if str(call.get("method", "")).lower() in ("mh", "peto"):
        return Outcome(values_of(_binary_fit(case, measure or "OR")))
    if isinstance(call.get("tau2_method"), list) or "definitions" in call:
        return _by_method(case, measure)
    if " / " in str(call.get("tau2_method", "")):
        es, _ = effect_sizes(case, measure)
        values = {}
        for method in str(call["tau2_method"]).split(" / "):
            fit = rma(es.yi, es.vi, method=method.strip(), with_tau2_ci=False)
            values.update({f"{k}_{method.strip()}": v for k, v in values_of(fit).items()})
        return Outcome(values)
    if "subgroup" in call:
        return _subgroup_anova(case, measure)
    if "model" not in call and "tau2_method" not in call and "pi" not in call:
        return _study_level(case, measure)
    return _rma(case, measure)


def _rma(case: Case, measure: str | None) -> Outcome:
    es, data = effect_sizes(case, measure)
    mods, names, intercept = moderators(case, data)
    options = rma_options(case)
    fit = rma(
        es.yi,
        es.vi,
        mods=mods,
        coef_names=names,
        intercept=intercept,
        measure=es.measure,
        **options,
    )
    values = values_of(fit)
    if mods is None:
        common = values_of(rma(es.yi, es.vi, method="FE", level=options["level"]))
        for key in ("TE", "seTE", "zval", "pval", "lower", "upper"):
            source = {"lower": "ci.lb", "upper": "ci.ub"}.get(key, key)
            values[f"{key}_fixed"] = common[source]
            values[f"{key}_random"] = values[source]
        values["TE"], values["seTE"] = es.yi, np.sqrt(es.vi)
        values["w_fixed"] = 1.0 / es.vi
        values["w_random"] = 1.0 / (es.vi + fit.tau2)
        values["blup_range"] = _blup_range(fit, es.yi, es.vi, None)
    else:
        x = np.column_stack([np.ones(len(es.yi)), mods]) if intercept else mods
        values["blup_range"] = _blup_range(fit, es.yi, es.vi, x)
    coefficients = {}
    for i, name in enumerate(fit.coef_names):
        coefficients[name] = {
            "beta": fit.beta[i],
            "se": fit.beta_se[i],
            "zval": fit.beta_stat[i],
            "pval": fit.beta_p[i],
            "ci.lb": fit.beta_ci_lower[i],
            "ci.ub": fit.beta_ci_upper[i],
        }
    values["coefficients"] = coefficients
    rows = None
    if mods is not None:
        x = np.column_stack([np.ones(len(es.yi)), mods]) if intercept else mods
        fitted = x @ fit.beta
        se = np.sqrt(np.einsum("ni,ij,nj->n", x, fit.vcov, x))
        z = 1.959963984540054
        values.update(
            {
                "fitted.pred": fitted,
                "fitted.ci.lb": fitted - z * se,
                "fitted.ci.ub": fitted + z * se,
            }
        )
        expected_rows = case.analysis.get("expected_rows") or []
        if expected_rows:
            rows = []
            for row in expected_rows:
                new = [row[c] for c in (case.analysis["call"].get("mods") or [])]
                p = predict(fit, np.array(new, dtype=float))
                rows.append(
                    {
                        "pred": p["pred"][0],
                        "ci.lb": p["ci_lower"][0],
                        "ci.ub": p["ci_upper"][0],
                        "pi.lb": p["pi_lower"][0],
                        "pi.ub": p["pi_upper"][0],
                        "se": p["se"][0],
                    }
                )
    return Outcome(values, rows)


def _blup_range(fit: MetaResult, y: np.ndarray, v: np.ndarray, x: np.ndarray | None) -> list[float]:
    blups = diagnostics.blups(fit, y, v, x)
    return [float(blups["pred"].min()), float(blups["pred"].max())]


def _study_level(case: Case, measure: str | None) -> Outcome:
    es, _data = effect_sizes(case, measure)
    z = 1.959963984540054
    sei = np.sqrt(es.vi)
    values: dict[str, Any] = {
        "yi": es.yi,
        "vi": es.vi,
        "sei": sei,
        "zi": es.yi / sei,
        "ni": es.ni,
        "ci.lb": es.yi - z * sei,
        "ci.ub": es.yi + z * sei,
        "TE": es.yi,
        "seTE": sei,
        "yi[1]": es.yi[0],
        "vi[1]": es.vi[0],
    }
    if measure in TWO_BY_TWO and _has_counts(case):
        _data, cells = _cells(case)
        crude = escalc(measure, **{k: np.array([v.sum()]) for k, v in cells.items()})
        c_se = np.sqrt(crude.vi)
        values.update(
            {
                "crude:yi": crude.yi,
                "crude:vi": crude.vi,
                "crude:sei": c_se,
                "crude:zi": crude.yi / c_se,
                "crude:ci.lb": crude.yi - z * c_se,
                "crude:ci.ub": crude.yi + z * c_se,
            }
        )
    if "transf=exp" in (case.analysis.get("r_call") or ""):
        for key in list(values):
            if key.split(":")[-1] in ("yi", "ci.lb", "ci.ub"):
                values[key] = np.exp(values[key])
    return Outcome(values)


def _by_method(case: Case, measure: str | None) -> Outcome:
    call = case.analysis["call"]
    es, _ = effect_sizes(case, measure)
    methods = call.get("tau2_method") or list(call["definitions"])
    values: dict[str, Any] = {}
    for label in methods:
        name = str(label).split()[0]
        fit = _named_method_fit(case, es, name)
        values[f"method:{name}"] = values_of(fit)
        values[f"tau_{name}"] = fit.tau
        values[f"tau2_{name}"] = fit.tau2
    return Outcome(values)


def _named_method_fit(case: Case, es: EffectSizes, name: str) -> MetaResult:
    """A fit by a method label: a metafor method, or a definition the call spells out
    ("tau2 from method="GENQ" with weights=1/(vi+tau2_HE)", "control=list(tau2.init=…)")."""
    options = rma_options(case, method="REML")
    definition = str((case.analysis["call"].get("definitions") or {}).get(name, ""))
    aliases = {"CA": "HE", "C2": "CA2"}
    name = aliases.get(name, name)
    base = re.search(r'method=\\?"(\w+)\\?"', definition)
    start = re.search(r"tau2\.init=tau2_(\w+)", definition)
    weights = re.search(r"weights=1/\(vi\+tau2_(\w+)\)", definition)
    if name == "CA2" and not definition:
        weights_from = "HE"
    else:
        weights_from = weights.group(1) if weights else None
    if weights_from:
        prior = rma(es.yi, es.vi, method=weights_from, with_tau2_ci=False).tau2
        genq = rma(es.yi, es.vi, method="GENQ", weights=1 / (es.vi + prior), with_tau2_ci=False)
        return rma(es.yi, es.vi, method="REML", tau2=genq.tau2, test=options["test"])
    method = base.group(1) if base else name
    if "weights=1/vi" in definition:
        return rma(es.yi, es.vi, method=method, weights=1 / es.vi, with_tau2_ci=False)
    tau2_start = None
    if start:
        tau2_start = rma(
            es.yi, es.vi, method=aliases.get(start.group(1), start.group(1)), with_tau2_ci=False
        ).tau2
    return rma(
        es.yi,
        es.vi,
        method=method,
        test=options["test"],
        level=options["level"],
        tau2_start=tau2_start,
        with_tau2_ci=False,
    )


def _grid_case(case: Case) -> Outcome:
    a = case.analysis
    design = _data_block(case)["designs"][a["design"]]
    mods = np.column_stack([design[m] for m in a["mods"]]) if a["mods"] else None
    fit = rma(
        design["y"], design["v"], method=a["method"], test=a["test"], mods=mods, with_tau2_ci=False
    )
    return Outcome(
        {
            "tau2": fit.tau2,
            "beta": fit.beta,
            "se": fit.beta_se,
            "pval": fit.beta_p,
            "ci_lb": fit.beta_ci_lower,
            "ci_ub": fit.beta_ci_upper,
            "dof": None if math.isnan(fit.df) else fit.df,
        }
    )


def _leave1out(case: Case, measure: str | None) -> Outcome:
    refit, k, _ = _refit(case, measure)
    fits = diagnostics.leave1out(refit, k)
    series = _series(fits)
    index = re.search(r"\)\[(\d+)\]\s*$", case.analysis.get("r_call") or "")
    values = (
        {key: vals[int(index.group(1)) - 1] for key, vals in series.items()} if index else series
    )
    rows = [values_of(f) for f in fits] if case.analysis.get("expected_rows") else None
    return Outcome(values, rows)


def _cumulative(case: Case, measure: str | None) -> Outcome:
    refit, _k, data = _refit(case, measure)
    order_name = case.analysis["call"].get("order") or (case.doc.get("data_mapping") or {}).get(
        "order"
    )
    if not order_name:
        order_name = re.search(r"order=(\w+)", case.analysis.get("r_call") or "") or None
        order_name = order_name.group(1) if order_name else "year"
    order = np.asarray(data.columns[order_name])
    fits = diagnostics.cumulative(refit, order)
    values = _series(fits)
    collapsed = _series(diagnostics.cumulative(refit, order, collapse=True))
    values.update({f"{key}_collapse": vals for key, vals in collapsed.items()})
    rows = [values_of(f) for f in fits] if case.analysis.get("expected_rows") else None
    return Outcome(values, rows)


def _trimfill(case: Case, measure: str | None) -> Outcome:
    es, _ = effect_sizes(case, measure)
    call = case.analysis["call"]
    procedure = str(call.get("procedure"))
    then = re.search(r"\((\w+)\) then (\w+)", procedure)
    method = then.group(1) if then else rma_options(case)["method"]
    estimator = str(call.get("estimator", "L0"))
    result = bias.trimfill(
        es.yi, es.vi, method="FE" if method == "EE" else method, estimator=estimator
    )  # type: ignore[arg-type]
    values: dict[str, Any] = {
        "k0": result.k0,
        "se.k0": result.se_k0,
        "side": result.side,
        "p.k0": result.p_k0,
    }
    values.update({f"filled_{k}": v for k, v in values_of(result.result).items()})
    if then:
        refit = rma(result.yi, result.vi, method=then.group(2))
        values.update({f"refit_{k}": v for k, v in values_of(refit).items()})
        values["augmented_data"] = [
            {"yi": y, "vi": v, "fill": bool(f)}
            for y, v, f in zip(result.yi, result.vi, result.filled, strict=True)
        ]
    return Outcome(values)


def _lrt(case: Case, measure: str | None) -> Outcome:
    es, data = effect_sizes(case, measure)
    moderator = re.search(r"yi\s*~\s*(\w+)", case.analysis.get("r_call") or "")
    if not moderator:
        raise Unsupported("likelihood-ratio test without a `yi ~ mod` formula")
    x = data.column(moderator.group(1))
    values = {}
    for method in ("ML", "REML"):
        full = rma(es.yi, es.vi, mods=x, method=method, with_tau2_ci=False)
        reduced = rma(es.yi, es.vi, method=method, with_tau2_ci=False)
        values[f"LRT_{method}"] = diagnostics.likelihood_ratio(full, reduced)[0]
    return Outcome(values)


PREDICTORS = {
    "sei": "sei",
    "standard error": "sei",
    "1/sqrt(n)": "sqrtninv",
    "sample size": "ni",
    "inverse of the sample size": "ninv",
    "ni": "ni",
    "ninv": "ninv",
    "sqrtninv": "sqrtninv",
    "vi": "vi",
}


def _regtest(case: Case, measure: str | None) -> Outcome:
    es, data = effect_sizes(case, measure)
    call = case.analysis["call"]
    model_text = str(call.get("model", call.get("model_printed", "")))
    r_call = case.analysis.get("r_call") or ""
    predictor_text = (
        _r_arg(case, "predictor") or call.get("predictor") or call.get("predictor_printed") or "sei"
    )
    predictor = PREDICTORS.get(str(predictor_text))
    if predictor is None:
        raise Unsupported(f"regtest predictor {predictor_text!r}")
    mods_match = re.search(r"mods\s*=\s*~\s*(\w+)", r_call)
    mods = data.column(mods_match.group(1)) if mods_match else None
    values: dict[str, Any] = {}
    for model in ("lm", "rma"):
        out = bias.regtest(
            es.yi,
            es.vi,
            model=model,
            predictor=predictor,
            mods=mods,  # type: ignore[arg-type]
            ni=es.ni,
            method=rma_options(case, method=None)["method"]
            if "model" in call and str(call["model"]).startswith("common")
            else "REML",
        )
        values.update(
            {
                f"{model}_zval": out.statistic,
                f"{model}_tval": out.statistic,
                f"{model}_pval": out.p,
                f"{model}_df": out.df,
                f"{model}_limit_b": out.limit_estimate,
                f"{model}_limit_ci.lb": out.limit_ci_lower,
                f"{model}_limit_ci.ub": out.limit_ci_upper,
            }
        )
    chosen = (
        "lm"
        if ("lm" in model_text or "weighted regression" in model_text or 'model="lm"' in r_call)
        else "rma"
    )
    for key in ("zval", "tval", "pval", "df", "limit_b", "limit_ci.lb", "limit_ci.ub"):
        values[key] = values[f"{chosen}_{key}"]
    values["limit_b"] = values[f"{chosen}_limit_b"]
    values["dof"] = values["df"]
    return Outcome(values)


def _ranktest(case: Case, measure: str | None) -> Outcome:
    es, _ = effect_sizes(case, measure)
    out = bias.ranktest(es.yi, es.vi)
    return Outcome({"tau": out.tau, "kendall_tau": out.tau, "pval": out.p})


def _q_decomposition(case: Case, measure: str | None) -> Outcome:
    es, data = effect_sizes(case, measure or "RR")
    column = (case.doc.get("data_mapping") or {}).get("subgroup")
    if not column:
        raise Unsupported("Q decomposition without a subgroup column")
    labels = np.asarray(data.columns[column])
    values = {}
    for level in sorted(set(labels.tolist())):
        keep = labels == level
        values[f"QE_{level}"] = rma(es.yi[keep], es.vi[keep], with_tau2_ci=False).q
    return Outcome(values)


def _subgroup_anova(case: Case, measure: str | None) -> Outcome:
    es, data = effect_sizes(case, measure)
    column = str(case.analysis["call"]["subgroup"]).split()[0]
    labels = data.column(column)
    fit = rma(es.yi, es.vi, mods=labels, method="FE", coef_names=[column])
    values = values_of(fit)
    values["QM (between)"] = fit.qm
    values["QE (within, pooled)"] = fit.q
    for level in sorted(set(labels.tolist())):
        keep = labels == level
        sub = rma(es.yi[keep], es.vi[keep], method="FE")
        name = f"group{int(level)}"
        values[f"QE_{name}"], values[f"QEp_{name}"] = sub.q, sub.q_p
        p = predict(fit, np.array([level]))
        values[f"{name}:pred"], values[f"{name}:se"] = p["pred"][0], p["se"][0]
        values[f"{name}:ci.lb"], values[f"{name}:ci.ub"] = p["ci_lower"][0], p["ci_upper"][0]
    return Outcome(values)


def _influence(case: Case, measure: str | None) -> Outcome:
    es, data = effect_sizes(case, measure)
    mods, names, intercept = moderators(case, data)
    options = rma_options(case)
    fit = rma(es.yi, es.vi, mods=mods, coef_names=names, intercept=intercept, **options)
    refit = diagnostics.rma_refit(es.yi, es.vi, mods, intercept=intercept, **options)
    return Outcome(
        {
            "hatvalues": diagnostics.hat_values(fit, mods),
            "cooks.distance": diagnostics.cooks_distances(fit, refit),
        }
    )


def _blup(case: Case, measure: str | None) -> Outcome:
    es, _ = effect_sizes(case, measure)
    fit = rma(es.yi, es.vi, **rma_options(case))
    blups = diagnostics.blups(fit, es.yi, es.vi, None)
    return Outcome(
        {f"blup.{k}": v for k, v in blups.items()}
        | {f"ranef.{k}": v for k, v in diagnostics.random_effects(fit, es.yi, es.vi).items()}
    )


def _unsupported(reason: str) -> Callable[[Case, str | None], Outcome]:
    def handler(case: Case, measure: str | None) -> Outcome:
        raise Unsupported(reason)

    return handler


PROCEDURES: dict[str, Callable[[Case, str | None], Outcome]] = {
    "leave-one-out": _leave1out,
    "cumulative": _cumulative,
    "trim-and-fill": _trimfill,
    "likelihood-ratio": _lrt,
    "regtest": _regtest,
    "begg": _ranktest,
    "q decomposition": _q_decomposition,
    "blup": lambda case, measure: _blup(case, measure),
    "robust": _unsupported("cluster-robust (Huber-White) variances are not part of the engine"),
}
"""metafor function (the call's `procedure`) → engine call."""


# ---------------------------------------------------------------- comparing with tolerances


@dataclass(frozen=True)
class Check:
    """One comparison: a label, engine values, expected values and the file's tolerance."""

    label: str
    actual: list[Any]
    expected: list[Any]
    tol: float | None
    tol_type: str | None
    evidence: str = ""
    printed: str = ""
    tight: bool = True
    """Also hold all.equal checks to ±1 in the 4th decimal (4th significant digit for small
    values): CONVENTIONS.md expects a faithful engine there, since the expected values are
    metafor's output rounded to 4 decimals. Off for values the file marks as a paper's."""


def mismatch(check: Check) -> str | None:
    """Why the check fails under its tolerance code, or None when it passes."""
    exp, act = check.expected, check.actual
    if len(exp) != len(act):
        return f"{check.label}: {len(act)} values for {len(exp)} expected"
    if all(isinstance(e, str) for e in exp):
        return None if list(exp) == list(act) else f"{check.label}: {act} != {exp}"
    if check.evidence == "doc_print_bound":
        bound = float(re.sub(r"[<\s]", "", check.printed))
        return (
            None
            if all(a is not None and a < bound for a in act)
            else (f"{check.label}: {act} not below printed bound {check.printed}")
        )
    if any(a is None for a in act) or any(e is None for e in exp):
        same = all((a is None) == (e is None) for a, e in zip(act, exp, strict=True))
        return None if same else f"{check.label}: {act} vs {exp}"
    a = np.asarray(act, dtype=float)
    e = np.asarray(exp, dtype=float)
    kind = check.tol_type or "rtol"
    if "^2" in kind:
        a, e = a**2, e**2
    tol = 1e-4 if check.tol is None else float(check.tol)
    if not np.all(np.isfinite(a)):
        return f"{check.label}: engine gives {act}"
    if kind.startswith("allequal"):
        xn = float(np.mean(np.abs(e)))
        xy = float(np.mean(np.abs(e - a)))
        if xn > tol:
            xy /= xn
        ok = xy <= tol * (1 + 1e-9)
        detail = f"mean {'relative ' if xn > tol else ''}difference {xy:.3g} > {tol}"
        if ok and check.tight:
            bound = np.maximum(1.0001e-4, 5.0001e-4 * np.abs(e))
            ok = bool(np.all(np.abs(a - e) <= bound))
            detail = "inside the peer's 1% but beyond ±1 in the 4th digit (CONVENTIONS.md)"
    elif kind == "abs":
        ok = bool(np.all(np.abs(a - e) <= tol + 1e-12))
        detail = f"|diff| {np.max(np.abs(a - e)):.3g} > {tol}"
    elif kind == "exact":
        ok = bool(np.all(np.abs(a - e) <= 1e-9 * np.maximum(1, np.abs(e))))
        detail = "not exactly equal"
    elif kind.startswith("atol"):
        ok = bool(np.all(np.abs(a - e) <= tol + 1e-7 * np.abs(e)))
        detail = f"|diff| {np.max(np.abs(a - e)):.3g} > atol {tol}"
    else:
        ok = bool(np.all(np.abs(a - e) <= tol * np.abs(e) + 1e-300))
        detail = (
            f"relative diff {np.max(np.abs(a - e) / np.maximum(np.abs(e), 1e-300)):.3g} > {tol}"
        )
    return None if ok else f"{check.label}: engine {a.tolist()} vs expected {e.tolist()} ({detail})"


def _spec_check(label: str, spec: dict[str, Any], actual: Any) -> Check:
    value = spec.get("value")
    expected = value if isinstance(value, list) else [value]
    got = actual if isinstance(actual, list | tuple | np.ndarray) else [actual]
    got = [x.item() if isinstance(x, np.generic) else x for x in got]
    return Check(
        label,
        list(got),
        expected,
        spec.get("tol"),
        spec.get("tol_type"),
        str(spec.get("evidence", "")),
        str(spec.get("printed", "")),
        tight="source_comment" not in spec,
    )


QUANTITY = {
    "est": "estimate",
    "estimate": "estimate",
    "se": "se",
    "z": "zval",
    "zval": "zval",
    "p": "pval",
    "pval": "pval",
    "lb": "ci.lb",
    "ci.lb": "ci.lb",
    "ub": "ci.ub",
    "ci.ub": "ci.ub",
    "beta": "estimate",
    "mu": "mu",
    "tau": "tau",
    "tau2": "tau2",
}


def checks(case: Case, outcome: Outcome) -> tuple[list[Check], list[str]]:
    """Every check of the analysis, and notes on unasserted values the engine lacks."""
    found: list[Check] = []
    notes: list[str] = []
    expected = case.analysis.get("expected") or {}
    analysis_tol = expected.get("tol", 0.01)
    for name, spec in expected.items():
        if name in ("tol", "tol_type"):
            continue
        try:
            found.extend(_checks_for(name, spec, outcome.values, analysis_tol, case))
        except KeyError as missing:
            if isinstance(spec, dict) and spec.get("tol") is None and "value" in spec:
                notes.append(
                    f"{name}: not asserted by the peer ({spec.get('evidence')}); "
                    f"the engine has no {missing} output"
                )
            else:
                raise
    for i, row in enumerate(case.analysis.get("expected_rows") or []):
        if outcome.rows is None or i >= len(outcome.rows):
            raise KeyError(f"row {i + 1}")
        for name, spec in row.items():
            if isinstance(spec, dict) and ("value" in spec or spec.get("evidence")):
                found.append(
                    _spec_check(f"row {i + 1} {name}", spec, lookup(outcome.rows[i], name))
                )
    return found, notes


def _checks_for(
    name: str, spec: Any, values: dict[str, Any], analysis_tol: float, case: Case
) -> list[Check]:
    if name == "by_method":
        return _by_method_checks(name, {"by_method": spec}, values, analysis_tol, case)
    if isinstance(spec, list) and not all(isinstance(x, dict) for x in spec):
        actual = lookup(values, name)
        rtol = case.analysis.get("suggested_rtol")
        return [
            Check(
                name,
                list(np.atleast_1d(actual)),
                spec,
                rtol,
                "rtol" if rtol is not None else "exact",
            )
        ]
    if isinstance(spec, list):
        actual = lookup(values, name)
        if name == "augmented_data":
            out = []
            for i, row in enumerate(spec):
                for key in ("yi", "vi"):
                    out.append(_spec_check(f"{name}[{i + 1}].{key}", row[key], actual[i][key]))
                out.append(
                    Check(f"{name}[{i + 1}].fill", [actual[i]["fill"]], [row["fill"]], 0, "exact")
                )
            return out
        return [_spec_check(f"{name}[{i + 1}]", s, actual[i]) for i, s in enumerate(spec)]
    if not isinstance(spec, dict):
        actual = lookup(values, name)
        got = list(actual) if isinstance(actual, list | tuple | np.ndarray) else [actual]
        rtol = case.analysis.get("suggested_rtol")
        return [
            Check(
                name,
                got,
                spec if isinstance(spec, list) else [spec],
                rtol,
                "rtol" if rtol is not None else "exact",
            )
        ]
    if "by_method" in spec:
        return _by_method_checks(name, spec, values, analysis_tol, case)
    if "by_coefficient" in spec:
        act, exp = [], []
        for coef, quantities in spec["by_coefficient"].items():
            for quantity, value in quantities.items():
                exp.append(value)
                act.append(values["coefficients"][coef][_coef_key(quantity)])
        return [Check(name, act, exp, spec.get("tol"), "allequal_rel")]
    if name == "coefficients":
        out = []
        for coef, quantities in spec.items():
            for quantity, sub in quantities.items():
                out.append(
                    _spec_check(
                        f"{coef}.{quantity}", sub, values["coefficients"][coef][_coef_key(quantity)]
                    )
                )
        return out
    if "columns" in spec and "rows" in spec:
        act, exp = [], []
        for r, row in enumerate(spec["rows"]):
            for c, column in enumerate(spec["columns"]):
                key = f"{name}:{column}" if f"{name}:{column}" in values else column
                source = values[key]
                act.append(float(np.asarray(source).ravel()[r]))
                exp.append(row[c])
        return [Check(name, act, exp, spec.get("tol"), spec.get("tol_type"))]
    if "value" not in spec and spec.get("evidence") != "doc_print_bound":
        keys = [
            k
            for k in spec
            if k not in ("tol", "tol_type", "evidence", "line", "r_expr", "defined_line")
        ]
        act = [lookup(values, QUANTITY.get(k, k)) for k in keys]
        return [Check(name, act, [spec[k] for k in keys], spec.get("tol"), spec.get("tol_type"))]
    return [_spec_check(name, spec, lookup(values, name))]


def _coef_key(quantity: str) -> str:
    return {"estimate": "beta"}.get(quantity, quantity)


def _by_method_checks(
    name: str, spec: dict[str, Any], values: dict[str, Any], analysis_tol: float, case: Case
) -> list[Check]:
    methods = spec["by_method"]
    first = next(iter(methods.values()))
    if not isinstance(first, dict):
        act = [lookup(values[f"method:{m.split()[0]}"], name) for m in methods]
        return [Check(name, act, list(methods.values()), spec.get("tol"), spec.get("tol_type"))]
    out = []
    quantities = list(first)
    whole = "whole" in str((case.analysis.get("expected") or {}).get("tol_type", ""))
    act_all, exp_all = [], []
    for quantity in quantities:
        act = [
            lookup(values[f"method:{m.split()[0]}"], QUANTITY.get(quantity, quantity))
            for m in methods
        ]
        exp = [methods[m][quantity]["value"] for m in methods]
        if whole:
            act_all.extend(act)
            exp_all.extend(exp)
        else:
            out.append(Check(f"{name}.{quantity}", act, exp, analysis_tol, "allequal_rel"))
    if whole:
        out.append(Check(name, act_all, exp_all, analysis_tol, "allequal_rel"))
    return out
