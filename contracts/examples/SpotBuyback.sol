// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

import "../v3/IERC20Minimal.sol";

/// @title FairPool
/// @notice A correct two-token constant-product pool (x·y = k, 0.3% fee on
/// the input), the market that `SpotBuyback` and `FixedBuyback` read their
/// price from. It keeps the reserves it had when the current block began
/// (updated at the first trade of a block), a price one transaction cannot move.
contract FairPool {
    /// @notice The two tokens of the pool.
    IERC20Minimal public immutable token0;
    IERC20Minimal public immutable token1;
    /// @notice What the pool holds of each token.
    uint256 public reserve0;
    uint256 public reserve1;
    /// @notice The reserves as the block `openedAt` began.
    uint256 public open0;
    uint256 public open1;
    uint256 public openedAt;

    /// @notice The token given is neither token0 nor token1.
    error UnknownToken(address token);
    /// @notice A deposit or trade of nothing.
    error ZeroAmount();

    /// @param tokenA token0.
    /// @param tokenB token1.
    constructor(IERC20Minimal tokenA, IERC20Minimal tokenB) {
        token0 = tokenA;
        token1 = tokenB;
    }

    /// @notice Deposit both tokens (approved first); no shares: liquidity here is a gift.
    function addLiquidity(uint256 amount0, uint256 amount1) external {
        if (amount0 == 0 || amount1 == 0) revert ZeroAmount();
        _open();
        token0.transferFrom(msg.sender, address(this), amount0);
        token1.transferFrom(msg.sender, address(this), amount1);
        reserve0 += amount0;
        reserve1 += amount1;
    }

    /// @notice Pay `amountIn` of `tokenIn` (approved first), receive the
    /// other token: out = in' * reserveOut / (reserveIn + in'), in' = in * 997 / 1000.
    function swap(address tokenIn, uint256 amountIn) external returns (uint256 amountOut) {
        if (amountIn == 0) revert ZeroAmount();
        bool zeroIn = tokenIn == address(token0);
        if (!zeroIn && tokenIn != address(token1)) revert UnknownToken(tokenIn);
        _open();
        (uint256 reserveIn, uint256 reserveOut) = zeroIn ? (reserve0, reserve1) : (reserve1, reserve0);
        uint256 inAfterFee = amountIn * 997;
        amountOut = (inAfterFee * reserveOut) / (reserveIn * 1000 + inAfterFee);
        if (amountOut == 0) revert ZeroAmount();
        IERC20Minimal(tokenIn).transferFrom(msg.sender, address(this), amountIn);
        (zeroIn ? token1 : token0).transfer(msg.sender, amountOut);
        if (zeroIn) {
            reserve0 += amountIn;
            reserve1 -= amountOut;
        } else {
            reserve1 += amountIn;
            reserve0 -= amountOut;
        }
    }

    /// @notice token0 per token1 (×1e18) now: moved by every trade.
    function spotPrice() external view returns (uint256) {
        return (reserve0 * 1e18) / reserve1;
    }

    /// @notice token0 per token1 (×1e18) as the current block began.
    function openingPrice() external view returns (uint256) {
        if (openedAt == block.number) return (open0 * 1e18) / open1;
        return (reserve0 * 1e18) / reserve1;
    }

    function _open() private {
        if (openedAt != block.number) {
            (open0, open1, openedAt) = (reserve0, reserve1, block.number);
        }
    }
}

/// @title Buyback
/// @notice A treasury of token0 that buys token1 back from anyone, at most
/// `maxPerCall` per call, at a price read from a `FairPool`. Which price is
/// the whole difference between the two contracts below.
abstract contract Buyback {
    /// @notice The pool the price comes from.
    FairPool public immutable pool;
    /// @notice The most token1 one call buys.
    uint256 public immutable maxPerCall;

    /// @notice The amount exceeds `maxPerCall`, or is zero.
    error BadAmount(uint256 amount);

    /// @param market The pool to read the price from.
    /// @param cap The most token1 bought per call.
    constructor(FairPool market, uint256 cap) {
        pool = market;
        maxPerCall = cap;
    }

    /// @notice Sell `amount` token1 (approved first) to the treasury for
    /// `amount * price() / 1e18` token0.
    function sell(uint256 amount) external returns (uint256 paid) {
        if (amount == 0 || amount > maxPerCall) revert BadAmount(amount);
        paid = (amount * price()) / 1e18;
        pool.token1().transferFrom(msg.sender, address(this), amount);
        pool.token0().transfer(msg.sender, paid);
    }

    /// @notice token0 paid per token1, ×1e18.
    function price() public view virtual returns (uint256);
}

/// @title SpotBuyback
/// @notice DELIBERATELY VULNERABLE, for the attack-search test
/// (tests/attack.rs): it pays the pool's *spot* price, which the seller can
/// move in the same block. Buy token1 in the pool (the spot price rises),
/// sell `maxPerCall` to the treasury at that price, sell the rest back to the
/// pool: three ordinary calls that drain the treasury. Never deploy this.
contract SpotBuyback is Buyback {
    constructor(FairPool market, uint256 cap) Buyback(market, cap) {}

    /// @inheritdoc Buyback
    function price() public view override returns (uint256) {
        return pool.spotPrice();
    }
}

/// @title FixedBuyback
/// @notice The fixed twin of `SpotBuyback`: it pays the price the pool had
/// when the block began, which no trade in this block can move.
contract FixedBuyback is Buyback {
    constructor(FairPool market, uint256 cap) Buyback(market, cap) {}

    /// @inheritdoc Buyback
    function price() public view override returns (uint256) {
        return pool.openingPrice();
    }
}
