//! [`Market`]: one interface to the market designs, so every agent works on
//! Ocean V3 and on V4 / V4.1 without a copy per version. Each operation maps
//! to the design's contracts through the wallet's helpers.

use super::adapter::{AdaptedMarket, Adapter, Vars};
use super::contracts::{Ocean, OceanV3, OceanV4};
use super::state::PoolInfo;
use super::wallet::{AssetParams, PoolSeed};
use crate::chain::{Backend, Result, SimChain, GOD};
use crate::wallet::{to_base18, AgentWallet};
use alloy_primitives::{keccak256, Address, Bytes, B256, U256};
use alloy_sol_types::SolCall;
use std::collections::BTreeMap;
use std::sync::Arc;

use super::contracts::Design;

/// Which contracts a run deploys: the project's own build of a design
/// (typed bindings), or another build driven through its adapter.
#[derive(Debug, Clone)]
pub enum MarketBuild {
    /// The project's own contracts, embedded in the binary.
    Own(Design),
    /// A build loaded from disk and checked against its adapter.
    Adapted(Arc<Adapter>),
}

impl MarketBuild {
    /// The design the contracts implement.
    pub fn design(&self) -> Design {
        match self {
            Self::Own(design) => *design,
            Self::Adapted(adapter) => adapter.design,
        }
    }
}

/// The deployed system contracts of a run's design.
#[derive(Debug, Clone)]
pub enum Market {
    /// Ocean V3.
    V3(OceanV3),
    /// Ocean V4 / V4.1.
    V4(OceanV4),
    /// Another build, through its adapter.
    Adapted(Arc<AdaptedMarket>),
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
    /// Deploy the system contracts of `build` on `chain`.
    pub fn deploy(chain: &mut SimChain, build: &MarketBuild) -> anyhow::Result<Self> {
        Ok(match build {
            MarketBuild::Own(Design::V3) => Self::V3(OceanV3::deploy(chain)?),
            MarketBuild::Own(Design::V4) => Self::V4(OceanV4::deploy(chain)?),
            MarketBuild::Adapted(adapter) => {
                let ocean = Ocean::deploy(chain)?;
                let market = AdaptedMarket::deploy(chain, Arc::clone(adapter), GOD, ocean.address)?;
                Self::Adapted(Arc::new(market))
            }
        })
    }

    /// The OCEAN token.
    pub fn ocean(&self) -> Ocean {
        match self {
            Self::V3(m) => m.ocean,
            Self::V4(m) => m.ocean,
            Self::Adapted(m) => Ocean { address: m.role("ocean").unwrap_or_default() },
        }
    }

    /// The design.
    pub fn design(&self) -> Design {
        match self {
            Self::V3(_) => Design::V3,
            Self::V4(_) => Design::V4,
            Self::Adapted(m) => m.adapter.design,
        }
    }

    /// The V4 one-sided staking bot, if the design has one.
    pub fn bot(&self) -> Option<Address> {
        match self {
            Self::V3(_) => None,
            Self::V4(m) => Some(m.side_staking),
            Self::Adapted(m) => m.adapter.bot.as_deref().and_then(|role| m.role(role)),
        }
    }

    /// Every system contract: `(address-book name, contract name, address)`;
    /// for an adapted build the names are its roles and the contract names
    /// `role (contract)`.
    pub fn system_contracts(&self) -> Vec<(String, String, Address)> {
        let own = |list: &[(&str, &str, Address)]| {
            list.iter().map(|(name, contract, a)| (name.to_string(), contract.to_string(), *a)).collect()
        };
        match self {
            Self::V3(m) => own(&[
                ("ocean", "OceanToken", m.ocean.address),
                ("community_fee_collector", "CommunityFeeCollector", m.community_fee_collector),
                ("datatoken_template", "Datatoken", m.datatoken_template),
                ("datatoken_factory", "DatatokenFactory", m.datatoken_factory),
                ("pool_template", "WeightedPool", m.pool_template),
                ("pool_factory", "PoolFactory", m.pool_factory),
            ]),
            Self::V4(m) => own(&[
                ("ocean", "OceanToken", m.ocean.address),
                ("community_fee_collector", "CommunityFeeCollector", m.community_fee_collector),
                ("pool_factory", "PoolV4Factory", m.factory),
                ("side_staking", "SideStaking", m.side_staking),
            ]),
            Self::Adapted(m) => m
                .roles
                .iter()
                .map(|(role, address)| {
                    let contract = m.adapter.roles.get(role).map_or("OceanToken", String::as_str);
                    (role.clone(), format!("{role} ({contract})"), *address)
                })
                .collect(),
        }
    }

