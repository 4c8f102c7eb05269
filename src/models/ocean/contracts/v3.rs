//! Ocean Market V3 contracts: bindings and the deployment of the system
//! contracts (OCEAN, community fee collector, datatoken and pool factories
//! with their clone templates).

use super::Ocean;
use crate::artifacts::deploy_own;
use crate::chain::{Backend, GOD};
use alloy_primitives::Address;
use alloy_sol_types::sol;

sol!(
    #[allow(missing_docs)]
    #[derive(Debug)]
    Datatoken,
    "out/Datatoken.sol/Datatoken.json"
);
sol!(
    #[allow(missing_docs)]
    #[derive(Debug)]
    DatatokenFactory,
    "out/DatatokenFactory.sol/DatatokenFactory.json"
);
sol!(
    #[allow(missing_docs)]
    #[derive(Debug)]
    WeightedPool,
    "out/WeightedPool.sol/WeightedPool.json"
);
sol!(
    #[allow(missing_docs)]
    #[derive(Debug)]
    PoolFactory,
    "out/PoolFactory.sol/PoolFactory.json"
);
sol!(
    #[allow(missing_docs)]
    #[derive(Debug)]
    CommunityFeeCollector,
    "out/CommunityFeeCollector.sol/CommunityFeeCollector.json"
);
sol!(
    #[allow(missing_docs)]
    #[derive(Debug)]
    BalancerMathHarness,
    "out/BalancerMathHarness.sol/BalancerMathHarness.json"
);

/// The system contracts of an Ocean V3 market, deployed by [`GOD`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OceanV3 {
    /// The OCEAN token (base token of every pool).
    pub ocean: Ocean,
    /// Receives the 0.1% community fee of every order; owned by [`GOD`].
    pub community_fee_collector: Address,
    /// Creates datatokens (clones of `datatoken_template`).
    pub datatoken_factory: Address,
    /// Creates pools (clones of `pool_template`).
    pub pool_factory: Address,
    /// The datatoken implementation the factory clones.
    pub datatoken_template: Address,
    /// The pool implementation the factory clones.
    pub pool_template: Address,
}

impl OceanV3 {
    /// Deploy OCEAN, the fee collector, both templates and both factories.
    pub fn deploy<B: Backend>(chain: &mut B) -> anyhow::Result<Self> {
        let ocean = Ocean::deploy(chain)?;
        let god = GOD.to_string();
        let community_fee_collector = deploy_own(chain, "CommunityFeeCollector", &[&god])?;
        let datatoken_template = deploy_own(chain, "Datatoken", &[])?;
        let pool_template = deploy_own(chain, "WeightedPool", &[])?;
        let datatoken_factory = deploy_own(
            chain,
            "DatatokenFactory",
            &[&datatoken_template.to_string(), &community_fee_collector.to_string()],
        )?;
        let pool_factory = deploy_own(chain, "PoolFactory", &[&pool_template.to_string()])?;
        Ok(Self {
            ocean,
            community_fee_collector,
            datatoken_factory,
            pool_factory,
            datatoken_template,
            pool_template,
        })
    }
}
