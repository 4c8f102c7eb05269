// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// @title BalancerMath
/// @notice Fixed-point arithmetic and the closed-form pricing formulas of the
/// Balancer V1 weighted pool (the Ocean V3 AMM), written from the project's
/// spec (/work/shared/ocean.md).
/// @dev All amounts are 18-decimal fixed point (`ONE = 1e18`). Multiplication
/// and division round half up; every overflow is caught explicitly so that it
/// reverts with a Balancer-style reason string instead of a Solidity panic.
/// The primitives and formulas are `public pure` so that tests can call them
/// on any deployed pool or on `BalancerMathHarness`.
abstract contract BalancerMath {
    // ---------------------------------------------------------------------
    // Constants
    // ---------------------------------------------------------------------

    uint256 public constant ONE = 1e18;

    uint256 public constant MIN_BOUND_TOKENS = 2;
    uint256 public constant MAX_BOUND_TOKENS = 8;

    uint256 public constant MIN_FEE = ONE / 1e6;
    uint256 public constant MAX_FEE = ONE / 10;
    /// Balancer V1 charges no exit fee; kept as a named constant so that the
    /// single-sided exit formulas read like the spec.
    uint256 public constant EXIT_FEE = 0;

    uint256 public constant MIN_WEIGHT = ONE;
    uint256 public constant MAX_WEIGHT = ONE * 50;
    uint256 public constant MAX_TOTAL_WEIGHT = ONE * 50;
    uint256 public constant MIN_BALANCE = ONE / 1e12;

    uint256 public constant INIT_POOL_SUPPLY = ONE * 100;

    uint256 public constant MIN_BPOW_BASE = 1 wei;
    uint256 public constant MAX_BPOW_BASE = (2 * ONE) - 1 wei;
    uint256 public constant BPOW_PRECISION = ONE / 1e10;

    uint256 public constant MAX_IN_RATIO = ONE / 2;
    uint256 public constant MAX_OUT_RATIO = (ONE / 3) + 1 wei;

    // ---------------------------------------------------------------------
    // Fixed-point primitives
    // ---------------------------------------------------------------------

    /// @dev Whole part of a fixed-point number, as a plain integer.
    function btoi(uint256 a) internal pure returns (uint256) {
        return a / ONE;
    }

    /// @dev Whole part of a fixed-point number, as a fixed-point number.
    function bfloor(uint256 a) internal pure returns (uint256) {
        return btoi(a) * ONE;
    }

    function badd(uint256 a, uint256 b) internal pure returns (uint256 c) {
        unchecked {
            c = a + b;
        }
        require(c >= a, "ERR_ADD_OVERFLOW");
    }

    function bsub(uint256 a, uint256 b) internal pure returns (uint256) {
        (uint256 c, bool negative) = bsubSign(a, b);
        require(!negative, "ERR_SUB_UNDERFLOW");
        return c;
    }

    /// @dev |a - b| and whether a - b is negative.
    function bsubSign(uint256 a, uint256 b) internal pure returns (uint256, bool) {
        unchecked {
            if (a >= b) {
                return (a - b, false);
            }
            return (b - a, true);
        }
    }

    /// @notice Fixed-point product, rounded half up: (a*b + ONE/2) / ONE.
    function bmul(uint256 a, uint256 b) public pure returns (uint256) {
        unchecked {
            uint256 c0 = a * b;
            require(a == 0 || c0 / a == b, "ERR_MUL_OVERFLOW");
            uint256 c1 = c0 + (ONE / 2);
            require(c1 >= c0, "ERR_MUL_OVERFLOW");
            return c1 / ONE;
        }
    }

    /// @notice Fixed-point quotient, rounded half up: (a*ONE + b/2) / b.
    function bdiv(uint256 a, uint256 b) public pure returns (uint256) {
        require(b != 0, "ERR_DIV_ZERO");
        unchecked {
            uint256 c0 = a * ONE;
            require(a == 0 || c0 / a == ONE, "ERR_DIV_INTERNAL");
            uint256 c1 = c0 + (b / 2);
            require(c1 >= c0, "ERR_DIV_INTERNAL");
            return c1 / b;
        }
    }

    /// @notice base^n for a fixed-point base and a plain-integer exponent,
    /// by square-and-multiply with bmul at every step.
    function bpowi(uint256 base, uint256 n) public pure returns (uint256 result) {
        result = (n % 2 != 0) ? base : ONE;
        for (n /= 2; n != 0; n /= 2) {
            base = bmul(base, base);
            if (n % 2 != 0) {
                result = bmul(result, base);
            }
        }
    }

    /// @notice base^exp for fixed-point base and exponent.
    /// @dev The whole part of `exp` goes through `bpowi`, the fractional part
    /// through the binomial series of `bpowApprox`; the two are multiplied.
    function bpow(uint256 base, uint256 exp) public pure returns (uint256) {
        require(base >= MIN_BPOW_BASE, "ERR_BPOW_BASE_TOO_LOW");
        require(base <= MAX_BPOW_BASE, "ERR_BPOW_BASE_TOO_HIGH");

        uint256 whole = bfloor(exp);
        uint256 fraction = bsub(exp, whole);

        uint256 wholePow = bpowi(base, btoi(whole));
        if (fraction == 0) {
            return wholePow;
        }
        uint256 fractionPow = bpowApprox(base, fraction, BPOW_PRECISION);
        return bmul(wholePow, fractionPow);
    }

    /// @notice base^exp for a fractional exponent (exp < ONE) by the binomial
    /// series (1 + x)^a = sum_k C(a,k) x^k with x = base - 1.
    /// @dev Term k is obtained from term k-1 as
    /// term_k = term_{k-1} * (a - (k-1)) * x / k, with magnitudes kept
    /// unsigned and the sign tracked separately. A term is added to the sum
    /// before the loop tests it, so the loop stops right after adding the
    /// first term whose magnitude is below `precision` (or that is zero).
    function bpowApprox(uint256 base, uint256 exp, uint256 precision) public pure returns (uint256 sum) {
        (uint256 x, bool xNegative) = bsubSign(base, ONE);
        uint256 term = ONE;
        sum = term;
        bool negative = false;

        for (uint256 k = 1; term >= precision; k++) {
            uint256 bigK = k * ONE;
            (uint256 c, bool cNegative) = bsubSign(exp, bsub(bigK, ONE));
            term = bmul(term, bmul(c, x));
            term = bdiv(term, bigK);
            if (term == 0) {
                break;
            }
            if (xNegative) {
                negative = !negative;
            }
            if (cNegative) {
                negative = !negative;
            }
            if (negative) {
                sum = bsub(sum, term);
            } else {
                sum = badd(sum, term);
            }
        }
    }

    // ---------------------------------------------------------------------
    // Pricing formulas (b balance, w denormalised weight, W total weight,
    // S share supply, f swap fee)
    // ---------------------------------------------------------------------

    /// @notice Spot price of tokenOut in units of tokenIn, fee included:
    /// (bI/wI) / (bO/wO) * 1/(1-f).
    function calcSpotPrice(
        uint256 tokenBalanceIn,
        uint256 tokenWeightIn,
        uint256 tokenBalanceOut,
        uint256 tokenWeightOut,
        uint256 swapFee
    ) public pure returns (uint256 spotPrice) {
        uint256 numer = bdiv(tokenBalanceIn, tokenWeightIn);
        uint256 denom = bdiv(tokenBalanceOut, tokenWeightOut);
        uint256 ratio = bdiv(numer, denom);
        uint256 scale = bdiv(ONE, bsub(ONE, swapFee));
        return bmul(ratio, scale);
    }

    /// @notice aO = bO * (1 - (bI / (bI + aI*(1-f)))^(wI/wO)).
    function calcOutGivenIn(
        uint256 tokenBalanceIn,
        uint256 tokenWeightIn,
        uint256 tokenBalanceOut,
        uint256 tokenWeightOut,
        uint256 tokenAmountIn,
        uint256 swapFee
    ) public pure returns (uint256 tokenAmountOut) {
        uint256 weightRatio = bdiv(tokenWeightIn, tokenWeightOut);
        uint256 adjustedIn = bmul(tokenAmountIn, bsub(ONE, swapFee));
        uint256 y = bdiv(tokenBalanceIn, badd(tokenBalanceIn, adjustedIn));
        uint256 foo = bpow(y, weightRatio);
        uint256 bar = bsub(ONE, foo);
        return bmul(tokenBalanceOut, bar);
    }

    /// @notice aI = bI * ((bO / (bO - aO))^(wO/wI) - 1) / (1-f).
    function calcInGivenOut(
        uint256 tokenBalanceIn,
        uint256 tokenWeightIn,
        uint256 tokenBalanceOut,
        uint256 tokenWeightOut,
        uint256 tokenAmountOut,
        uint256 swapFee
    ) public pure returns (uint256 tokenAmountIn) {
        uint256 weightRatio = bdiv(tokenWeightOut, tokenWeightIn);
        uint256 diff = bsub(tokenBalanceOut, tokenAmountOut);
        uint256 y = bdiv(tokenBalanceOut, diff);
        uint256 foo = bsub(bpow(y, weightRatio), ONE);
        return bdiv(bmul(tokenBalanceIn, foo), bsub(ONE, swapFee));
    }

    /// @notice Shares out for a single-token deposit:
    /// P = S * ((1 + aI*(1-f')/bI)^(wI/W) - 1), with f' = (1 - wI/W) * f.
    function calcPoolOutGivenSingleIn(
        uint256 tokenBalanceIn,
        uint256 tokenWeightIn,
        uint256 poolSupply,
        uint256 totalWeight,
        uint256 tokenAmountIn,
        uint256 swapFee
    ) public pure returns (uint256 poolAmountOut) {
        // Only the part of the deposit that is implicitly swapped into the
        // other tokens pays the fee: f' = (1 - wI/W) * f.
        uint256 normalizedWeight = bdiv(tokenWeightIn, totalWeight);
        uint256 feeShare = bmul(bsub(ONE, normalizedWeight), swapFee);
        uint256 tokenAmountInAfterFee = bmul(tokenAmountIn, bsub(ONE, feeShare));

        uint256 newTokenBalanceIn = badd(tokenBalanceIn, tokenAmountInAfterFee);
        uint256 tokenInRatio = bdiv(newTokenBalanceIn, tokenBalanceIn);

        uint256 poolRatio = bpow(tokenInRatio, normalizedWeight);
        uint256 newPoolSupply = bmul(poolRatio, poolSupply);
        return bsub(newPoolSupply, poolSupply);
    }

    /// @notice Single-token deposit needed for P shares out:
    /// aI = bI * (((S+P)/S)^(W/wI) - 1) / (1-f').
    function calcSingleInGivenPoolOut(
        uint256 tokenBalanceIn,
        uint256 tokenWeightIn,
        uint256 poolSupply,
        uint256 totalWeight,
        uint256 poolAmountOut,
        uint256 swapFee
    ) public pure returns (uint256 tokenAmountIn) {
        uint256 normalizedWeight = bdiv(tokenWeightIn, totalWeight);
        uint256 newPoolSupply = badd(poolSupply, poolAmountOut);
        uint256 poolRatio = bdiv(newPoolSupply, poolSupply);

        uint256 inverseWeight = bdiv(ONE, normalizedWeight);
        uint256 tokenInRatio = bpow(poolRatio, inverseWeight);
        uint256 newTokenBalanceIn = bmul(tokenInRatio, tokenBalanceIn);
        uint256 tokenAmountInAfterFee = bsub(newTokenBalanceIn, tokenBalanceIn);

        uint256 feeShare = bmul(bsub(ONE, normalizedWeight), swapFee);
        return bdiv(tokenAmountInAfterFee, bsub(ONE, feeShare));
    }

    /// @notice Single-token withdrawal for P shares in (no exit fee):
    /// aO = bO * (1 - ((S-P)/S)^(W/wO)) * (1-f').
    function calcSingleOutGivenPoolIn(
        uint256 tokenBalanceOut,
        uint256 tokenWeightOut,
        uint256 poolSupply,
        uint256 totalWeight,
        uint256 poolAmountIn,
        uint256 swapFee
    ) public pure returns (uint256 tokenAmountOut) {
        uint256 normalizedWeight = bdiv(tokenWeightOut, totalWeight);
        uint256 poolAmountInAfterExitFee = bmul(poolAmountIn, bsub(ONE, EXIT_FEE));
        uint256 newPoolSupply = bsub(poolSupply, poolAmountInAfterExitFee);
        uint256 poolRatio = bdiv(newPoolSupply, poolSupply);

        uint256 tokenOutRatio = bpow(poolRatio, bdiv(ONE, normalizedWeight));
        uint256 newTokenBalanceOut = bmul(tokenOutRatio, tokenBalanceOut);
        uint256 tokenAmountOutBeforeSwapFee = bsub(tokenBalanceOut, newTokenBalanceOut);

        uint256 feeShare = bmul(bsub(ONE, normalizedWeight), swapFee);
        return bmul(tokenAmountOutBeforeSwapFee, bsub(ONE, feeShare));
    }

    /// @notice Shares in for a single-token withdrawal (no exit fee):
    /// P = S * (1 - (1 - aO/((1-f')*bO))^(wO/W)).
    function calcPoolInGivenSingleOut(
        uint256 tokenBalanceOut,
        uint256 tokenWeightOut,
        uint256 poolSupply,
        uint256 totalWeight,
        uint256 tokenAmountOut,
        uint256 swapFee
    ) public pure returns (uint256 poolAmountIn) {
        uint256 normalizedWeight = bdiv(tokenWeightOut, totalWeight);
        uint256 feeShare = bmul(bsub(ONE, normalizedWeight), swapFee);
        uint256 tokenAmountOutBeforeSwapFee = bdiv(tokenAmountOut, bsub(ONE, feeShare));

        uint256 newTokenBalanceOut = bsub(tokenBalanceOut, tokenAmountOutBeforeSwapFee);
        uint256 tokenOutRatio = bdiv(newTokenBalanceOut, tokenBalanceOut);

        uint256 poolRatio = bpow(tokenOutRatio, normalizedWeight);
        uint256 newPoolSupply = bmul(poolRatio, poolSupply);
        uint256 poolAmountInAfterExitFee = bsub(poolSupply, newPoolSupply);
        return bdiv(poolAmountInAfterExitFee, bsub(ONE, EXIT_FEE));
    }
}
