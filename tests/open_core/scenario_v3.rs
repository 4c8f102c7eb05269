//! A scripted scenario in TOML alone on Ocean V3, whose amounts depend on
//! the state of the moment, checked step by step against the Balancer float
//! reference (tests/support/balancer_ref.rs) to 1e-9, in one run of one
//! netlist with no outer driver.

use crate::balancer_ref::{
    in_given_out, out_given_in, pool_out_given_single_in, single_out_given_pool_in, Pow,
};
use crate::common::{assert_close, run_text};

/// Relative tolerance against the float reference: ocean.md's `pow` (the
/// series the contract evaluates) is modelled by [`Pow::Spec`], so what is
/// left is the contract's 1e-18 rounding.
const TOL: f64 = 1e-9;
const FEE: f64 = 0.001;
const W_OCEAN: f64 = 7.0;
const W_DT: f64 = 3.0;
const W_TOTAL: f64 = 10.0;

/// The pool opens at tick 0 with 2,000 OCEAN and 100 DT. The scripted agent
/// holds 1,000 OCEAN and stakes half: 500 is within the pool's join limit
/// (half its OCEAN, 1,000). Leaving in two exits (a third of its shares,
/// then the rest) takes out about 165 and 330 OCEAN of a pool holding about
/// 2,500, each under V3's exit limit of a third of the pool's OCEAN
/// (ERR_MAX_OUT_RATIO); a single exit of ~495 would fit too, but the first
/// exit is the one whose size comes from a bound return value.
pub(crate) const NETLIST_V3: &str = r#"
[sim]
name = "scripted-v3"
tick = "1h"
ticks = 9
shuffle = false

[[agent]]
type = "publisher"
name = "pub"
ocean = 10000.0
every = "365d"
dt_mint = 1000.0
dt_in_pool = 100.0
ocean_in_pool = 2000.0

[[agent]]
type = "scripted"
name = "s"
fund = { "@ocean" = 1000.0 }
actions = [
  { at = "1h", do = "stake", pool = 0, ocean = "balance(@ocean, self) / 2" },
  { at = "2h", do = "buy", pool = 0, dt = 1.0 },
  { at = "3h", do = "sell", pool = 0, dt = "balance(@datatoken0, self)" },
  { at = "4h", do = "call", to = "@pool0", function = "balanceOf(address) returns (uint256)", args = ["self"], bind = "held", then = "memory.third = memory.held / 3" },
  { at = "5h", do = "unstake", pool = 0, shares = "memory.third" },
  { at = "6h", do = "unstake", pool = 0, shares = "balance(@pool0, self)" },
  { at = "7h", do = "transfer", token = "@ocean", to = "@pub", amount = "balance(@ocean, self)", when = "balance(@ocean, self) > to_wei(1000000)" },
]

[[kpi]]
name = "p.ocean"
expr = "balance(@ocean, @pool0)"
[[kpi]]
name = "p.dt"
expr = "balance(@datatoken0, @pool0)"
[[kpi]]
name = "p.shares"
expr = "total_supply(@pool0)"
[[kpi]]
name = "s.ocean"
expr = "balance(@ocean, @s)"
[[kpi]]
name = "s.dt"
expr = "balance(@datatoken0, @s)"
[[kpi]]
name = "s.shares"
expr = "balance(@pool0, @s)"
[[kpi]]
name = "s.dt_wei_minus_one_dt"
expr = "to_int(balance(@datatoken0, @s)) - 1000000000000000000"
decimals = 0
"#;

