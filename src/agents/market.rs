//! [`Market`]: one interface to the market designs, so every agent works on
//! Ocean V3 and on V4 / V4.1 without a copy per version. Each operation maps
//! to the design's contracts through the wallet's helpers.

use super::PoolInfo;
use crate::chain::{Backend, Result, SimChain};
use crate::contracts::{Ocean, OceanV3, OceanV4};
use crate::wallet::{to_base18, AgentWallet, AssetParams, PoolSeed};
use alloy_primitives::{keccak256, Address, B256, U256};
use std::collections::BTreeMap;

/// Which market design a run simulates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Design {
    /// Ocean Market V3: datatoken factory, Balancer weighted pools.
    V3,
    /// Ocean V4 / V4.1: factory with the one-sided staking bot; V4.1 is V4 with its parameters set.
    V4,
}

/// The deployed system contracts of a run's design.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Market {
    /// Ocean V3.
    V3(OceanV3),
    /// Ocean V4 / V4.1.
    V4(OceanV4),
}

/// What a publisher puts into a new asset; V3 reads the first group, V4 the second.
#[derive(Debug, Clone, PartialEq)]
pub struct AssetSpec {
    /// Datatoken name.
    pub name: String,
    /// Datatoken symbol.
    pub symbol: String,
    /// Datatoken cap, in tokens.
    pub cap: f64,
    /// OCEAN seeded into the pool.
    pub ocean_in_pool: f64,
    /// LP swap fee (fraction).
    pub swap_fee: f64,
    /// V3: datatokens minted to the publisher.
    pub dt_mint: f64,
    /// V3: datatokens seeded into the pool; V4: `ocean_in_pool * rate` instead.
    pub dt_in_pool: f64,
    /// Datatoken weight (V3) or end weight (V4), denormalised.
    pub dt_weight: f64,
    /// OCEAN weight (V3) or end weight (V4), denormalised.
    pub ocean_weight: f64,
    /// V4: datatokens per OCEAN at the start.
    pub rate: f64,
    /// V4: publisher's vested premine, in datatokens.
    pub vesting_amount: f64,
    /// V4: blocks over which the premine vests.
    pub vesting_blocks: u64,
    /// V4.1 Dutch:Pool: start weights and burn-in length.
    pub dt_start_weight: f64,
    /// V4.1: OCEAN start weight.
    pub ocean_start_weight: f64,
    /// V4.1: seconds of burn-in.
    pub burn_in_seconds: u64,
    /// V4.1: soft cap on trailing swap/consume volume (0 = off).
    pub soft_cap: f64,
    /// V4.1: fee slope above the soft cap.
    pub fee_slope: f64,
    /// V4.1: half-life of the trailing volumes, in seconds.
    pub volume_half_life_seconds: u64,
    /// V4: publish-market fee (fraction).
    pub publish_market_fee: f64,
}

impl Market {
    /// Deploy the system contracts of `design` on `chain`.
    pub fn deploy(chain: &mut SimChain, design: Design) -> anyhow::Result<Self> {
        Ok(match design {
            Design::V3 => Self::V3(OceanV3::deploy(chain)?),
            Design::V4 => Self::V4(OceanV4::deploy(chain)?),
        })
    }

    /// The OCEAN token.
    pub fn ocean(&self) -> Ocean {
        match self {
            Self::V3(m) => m.ocean,
            Self::V4(m) => m.ocean,
        }
    }

    /// The design.
    pub fn design(&self) -> Design {
        match self {
            Self::V3(_) => Design::V3,
            Self::V4(_) => Design::V4,
        }
    }

    /// The V4 one-sided staking bot, if the design has one.
    pub fn bot(&self) -> Option<Address> {
        match self {
            Self::V3(_) => None,
            Self::V4(m) => Some(m.side_staking),
        }
    }

