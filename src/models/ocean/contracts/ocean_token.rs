//! Simulation OCEAN: the `OceanToken` binding and its deployment by [`GOD`].

use crate::chain::{Backend, GOD};
use alloy_primitives::{Address, U256};
use alloy_sol_types::sol;

sol!(
    #[allow(missing_docs)]
    #[derive(Debug)]
    OceanToken,
    "out/OceanToken.sol/OceanToken.json"
);

/// The OCEAN token of a simulation, minted on demand by [`GOD`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ocean {
    /// The token contract.
    pub address: Address,
}

impl Ocean {
    /// Deploy OCEAN from [`GOD`], with [`GOD`] as its minter.
    pub fn deploy<B: Backend>(chain: &mut B) -> anyhow::Result<Self> {
        let address = crate::artifacts::deploy_own(chain, "OceanToken", &[&GOD.to_string()])?;
        Ok(Self { address })
    }

    /// Mint `amount` base units of OCEAN to `to`.
    pub fn mint<B: Backend>(&self, chain: &mut B, to: Address, amount: U256) -> crate::chain::Result<()> {
        chain.send(GOD, self.address, &OceanToken::mintCall { to, amount })?;
        Ok(())
    }

    /// OCEAN balance of `who`, in base units.
    pub fn balance_of<B: Backend>(&self, chain: &mut B, who: Address) -> crate::chain::Result<U256> {
        chain.view(self.address, &OceanToken::balanceOfCall(who))
    }

    /// Total OCEAN supply, in base units.
    pub fn total_supply<B: Backend>(&self, chain: &mut B) -> crate::chain::Result<U256> {
        chain.view(self.address, &OceanToken::totalSupplyCall {})
    }
}
