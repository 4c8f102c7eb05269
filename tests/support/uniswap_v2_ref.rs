//! An integer reference of Uniswap V2's pair and router arithmetic, written
//! from the formulas of the V2 whitepaper and the router's documentation
//! (not from the Solidity): swap amounts with the 0.3% fee, the router's
//! optimal deposit, liquidity minted and burnt, and the pair's reserves and
//! share supply as they evolve. All in `U256`, rounding down wherever the
//! formulas divide, so a contract and this reference agree to the wei.
//!
//! The protocol fee (`feeTo`) is not modelled: it is off unless the
//! factory's `feeToSetter` turns it on, and the tests leave it off.
//! Panics (on an empty reserve, an overdrawn pair) are test failures.

// Every test binary that includes this file uses a different subset of it.
#![allow(dead_code)]

use alloy_primitives::U256;

/// Shares locked forever at address zero by the first deposit.
pub(crate) const MINIMUM_LIQUIDITY: u64 = 1000;

/// Fee numerator over [`FEE_DENOMINATOR`]: 997/1000 of an input counts.
const FEE_NUMERATOR: u64 = 997;
const FEE_DENOMINATOR: u64 = 1000;

fn u(value: u64) -> U256 {
    U256::from(value)
}

/// Output for an exact input: the fee-reduced input moves the price along
/// x·y = k, `out = in·997·R_out / (R_in·1000 + in·997)`, rounded down.
pub(crate) fn amount_out(amount_in: U256, reserve_in: U256, reserve_out: U256) -> U256 {
    assert!(amount_in > U256::ZERO && reserve_in > U256::ZERO && reserve_out > U256::ZERO);
    let effective_in = amount_in * u(FEE_NUMERATOR);
    effective_in * reserve_out / (reserve_in * u(FEE_DENOMINATOR) + effective_in)
}

/// Smallest input for an exact output: solve the same curve for the input,
/// `in = R_in·out·1000 / ((R_out − out)·997)`, rounded down, plus one wei.
pub(crate) fn amount_in(amount_out: U256, reserve_in: U256, reserve_out: U256) -> U256 {
    assert!(amount_out > U256::ZERO && reserve_in > U256::ZERO && amount_out < reserve_out);
    reserve_in * amount_out * u(FEE_DENOMINATOR) / ((reserve_out - amount_out) * u(FEE_NUMERATOR)) + u(1)
}

/// The amount of B worth `amount_a` of A at the current reserve ratio, no fee.
pub(crate) fn quote(amount_a: U256, reserve_a: U256, reserve_b: U256) -> U256 {
    amount_a * reserve_b / reserve_a
}

/// What the router deposits for desired amounts: both of them into an empty
/// pair; otherwise all of A and B at the pair's ratio if that fits the
/// desired B, else all of B and A at the ratio.
pub(crate) fn optimal_deposit(
    desired_a: U256,
    desired_b: U256,
    reserve_a: U256,
    reserve_b: U256,
) -> (U256, U256) {
    if reserve_a.is_zero() && reserve_b.is_zero() {
        return (desired_a, desired_b);
    }
    let b_at_ratio = quote(desired_a, reserve_a, reserve_b);
    if b_at_ratio <= desired_b {
        (desired_a, b_at_ratio)
    } else {
        (quote(desired_b, reserve_b, reserve_a), desired_b)
    }
}

/// ⌊√n⌋ by the binary digit-by-digit method.
pub(crate) fn isqrt(n: U256) -> U256 {
    let mut remainder = n;
    let mut root = U256::ZERO;
    // The highest power of four not above n.
    let mut bit = if n.is_zero() { U256::ZERO } else { U256::from(1) << ((n.bit_len() - 1) & !1) };
    while !bit.is_zero() {
        if remainder >= root + bit {
            remainder -= root + bit;
            root = (root >> 1) + bit;
        } else {
            root >>= 1;
        }
        bit >>= 2;
    }
    root
}

