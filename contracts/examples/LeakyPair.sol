// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

import "../tokens/ERC20.sol";
import "../v3/IERC20Minimal.sol";

/// @title LeakyPair
/// @notice A two-token constant-product pool with a deliberate, plain bug,
/// for tests of invariants: `swap` takes the 0.3% fee, then pays the rest of
/// the input out at the *spot* price, reserveOut / reserveIn, forgetting
/// that the price moves along the curve during the trade. A correct pool pays
///     out = in' * reserveOut / (reserveIn + in'),   in' = in * 997 / 1000,
/// and never lowers reserve0 * reserve1; this one pays
///     out = in' * reserveOut / reserveIn,
/// more than x·y = k allows: the product falls whenever a trade is larger
/// than about 0.3% of the input reserve (the fee no longer covers the gap).
/// Liquidity works as in Uniswap V2 (without the locked minimum): the pool is
/// its own ERC20 of LP shares, minted in proportion to the deposit.
contract LeakyPair is ERC20 {
    /// @notice The two tokens of the pool.
    IERC20Minimal public immutable token0;
    IERC20Minimal public immutable token1;
    /// @notice What the pool holds of each token (it ignores donations).
    uint256 public reserve0;
    uint256 public reserve1;

    /// @notice `provider` deposited the amounts and received `shares`.
    event Mint(address indexed provider, uint256 amount0, uint256 amount1, uint256 shares);
    /// @notice `provider` burnt `shares` and received the amounts.
    event Burn(address indexed provider, uint256 amount0, uint256 amount1, uint256 shares);
    /// @notice `trader` paid `amountIn` of `tokenIn` and received `amountOut` of the other token.
    event Swap(address indexed trader, address indexed tokenIn, uint256 amountIn, uint256 amountOut);

    /// @notice The token given is neither token0 nor token1.
    error UnknownToken(address token);
    /// @notice A deposit, withdrawal or trade of nothing.
    error ZeroAmount();

    /// @param tokenA One token of the pool (token0).
    /// @param tokenB The other (token1).
    constructor(IERC20Minimal tokenA, IERC20Minimal tokenB) {
        _name = "LeakyPair LP";
        _symbol = "LEAKY-LP";
        token0 = tokenA;
        token1 = tokenB;
    }

    /// @notice Both reserves, as Uniswap's getReserves lists them.
    function getReserves() external view returns (uint256, uint256) {
        return (reserve0, reserve1);
    }

    /// @notice Deposit both tokens (the caller approved them); the first
    /// deposit mints sqrt(amount0 * amount1) shares, later ones the smaller
    /// of the two proportional amounts, rounded down.
    function addLiquidity(uint256 amount0, uint256 amount1) external returns (uint256 shares) {
        if (amount0 == 0 || amount1 == 0) revert ZeroAmount();
        shares = totalSupply == 0
            ? _sqrt(amount0 * amount1)
            : _min((amount0 * totalSupply) / reserve0, (amount1 * totalSupply) / reserve1);
        if (shares == 0) revert ZeroAmount();
        token0.transferFrom(msg.sender, address(this), amount0);
        token1.transferFrom(msg.sender, address(this), amount1);
        reserve0 += amount0;
        reserve1 += amount1;
        _mint(msg.sender, shares);
        emit Mint(msg.sender, amount0, amount1, shares);
    }

    /// @notice Burn `shares` for their part of both reserves, rounded down.
    function removeLiquidity(uint256 shares) external returns (uint256 amount0, uint256 amount1) {
        if (shares == 0) revert ZeroAmount();
        amount0 = (shares * reserve0) / totalSupply;
        amount1 = (shares * reserve1) / totalSupply;
        _burn(msg.sender, shares);
        reserve0 -= amount0;
        reserve1 -= amount1;
        token0.transfer(msg.sender, amount0);
        token1.transfer(msg.sender, amount1);
        emit Burn(msg.sender, amount0, amount1, shares);
    }

    /// @notice Sell `amountIn` of `tokenIn` (approved) for the other token.
    function swap(address tokenIn, uint256 amountIn) external returns (uint256 amountOut) {
        if (amountIn == 0) revert ZeroAmount();
        bool zeroForOne;
        if (tokenIn == address(token0)) {
            zeroForOne = true;
        } else if (tokenIn != address(token1)) {
            revert UnknownToken(tokenIn);
        }
        (uint256 reserveIn, uint256 reserveOut) = zeroForOne ? (reserve0, reserve1) : (reserve1, reserve0);
        uint256 afterFee = (amountIn * 997) / 1000;
        // THE BUG: the whole trade at the spot price; the curve would divide
        // by (reserveIn + afterFee) instead.
        amountOut = (afterFee * reserveOut) / reserveIn;
        IERC20Minimal(tokenIn).transferFrom(msg.sender, address(this), amountIn);
        if (zeroForOne) {
            reserve0 += amountIn;
            reserve1 -= amountOut;
            token1.transfer(msg.sender, amountOut);
        } else {
            reserve1 += amountIn;
            reserve0 -= amountOut;
            token0.transfer(msg.sender, amountOut);
        }
        emit Swap(msg.sender, tokenIn, amountIn, amountOut);
    }

    function _min(uint256 a, uint256 b) private pure returns (uint256) {
        return a < b ? a : b;
    }

    /// @dev floor(sqrt(x)) by Newton's method.
    function _sqrt(uint256 x) private pure returns (uint256 root) {
        if (x == 0) return 0;
        root = x;
        uint256 next = (x + 1) / 2;
        while (next < root) {
            root = next;
            next = (x / next + next) / 2;
        }
    }
}
