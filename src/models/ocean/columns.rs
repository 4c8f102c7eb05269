//! Labels and units of the Ocean model's KPI columns, for charts
//! ([`crate::models::Model::column_units`]).

/// `(pattern over the whole column name, label, unit)`.
pub(super) const COLUMN_UNITS: &[(&str, &str, &str)] = &[
    ("global.pools", "pools created", "count"),
    ("global.rugged_pools", "rugged pools", "count"),
    ("global.consumes", "datatokens consumed", "count"),
    ("global.swap_volume_ocean", "swap volume", "OCEAN"),
    ("global.consume_volume_ocean", "consume volume", "OCEAN"),
    ("global.grants_usd", "grants paid", "USD"),
    ("agent.*.ocean", "OCEAN balance", "OCEAN"),
    ("agent.*.dt", "datatokens held", "DT"),
    ("agent.*.holdings_ocean", "holdings at spot price", "OCEAN"),
    ("agent.*.net_worth_ocean", "net worth", "OCEAN"),
    ("agent.*.vesting_locked_ocean", "locked in vesting", "OCEAN"),
    ("pool.*.ocean", "OCEAN reserve", "OCEAN"),
    ("pool.*.dt", "DT reserve", "DT"),
    ("pool.*.spot_price", "DT price", "OCEAN per DT"),
    ("pool.*.shares", "pool shares", "shares"),
    ("pool.*.swap_volume_ocean", "swap volume", "OCEAN"),
    ("pool.*.fees_ocean", "swap fees", "OCEAN"),
    ("criteria.stake_price_move_pct", "price move when staking", "% of price"),
    ("criteria.opening_spike", "opening price spike", "× opening price"),
    ("criteria.equilibrium_volatility", "equilibrium volatility", "std of daily log returns"),
    ("criteria.rug_staker_loss_pct", "stakers' loss in rug pulls", "% of stake"),
    ("criteria.publisher_net_worth_change_ocean", "publisher's net worth change", "OCEAN"),
    ("criteria.swap_consume_ratio", "swap / consume volume", "ratio"),
    ("criteria.price_consume_correlation", "price–consume correlation", "correlation"),
    ("*.ocean", "OCEAN", "OCEAN"),
];

/// Quantities ending in `_ocean` are amounts of OCEAN.
pub(super) const UNIT_SUFFIXES: &[(&str, &str)] = &[("_ocean", "OCEAN")];