/// A pair's state as the reference sees it: reserves of token0 and token1,
/// and the supply of LP shares (the locked minimum included).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct PairRef {
    pub(crate) reserve0: U256,
    pub(crate) reserve1: U256,
    pub(crate) total_supply: U256,
}

impl PairRef {
    /// Deposit `amount0` and `amount1`; the shares the depositor gets. The
    /// first deposit mints √(a0·a1) of which [`MINIMUM_LIQUIDITY`] is locked;
    /// later ones mint min(a0·S/R0, a1·S/R1).
    pub(crate) fn mint(&mut self, amount0: U256, amount1: U256) -> U256 {
        let liquidity = if self.total_supply.is_zero() {
            self.total_supply = u(MINIMUM_LIQUIDITY);
            isqrt(amount0 * amount1) - u(MINIMUM_LIQUIDITY)
        } else {
            let by0 = amount0 * self.total_supply / self.reserve0;
            let by1 = amount1 * self.total_supply / self.reserve1;
            by0.min(by1)
        };
        assert!(liquidity > U256::ZERO, "insufficient liquidity minted");
        self.reserve0 += amount0;
        self.reserve1 += amount1;
        self.total_supply += liquidity;
        liquidity
    }

    /// Burn `liquidity` shares; the amounts of token0 and token1 paid out,
    /// each share·reserve/supply rounded down.
    pub(crate) fn burn(&mut self, liquidity: U256) -> (U256, U256) {
        let amount0 = liquidity * self.reserve0 / self.total_supply;
        let amount1 = liquidity * self.reserve1 / self.total_supply;
        self.reserve0 -= amount0;
        self.reserve1 -= amount1;
        self.total_supply -= liquidity;
        (amount0, amount1)
    }

    /// Reserves as (in, out) for a swap selling token0 (`zero_for_one`) or token1.
    pub(crate) fn reserves_in_out(&self, zero_for_one: bool) -> (U256, U256) {
        if zero_for_one {
            (self.reserve0, self.reserve1)
        } else {
            (self.reserve1, self.reserve0)
        }
    }

    /// A swap paid `amount_in` of one token and sent `amount_out` of the
    /// other; the reserves follow the balances.
    pub(crate) fn swap(&mut self, zero_for_one: bool, amount_in: U256, amount_out: U256) {
        if zero_for_one {
            self.reserve0 += amount_in;
            self.reserve1 -= amount_out;
        } else {
            self.reserve1 += amount_in;
            self.reserve0 -= amount_out;
        }
    }

    /// The constant product R0·R1.
    pub(crate) fn k(&self) -> U256 {
        self.reserve0 * self.reserve1
    }
}

#[test]
fn isqrt_is_the_floor_of_the_square_root() {
    for n in [0u64, 1, 2, 3, 4, 15, 16, 17, 99, 100, 1 << 40, u64::MAX] {
        let root = isqrt(U256::from(n));
        assert!(root * root <= U256::from(n) && (root + u(1)) * (root + u(1)) > U256::from(n), "{n}");
    }
    let big = U256::from(4_000_000u64) * U256::from(10u64).pow(U256::from(36));
    assert_eq!(isqrt(big), U256::from(2000u64) * U256::from(10u64).pow(U256::from(18)));
    assert_eq!(isqrt(U256::MAX), U256::from(u128::MAX));
}

#[test]
fn amount_in_buys_the_output_and_overpays_by_at_most_one_wei() {
    // floor(N/D) + 1 is the least input, or one more when D divides N.
    let (r_in, r_out) = (U256::from(1_000_000_007u64), U256::from(3_000_000_019u64));
    for out in [1u64, 2, 999, 123_456, 2_000_000_000] {
        let (out, input) = (U256::from(out), amount_in(U256::from(out), r_in, r_out));
        assert!(amount_out(input, r_in, r_out) >= out, "{out}");
        assert!(input <= u(2) || amount_out(input - u(2), r_in, r_out) < out, "{out}");
    }
}
