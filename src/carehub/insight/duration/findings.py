"""The findings in plain words, headline first: what a commissioner can act on, then why the simple comparison
says something else, then what the estimate rests on."""

from __future__ import annotations

from .spec import Spec


def _points(risk: float) -> str:
    return f"{100 * risk:.1f}%"


def _money(value: float | None, currency: str) -> str:
    return "not bounded" if value is None else f"{currency}{value:,.0f}"


def headline(document: dict, spec: Spec) -> str:
    m = document["money"]
    low, high = m["repeats_avoided_ci"]
    n = m["repeats_avoided_per_1000"]
    ci = f"95% CI {low:.0f} to {high:.0f}"
    lead = f"Commissioning {spec.long_weeks} weeks of support rather than {spec.short_weeks}"
    if low > 0:
        return (
            f"{lead} would prevent about {n:.0f} repeat referrals per 1,000 women ({ci}) at "
            f"{_money(m['cost_per_repeat_avoided'], spec.currency)} per repeat avoided."
        )
    if high < 0:
        more = f"{-high:.0f} to {-low:.0f} more"
        return f"{lead} would lead to about {-n:.0f} more repeat referrals per 1,000 women (95% CI {more})."
    return (
        f"{lead} makes a difference to repeat referrals too small to tell from none: about {n:.0f} fewer per 1,000 "
        f"women, but anywhere from {-low:.0f} more to {high:.0f} fewer (95% CI)."
    )


def findings(document: dict, spec: Spec) -> list[str]:
    trial, naive, money = document["trial"], document["naive"], document["money"]
    short, long = f"{spec.short_weeks} weeks", f"{spec.long_weeks} weeks"
    risk = trial["risk"]
    out = [headline(document, spec)]
    out.append(
        f"Of women starting support, {_points(risk[short]['estimate'])} would be referred again within "
        f"{spec.horizon_weeks} weeks if support ended at {short}, and {_points(risk[long]['estimate'])} if it ended "
        f"at {long} (an emulated trial from the start of support, adjusted for {', '.join(spec.confounders)})."
    )
    out.append(
        f"That costs {money['extra_support_weeks_per_1000']:,} extra support-weeks per 1,000 women, "
        f"{_money(money['extra_cost_per_1000'], spec.currency)} at {_money(spec.cost_per_support_week, spec.currency)} "
        "a week (an upper bound: some women leave support early)."
    )
    naive_rd = naive["risk_difference"]["estimate"]
    direction = "more" if naive_rd > 0 else "less"
    out.append(
        f"Comparing closed cases directly, women supported for over {long} were referred again {direction} often "
        f"than those supported for up to {short} ({_points(naive['risk']['long'])} against "
        f"{_points(naive['risk']['short'])} within {spec.horizon_weeks} weeks of the end of support). The two answers "
        "differ because women at higher risk are kept in support longer and are also referred again more often: the "
        "direct comparison mixes the effect of support with who receives it, while the trial compares the same "
        "women under both strategies, as far as the recorded risk factors allow."
    )
    lm = document["landmark"]["hazard_ratio"]
    out.append(
        f"A simpler check at week {spec.short_weeks} (landmark): among women not referred again by then, those still "
        f"in support had a hazard of a repeat {lm['estimate']:.2f} times that of women whose support had ended "
        f"(95% CI {lm['ci'][0]:.2f} to {lm['ci'][1]:.2f})."
    )
    failing = document["cox"]["proportional_hazards"]["failing_at_1_percent"]
    if failing:
        out.append(
            "In the adjusted Cox model the effect of " + ", ".join(failing) + " changes over follow-up (proportional-"
            "hazards test p < 0.01), so its hazard ratio is an average over time; the trial estimate does not rely "
            "on proportional hazards."
        )
    heavy = [name for name, w in trial["weights"].items() if w.get("max", 0) > 50]
    if heavy:
        out.append(
            "Some weights are very large (over 50) in " + ", ".join(heavy) + ": a few women stand for many, so "
            "positivity is weak for some profiles; read the interval with care."
        )
    out.append("This is evidence under test, not proof: it assumes no unmeasured confounding (see the assumptions).")
    return out
