"""Framework-free customer analytics for Thrive (numpy/scipy, no Django).

Probabilistic customer-base models (BG/NBD, MBG/NBD, Pareto/NBD, BG/BB, Gamma-Gamma) with
customer lifetime value, and descriptive analytics (RFM, cohorts, subscriptions, funnel,
CAC, NPS, growth, forecasts, team KPIs, basket rules). Each module gives its formulas and
cites its sources; everything public is re-exported here.
"""

from __future__ import annotations

from .abtest import (
    BayesResult,
    MeansTest,
    ProportionsTest,
    bayes_means,
    bayes_proportions,
    means_test,
    peeking_warning,
    proportions_test,
    sample_size_means,
    sample_size_proportions,
)
from .acquisition import (
    CACTable,
    cac_by_channel,
    clv_cac_ratio,
    payback_months,
)
from .base_forecast import (
    BaseBacktest,
    BaseForecast,
    backtest_customer_base,
    forecast_customer_base,
)
from .basket import (
    RULE_METRICS,
    BasketRules,
    FrequentItemsets,
    association_rules,
    basket_rules,
    frequent_itemsets,
)
from .bgbb import (
    BGBBFit,
    fit_bgbb,
)
from .bgnbd import (
    BGNBDFit,
    MBGNBDFit,
    fit_bgnbd,
    fit_mbgnbd,
)
from .channels import (
    GroupEconomics,
    group_economics,
    group_retention,
)
from .clv import (
    TransactionModel,
    churn_risk_band,
    customer_lifetime_value,
)
from .cohorts import (
    PERIODS,
    CohortMatrix,
    cohort_matrix,
    cohort_matrix_from_counts,
    period_index,
    period_start,
)
from .forecast import (
    Backtest,
    RevenueForecast,
    backtest_forecast,
    forecast_revenue,
)
from .funnel import (
    FUNNEL_STAGES,
    LOST_STAGE,
    FunnelMetrics,
    funnel_metrics,
    km_median,
)
from .gammagamma import (
    GammaGammaFit,
    fit_gamma_gamma,
)
from .goals import (
    GOAL_STATUSES,
    GoalProjection,
    project_goal,
)
from .growth import (
    GrowthMetrics,
    cagr,
    monthly_series,
    revenue_growth,
)
from .holdout import (
    CumulativeTracking,
    RepeatPurchasesByFrequency,
    cumulative_tracking,
    repeat_purchases_by_frequency,
)
from .ideas import (
    IMPORTANCE_WEIGHTS,
    IdeaRanking,
    normalised_entropy,
    rank_ideas,
    supporter_weight,
    wilson_lower_bound,
)
from .kpis import (
    Participation,
    TimeToMarket,
    automation_rate,
    participation_rate,
    revenue_per_employee,
    time_to_market,
)
from .lifts import (
    Lift,
    lift_sentence,
    profile_lifts,
    top_share_mask,
    wilson_interval,
)
from .nps import (
    NPSResult,
    nps,
    nps_from_counts,
)
from .paretonbd import (
    ParetoNBDFit,
    fit_pareto_nbd,
)
from .rfm import (
    RFM_SEGMENT_DESCRIPTIONS,
    RFM_SEGMENT_GRID,
    RFM_SEGMENTS,
    RFMScores,
    rfm_scores,
    rfm_segments,
)
from .simulate import (
    simulate_bgbb,
    simulate_bgnbd,
    simulate_gamma_gamma,
    simulate_mbgnbd,
    simulate_pareto_nbd,
)
from .subscriptions import (
    SubscriptionMetrics,
    subscription_metrics,
)
from .summary import (
    CustomerSummary,
    calibration_holdout_split,
    holdout_length,
    summarize_transactions,
)

__all__ = [
    "BayesResult",
    "GOAL_STATUSES",
    "GoalProjection",
    "MeansTest",
    "ProportionsTest",
    "bayes_means",
    "bayes_proportions",
    "means_test",
    "peeking_warning",
    "project_goal",
    "proportions_test",
    "sample_size_means",
    "sample_size_proportions",
    "BGBBFit",
    "BGNBDFit",
    "Backtest",
    "BasketRules",
    "BaseBacktest",
    "BaseForecast",
    "backtest_customer_base",
    "forecast_customer_base",
    "CACTable",
    "CohortMatrix",
    "CumulativeTracking",
    "CustomerSummary",
    "FUNNEL_STAGES",
    "FrequentItemsets",
    "FunnelMetrics",
    "GammaGammaFit",
    "GrowthMetrics",
    "IMPORTANCE_WEIGHTS",
    "IdeaRanking",
    "LOST_STAGE",
    "MBGNBDFit",
    "NPSResult",
    "PERIODS",
    "ParetoNBDFit",
    "Participation",
    "RFMScores",
    "RFM_SEGMENTS",
    "RFM_SEGMENT_DESCRIPTIONS",
    "RFM_SEGMENT_GRID",
    "RULE_METRICS",
    "RepeatPurchasesByFrequency",
    "RevenueForecast",
    "SubscriptionMetrics",
    "TimeToMarket",
    "TransactionModel",
    "association_rules",
    "automation_rate",
    "backtest_forecast",
    "basket_rules",
    "cac_by_channel",
    "cagr",
    "calibration_holdout_split",
    "churn_risk_band",
    "clv_cac_ratio",
    "cohort_matrix",
    "cohort_matrix_from_counts",
    "cumulative_tracking",
    "customer_lifetime_value",
    "fit_bgbb",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "fit_mbgnbd",
    "fit_pareto_nbd",
    "forecast_revenue",
    "frequent_itemsets",
    "funnel_metrics",
    "holdout_length",
    "km_median",
    "monthly_series",
    "normalised_entropy",
    "nps",
    "nps_from_counts",
    "participation_rate",
    "payback_months",
    "rank_ideas",
    "period_index",
    "period_start",
    "repeat_purchases_by_frequency",
    "revenue_growth",
    "revenue_per_employee",
    "rfm_scores",
    "rfm_segments",
    "simulate_bgbb",
    "simulate_bgnbd",
    "simulate_gamma_gamma",
    "simulate_mbgnbd",
    "simulate_pareto_nbd",
    "subscription_metrics",
    "summarize_transactions",
    "supporter_weight",
    "time_to_market",
    "wilson_lower_bound",
    # Ideal-client profile and channel economics.
    "GroupEconomics",
    "Lift",
    "group_economics",
    "group_retention",
    "lift_sentence",
    "profile_lifts",
    "top_share_mask",
    "wilson_interval",
]
