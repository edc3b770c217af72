"""A/B test analysis: frequentist tests, Bayesian probability to beat control, sample sizes.

Proportions (conversion rates; control A with ``x_a`` successes of ``n_a``, variant B):

    p̂ = x / n,  d = p̂_B − p̂_A
    z test, pooled:   p̄ = (x_A + x_B) / (n_A + n_B),
                      z = d / √(p̄(1−p̄)(1/n_A + 1/n_B)),  p = 2(1 − Φ(|z|))
    Wald interval:    d ± z_{1−α/2} √(p̂_A(1−p̂_A)/n_A + p̂_B(1−p̂_B)/n_B)

(Agresti, *Categorical Data Analysis*, 3rd ed., §1.4 and §3.1; the same as statsmodels'
``proportions_ztest`` and ``confint_proportions_2indep(method="wald")``.)

Means (e.g. order value), from summary statistics, Welch's unequal-variance t test:

    se = √(s_A²/n_A + s_B²/n_B),  t = (m_B − m_A) / se
    ν  = se⁴ / ((s_A²/n_A)²/(n_A−1) + (s_B²/n_B)²/(n_B−1))        (Welch–Satterthwaite)
    p  = 2(1 − T_ν(|t|)),  interval (m_B − m_A) ± t_{ν,1−α/2} · se

(Welch 1947, Biometrika 34:28–35; scipy's ``ttest_ind_from_stats(equal_var=False)``.)

Bayesian, proportions: independent Beta(1, 1) priors give posteriors
Beta(1 + x, 1 + n − x). The probability that B beats A is exact (Miller 2015, "Formulas
for Bayesian A/B testing", evanmiller.org):

    P(p_B > p_A) = Σ_{i=0}^{α_B−1} B(α_A+i, β_A+β_B) / ((β_B+i) B(1+i, β_B) B(α_A, β_A))

Each rate's credible interval is the posterior's equal-tailed quantiles; the interval of
the difference comes from a fixed-seed Monte Carlo draw of both posteriors (deterministic).
Means use the non-informative prior, whose posterior of each mean is Student's t with
n − 1 degrees of freedom, location m and scale s/√n (Gelman et al., *Bayesian Data
Analysis*, 3rd ed., §3.2), sampled the same way.

Sample size per group for a two-sided test at level α with power 1 − β solves the normal
power equation exactly (both tails), for proportions on Cohen's arcsine effect size
h = 2 asin√p_B − 2 asin√p_A (Cohen 1988, §6.2) and for means on d = δ/σ:

    power = Φ(|e|√(n/2) − z_{1−α/2}) + Φ(−|e|√(n/2) − z_{1−α/2})

(statsmodels' ``NormalIndPower`` with equal groups.)

Peeking: testing an unfinished experiment repeatedly at α = 0.05 inflates the false-positive
rate; with k equally spaced looks it is about 0.083 (2), 0.107 (3), 0.142 (5), 0.193 (10),
0.248 (20) (Armitage, McPherson & Rowe 1969, JRSS A 132:235–244; tabulated in Pocock
1977, Biometrika 64:191–199). A verdict is only given at the planned sample size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize, special, stats

__all__ = [
    "PEEKING_FALSE_POSITIVE",
    "BayesResult",
    "MeansTest",
    "ProportionsTest",
    "bayes_means",
    "bayes_proportions",
    "means_test",
    "peeking_warning",
    "proportions_test",
    "sample_size_means",
    "sample_size_proportions",
]

# Looks at the data → chance of a false "significant" at nominal α = 0.05 (Armitage et al.).
PEEKING_FALSE_POSITIVE = {1: 0.05, 2: 0.083, 3: 0.107, 4: 0.126, 5: 0.142, 10: 0.193, 20: 0.248}
_DRAWS = 200_000
_SEED = 20_240_601


@dataclass(frozen=True)
class ProportionsTest:
    """Variant B against control A on a rate. ``difference`` = rate_b − rate_a."""

    n_a: int
    x_a: int
    n_b: int
    x_b: int
    rate_a: float
    rate_b: float
    difference: float
    relative_lift: float  # difference ÷ rate_a; NaN when rate_a is 0
    z: float
    p_value: float
    ci_low: float
    ci_high: float
    alpha: float

    @property
    def significant(self) -> bool:
        return bool(self.p_value < self.alpha)


@dataclass(frozen=True)
class MeansTest:
    """Variant B against control A on a mean (Welch). ``difference`` = mean_b − mean_a."""

    mean_a: float
    mean_b: float
    difference: float
    relative_lift: float
    t: float
    df: float
    p_value: float
    ci_low: float
    ci_high: float
    alpha: float

    @property
    def significant(self) -> bool:
        return bool(self.p_value < self.alpha)


@dataclass(frozen=True)
class BayesResult:
    """Posterior view: P(B beats A), credible intervals of each arm and of B − A."""

    prob_b_beats_a: float
    a_low: float
    a_high: float
    b_low: float
    b_high: float
    diff_low: float
    diff_high: float
    expected_loss_b: float  # E[max(A − B, 0)]: what choosing B costs if it is worse
    level: float


def _check_counts(n: int, x: int, arm: str) -> None:
    if n <= 0:
        raise ValueError(f"{arm}: the number of people must be positive (got {n})")
    if x < 0 or x > n:
        raise ValueError(f"{arm}: successes must be between 0 and {n} (got {x})")


def proportions_test(
    n_a: int, x_a: int, n_b: int, x_b: int, *, alpha: float = 0.05
) -> ProportionsTest:
    """Two-sided pooled z test and Wald interval of the difference of two proportions.

    When both arms are all successes or all failures the pooled variance is zero: z is 0
    and the p-value 1 (no evidence either way). Raises ``ValueError`` on impossible counts.
    """
    _check_counts(n_a, x_a, "control")
    _check_counts(n_b, x_b, "variant")
    pa, pb = x_a / n_a, x_b / n_b
    diff = pb - pa
    pooled = (x_a + x_b) / (n_a + n_b)
    se0 = math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    z = diff / se0 if se0 > 0 else 0.0
    p = float(2 * stats.norm.sf(abs(z)))
    se = math.sqrt(pa * (1 - pa) / n_a + pb * (1 - pb) / n_b)
    q = float(stats.norm.ppf(1 - alpha / 2))
    return ProportionsTest(
        n_a=n_a, x_a=x_a, n_b=n_b, x_b=x_b, rate_a=pa, rate_b=pb, difference=diff,
        relative_lift=diff / pa if pa > 0 else math.nan, z=z, p_value=p,
        ci_low=diff - q * se, ci_high=diff + q * se, alpha=alpha,
    )  # fmt: skip


def means_test(
    mean_a: float, sd_a: float, n_a: int, mean_b: float, sd_b: float, n_b: int,
    *, alpha: float = 0.05,
) -> MeansTest:  # fmt: skip
    """Welch's two-sided t test and interval of mean_b − mean_a from summary statistics.

    Needs at least two observations per arm and a positive total variance.
    """
    if n_a < 2 or n_b < 2:
        raise ValueError("each arm needs at least two observations for a t test")
    if sd_a < 0 or sd_b < 0:
        raise ValueError("standard deviations cannot be negative")
    va, vb = sd_a**2 / n_a, sd_b**2 / n_b
    se = math.sqrt(va + vb)
    if se == 0:
        raise ValueError("both arms have zero spread; a t test is undefined")
    diff = mean_b - mean_a
    df = (va + vb) ** 2 / (va**2 / (n_a - 1) + vb**2 / (n_b - 1))
    t = diff / se
    p = float(2 * stats.t.sf(abs(t), df))
    q = float(stats.t.ppf(1 - alpha / 2, df))
    return MeansTest(
        mean_a=mean_a, mean_b=mean_b, difference=diff,
        relative_lift=diff / mean_a if mean_a else math.nan, t=t, df=df, p_value=p,
        ci_low=diff - q * se, ci_high=diff + q * se, alpha=alpha,
    )  # fmt: skip


def prob_beta_greater(alpha_b: int, beta_b: float, alpha_a: float, beta_a: float) -> float:
    """P(X_B > X_A) for X ~ Beta(α, β), Miller's closed form (α_B a positive integer)."""
    i = np.arange(int(alpha_b), dtype=np.float64)
    log_terms = (
        special.betaln(alpha_a + i, beta_a + beta_b)
        - np.log(beta_b + i)
        - special.betaln(1 + i, beta_b)
        - special.betaln(alpha_a, beta_a)
    )
    return float(min(1.0, max(0.0, np.exp(special.logsumexp(log_terms)))))


