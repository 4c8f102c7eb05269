//! Vesting: a [`VestingFunder`] deploys a `LinearVesting` contract holding
//! OCEAN for a named beneficiary; a [`VestingBeneficiary`] claims what has
//! vested on a schedule.

use super::OceanWorld;
use super::{
    check_amount, check_period, fund, wallet_columns, wallet_sample, Agent, Schedule, SimDuration, World,
};
use crate::artifacts::own_artifact;
use crate::chain::{address_for, Backend};
use crate::models::ocean::contracts::vesting::LinearVesting;
use crate::wallet::{from_base18, to_base18, AgentWallet};
use alloy_primitives::Address;
use serde::Deserialize;

/// A vesting contract the run knows about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VestingInfo {
    /// The beneficiary agent's name.
    pub beneficiary: String,
    /// The `LinearVesting` contract.
    pub address: Address,
}

/// `type = "vesting_funder"`.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct VestingFunderConfig {
    /// OCEAN locked into the vesting contract at the start.
    pub ocean: f64,
    /// Name of the beneficiary agent.
    pub beneficiary: String,
    /// Vesting period, e.g. `"4y"`.
    pub duration: SimDuration,
    /// Delay before vesting starts (a cliff-free start offset).
    #[serde(default = "zero")]
    pub start_after: SimDuration,
}

fn zero() -> SimDuration {
    SimDuration(0)
}

impl VestingFunderConfig {
    /// Validate and build the live agent.
    pub fn build(&self, name: &str) -> anyhow::Result<VestingFunder> {
        check_amount(name, "ocean", self.ocean)?;
        check_period(name, "duration", self.duration)?;
        Ok(VestingFunder { wallet: AgentWallet::new(name, 0.0), config: self.clone(), contract: None })
    }
}

/// Deploys and funds one vesting contract on its first step.
#[derive(Debug)]
pub struct VestingFunder {
    wallet: AgentWallet,
    config: VestingFunderConfig,
    contract: Option<Address>,
}

impl Agent for VestingFunder {
    fn name(&self) -> &str {
        &self.wallet.name
    }

    fn step(&mut self, world: &mut World) -> anyhow::Result<()> {
        if self.contract.is_some() {
            return Ok(());
        }
        let c = &self.config;
        let start = world.chain.timestamp() + c.start_after.seconds();
        let args = [
            address_for(&c.beneficiary).to_string(),
            world.ocean().market.ocean().address.to_string(),
            start.to_string(),
            c.duration.seconds().to_string(),
        ];
        let artifact = own_artifact("LinearVesting")?;
        let init = artifact.init_code_from_strs(&args.each_ref().map(String::as_str))?;
        let address = world.chain.deploy_contract(self.wallet.address, init)?;
        // Named `<funder>_vesting` with its ABI, so traces and reverts decode it;
        // a name already taken keeps its first address.
        world.abis.add(&artifact.name, &artifact.abi);
        let kind = crate::world::EntryKind::Contract { artifact: Some(artifact.name.clone()) };
        let name = format!("{}_vesting", self.wallet.name);
        let _ = world.book.insert(&name, address, kind, Some(std::sync::Arc::new(artifact.abi)));
        fund(world, &self.wallet, c.ocean)?;
        let ocean = world.ocean().market.ocean().address;
        self.wallet.transfer_token(&mut world.chain, ocean, address, to_base18(c.ocean)?)?;
        world.ocean_mut().vestings.push(VestingInfo { beneficiary: c.beneficiary.clone(), address });
        self.contract = Some(address);
        Ok(())
    }

    fn kpi_columns(&self) -> Vec<String> {
        vec![format!("agent.{}.vesting_locked_ocean", self.wallet.name)]
    }

    fn sample(&self, world: &mut World) -> anyhow::Result<Vec<f64>> {
        let locked = match self.contract {
            Some(address) => {
                let ocean = world.ocean().market.ocean().address;
                world.balance(ocean, address)?
            }
            None => 0.0,
        };
        Ok(vec![locked])
    }
}

/// `type = "vesting_beneficiary"`.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct VestingBeneficiaryConfig {
    /// How often it claims what has vested.
    #[serde(default = "thirty_days")]
    pub every: SimDuration,
}

fn thirty_days() -> SimDuration {
    SimDuration(30 * 86_400)
}

impl VestingBeneficiaryConfig {
    /// Validate and build the live agent.
    pub fn build(&self, name: &str, tick_seconds: u64) -> anyhow::Result<VestingBeneficiary> {
        check_period(name, "every", self.every)?;
        Ok(VestingBeneficiary {
            wallet: AgentWallet::new(name, 0.0),
            schedule: Schedule::new(self.every, tick_seconds),
            claimed: 0.0,
        })
    }
}

/// Claims vested OCEAN from every vesting contract that names it.
#[derive(Debug)]
pub struct VestingBeneficiary {
    wallet: AgentWallet,
    schedule: Schedule,
    claimed: f64,
}

impl Agent for VestingBeneficiary {
    fn name(&self) -> &str {
        &self.wallet.name
    }

    fn step(&mut self, world: &mut World) -> anyhow::Result<()> {
        if !self.schedule.due(world.tick) {
            return Ok(());
        }
        let mine: Vec<Address> = world
            .ocean()
            .vestings
            .iter()
            .filter(|v| v.beneficiary == self.wallet.name)
            .map(|v| v.address)
            .collect();
        for contract in mine {
            let result = world.chain.send(self.wallet.address, contract, &LinearVesting::releaseCall {});
            if let Some(amount) = world.attempt(&self.wallet.name, "release vested OCEAN", result)? {
                self.claimed += from_base18(amount);
            }
        }
        Ok(())
    }

    fn kpi_columns(&self) -> Vec<String> {
        wallet_columns(&self.wallet.name)
    }

    fn sample(&self, world: &mut World) -> anyhow::Result<Vec<f64>> {
        wallet_sample(&self.wallet, world)
    }
}