    /// The contract names of a pool and of its datatoken, for the project's own builds.
    pub fn pool_contracts(&self) -> (Option<&'static str>, Option<&'static str>) {
        match self {
            Self::V3(_) => (Some("WeightedPool"), Some("Datatoken")),
            Self::V4(_) => (Some("PoolV4"), Some("DatatokenV4")),
            Self::Adapted(_) => (None, None),
        }
    }

    /// keccak256 of the runtime code of every system contract, for run.json
    /// (keyed by contract name; by `role (contract)` for an adapted build).
    pub fn code_hashes(&self, chain: &mut SimChain) -> Result<BTreeMap<String, B256>> {
        self.system_contracts()
            .into_iter()
            .map(|(_, contract, address)| Ok((contract, keccak256(chain.code(address)?))))
            .collect()
    }

    /// Variables an adapted operation on `pool` receives.
    fn pool_vars(pool: &PoolInfo) -> Vars {
        Vars::default().with("pool", pool.address).with("datatoken", pool.datatoken)
    }

    /// The target and calldata of the spot-price read of `pool` (OCEAN per DT, no fee), for batching.
    pub fn spot_price_call(&self, pool: &PoolInfo) -> (Address, Bytes) {
        let ocean = self.ocean().address;
        let typed = || {
            let call = super::contracts::v3::WeightedPool::getSpotPriceSansFeeCall {
                tokenIn: ocean,
                tokenOut: pool.datatoken,
            };
            (pool.address, call.abi_encode().into())
        };
        match self {
            Self::V3(_) | Self::V4(_) => typed(),
            Self::Adapted(m) => {
                let vars = Self::pool_vars(pool).with("token_in", ocean).with("token_out", pool.datatoken);
                m.view_call("spot_price", &vars).unwrap_or_else(typed)
            }
        }
    }

