//! What the revert reasons of Ocean's contracts mean, for the single-run
//! report: the Balancer-style `ERR_*` messages of the V3 `WeightedPool` and
//! the V4 `PoolV4` (both read the limits of `BalancerMath`), and the
//! datatoken and side-staking messages. Each text says when the contract
//! raises the reason and why this model's agents hit it; the agents go on
//! after a revert, so a count of these is normal market friction, not a bug.
//!
//! Nothing here runs on chain or can fail: an unknown reason is `None`.

/// `(reason, meaning)`, as raised by `contracts/v3` and `contracts/v4`.
const EXPLANATIONS: &[(&str, &str)] = &[
    (
        "ERR_LIMIT_IN",
        "The trade needed more of the input token than the caller's own limit: \
         `swapExactAmountOut` (buy an exact amount) priced the input above `maxAmountIn` \
         (joins and exits check `maxAmountsIn` and `maxPoolAmountIn` the same way). \
         Consumers buy exactly 1 datatoken with their whole OCEAN balance as the limit, so \
         for them it means that pool's datatoken cost more than all the OCEAN they held \
         (their income is paid only after a purchase); they try again on their next turn.",
    ),
    (
        "ERR_MAX_IN_RATIO",
        "The input was more than half of the pool's balance of that token (`MAX_IN_RATIO` = 1/2), \
         checked by `swapExactAmountIn` and by single-sided stakes. Speculators sell at least half \
         of the datatokens they hold at once, which is too much for a pool holding few of them.",
    ),
    (
        "ERR_MAX_OUT_RATIO",
        "The output was more than a third of the pool's balance of that token \
         (`MAX_OUT_RATIO` = 1/3), checked by `swapExactAmountOut` and by single-sided unstakes. \
         A consumer's 1 datatoken is over a third of a pool holding fewer than 3; a publisher \
         pulling its stake in quarters hits it when a quarter of its shares is worth more than \
         a third of the pool's OCEAN.",
    ),
    (
        "ERR_MATH_APPROX",
        "A rounding guard of the pool's fixed-point maths: an amount rounded to zero, or the \
         spot price after a swap came out below the price before, or the average price paid \
         below the spot price. It happens when a pool's balances are tiny or very lopsided, \
         e.g. a rug pull dumping datatokens into a pool it has just drained of OCEAN.",
    ),
    (
        "ERR_LIMIT_OUT",
        "The trade would give less than the caller's own minimum (`minAmountOut` of \
         `swapExactAmountIn`, `minPoolAmountOut` of a stake, `minAmountsOut` or \
         `minBaseAmountOut` of an exit): slippage protection.",
    ),
    (
        "ERR_BAD_LIMIT_PRICE",
        "The pool's spot price before the swap was already above the caller's `maxPrice`.",
    ),
    ("ERR_LIMIT_PRICE", "The swap would move the pool's spot price above the caller's `maxPrice`."),
    ("ERR_NOT_FINALIZED", "The pool is not finalized yet; swaps, stakes and unstakes need a finalized pool."),
    ("ERR_SWAP_NOT_PUBLIC", "Swapping is not enabled on the pool (`publicSwap` is off)."),
    ("ERR_NOT_BOUND", "A token that is not one of the pool's tokens was named."),
    ("ERR_ERC20_FALSE", "A token transfer into or out of the pool returned `false`."),
    (
        "ERR_BOT_CANNOT_EXIT",
        "V4: the side-staking bot's shares leave only with a staker's exit, never on their own.",
    ),
    (
        "ERR_BOT_SHARES",
        "V4: an unstake needs as many of the side-staking bot's shares as the staker's, \
         and the bot has fewer left.",
    ),
    (
        "SideStaking: not enough datatokens",
        "V4: a stake must be mirrored by the side-staking bot's datatokens, and its free \
         reserve for this datatoken is smaller than the stake needs.",
    ),
    ("Datatoken: cap exceeded", "Minting would take the datatoken's supply above its cap."),
    ("DatatokenV4: cap exceeded", "Minting would take the datatoken's supply above its cap."),
];

/// The meaning of `reason` if one of Ocean's contracts raises it.
pub(super) fn explain(reason: &str) -> Option<&'static str> {
    EXPLANATIONS.iter().find(|(known, _)| *known == reason).map(|(_, meaning)| *meaning)
}

#[cfg(test)]
mod tests {
    use super::{explain, EXPLANATIONS};

    #[test]
    fn every_explained_reason_is_raised_by_a_contract_of_the_model() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("contracts");
        let mut sources = String::new();
        for dir in ["v3", "v4"] {
            for entry in std::fs::read_dir(root.join(dir)).unwrap() {
                sources.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap());
            }
        }
        for (reason, meaning) in EXPLANATIONS {
            assert!(sources.contains(&format!("\"{reason}\"")), "no contract raises {reason:?}");
            assert!(meaning.ends_with('.'), "{reason}: {meaning}");
        }
        assert!(explain("ERR_LIMIT_IN").unwrap().contains("maxAmountIn"));
        assert_eq!(explain("ERC20: insufficient balance"), None, "generic reasons belong to the core");
    }
}