    /// keccak256 of the runtime code of every system contract, for run.json.
    pub fn code_hashes(&self, chain: &mut SimChain) -> Result<BTreeMap<&'static str, B256>> {
        let contracts: Vec<(&'static str, Address)> = match self {
            Self::V3(m) => vec![
                ("OceanToken", m.ocean.address),
                ("CommunityFeeCollector", m.community_fee_collector),
                ("Datatoken", m.datatoken_template),
                ("DatatokenFactory", m.datatoken_factory),
                ("WeightedPool", m.pool_template),
                ("PoolFactory", m.pool_factory),
            ],
            Self::V4(m) => vec![
                ("OceanToken", m.ocean.address),
                ("CommunityFeeCollector", m.community_fee_collector),
                ("PoolV4Factory", m.factory),
                ("SideStaking", m.side_staking),
            ],
        };
        contracts.into_iter().map(|(name, address)| Ok((name, keccak256(chain.code(address)?)))).collect()
    }

    /// Create a datatoken and its pool for `wallet`; returns `(datatoken, pool)`.
    pub fn create_asset(
        &self,
        chain: &mut SimChain,
        wallet: &AgentWallet,
        spec: &AssetSpec,
    ) -> anyhow::Result<Result<(Address, Address)>> {
        Ok(match self {
            Self::V3(m) => {
                let seed = PoolSeed {
                    datatoken_amount: to_base18(spec.dt_in_pool)?,
                    datatoken_weight: to_base18(spec.dt_weight)?,
                    ocean_amount: to_base18(spec.ocean_in_pool)?,
                    ocean_weight: to_base18(spec.ocean_weight)?,
                    swap_fee: to_base18(spec.swap_fee)?,
                };
                let (cap, mint) = (to_base18(spec.cap)?, to_base18(spec.dt_mint)?);
                (|| {
                    let datatoken = wallet.create_datatoken(chain, m, &spec.name, &spec.symbol, cap)?;
                    wallet.mint_datatoken(chain, datatoken, wallet.address, mint)?;
                    let pool = wallet.create_pool(chain, m, datatoken, &seed)?;
                    Ok((datatoken, pool))
                })()
            }
            Self::V4(m) => {
                let params = AssetParams {
                    name: spec.name.clone(),
                    symbol: spec.symbol.clone(),
                    cap: to_base18(spec.cap)?,
                    baseToken: m.ocean.address,
                    baseAmount: to_base18(spec.ocean_in_pool)?,
                    rate: to_base18(spec.rate)?,
                    lpFee: to_base18(spec.swap_fee)?,
                    publishMarketFee: to_base18(spec.publish_market_fee)?,
                    vestingAmount: to_base18(spec.vesting_amount)?,
                    vestingBlocks: U256::from(spec.vesting_blocks),
                    dtStartWeight: to_base18(spec.dt_start_weight)?,
                    baseStartWeight: to_base18(spec.ocean_start_weight)?,
                    dtEndWeight: to_base18(spec.dt_weight)?,
                    baseEndWeight: to_base18(spec.ocean_weight)?,
                    burnInSeconds: U256::from(spec.burn_in_seconds),
                    softCap: to_base18(spec.soft_cap)?,
                    feeSlope: to_base18(spec.fee_slope)?,
                    volumeHalfLifeSeconds: U256::from(spec.volume_half_life_seconds),
                    paymentCollector: Address::ZERO,
                    publishMarketFeeCollector: Address::ZERO,
                };
                wallet.create_asset_v4(chain, m, params)
            }
        })
    }

    /// Buy datatokens with exactly `ocean_in` OCEAN; returns DT received.
    pub fn buy_dt(
        &self,
        chain: &mut SimChain,
        wallet: &AgentWallet,
        pool: &PoolInfo,
        ocean_in: U256,
    ) -> Result<U256> {
        let ocean = self.ocean().address;
        match self {
            Self::V3(_) => {
                wallet.swap_exact_in(chain, pool.address, ocean, ocean_in, pool.datatoken, U256::ZERO)
            }
            Self::V4(_) => wallet.swap_exact_in_v4(chain, pool.address, ocean, ocean_in, pool.datatoken),
        }
    }

    /// Buy exactly `dt_out` datatokens paying at most `max_ocean`; returns OCEAN paid.
    pub fn buy_exact_dt(
        &self,
        chain: &mut SimChain,
        wallet: &AgentWallet,
        pool: &PoolInfo,
        dt_out: U256,
        max_ocean: U256,
    ) -> Result<U256> {
        let ocean = self.ocean().address;
        match self {
            Self::V3(_) => {
                wallet.swap_exact_out(chain, pool.address, ocean, max_ocean, pool.datatoken, dt_out)
            }
            Self::V4(_) => {
                wallet.swap_exact_out_v4(chain, pool.address, ocean, max_ocean, pool.datatoken, dt_out)
            }
        }
    }

    /// Sell exactly `dt_in` datatokens; returns OCEAN received.
    pub fn sell_dt(
        &self,
        chain: &mut SimChain,
        wallet: &AgentWallet,
        pool: &PoolInfo,
        dt_in: U256,
    ) -> Result<U256> {
        let ocean = self.ocean().address;
        match self {
            Self::V3(_) => {
                wallet.swap_exact_in(chain, pool.address, pool.datatoken, dt_in, ocean, U256::ZERO)
            }
            Self::V4(_) => wallet.swap_exact_in_v4(chain, pool.address, pool.datatoken, dt_in, ocean),
        }
    }

    /// Stake OCEAN; returns shares received.
    pub fn stake(
        &self,
        chain: &mut SimChain,
        wallet: &AgentWallet,
        pool: &PoolInfo,
        ocean_in: U256,
    ) -> Result<U256> {
        match self {
            Self::V3(m) => wallet.stake(chain, m, pool.address, ocean_in),
            Self::V4(m) => wallet.stake_v4(chain, m, pool.address, ocean_in),
        }
    }

    /// Unstake `shares`; returns OCEAN received.
    pub fn unstake(
        &self,
        chain: &mut SimChain,
        wallet: &AgentWallet,
        pool: &PoolInfo,
        shares: U256,
    ) -> Result<U256> {
        match self {
            Self::V3(m) => wallet.unstake(chain, m, pool.address, shares),
            Self::V4(_) => wallet.unstake_v4(chain, pool.address, shares),
        }
    }

    /// Consume one datatoken of `pool` (startOrder).
    pub fn consume(&self, chain: &mut SimChain, wallet: &AgentWallet, pool: &PoolInfo) -> Result<()> {
        match self {
            Self::V3(_) => {
                let one = U256::from(10u64.pow(18));
                wallet.consume(chain, pool.datatoken, one, U256::ZERO, Address::ZERO)
            }
            Self::V4(_) => wallet.consume_v4(chain, pool.datatoken),
        }
    }

    /// Claim vested premine datatokens (V4 designs; nothing on V3).
    pub fn claim_vesting(&self, chain: &mut SimChain, wallet: &AgentWallet, pool: &PoolInfo) -> Result<U256> {
        match self {
            Self::V3(_) => Ok(U256::ZERO),
            Self::V4(m) => wallet.claim_vesting(chain, m, pool.datatoken),
        }
    }

    /// Spot price of `pool`'s datatoken in OCEAN, without fees.
    pub fn spot_price(&self, chain: &mut SimChain, pool: &PoolInfo) -> Result<U256> {
        let ocean = self.ocean().address;
        match self {
            Self::V3(_) => {
                let call = crate::contracts::v3::WeightedPool::getSpotPriceSansFeeCall {
                    tokenIn: ocean,
                    tokenOut: pool.datatoken,
                };
                chain.view(pool.address, &call)
            }
            Self::V4(_) => {
                let call = crate::contracts::v4::PoolV4::getSpotPriceSansFeeCall {
                    tokenIn: ocean,
                    tokenOut: pool.datatoken,
                };
                chain.view(pool.address, &call)
            }
        }
    }
}
