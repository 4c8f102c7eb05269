//! [`PoolAgent`]: the controllable agent of one pool; created by the
//! publisher that creates the pool, it reports the pool's state.

use super::OceanWorld;
use super::{Agent, PoolInfo, World};

/// Reports `pool.<index>.{ocean,dt,spot_price,shares,swap_volume_ocean,fees_ocean}`.
#[derive(Debug)]
pub struct PoolAgent {
    name: String,
    pool: PoolInfo,
}

/// Quantities a pool reports.
pub(crate) const POOL_KPIS: [&str; 6] =
    ["ocean", "dt", "spot_price", "shares", "swap_volume_ocean", "fees_ocean"];

impl PoolAgent {
    /// The agent of `pool`.
    pub fn new(pool: PoolInfo) -> Self {
        Self { name: format!("pool{}", pool.index), pool }
    }

    /// Column names of pool slot `index`.
    pub fn columns(index: usize) -> Vec<String> {
        POOL_KPIS.iter().map(|q| format!("pool.{index}.{q}")).collect()
    }
}

impl Agent for PoolAgent {
    fn name(&self) -> &str {
        &self.name
    }

    fn step(&mut self, _world: &mut World) -> anyhow::Result<()> {
        Ok(())
    }

    fn kpi_columns(&self) -> Vec<String> {
        Self::columns(self.pool.index)
    }

    fn sample(&self, world: &mut World) -> anyhow::Result<Vec<f64>> {
        let state = world.pool_states()?[self.pool.index];
        let current = &world.ocean().pools[self.pool.index];
        let volume = current.swap_volume_ocean;
        Ok(vec![state.ocean, state.dt, state.price, state.shares, volume, volume * current.swap_fee])
    }
}