def bayes_proportions(
    n_a: int, x_a: int, n_b: int, x_b: int, *, level: float = 0.95, prior: float = 1.0
) -> BayesResult:
    """Beta-binomial posteriors with Beta(prior, prior) priors (uniform by default).

    P(B beats A) is exact for integer posterior α of B (always so with the default prior)
    and otherwise comes from the Monte Carlo draws.
    """
    _check_counts(n_a, x_a, "control")
    _check_counts(n_b, x_b, "variant")
    a_a, b_a = prior + x_a, prior + n_a - x_a
    a_b, b_b = prior + x_b, prior + n_b - x_b
    tail = (1 - level) / 2
    rng = np.random.default_rng(_SEED)
    da = rng.beta(a_a, b_a, _DRAWS)
    db = rng.beta(a_b, b_b, _DRAWS)
    diff = db - da
    if float(a_b).is_integer():
        prob = prob_beta_greater(int(a_b), b_b, a_a, b_a)
    else:
        prob = float(np.mean(diff > 0))
    return BayesResult(
        prob_b_beats_a=prob,
        a_low=float(stats.beta.ppf(tail, a_a, b_a)),
        a_high=float(stats.beta.ppf(1 - tail, a_a, b_a)),
        b_low=float(stats.beta.ppf(tail, a_b, b_b)),
        b_high=float(stats.beta.ppf(1 - tail, a_b, b_b)),
        diff_low=float(np.quantile(diff, tail)), diff_high=float(np.quantile(diff, 1 - tail)),
        expected_loss_b=float(np.mean(np.maximum(-diff, 0.0))), level=level,
    )  # fmt: skip


