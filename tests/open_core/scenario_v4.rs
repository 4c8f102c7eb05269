//! The scripted scenario on the V4 design (`[ocean] design = "v4"`): the
//! one-sided staking bot mirrors stakes, swaps pay protocol fees on top of
//! the LP fee; checked against tests/support/v4_ref.rs.

use crate::balancer_ref::Pow;
use crate::common::{assert_close, run_text};
use crate::v4_ref::{in_given_out_with_fees, out_given_in_with_fees};

const TOL: f64 = 1e-9;

/// The pool opens with 2,000 OCEAN and 20,000 DT (rate 10). Staking half of
/// 1,000 OCEAN (500) is within the join limit (half the pool's OCEAN); the
/// agent's 12.5 shares of 125 pay out 2P/S of the OCEAN, a fifth of it,
/// within V4's exit limit of a third.
const NETLIST_V4: &str = r#"
[sim]
name = "scripted-v4"
tick = "1h"
ticks = 6
shuffle = false

[ocean]
design = "v4"

[[agent]]
type = "publisher"
name = "pub"
ocean = 10000.0
every = "365d"
ocean_in_pool = 2000.0

[[agent]]
type = "scripted"
name = "s"
fund = { "@ocean" = 1000.0 }
actions = [
  { at = "1h", do = "stake", pool = 0, ocean = "balance(@ocean, self) / 2" },
  { at = "2h", do = "buy", pool = 0, dt = 1.0 },
  { at = "3h", do = "sell", pool = 0, dt = "balance(@datatoken0, self)" },
  { at = "4h", do = "unstake", pool = 0, shares = "balance(@pool0, self)" },
]

[[kpi]]
name = "p.ocean"
expr = "view(@pool0, \"getBalance\", @ocean)"
[[kpi]]
name = "p.dt"
expr = "view(@pool0, \"getBalance\", @datatoken0)"
[[kpi]]
name = "p.shares"
expr = "total_supply(@pool0)"
[[kpi]]
name = "p.w_ocean"
expr = "view(@pool0, \"getDenormalizedWeight\", @ocean)"
[[kpi]]
name = "p.w_dt"
expr = "view(@pool0, \"getDenormalizedWeight\", @datatoken0)"
[[kpi]]
name = "p.lp_fee"
expr = "view(@pool0, \"getSwapFee\")"
[[kpi]]
name = "p.protocol_fee"
expr = "view(@pool0, \"getFees\")[1] + view(@pool0, \"getFees\")[2]"
[[kpi]]
name = "s.ocean"
expr = "balance(@ocean, @s)"
[[kpi]]
name = "s.shares"
expr = "balance(@pool0, @s)"
[[kpi]]
name = "s.dt_wei_minus_one_dt"
expr = "to_int(balance(@datatoken0, @s)) - 1000000000000000000"
decimals = 0
"#;

#[test]
fn scripted_v4_scenario_follows_the_v4_reference() {
    let ran = run_text(NETLIST_V4, &[]);
    assert_eq!(ran.summary.reverts, 0, "{:?}", ran.engine.world().reverts);
    let (p_ocean, p_dt, p_shares) = (ran.column("p.ocean"), ran.column("p.dt"), ran.column("p.shares"));
    let (s_ocean, s_shares) = (ran.column("s.ocean"), ran.column("s.shares"));
    let (w_ocean, w_dt) = (ran.column("p.w_ocean")[0], ran.column("p.w_dt")[0]);
    let (lp, protocol) = (ran.column("p.lp_fee")[0], ran.column("p.protocol_fee")[0]);
    assert_eq!((p_ocean[0], p_dt[0], p_shares[0]), (2000.0, 20000.0, 100.0));
    assert_eq!(
        (w_ocean, w_dt, lp, protocol),
        (7.0, 3.0, 0.001, 0.001),
        "V4 defaults: 70/30, 0.1% LP, 0.1% community"
    );

    // Tick 1: stake half its OCEAN: S a / 2B shares to it and as many to the bot, which adds D a / B DT.
    let staked = s_ocean[0] / 2.0;
    assert_eq!(staked, 500.0);
    assert_eq!(s_shares[1], p_shares[0] * staked / (2.0 * p_ocean[0]));
    assert_eq!(p_shares[1], 2.0f64.mul_add(s_shares[1], p_shares[0]));
    assert_eq!(p_dt[1], p_dt[0] + p_dt[0] * staked / p_ocean[0]);
    assert_eq!(p_ocean[1], p_ocean[0] + staked);

    // Tick 2: exactly 1 DT out, to the wei; the price with the protocol fees grossed up.
    let dt_exact = ran.column("s.dt_wei_minus_one_dt");
    assert_eq!((dt_exact[1], dt_exact[2]), (-1e18, 0.0));
    let paid = in_given_out_with_fees(Pow::Spec, (p_ocean[1], w_ocean), (p_dt[1], w_dt), 1.0, lp, protocol);
    assert_close("OCEAN paid for 1 DT", s_ocean[1] - s_ocean[2], paid, TOL);

    // Tick 3: sell all its DT, the protocol fees taken off the amount in first.
    assert_eq!(dt_exact[3], -1e18, "no DT left");
    let got = out_given_in_with_fees(Pow::Spec, (p_dt[2], w_dt), (p_ocean[2], w_ocean), 1.0, lp, protocol);
    assert_close("OCEAN for all its DT", s_ocean[3] - s_ocean[2], got, TOL);

    // Tick 4: unstake all: 2P/S of the pool's OCEAN.
    let out = 2.0 * s_shares[3] / p_shares[3] * p_ocean[3];
    assert!(out <= p_ocean[3] / 3.0);
    assert_eq!(s_shares[4], 0.0);
    assert_close("OCEAN for all its shares", s_ocean[4] - s_ocean[3], out, 1e-12);
}
