//! Ocean V4 / V4.1 contracts: bindings and the deployment of the system
//! contracts (OCEAN, community fee collector, templates, the factory and the
//! one-sided staking bot it creates).

use super::Ocean;
use crate::artifacts::deploy_own;
use crate::chain::{Backend, GOD};
use alloy_primitives::Address;
use alloy_sol_types::sol;

sol!(
    #[allow(missing_docs)]
    #[derive(Debug)]
    DatatokenV4,
    "out/DatatokenV4.sol/DatatokenV4.json"
);
sol!(
    #[allow(missing_docs)]
    #[derive(Debug)]
    PoolV4,
    "out/PoolV4.sol/PoolV4.json"
);
sol!(
    #[allow(missing_docs)]
    #[derive(Debug)]
    PoolV4Factory,
    "out/PoolV4Factory.sol/PoolV4Factory.json"
);
sol!(
    #[allow(missing_docs)]
    #[derive(Debug)]
    SideStaking,
    "out/SideStaking.sol/SideStaking.json"
);

/// The system contracts of an Ocean V4 (or V4.1) market, deployed by [`GOD`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OceanV4 {
    /// The OCEAN token (base token of every pool).
    pub ocean: Ocean,
    /// Receives community fees (swaps and orders); owned by [`GOD`].
    pub community_fee_collector: Address,
    /// Creates datatoken + pool + bot registration in one call.
    pub factory: Address,
    /// The one-sided staking bot the factory created.
    pub side_staking: Address,
}

impl OceanV4 {
    /// Deploy OCEAN, the fee collector, both templates and the factory.
    pub fn deploy<B: Backend>(chain: &mut B) -> anyhow::Result<Self> {
        let ocean = Ocean::deploy(chain)?;
        let community_fee_collector = deploy_own(chain, "CommunityFeeCollector", &[&GOD.to_string()])?;
        let datatoken_template = deploy_own(chain, "DatatokenV4", &[])?;
        let pool_template = deploy_own(chain, "PoolV4", &[])?;
        let factory = deploy_own(
            chain,
            "PoolV4Factory",
            &[
                &datatoken_template.to_string(),
                &pool_template.to_string(),
                &community_fee_collector.to_string(),
                &ocean.address.to_string(),
            ],
        )?;
        let side_staking = chain.view(factory, &PoolV4Factory::sideStakingCall {})?;
        Ok(Self { ocean, community_fee_collector, factory, side_staking })
    }
}