#[test]
fn scripted_v3_scenario_follows_the_balancer_formulas_step_by_step() {
    let ran = run_text(NETLIST_V3, &[]);
    assert_eq!(ran.summary.ticks, 9);
    assert_eq!(ran.summary.reverts, 0, "{:?}", ran.engine.world().reverts);
    let (p_ocean, p_dt, p_shares) = (ran.column("p.ocean"), ran.column("p.dt"), ran.column("p.shares"));
    let (s_ocean, s_dt, s_shares) = (ran.column("s.ocean"), ran.column("s.dt"), ran.column("s.shares"));
    // Row k is sampled after tick k; the pool exists from tick 0, the agent acts from tick 1.
    assert_eq!((p_ocean[0], p_dt[0], p_shares[0]), (2000.0, 100.0, 100.0));
    assert_eq!((s_ocean[0], s_dt[0], s_shares[0]), (1000.0, 0.0, 0.0));

    // Tick 1: stake half its OCEAN (500), a single-sided join.
    let staked = s_ocean[0] / 2.0;
    assert_eq!(s_ocean[1], 500.0);
    assert_eq!(p_ocean[1], p_ocean[0] + staked);
    let shares = pool_out_given_single_in(Pow::Spec, p_ocean[0], W_OCEAN, p_shares[0], W_TOTAL, staked, FEE);
    assert_close("shares for the stake", s_shares[1], shares, TOL);
    assert_close("share supply after the stake", p_shares[1], p_shares[0] + shares, TOL);

    // Tick 2: buy exactly 1 DT — to the wei — paying what the formula says.
    let dt_exact = ran.column("s.dt_wei_minus_one_dt");
    assert_eq!(dt_exact[1], -1e18, "no DT before the buy");
    assert_eq!(dt_exact[2], 0.0, "exactly 10^18 wei of DT after the exact-out buy");
    let paid = in_given_out(Pow::Spec, p_ocean[1], W_OCEAN, p_dt[1], W_DT, 1.0, FEE);
    assert_close("OCEAN paid for 1 DT", s_ocean[1] - s_ocean[2], paid, TOL);
    assert_close("pool OCEAN after the buy", p_ocean[2], p_ocean[1] + paid, 1e-12);
    assert_eq!(p_dt[2], p_dt[1] - 1.0);

    // Tick 3: sell all its DT (the 1 DT just bought).
    assert_eq!(s_dt[3], 0.0);
    assert_eq!(dt_exact[3], -1e18);
    let received = out_given_in(Pow::Spec, p_dt[2], W_DT, p_ocean[2], W_OCEAN, s_dt[2], FEE);
    assert_close("OCEAN for all its DT", s_ocean[3] - s_ocean[2], received, TOL);

    // Tick 4: a call that binds its return value: nothing moves.
    assert_eq!(
        (s_ocean[4], s_shares[4], p_ocean[4], p_shares[4]),
        (s_ocean[3], s_shares[3], p_ocean[3], p_shares[3])
    );

    // Tick 5: unstake a third of the shares, the amount the `then` computed from the bound value.
    let third = s_shares[4] / 3.0;
    assert_close("shares left", s_shares[5], s_shares[4] - third, 1e-15);
    let out = single_out_given_pool_in(Pow::Spec, p_ocean[4], W_OCEAN, p_shares[4], W_TOTAL, third, FEE);
    assert_close("OCEAN for a third of the shares", s_ocean[5] - s_ocean[4], out, TOL);
    assert!(out <= p_ocean[4] / 3.0, "within the exit limit");

    // Tick 6: unstake all the shares left.
    assert_eq!(s_shares[6], 0.0);
    let out =
        single_out_given_pool_in(Pow::Spec, p_ocean[5], W_OCEAN, p_shares[5], W_TOTAL, s_shares[5], FEE);
    assert_close("OCEAN for the rest of the shares", s_ocean[6] - s_ocean[5], out, TOL);
    assert!(out <= p_ocean[5] / 3.0, "within the exit limit");
    assert_close("share supply back to the publisher's", p_shares[6], p_shares[0], 1e-15);

    // Tick 7: `when` is false — not taken: no transaction, nothing moves.
    let gas = ran.column("global.gas_used");
    assert_eq!(gas[7], gas[6], "no transaction at tick 7");
    assert!(gas[6] > gas[5] && gas[4] > gas[3], "the other ticks did transact");
    assert_eq!(s_ocean[7], s_ocean[6]);
    assert_eq!(s_ocean[8], s_ocean[6]);
}
