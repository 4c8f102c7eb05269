//! The seed's design criteria for Ocean (the V3-vs-V4.1 comparison of
//! ocean.md) as data: what each asks, the KPI column that measures it
//! (written by [`super::criteria`]), its unit and its threshold.

use crate::models::criteria::{CriteriaSet, Criterion, Rule, SIMPLICITY_ID};

/// The Ocean model's criteria.
pub static CRITERIA_SET: CriteriaSet = CriteriaSet {
    criteria: CRITERIA,
    design_sources: DESIGN_FILES,
    activity_kpis: &["global.swap_volume_ocean", "global.consume_volume_ocean", "global.pools"],
    design_used_when: Some("pools"),
};

const CRITERIA: &[Criterion] = &[
    Criterion {
        id: SIMPLICITY_ID,
        title: "Simple to understand and implement",
        column: "",
        unit: "contracts, lines, functions",
        rule: Rule::Reported,
        explanation: "contract, library and interface definitions; Solidity lines that are neither blank \
                      nor comment; external or public functions with a body; over the design's sources \
                      in contracts/ (from run.json's \"design\")",
    },
    Criterion {
        id: "stake_price_move",
        title: "No large price swings when people just stake OCEAN",
        column: "criteria.stake_price_move_pct",
        unit: "%",
        rule: Rule::AtMost(1.0),
        explanation: "mean over the 10 newest live pools of the |DT price change| caused by a probe stake of 10% of the \
                      pool's OCEAN (in a what-if that commits nothing)",
    },
    Criterion {
        id: "opening_spike",
        title: "No price spikes at the beginning",
        column: "criteria.opening_spike",
        unit: "× opening price",
        rule: Rule::AtMost(1.5),
        explanation: "mean over pools of the highest DT price during a pool's first 3 days divided by its \
                      opening price",
    },
    Criterion {
        id: "equilibrium_volatility",
        title: "No price spikes in equilibrium",
        column: "criteria.equilibrium_volatility",
        unit: "std of daily log returns",
        rule: Rule::AtMost(0.05),
        explanation: "standard deviation of the daily log returns of DT prices of pools older than 14 days",
    },
    Criterion {
        id: "rug_staker_loss",
        title: "No risk of exit scam after the IDO",
        column: "criteria.rug_staker_loss_pct",
        unit: "% of stake",
        rule: Rule::AtMost(10.0),
        explanation: "stakers' loss, in % of their stake's value just before, when the malicious publisher \
                      exits",
    },
    Criterion {
        id: "publisher_incentive",
        title: "Good incentive for the publisher to publish",
        column: "criteria.publisher_net_worth_change_ocean",
        unit: "OCEAN",
        rule: Rule::AtLeast(0.0),
        explanation: "honest publishers' net worth change in OCEAN since the start",
    },
    Criterion {
        id: "swap_consume_ratio",
        title: "Swap volume tied to consumption",
        column: "criteria.swap_consume_ratio",
        unit: "ratio",
        rule: Rule::AtMost(10.0),
        explanation: "cumulative swap volume divided by cumulative consume volume (both in OCEAN)",
    },
    Criterion {
        id: "price_consume_tie",
        title: "Price tied to consumption",
        column: "criteria.price_consume_correlation",
        unit: "correlation",
        rule: Rule::AtLeast(0.5),
        explanation: "correlation across live pools between ln(DT price) and ln(1 + consumes)",
    },
];

/// The Solidity files of each design.
const DESIGN_FILES: &[(&str, &[&str])] = &[("v3", V3_FILES), ("v4", V4_FILES), ("v41", V4_FILES)];

/// V3's contracts (the BalancerMath test harness is not part of the design).
const V3_FILES: &[&str] = &[
    "v3/BalancerMath.sol",
    "v3/WeightedPool.sol",
    "v3/PoolFactory.sol",
    "v3/Datatoken.sol",
    "v3/DatatokenFactory.sol",
    "v3/CommunityFeeCollector.sol",
    "v3/Clones.sol",
    "v3/IERC20Minimal.sol",
    "tokens/*.sol",
];

const V4_FILES: &[&str] = &[
    "v4/*.sol",
    "v3/BalancerMath.sol",
    "v3/Clones.sol",
    "v3/CommunityFeeCollector.sol",
    "v3/IERC20Minimal.sol",
    "tokens/*.sol",
];
