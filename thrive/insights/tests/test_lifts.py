import numpy as np
import pytest
from statsmodels.stats.proportion import proportion_confint

from thrive.insights import lift_sentence, profile_lifts, top_share_mask, wilson_interval


def test_lift_is_the_top_rate_of_a_value_over_the_base_rate_by_hand():
    # 20 clients, 4 in the top group. "referral": 5 clients, 3 of them top.
    top = np.array([1, 1, 1, 1] + [0] * 16, dtype=bool)
    channel = ["referral"] * 3 + ["ads"] + ["referral"] * 2 + ["ads"] * 14
    lifts = {(x.attribute, x.value): x for x in profile_lifts(top, {"channel": channel})}
    referral = lifts[("channel", "referral")]
    assert (referral.members, referral.top_members) == (5, 3)
    assert referral.base_rate == pytest.approx(4 / 20)
    assert referral.rate == pytest.approx(3 / 5)
    assert referral.lift == pytest.approx((3 / 5) / (4 / 20))  # 3.0
    assert referral.share_of_top == pytest.approx(3 / 4)
    ads = lifts[("channel", "ads")]
    assert ads.lift == pytest.approx((1 / 15) / 0.2)


def test_lift_interval_is_the_wilson_interval_over_the_base_rate():
    lo, hi = wilson_interval(3, 5)
    ref_lo, ref_hi = proportion_confint(3, 5, alpha=0.05, method="wilson")
    assert (lo, hi) == pytest.approx((ref_lo, ref_hi), abs=1e-3)
    top = np.array([1, 1, 1, 1] + [0] * 16, dtype=bool)
    channel = ["referral"] * 3 + ["ads"] + ["referral"] * 2 + ["ads"] * 14
    referral = profile_lifts(top, {"channel": channel})[0]
    assert referral.low == pytest.approx(lo / 0.2)
    assert referral.high == pytest.approx(hi / 0.2)


def test_rare_and_unknown_values_are_left_out_but_count_in_the_base_rate():
    top = np.array([True, False, False, False, True, False])
    region = ["north", "north", "north", "", None, "south"]
    lifts = profile_lifts(top, {"region": region}, min_members=2)
    assert [x.value for x in lifts] == ["north"]
    assert lifts[0].base_rate == pytest.approx(2 / 6)


def test_top_share_mask_keeps_the_stated_share_and_ignores_nan():
    values = np.array([5.0, np.nan, 9.0, 1.0, 9.0, 3.0, 2.0, 4.0, 8.0, 7.0, 6.0])
    mask = top_share_mask(values, 0.2)  # ceil(2.2) = 3
    assert mask.sum() == 3
    assert set(np.flatnonzero(mask)) == {2, 4, 8}
    assert not top_share_mask(np.array([np.nan, np.nan]), 0.5).any()


def test_the_sentence_says_the_lift_in_plain_words():
    top = np.array([1, 1, 1, 1] + [0] * 16, dtype=bool)
    channel = ["Partner café"] * 3 + ["Ads"] + ["Partner café"] * 2 + ["Ads"] * 14
    lift = profile_lifts(top, {"acquisition channel": channel})[0]
    sentence = lift_sentence(lift)
    assert sentence.startswith(
        "Clients whose acquisition channel is Partner café are 3.0× as likely to be in the "
        "top tenth (3 of 5;"
    )
    ads = profile_lifts(top, {"acquisition channel": channel})[1]
    assert "only 0.3× as likely" in lift_sentence(ads)


def test_no_top_group_gives_no_lifts_and_bad_lengths_are_refused():
    assert profile_lifts(np.zeros(3, dtype=bool), {"a": ["x", "x", "x"]}) == []
    with pytest.raises(ValueError, match="has 2 values for 3"):
        profile_lifts(np.array([True, False, False]), {"a": ["x", "y"]})
