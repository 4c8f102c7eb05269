// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

import "../v3/IERC20Minimal.sol";

/// @title VirtualAMM
/// @notice A Drift-style virtual AMM for a perpetual on one asset. No asset
/// changes hands: longs "buy" base from virtual reserves x (base) and y
/// (quote), shorts "sell" to them, on the constant product x * y = k, at
///     mark price = y / x * peg
/// (18-decimal fixed point; `peg` is the peg multiplier). A position is
/// margin (the quote token, deposited) times leverage of notional; its profit
/// or loss is what closing it against the reserves returns against what
/// opening it cost. Every open and close pays 0.1% of its notional into the
/// fee pool. Funding keeps the mark near the oracle: each settlement (hourly,
/// by the operator) longs pay shorts (mark - oracle) / 24 per unit of base
/// (shorts pay longs when negative); the protocol, counterparty of the
/// traders' net position, takes or pays the difference. The operator feeds
/// the oracle price and may move the curve:
/// `repeg` changes the peg multiplier, `adjustDepth` scales x and y (k);
/// each costs (or earns) the change in what closing the traders' net
/// position would pay them, taken from the fee pool, at most half of it.
/// @dev One position per trader. Rounding favours the protocol. A trader
/// loses at most its margin: a loss beyond it is the protocol's (bad debt).
contract VirtualAMM {
    uint256 private constant WAD = 1e18;
    uint256 private constant BPS = 10_000;
    /// @notice Fee on the notional of every open and close, in basis points (0.1%).
    uint256 public constant FEE_BPS = 10;
    /// @notice Share of the fee pool one adjustment may spend, in basis points (50%).
    uint256 public constant ADJUST_SHARE_BPS = 5_000;
    /// @notice Largest leverage of a position.
    uint256 public constant MAX_LEVERAGE = 10;

    /// @notice The margin and settlement token.
    IERC20Minimal public immutable quote;
    /// @notice Who feeds the oracle and adjusts the curve.
    address public immutable operator;

    /// @notice Virtual base reserve x.
    uint256 public baseReserve;
    /// @notice Virtual quote reserve y.
    uint256 public quoteReserve;
    /// @notice Peg multiplier.
    uint256 public peg;
    /// @notice The oracle's price of the asset, quote per base.
    uint256 public oraclePrice;
    /// @notice Fees collected and not spent on adjustments.
    uint256 public feePool;
    /// @notice Every fee collected.
    uint256 public feesCollected;
    /// @notice What adjustments cost, net of what they earned.
    int256 public adjustmentCosts;
    /// @notice Traders' realised profit, net of losses (before fees).
    int256 public tradersPnl;
    /// @notice Traders' net base: longs positive, shorts negative.
    int256 public netBase;
    /// @notice Base held by longs.
    uint256 public longBase;
    /// @notice Base owed by shorts.
    uint256 public shortBase;
    /// @notice Funding paid per unit of base by a long since the start
    /// (quote per base, 18 decimals; negative: received).
    int256 public cumulativeFunding;
    /// @notice Funding the protocol received from the traders' net position
    /// (negative: paid), as settled.
    int256 public protocolFunding;
    /// @notice Settlements per day (funding of (mark - oracle) / 24 per hourly settlement).
    uint256 public constant FUNDING_PERIODS_PER_DAY = 24;

    struct Position {
        int256 base; // > 0 long, < 0 short
        uint256 margin;
        uint256 notional; // quote paid (long) or received (short) at opening
        int256 fundingIndex; // cumulativeFunding at opening
    }

    /// @notice Each trader's open position.
    mapping(address => Position) public positions;

    event Opened(address indexed trader, bool isLong, uint256 margin, uint256 notional, uint256 base, uint256 fee);
    event Closed(address indexed trader, int256 pnl, uint256 payout, uint256 fee);
    event OracleSet(uint256 price);
    event Repegged(uint256 oldPeg, uint256 newPeg, int256 cost);
    event DepthAdjusted(uint256 scale, int256 cost);
    event FundingSettled(int256 perBase, int256 protocolShare);

    modifier onlyOperator() {
        require(msg.sender == operator, "VAMM_NOT_OPERATOR");
        _;
    }

    constructor(IERC20Minimal quote_, uint256 baseReserve_, uint256 quoteReserve_, uint256 peg_, address operator_) {
        require(baseReserve_ > 0 && quoteReserve_ > 0 && peg_ > 0, "VAMM_ZERO_RESERVE");
        quote = quote_;
        baseReserve = baseReserve_;
        quoteReserve = quoteReserve_;
        peg = peg_;
        operator = operator_;
        oraclePrice = (quoteReserve_ * peg_) / baseReserve_;
    }

    /// @notice y / x * peg.
    function markPrice() public view returns (uint256) {
        return (quoteReserve * peg) / baseReserve;
    }

    /// @notice Whether `trader` has an open position.
    function hasPosition(address trader) external view returns (bool) {
        return positions[trader].base != 0;
    }

    /// @notice Protocol profit: fees collected, less adjustment costs, less
    /// traders' realised profit.
    function protocolPnl() external view returns (int256) {
        return int256(feesCollected) - adjustmentCosts - tradersPnl;
    }

    /// @notice Open a position of `margin` times `leverage` notional, long or short.
    function open(bool isLong, uint256 margin, uint256 leverage) external returns (uint256 base) {
        require(positions[msg.sender].base == 0, "VAMM_POSITION_OPEN");
        require(margin > 0 && leverage >= 1 && leverage <= MAX_LEVERAGE, "VAMM_BAD_SIZE");
        uint256 notional = margin * leverage;
        uint256 fee = (notional * FEE_BPS) / BPS;
        require(quote.transferFrom(msg.sender, address(this), margin + fee), "VAMM_TRANSFER");
        uint256 k = baseReserve * quoteReserve;
        uint256 dy = (notional * WAD) / peg;
        if (isLong) {
            uint256 newX = _divUp(k, quoteReserve + dy);
            base = baseReserve - newX;
            baseReserve = newX;
            quoteReserve += dy;
            longBase += base;
            netBase += int256(base);
        } else {
            require(dy < quoteReserve, "VAMM_TOO_LARGE");
            uint256 newY = quoteReserve - dy;
            uint256 newX = _divUp(k, newY);
            base = newX - baseReserve;
            baseReserve = newX;
            quoteReserve = newY;
            shortBase += base;
            netBase -= int256(base);
        }
        require(base > 0, "VAMM_TOO_SMALL");
        positions[msg.sender] =
            Position(isLong ? int256(base) : -int256(base), margin, notional, cumulativeFunding);
        feePool += fee;
        feesCollected += fee;
        emit Opened(msg.sender, isLong, margin, notional, base, fee);
    }

    /// @notice Close the caller's position against the reserves and pay out
    /// margin plus profit less the fee (nothing when the loss exceeds it).
    function close() external returns (uint256 payout) {
        Position memory position = positions[msg.sender];
        require(position.base != 0, "VAMM_NO_POSITION");
        delete positions[msg.sender];
        uint256 k = baseReserve * quoteReserve;
        int256 pnl;
        uint256 exitNotional;
        if (position.base > 0) {
            uint256 base = uint256(position.base);
            uint256 newY = _divUp(k, baseReserve + base);
            exitNotional = ((quoteReserve - newY) * peg) / WAD;
            baseReserve += base;
            quoteReserve = newY;
            longBase -= base;
            netBase -= position.base;
            pnl = int256(exitNotional) - int256(position.notional);
        } else {
            uint256 base = uint256(-position.base);
            require(base < baseReserve, "VAMM_TOO_LARGE");
            uint256 newX = baseReserve - base;
            uint256 newY = _divUp(k, newX);
            exitNotional = _divUp((newY - quoteReserve) * peg, WAD);
            baseReserve = newX;
            quoteReserve = newY;
            shortBase -= base;
            netBase -= position.base;
            pnl = int256(position.notional) - int256(exitNotional);
        }
        // Funding since opening: a long pays the index's rise, a short receives it.
        pnl -= (position.base * (cumulativeFunding - position.fundingIndex)) / int256(WAD);
        // A trader loses at most its margin; the fee is taken from what is left.
        int256 gross = int256(position.margin) + pnl;
        uint256 left = gross > 0 ? uint256(gross) : 0;
        uint256 fee = _min((exitNotional * FEE_BPS) / BPS, left);
        payout = left - fee;
        tradersPnl += gross > 0 ? pnl : -int256(position.margin);
        feePool += fee;
        feesCollected += fee;
        if (payout > 0) {
            require(quote.transfer(msg.sender, payout), "VAMM_TRANSFER");
        }
        emit Closed(msg.sender, pnl, payout, fee);
    }

    /// @notice Feed the oracle's price.
    function setOracle(uint256 price) external onlyOperator {
        require(price > 0, "VAMM_ZERO_PRICE");
        oraclePrice = price;
        emit OracleSet(price);
    }

    /// @notice Settle one funding period: longs owe (mark - oracle) /
    /// FUNDING_PERIODS_PER_DAY per unit of base, shorts are owed it; the
    /// protocol takes the net position's side of it.
    function settleFunding() external onlyOperator returns (int256 perBase) {
        perBase = (int256(markPrice()) - int256(oraclePrice)) / int256(FUNDING_PERIODS_PER_DAY);
        cumulativeFunding += perBase;
        int256 share = (netBase * perBase) / int256(WAD);
        protocolFunding += share;
        emit FundingSettled(perBase, share);
    }

    /// @notice What closing the traders' net position would pay them (longs
    /// net) or take from them (shorts net, negative), at reserves x, y and peg.
    function netCloseValue(uint256 x, uint256 y, uint256 pegValue) public view returns (int256) {
        uint256 k = x * y;
        if (netBase > 0) {
            uint256 newY = _divUp(k, x + uint256(netBase));
            return int256(((y - newY) * pegValue) / WAD);
        }
        if (netBase < 0) {
            uint256 newY = _divUp(k, x - uint256(-netBase));
            return -int256(_divUp((newY - y) * pegValue, WAD));
        }
        return 0;
    }

    /// @notice Set the peg multiplier; costs the change of `netCloseValue`.
    function repeg(uint256 newPeg) external onlyOperator returns (int256 cost) {
        require(newPeg > 0, "VAMM_ZERO_PEG");
        cost = netCloseValue(baseReserve, quoteReserve, newPeg) - netCloseValue(baseReserve, quoteReserve, peg);
        _spend(cost);
        emit Repegged(peg, newPeg, cost);
        peg = newPeg;
    }

    /// @notice Scale both reserves by `scale` (18 decimals; k by its square),
    /// leaving the mark price; costs the change of `netCloseValue`.
    function adjustDepth(uint256 scale) external onlyOperator returns (int256 cost) {
        require(scale > 0, "VAMM_ZERO_SCALE");
        uint256 newX = (baseReserve * scale) / WAD;
        uint256 newY = (quoteReserve * scale) / WAD;
        require(newX > shortBase && newY > 0, "VAMM_TOO_SHALLOW");
        cost = netCloseValue(newX, newY, peg) - netCloseValue(baseReserve, quoteReserve, peg);
        _spend(cost);
        baseReserve = newX;
        quoteReserve = newY;
        emit DepthAdjusted(scale, cost);
    }

    function _spend(int256 cost) private {
        if (cost > 0) {
            require(uint256(cost) <= (feePool * ADJUST_SHARE_BPS) / BPS, "VAMM_COST_ABOVE_FEE_POOL_SHARE");
            feePool -= uint256(cost);
        } else {
            feePool += uint256(-cost);
        }
        adjustmentCosts += cost;
    }

    function _min(uint256 a, uint256 b) private pure returns (uint256) {
        return a < b ? a : b;
    }

    function _divUp(uint256 a, uint256 b) private pure returns (uint256) {
        return a == 0 ? 0 : (a - 1) / b + 1;
    }
}