def bayes_means(
    mean_a: float, sd_a: float, n_a: int, mean_b: float, sd_b: float, n_b: int,
    *, level: float = 0.95,
) -> BayesResult:  # fmt: skip
    """Posterior of each mean under the non-informative prior: m + (s/√n)·t_{n−1}."""
    if n_a < 2 or n_b < 2:
        raise ValueError("each arm needs at least two observations")
    tail = (1 - level) / 2
    post_a = stats.t(df=n_a - 1, loc=mean_a, scale=sd_a / math.sqrt(n_a))
    post_b = stats.t(df=n_b - 1, loc=mean_b, scale=sd_b / math.sqrt(n_b))
    rng = np.random.default_rng(_SEED)
    da = mean_a + sd_a / math.sqrt(n_a) * rng.standard_t(n_a - 1, _DRAWS)
    db = mean_b + sd_b / math.sqrt(n_b) * rng.standard_t(n_b - 1, _DRAWS)
    diff = db - da
    return BayesResult(
        prob_b_beats_a=float(np.mean(diff > 0)),
        a_low=float(post_a.ppf(tail)), a_high=float(post_a.ppf(1 - tail)),
        b_low=float(post_b.ppf(tail)), b_high=float(post_b.ppf(1 - tail)),
        diff_low=float(np.quantile(diff, tail)), diff_high=float(np.quantile(diff, 1 - tail)),
        expected_loss_b=float(np.mean(np.maximum(-diff, 0.0))), level=level,
    )  # fmt: skip


def _solve_n(effect: float, alpha: float, power: float) -> float:
    """Continuous per-group n of the two-sided normal power equation for effect ``effect``."""
    if effect == 0 or not math.isfinite(effect):
        raise ValueError("the effect to detect must be a non-zero finite number")
    if not (0 < alpha < 1 and 0 < power < 1):
        raise ValueError("alpha and power must lie strictly between 0 and 1")
    crit = float(stats.norm.ppf(1 - alpha / 2))
    e = abs(effect)

    def gap(n: float) -> float:
        shift = e * math.sqrt(n / 2)
        return float(stats.norm.cdf(shift - crit) + stats.norm.cdf(-shift - crit)) - power

    # One-tailed closed form is the start; the exact root lies just below it.
    guess = 2 * ((crit + float(stats.norm.ppf(power))) / e) ** 2
    low = 1e-9
    if gap(low) >= 0:
        return low
    return float(optimize.brentq(gap, low, max(guess * 2, 10.0), xtol=1e-10))


def sample_size_proportions(
    rate_a: float, rate_b: float, *, alpha: float = 0.05, power: float = 0.8
) -> int:
    """People per group to detect ``rate_a`` → ``rate_b`` (Cohen's h), rounded up."""
    if not (0 <= rate_a <= 1 and 0 <= rate_b <= 1):
        raise ValueError("rates must lie between 0 and 1")
    h = 2 * math.asin(math.sqrt(rate_b)) - 2 * math.asin(math.sqrt(rate_a))
    return math.ceil(_solve_n(h, alpha, power) - 1e-9)


def sample_size_means(delta: float, sd: float, *, alpha: float = 0.05, power: float = 0.8) -> int:
    """Observations per group to detect a difference ``delta`` of means with spread ``sd``."""
    if sd <= 0:
        raise ValueError("the standard deviation must be positive")
    return math.ceil(_solve_n(delta / sd, alpha, power) - 1e-9)


def peeking_warning(n_now: int, n_planned: int, *, looks: int = 1) -> str:
    """A plain warning while an experiment has not reached its planned size; '' after.

    ``looks`` is how many times results have been checked so far; the warning names the
    false-positive rate such repeated checking implies.
    """
    if n_planned <= 0 or n_now >= n_planned:
        return ""
    known = max(k for k in PEEKING_FALSE_POSITIVE if k <= max(1, looks))
    rate = PEEKING_FALSE_POSITIVE[known]
    share = n_now / n_planned
    text = (
        f"Unfinished test: {n_now:,} of {n_planned:,} planned people ({share:.0%}). "
        "Stopping as soon as a difference looks significant makes false winners likely"
    )
    if known > 1:
        text += f" (checking {known} times turns a 5% false-positive risk into about {rate:.0%})"
    return text + ". Wait for the planned sample before deciding."
