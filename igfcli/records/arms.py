"""A randomised trial's arms and the hazard ratios that compare them, with located problems."""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any

from igfcli.model import ARM_ROLES, MEDIAN_UNITS, Arm, Catalog, Comparison, Printed
from igfcli.records.fields import Reader, describe_value
from igfcli.records.figures import agent_list, pfs_list, response

if TYPE_CHECKING:  # only a file being parsed needs YAML; a cached run never loads it
    from igfcli.records import yamldoc

ARM_KEYS = {"name", "regimen", "backbone", "role", "enrolled", "response", "pfs"}
ARM_REQUIRED = ("name", "regimen", "role")
COMPARISON_KEYS = {
    "endpoint",
    "experimental",
    "control",
    "hr",
    "ci_low",
    "ci_high",
    "level",
    "p",
    "p_sided",
    "median_experimental",
    "median_control",
    "median_unit",
    "source",
}
COMPARISON_REQUIRED = ("endpoint", "experimental", "control", "hr", "ci_low", "ci_high", "source")
P_SIDED = ("one-sided", "two-sided")
# a p-value printed as a bound: "<0.001", "< .0001"
_P_BOUND = re.compile(r"<\s*(0?\.[0-9]+)")


def read_arms(
    r: Reader, m: dict[str, Any], catalog: Catalog, regimen: tuple[str, ...], enrolled: int | None
) -> tuple[Arm, ...]:
    """The trial's arms; each agent of an arm must be one of the trial's regimen."""
    items = _list(r, m, ("arms",), "arms")
    arms: list[Arm] = []
    names: dict[str, int] = {}
    for i, item in enumerate(items):
        p: yamldoc.Path = ("arms", i)
        a = r.mapping(p, item, ARM_KEYS, ARM_REQUIRED)
        if a is None:
            continue
        name = r.unique_name(a, p, names)
        agents = agent_list(r, a, p, catalog, may_be_empty=True)
        for j, agent in enumerate(agents):
            if regimen and agent not in regimen:
                r.problem((*p, "regimen", j), f"{agent} is not in the trial's regimen ({', '.join(regimen)})")
        role = r.optional(a, p, "role", lambda q, v: r.choice(q, v, ARM_ROLES))
        if role == "experimental" and not agents and a.get("regimen") == []:
            # ranked, it would be a regimen of no agent, and it would pass any --agent filter
            r.problem((*p, "regimen"), "is empty: an experimental arm names the catalog agent it tests")
        arm_enrolled = r.optional(a, p, "enrolled", r.count)
        if arm_enrolled is not None and enrolled is not None and arm_enrolled > enrolled:
            r.problem((*p, "enrolled"), f"{arm_enrolled} is more than the trial's enrolled ({enrolled})")
        arms.append(
            Arm(
                name=name or "",
                regimen=agents,
                backbone=r.optional(a, p, "backbone", r.text),
                role=role or "",
                enrolled=arm_enrolled,
                response=response(r, a, p, arm_enrolled),
                pfs=pfs_list(r, a, p, arm_enrolled),
                index=i,
            )
        )
    counts = [a.enrolled for a in arms]
    if enrolled is not None and arms and all(n is not None for n in counts):
        total = sum(n for n in counts if n is not None)
        if total != enrolled:
            shown = " + ".join(str(n) for n in counts)
            r.problem(("enrolled",), f"{enrolled}, but the arms enrol {shown} = {total}")
    # an arm whose role could not be read has its own problem already
    if items and all(a.role for a in arms) and not any(a.role == "experimental" for a in arms):
        r.problem(("arms",), "no arm has role: experimental")
    for key in ("response", "pfs"):
        if items and m.get(key) is not None:
            # the whole trial's figure counts the control arm's patients too: ranked or tested, it
            # would pass for the experimental regimen's
            said = f"a randomised trial gives its {key} by arm, not for the whole trial: move it to the arms"
            r.problem((key,), said)
    return tuple(arms)


