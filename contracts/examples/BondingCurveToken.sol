// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

import "../tokens/ERC20.sol";
import "../v3/IERC20Minimal.sol";

/// @title BondingCurveToken
/// @notice A "continuous token": the contract itself sells its token for a
/// reserve ERC20 and buys it back, at a price that rises linearly with the
/// supply,
///     price(s) = basePrice + slope * s.
/// Amounts are 18-decimal fixed point: a price is reserve base units per
/// whole token (1e18 base units), `slope` is the price increase per whole
/// token of supply. The reserve backing a supply s is the area under the
/// price line,
///     R(s) = basePrice * s + slope * s^2 / 2,
/// and every rounding favours the contract, so the reserve held is never
/// below R(totalSupply). Selling the whole supply leaves only that rounding
/// dust behind.
/// @dev Prices never use the contract's reserve balance, only the supply:
/// reserve tokens sent to it directly stay there and change no price.
contract BondingCurveToken is ERC20 {
    uint256 private constant WAD = 1e18;
    uint256 private constant BPS = 10_000;

    /// @notice The ERC20 the token is priced in and backed by.
    IERC20Minimal public immutable reserveToken;
    /// @notice Price at zero supply (reserve base units per whole token).
    uint256 public immutable basePrice;
    /// @notice Price increase per whole token of supply (18 decimals).
    uint256 public immutable slope;
    /// @notice Share of each buy's reserve sent to `beneficiary`, in basis points.
    uint256 public immutable feeBps;
    /// @notice Receiver of the buy fee.
    address public immutable beneficiary;

    /// @notice `buyer` paid `reserveIn` (fee included) and received `tokensOut`;
    /// `fee` of it went to the beneficiary.
    event Bought(address indexed buyer, uint256 reserveIn, uint256 tokensOut, uint256 fee);
    /// @notice `seller` returned `tokensIn` and received `reserveOut`.
    event Sold(address indexed seller, uint256 tokensIn, uint256 reserveOut);

    /// @notice A trade would give `got`, less than the caller's minimum `min`.
    error Slippage(uint256 got, uint256 min);
    /// @notice An amount in, or the amount it would buy, is zero.
    error ZeroAmount();
    /// @notice More tokens quoted for sale than exist.
    error ExceedsSupply(uint256 tokensIn, uint256 supply);
    /// @notice A constructor parameter is out of range (zero address, a
    /// curve with zero price everywhere, a fee above 100%).
    error InvalidParameter(string which);
    /// @notice The reserve token refused a transfer.
    error TransferFailed();

    /// @param name_ Token name.
    /// @param symbol_ Token symbol.
    /// @param reserveToken_ The ERC20 paid in and out.
    /// @param basePrice_ Price at zero supply (18 decimals).
    /// @param slope_ Price increase per whole token (18 decimals).
    /// @param feeBps_ Buy fee in basis points (at most 10,000).
    /// @param beneficiary_ Receiver of the fee (may be zero only when the fee is).
    constructor(
        string memory name_,
        string memory symbol_,
        address reserveToken_,
        uint256 basePrice_,
        uint256 slope_,
        uint256 feeBps_,
        address beneficiary_
    ) {
        if (reserveToken_ == address(0)) revert InvalidParameter("reserveToken");
        if (basePrice_ == 0 && slope_ == 0) revert InvalidParameter("basePrice and slope");
        if (feeBps_ > BPS) revert InvalidParameter("feeBps");
        if (feeBps_ > 0 && beneficiary_ == address(0)) revert InvalidParameter("beneficiary");
        _name = name_;
        _symbol = symbol_;
        reserveToken = IERC20Minimal(reserveToken_);
        basePrice = basePrice_;
        slope = slope_;
        feeBps = feeBps_;
        beneficiary = beneficiary_;
    }

    /// @notice Pay `reserveIn` reserve tokens (approved beforehand) for newly
    /// minted tokens; the fee share goes to the beneficiary.
    /// @return tokensOut Tokens minted to the caller.
    function buy(uint256 reserveIn, uint256 minTokensOut) external returns (uint256 tokensOut) {
        if (reserveIn == 0) revert ZeroAmount();
        uint256 fee = (reserveIn * feeBps) / BPS;
        tokensOut = _tokensFor(totalSupply, reserveIn - fee);
        if (tokensOut == 0) revert ZeroAmount();
        if (tokensOut < minTokensOut) revert Slippage(tokensOut, minTokensOut);
        _pull(msg.sender, address(this), reserveIn - fee);
        if (fee > 0) _pull(msg.sender, beneficiary, fee);
        _mint(msg.sender, tokensOut);
        emit Bought(msg.sender, reserveIn, tokensOut, fee);
    }

    /// @notice Return `tokensIn` tokens (burnt) for reserve tokens.
    /// @return reserveOut Reserve tokens sent to the caller.
    function sell(uint256 tokensIn, uint256 minReserveOut) external returns (uint256 reserveOut) {
        if (tokensIn == 0) revert ZeroAmount();
        reserveOut = _reserveFor(totalSupply, tokensIn);
        if (reserveOut == 0) revert ZeroAmount();
        if (reserveOut < minReserveOut) revert Slippage(reserveOut, minReserveOut);
        _burn(msg.sender, tokensIn);
        if (!reserveToken.transfer(msg.sender, reserveOut)) revert TransferFailed();
        emit Sold(msg.sender, tokensIn, reserveOut);
    }

    /// @notice Tokens that `buy(reserveIn, 0)` would mint now (0 if none).
    function quoteBuy(uint256 reserveIn) external view returns (uint256) {
        return _tokensFor(totalSupply, reserveIn - (reserveIn * feeBps) / BPS);
    }

    /// @notice Reserve that `sell(tokensIn, 0)` would pay now.
    function quoteSell(uint256 tokensIn) external view returns (uint256) {
        return _reserveFor(totalSupply, tokensIn);
    }

    /// @notice The price of the next token, basePrice + slope * totalSupply
    /// (rounded down).
    function spotPrice() external view returns (uint256) {
        return basePrice + (slope * totalSupply) / WAD;
    }

    /// @notice Reserve tokens this contract holds.
    function reserveBalance() external view returns (uint256) {
        return reserveToken.balanceOf(address(this));
    }

    /// @dev Tokens that `net` reserve buys at supply `supply`: the root d of
    /// R(supply + d) - R(supply) = net. With q the spot price and
    /// c = 2 * slope * net, d = (sqrt(q^2 + c) - q) / slope, computed in
    /// the equivalent form without cancellation (and valid for slope = 0)
    ///     d = 2 * net / (q + sqrt(q^2 + c))            (scaled by WAD).
    /// q and the root are rounded up and the quotient down, so d never
    /// exceeds the exact root: the reserve paid covers the area under the curve.
    function _tokensFor(uint256 supply, uint256 net) internal view returns (uint256) {
        if (net == 0) return 0;
        uint256 spotUp = basePrice + _divUp(slope * supply, WAD);
        uint256 rootUp = _sqrtUp(spotUp * spotUp + 2 * slope * net);
        return (2 * net * WAD) / (spotUp + rootUp);
    }

    /// @dev Reserve paid for `tokensIn` at supply `supply`: the area under
    /// the curve between supply - tokensIn and supply, i.e. tokensIn times
    /// the average price over that range, both rounded down.
    function _reserveFor(uint256 supply, uint256 tokensIn) internal view returns (uint256) {
        if (tokensIn > supply) revert ExceedsSupply(tokensIn, supply);
        uint256 averagePrice = basePrice + (slope * (2 * supply - tokensIn)) / (2 * WAD);
        return (tokensIn * averagePrice) / WAD;
    }

    /// @dev transferFrom on the reserve token, reverting if it reports failure.
    function _pull(address from, address to, uint256 amount) private {
        if (!reserveToken.transferFrom(from, to, amount)) revert TransferFailed();
    }

    /// @dev ceil(a / b) for b > 0.
    function _divUp(uint256 a, uint256 b) private pure returns (uint256) {
        return a == 0 ? 0 : (a - 1) / b + 1;
    }

    /// @dev ceil(sqrt(x)).
    function _sqrtUp(uint256 x) private pure returns (uint256) {
        uint256 root = _sqrt(x);
        return root * root < x ? root + 1 : root;
    }

    /// @dev floor(sqrt(x)) by Newton's method from a power of two above the
    /// root; the iterates fall monotonically and stop at the floor.
    function _sqrt(uint256 x) private pure returns (uint256) {
        if (x == 0) return 0;
        uint256 z = uint256(1) << ((_log2(x) >> 1) + 1);
        uint256 next = (z + x / z) >> 1;
        while (next < z) {
            z = next;
            next = (z + x / z) >> 1;
        }
        return z;
    }

    /// @dev Index of the highest set bit of x > 0, by halving the search window.
    function _log2(uint256 x) private pure returns (uint256 bits) {
        for (uint256 shift = 128; shift > 0; shift >>= 1) {
            if (x >> shift != 0) {
                x >>= shift;
                bits += shift;
            }
        }
    }
}
