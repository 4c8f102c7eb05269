//! The planted vulnerability of tests/attack.rs and tests/attacker_agent.rs:
//! contracts/examples/SpotBuyback.sol (a treasury buying back at a pool's
//! spot price) or its fixed twin FixedBuyback, and the attack spec that
//! gives an attacker the three calls of the drain.

/// The netlist: a pool of USD and GEM with liquidity, and a treasury (`buyback`, of contract
/// `buyback`) holding 1,000 USD to buy GEM back, 100 GEM a call at most.
pub(crate) fn netlist(buyback: &str) -> String {
    format!(
        r#"
[sim]
name = "buyback"
tick = "1h"
ticks = 3
shuffle = false

[[contract]]
name = "usd"
artifact = "ReserveToken"
args = ["USD", "USD", "to_wei(1000000000)"]

[[contract]]
name = "gem"
artifact = "ReserveToken"
args = ["Gem", "GEM", "to_wei(1000000000)"]

[[contract]]
name = "pool"
artifact = "FairPool"
args = ["@usd", "@gem"]

[[contract]]
name = "buyback"
artifact = "{buyback}"
args = ["@pool", "to_wei(100)"]

[[agent]]
type = "scripted"
name = "lp"
fund = {{ "@usd" = 1000.0, "@gem" = 1000.0 }}
actions = [{{ at = "0h", to = "@pool", function = "addLiquidity", args = ["to_wei(1000)", "to_wei(1000)"], approve = [["@usd", "to_wei(1000)"], ["@gem", "to_wei(1000)"]] }}]

[[agent]]
type = "scripted"
name = "treasurer"
fund = {{ "@usd" = 1000.0 }}
actions = [{{ at = "0h", do = "transfer", token = "@usd", to = "@buyback", amount = 1000.0 }}]
"#
    )
}

/// What the attacker may do: amounts are a share `x` of what it holds, or
/// of the treasury's cap of 100 GEM a call.
pub(crate) const SPEC: &str = r#"
numeraire = "USD"
value = "balance(@usd, self)"
pool = "buyback"
fund = { "@usd" = 1000.0 }

[[action]]
to = "@pool"
function = "swap(address,uint256)"
args = ["@usd", "x * balance(@usd, self)"]
approve = [["@usd", "x * balance(@usd, self)"]]

[[action]]
to = "@pool"
function = "swap(address,uint256)"
args = ["@gem", "x * balance(@gem, self)"]
approve = [["@gem", "x * balance(@gem, self)"]]

[[action]]
to = "@buyback"
function = "sell(uint256)"
args = ["x * to_wei(100)"]
approve = [["@gem", "x * to_wei(100)"]]
"#;