def read_comparisons(r: Reader, m: dict[str, Any], arms: tuple[Arm, ...]) -> tuple[Comparison, ...]:
    """The hazard ratios, each naming an experimental and a control arm of the trial."""
    items = _list(r, m, ("comparisons",), "comparisons")
    if items and not arms:
        r.problem(("comparisons",), "compares arms, but the trial lists no arms")
        return ()
    by_name = {a.name: a for a in arms}
    out = []
    for i, item in enumerate(items):
        p: yamldoc.Path = ("comparisons", i)
        c = r.mapping(p, item, COMPARISON_KEYS, COMPARISON_REQUIRED)
        if c is None:
            continue
        start = len(r.problems)
        sides = {}
        for side in ("experimental", "control"):
            name = r.optional(c, p, side, r.text)
            arm = by_name.get(name) if name is not None else None
            if name is not None and arm is None:
                r.problem((*p, side), f"'{name}' is not an arm of this trial; its arms: {', '.join(by_name)}")
            elif arm is not None and arm.role and arm.role != side:  # a role not read has its problem
                r.problem((*p, side), f"arm '{name}' has role: {arm.role}, not {side}")
            sides[side] = name
        hr, low, high = (
            r.optional(c, p, key, lambda q, v: _positive(r, q, v)) for key in ("hr", "ci_low", "ci_high")
        )
        if (
            hr is not None
            and low is not None
            and high is not None
            and not low.value <= hr.value <= high.value
        ):
            r.problem((*p, "hr"), f"{hr.text} lies outside its interval {low.text} to {high.text}")
        level = r.optional(c, p, "level", lambda q, v: _level(r, q, v))
        medians = [
            r.optional(c, p, key, lambda q, v: _positive(r, q, v))
            for key in ("median_experimental", "median_control")
        ]
        unit = r.optional(c, p, "median_unit", lambda q, v: r.choice(q, v, MEDIAN_UNITS))
        if any(medians) and unit is None and c.get("median_unit") is None:
            r.problem(p, "gives a median without 'median_unit' (weeks, months or years)")
        fields = [r.optional(c, p, key, r.text) for key in ("endpoint", "source")]
        p_value = r.optional(c, p, "p", lambda q, v: _p_value(r, q, v))
        sided = r.optional(c, p, "p_sided", lambda q, v: r.choice(q, v, P_SIDED))
        if sided is not None and p_value is None:
            r.problem((*p, "p_sided"), "says how a p-value was printed, but the comparison gives no 'p'")
        if len(r.problems) > start or None in (hr, low, high, *fields, *sides.values()):
            continue
        assert hr is not None and low is not None and high is not None
        endpoint, source = fields
        assert endpoint is not None and source is not None
        out.append(
            Comparison(
                endpoint=endpoint,
                experimental=str(sides["experimental"]),
                control=str(sides["control"]),
                hr=hr,
                ci_low=low,
                ci_high=high,
                level=0.95 if level is None else level,
                p=p_value,
                p_sided=1 if sided == "one-sided" else 2,
                median_experimental=medians[0],
                median_control=medians[1],
                median_unit=unit,
                source=source,
                index=i,
            )
        )
    return tuple(out)


def _list(r: Reader, m: dict[str, Any], path: yamldoc.Path, what: str) -> list[Any]:
    items = m.get(what)
    if items is None:
        return []
    if not isinstance(items, list):
        r.problem(path, f"should be a list of {what}, not {describe_value(items)}")
        return []
    return items


def _printed(r: Reader, path: yamldoc.Path, value: Any) -> Printed | None:
    """A number as printed: a plain number (not text, not a boolean), finite."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        r.problem(path, f"should be a number as printed, such as 0.97, not {r.describe(path, value)}")
        return None
    if not math.isfinite(value):
        r.problem(path, f"{r.doc.texts.get(path, value)} is not a finite number")
        return None
    return Printed(float(value), r.doc.texts.get(path, repr(value)))


def _positive(r: Reader, path: yamldoc.Path, value: Any) -> Printed | None:
    number = _printed(r, path, value)
    if number is not None and number.value <= 0:
        r.problem(path, f"{number.text} should be more than 0")
        return None
    return number


def _level(r: Reader, path: yamldoc.Path, value: Any) -> float | None:
    number = _printed(r, path, value)
    if number is not None and not 0 < number.value < 1:
        r.problem(path, f"{number.text} is not a confidence level; write 0.95 for 95%")
        return None
    return None if number is None else number.value


def _p_value(r: Reader, path: yamldoc.Path, value: Any) -> Printed | None:
    """A p-value as printed: a number in (0, 1], or a bound written as text, "<0.001"."""
    if isinstance(value, str):
        bound = _P_BOUND.fullmatch(value.strip())
        if bound is None:
            r.problem(
                path, f"'{value}' is not a p-value; write 0.06, or a bound in quotes such as \"<0.001\""
            )
            return None
        if float(bound.group(1)) == 0.0:  # "<0.0": no p-value is below 0
            r.problem(
                path,
                f"'{value}' is not a p-value bound: every p-value is more than 0; "
                'give the bound as printed, such as "<0.001"',
            )
            return None
        return Printed(float(bound.group(1)), value.strip(), bound=True)
    number = _printed(r, path, value)
    if number is not None and not 0 < number.value <= 1:
        r.problem(path, f"{number.text} is not a p-value (more than 0, at most 1)")
        return None
    return number
