//! ERC20 transfers: [`Chain::transact`] against bare revm on the same
//! bytecode and the same transaction list.

use crate::artifacts::own_artifact;
use crate::chain::{address_for, Backend, Chain, RawEvm, GOD};
use crate::wallet::Erc20;
use alloy_primitives::{Address, Bytes, TxKind, U256};
use alloy_sol_types::SolCall;
use std::time::Instant;

alloy_sol_types::sol! {
    /// The owner-only mint of the example `ReserveToken` the bench transfers.
    interface Mintable {
        function mint(address to, uint256 amount) external;
    }
}

/// Rates measured by [`erc20_transfers`].
#[derive(Debug, Clone)]
pub struct Erc20Report {
    /// Transfers timed per round.
    pub transfers: usize,
    /// Transfers per second through [`Chain::transact`].
    pub chain_tx_per_s: f64,
    /// Transfers per second through bare revm.
    pub raw_tx_per_s: f64,
}

impl Erc20Report {
    /// `chain / raw`: 1.0 means the chain adds nothing to revm's own cost.
    pub fn ratio(&self) -> f64 {
        self.chain_tx_per_s / self.raw_tx_per_s
    }
}

impl std::fmt::Display for Erc20Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "ERC20 transfers ({} per round, best of rounds)", self.transfers)?;
        writeln!(f, "  chain.transact   {:>10.0} tx/s", self.chain_tx_per_s)?;
        writeln!(f, "  bare revm        {:>10.0} tx/s", self.raw_tx_per_s)?;
        write!(f, "  ratio chain/raw  {:>10.3}   (target >= 0.8)", self.ratio())
    }
}

/// A deterministic list of `(from, calldata)` transfers among `holders`.
fn transfer_list(holders: &[Address], count: usize) -> Vec<(Address, Bytes)> {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..count)
        .map(|_| {
            let from = holders[(next() % holders.len() as u64) as usize];
            let to = holders[(next() % holders.len() as u64) as usize];
            let amount = U256::from(next() % 1_000);
            (from, Erc20::transferCall { to, amount }.abi_encode().into())
        })
        .collect()
}

/// Time `transfers` ERC20 transfers among `holders` EOAs through the chain
/// and through bare revm, and check both end with the same balances.
pub fn erc20_transfers(holders: usize, transfers: usize, rounds: usize) -> anyhow::Result<Erc20Report> {
    let artifact = own_artifact("ReserveToken")?;
    let init = artifact.init_code_from_strs(&["Bench", "BNCH", "0"])?;
    let accounts: Vec<Address> = (0..holders).map(|i| address_for(&format!("bench-{i}"))).collect();
    let mints: Vec<(Address, Bytes)> = accounts
        .iter()
        .map(|to| {
            (GOD, Mintable::mintCall { to: *to, amount: U256::from(10u64.pow(12)) }.abi_encode().into())
        })
        .collect();
    let list = transfer_list(&accounts, transfers);

    let mut chain = Chain::new();
    let token = chain.deploy_contract(GOD, init.clone())?;
    for (from, data) in &mints {
        chain.transact(*from, token, data.clone(), U256::ZERO)?.into_output()?;
    }
    let start = chain.snapshot()?;
    let (mut chain_best, mut raw_best) = (f64::INFINITY, f64::INFINITY);
    let (mut chain_ok, mut raw_ok) = (0, 0);
    // Rounds alternate between the two, so a burst of load hits both alike.
    for _ in 0..rounds.max(1) {
        chain.restore(&start)?;
        let clock = Instant::now();
        chain_ok = list
            .iter()
            .filter(|(from, data)| {
                chain.transact(*from, token, data.clone(), U256::ZERO).is_ok_and(|r| r.is_success())
            })
            .count();
        chain_best = chain_best.min(clock.elapsed().as_secs_f64());

        let mut raw = RawEvm::new();
        let raw_token = raw.transact(GOD, TxKind::Create, init.clone()).1.unwrap_or_default();
        anyhow::ensure!(raw_token == token, "both deploy the token at the same address");
        for (from, data) in &mints {
            raw.transact(*from, TxKind::Call(raw_token), data.clone());
        }
        let clock = Instant::now();
        raw_ok = list
            .iter()
            .filter(|(from, data)| raw.transact(*from, TxKind::Call(raw_token), data.clone()).0)
            .count();
        raw_best = raw_best.min(clock.elapsed().as_secs_f64());
    }
    anyhow::ensure!(chain_ok == raw_ok, "chain ran {chain_ok} transfers but bare revm {raw_ok}");
    anyhow::ensure!(chain_ok * 10 > transfers * 9, "most transfers succeed ({chain_ok} of {transfers})");
    let supply: U256 = accounts
        .iter()
        .map(|who| chain.view(token, &Erc20::balanceOfCall { who: *who }).unwrap_or_default())
        .sum();
    anyhow::ensure!(supply == U256::from(10u64.pow(12)) * U256::from(holders), "balances sum to the supply");

    Ok(Erc20Report {
        transfers,
        chain_tx_per_s: transfers as f64 / chain_best,
        raw_tx_per_s: transfers as f64 / raw_best,
    })
}