    /// The target and calldata that read `pool`'s balance of `token`, for batching:
    /// the adapter's `pool_balance` when it has one, else ERC20 `balanceOf`.
    pub fn pool_balance_call(&self, pool: &PoolInfo, token: Address) -> (Address, Bytes) {
        let erc20 = || (token, crate::wallet::Erc20::balanceOfCall { who: pool.address }.abi_encode().into());
        match self {
            Self::Adapted(m) => {
                m.view_call("pool_balance", &Self::pool_vars(pool).with("token", token)).unwrap_or_else(erc20)
            }
            _ => erc20(),
        }
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
            Self::Adapted(m) => {
                let vars = asset_vars(spec)?;
                m.run(chain, "create_asset", wallet.address, vars)
                    .map(|out| (out.address("datatoken"), out.address("pool")))
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
        self.swap_exact_in(chain, wallet, pool, self.ocean().address, ocean_in, pool.datatoken)
    }

    /// Swap exactly `amount_in` of `token_in` (OCEAN or the pool's datatoken)
    /// for the other token, with no limit; returns the amount received.
    fn swap_exact_in(
        &self,
        chain: &mut SimChain,
        wallet: &AgentWallet,
        pool: &PoolInfo,
        token_in: Address,
        amount_in: U256,
        token_out: Address,
    ) -> Result<U256> {
        match self {
            Self::V3(_) => {
                wallet.swap_exact_in(chain, pool.address, token_in, amount_in, token_out, U256::ZERO)
            }
            Self::V4(_) => wallet.swap_exact_in_v4(chain, pool.address, token_in, amount_in, token_out),
            Self::Adapted(m) => {
                let vars = Self::pool_vars(pool)
                    .with("token_in", token_in)
                    .with("amount_in", amount_in)
                    .with("token_out", token_out)
                    .with("min_out", U256::ZERO);
                m.run(chain, "swap_exact_in", wallet.address, vars).map(|out| out.uint("amount_out"))
            }
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
            Self::Adapted(m) => {
                let vars = Self::pool_vars(pool)
                    .with("token_in", ocean)
                    .with("max_in", max_ocean)
                    .with("token_out", pool.datatoken)
                    .with("amount_out", dt_out);
                m.run(chain, "swap_exact_out", wallet.address, vars).map(|out| out.uint("amount_in"))
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
        self.swap_exact_in(chain, wallet, pool, pool.datatoken, dt_in, self.ocean().address)
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
            Self::Adapted(m) => m
                .run(chain, "stake", wallet.address, Self::pool_vars(pool).with("ocean_in", ocean_in))
                .map(|out| out.uint("shares")),
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
            Self::Adapted(m) => m
                .run(chain, "unstake", wallet.address, Self::pool_vars(pool).with("shares", shares))
                .map(|out| out.uint("ocean_out")),
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
            Self::Adapted(m) => {
                let one = U256::from(10u64.pow(18));
                m.run(chain, "consume", wallet.address, Self::pool_vars(pool).with("amount", one)).map(|_| ())
            }
        }
    }

    /// Claim vested premine datatokens (V4 designs; nothing on V3).
    pub fn claim_vesting(&self, chain: &mut SimChain, wallet: &AgentWallet, pool: &PoolInfo) -> Result<U256> {
        match self {
            Self::V3(_) => Ok(U256::ZERO),
            Self::V4(m) => wallet.claim_vesting(chain, m, pool.datatoken),
            Self::Adapted(m) if m.adapter.has_op("claim_vesting") => m
                .run(chain, "claim_vesting", wallet.address, Self::pool_vars(pool))
                .map(|out| out.uint("claimed")),
            Self::Adapted(_) => Ok(U256::ZERO),
        }
    }

    /// Spot price of `pool`'s datatoken in OCEAN, without fees.
    pub fn spot_price(&self, chain: &mut SimChain, pool: &PoolInfo) -> Result<U256> {
        let (to, data) = self.spot_price_call(pool);
        let output = chain.call(alloy_primitives::Address::ZERO, to, data)?.into_output()?;
        Ok(U256::try_from_be_slice(output.get(..32).unwrap_or_default()).unwrap_or_default())
    }
}

/// The `create_asset` parameters of an adapted market, in base units.
fn asset_vars(spec: &AssetSpec) -> anyhow::Result<Vars> {
    let amount = |x: f64| to_base18(x);
    Ok(Vars::default()
        .with("name", spec.name.clone())
        .with("symbol", spec.symbol.clone())
        .with("cap", amount(spec.cap)?)
        .with("dt_mint", amount(spec.dt_mint)?)
        .with("dt_in_pool", amount(spec.dt_in_pool)?)
        .with("dt_weight", amount(spec.dt_weight)?)
        .with("ocean_in_pool", amount(spec.ocean_in_pool)?)
        .with("ocean_weight", amount(spec.ocean_weight)?)
        .with("swap_fee", amount(spec.swap_fee)?)
        .with("rate", amount(spec.rate)?)
        .with("vesting_amount", amount(spec.vesting_amount)?)
        .with("vesting_blocks", U256::from(spec.vesting_blocks))
        .with("publish_market_fee", amount(spec.publish_market_fee)?)
        .with("dt_start_weight", amount(spec.dt_start_weight)?)
        .with("ocean_start_weight", amount(spec.ocean_start_weight)?)
        .with("burn_in_seconds", U256::from(spec.burn_in_seconds))
        .with("soft_cap", amount(spec.soft_cap)?)
        .with("fee_slope", amount(spec.fee_slope)?)
        .with("volume_half_life_seconds", U256::from(spec.volume_half_life_seconds)))
}
