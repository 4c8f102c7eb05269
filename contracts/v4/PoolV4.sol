// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

import "../tokens/ERC20.sol";
import "../v3/IERC20Minimal.sol";
import "./BurnInWeights.sol";
import "./SoftCapFee.sol";
import "./SideStaking.sol";
import "./IConsumeRecorder.sol";

/// @title PoolV4
/// @notice Ocean V4 / V4.1 pool: a Balancer V1 weighted pool of exactly two
/// tokens, a datatoken (DT) and a base token, with the one-sided staking bot
/// (`SideStaking`) on the DT side. The pool is its own share token
/// ("Tokenspice Pool Share V4", TSP-S4). One contract serves both designs;
/// V4 as deployed is the parameter set burnInSeconds = 0 with equal end
/// weights (50/50), softCap = 0.
/// @dev Deployed once as a template, cloned and initialised by
/// `PoolV4Factory` in the same transaction that creates the datatoken.
///
/// Weights: `BurnInWeights` (Dutch:Pool burn-in), read at block.timestamp by
/// every price, quote and swap.
///
/// Swap fees, each a fraction of the gross amount in (in tokenIn units):
///  - LP fee `f`: the effective fee of `SoftCapFee` (base fee, raised by the
///    soft cap on vol:consume); it stays in the pool for the share holders;
///  - community fee `fc` (0.1% when the base token is OCEAN, set by the
///    factory) to the community fee collector;
///  - publish-market fee `fp` to the publish market's collector;
///  - consume-market fee `fm`, passed with each swap, to the collector the
///    swapper names; capped at MAX_MARKET_FEE.
/// The three protocol fees are paid straight from the swapper to their
/// collectors during the swap (nothing accrues in the pool, so a token's
/// balance here always equals its pool balance). Amounts, with
/// F = fc + fp + fm:
///  - exact in a: each protocol fee is bmul(a, f_k); the pool receives
///    net = a - sum of them, and out = calcOutGivenIn(.., net, f).
///  - exact out o: net = calcInGivenOut(.., o, f); g = bdiv(net, 1 - F);
///    each protocol fee is bmul(g, f_k); the swapper pays
///    a = net + sum of them (= g up to rounding), the pool receives net.
/// Spot prices "with fees" are calcSpotPrice(.., f) / (1 - F);
/// `getSpotPrice` uses F = fc + fp (no consume-market fee), the swap checks
/// and the returned spotPriceAfter include the swap's own fm.
///
/// Staking (base side only; B, D pool balances, S share supply):
///  - stake a base: the bot adds floor(D*a/B) DTs, the staker and the bot
///    each get floor(S*a/(2B)) shares. B:D is kept (up to rounding of less
///    than 1 wei of DT, which can only raise the DT price), so the spot
///    price does not move.
///  - unstake P shares: the staker burns P and the bot burns P of its own;
///    the staker gets floor(2P/S * B) base and the bot takes back
///    floor(2P/S * D) DTs; B:D is again kept.
///
/// Consume volume: the datatoken calls `recordConsume` on every order,
/// which adds 1 DT at the current spot price sans fee (base per DT).
/// Swap volume: the base-side amount of each swap (the gross amount in when
/// base goes in, the amount out when base comes out).
contract PoolV4 is ERC20, BurnInWeights, SoftCapFee, IConsumeRecorder {
    /// What the factory passes to `initialize`.
    struct Config {
        address datatoken;
        address baseToken;
        address sideStaking;
        address publisher;
        address communityFeeCollector;
        uint256 communityFee;
        address publishMarketFeeCollector;
        uint256 publishMarketFee;
        uint256 lpFee;
        uint256 dtStartWeight;
        uint256 baseStartWeight;
        uint256 dtEndWeight;
        uint256 baseEndWeight;
        uint256 burnInSeconds;
        uint256 softCap;
        uint256 feeSlope;
        uint256 volumeHalfLifeSeconds;
        uint256 datatokenAmount;
        uint256 baseAmount;
    }

    /// One swap, from quote to settlement.
    struct Trade {
        address tokenIn;
        address tokenOut;
        bool baseIn;
        uint256 balanceIn;
        uint256 weightIn;
        uint256 balanceOut;
        uint256 weightOut;
        uint256 lpFee;
        uint256 consumeMarketFeeRate;
        uint256 protocolFeeRate; // fc + fp + fm
        uint256 amountIn; // gross, paid by the swapper
        uint256 netIn; // what the pool's balance grows by
        uint256 amountOut;
        uint256 communityFee;
        uint256 publishMarketFee;
        uint256 consumeMarketFee;
    }

    /// Cap on each market fee and on the community fee.
    uint256 public constant MAX_MARKET_FEE = ONE / 10;

    event LOG_SWAP(
        address indexed caller,
        address indexed tokenIn,
        address indexed tokenOut,
        uint256 tokenAmountIn,
        uint256 tokenAmountOut
    );
    event LOG_JOIN(address indexed caller, address indexed tokenIn, uint256 tokenAmountIn);
    event LOG_EXIT(address indexed caller, address indexed tokenOut, uint256 tokenAmountOut);
    /// Fee amounts of one swap, all in tokenIn units.
    event LOG_SWAP_FEES(
        address indexed tokenIn,
        uint256 lpFeeAmount,
        uint256 communityFeeAmount,
        uint256 publishMarketFeeAmount,
        uint256 consumeMarketFeeAmount,
        address indexed consumeMarketFeeCollector
    );
    /// One order recorded: its value in base tokens and the new consume volume.
    event LOG_CONSUME(uint256 value, uint256 consumeVolume);

    bool private _mutex;
    bool private _initialized;

    address private _datatoken;
    address private _baseToken;
    address private _sideStaking;
    address private _communityFeeCollector;
    uint256 private _communityFee;
    address private _publishMarketFeeCollector;
    uint256 private _publishMarketFee;

    uint256 private _dtBalance;
    uint256 private _baseBalance;

    modifier _lock_() {
        require(!_mutex, "ERR_REENTRY");
        _mutex = true;
        _;
        _mutex = false;
    }

    modifier _viewlock_() {
        require(!_mutex, "ERR_REENTRY");
        _;
    }

    /// @dev Locks the template: only clones can be initialised.
    constructor() {
        _initialized = true;
    }

    // ---------------------------------------------------------------------
    // Initialisation
    // ---------------------------------------------------------------------

    /// @notice One-time initialiser of a clone. The pool must already hold
    /// `datatokenAmount` DTs (from the bot) and `baseAmount` base tokens
    /// (from the publisher); the 100 initial shares go 50/50 to the
    /// publisher and the bot.
    function initialize(Config calldata c) external {
        require(!_initialized, "ERR_ALREADY_INITIALIZED");
        require(
            c.datatoken != address(0) && c.baseToken != address(0) && c.sideStaking != address(0)
                && c.publisher != address(0) && c.communityFeeCollector != address(0),
            "ERR_ZERO_ADDRESS"
        );
        require(c.datatoken != c.baseToken, "ERR_SAME_TOKEN");
        require(c.communityFee <= MAX_MARKET_FEE && c.publishMarketFee <= MAX_MARKET_FEE, "ERR_MAX_MARKET_FEE");
        require(c.publishMarketFee == 0 || c.publishMarketFeeCollector != address(0), "ERR_ZERO_ADDRESS");
        require(c.datatokenAmount >= MIN_BALANCE && c.baseAmount >= MIN_BALANCE, "ERR_MIN_BALANCE");
        require(IERC20Minimal(c.datatoken).balanceOf(address(this)) >= c.datatokenAmount, "ERR_NOT_FUNDED");
        require(IERC20Minimal(c.baseToken).balanceOf(address(this)) >= c.baseAmount, "ERR_NOT_FUNDED");
        _initialized = true;

        _name = "Tokenspice Pool Share V4";
        _symbol = "TSP-S4";
        _datatoken = c.datatoken;
        _baseToken = c.baseToken;
        _sideStaking = c.sideStaking;
        _communityFeeCollector = c.communityFeeCollector;
        _communityFee = c.communityFee;
        _publishMarketFeeCollector = c.publishMarketFeeCollector;
        _publishMarketFee = c.publishMarketFee;
        _dtBalance = c.datatokenAmount;
        _baseBalance = c.baseAmount;

        _initWeights(c.dtStartWeight, c.baseStartWeight, c.dtEndWeight, c.baseEndWeight, c.burnInSeconds);
        _initSoftCapFee(c.lpFee, c.softCap, c.feeSlope, c.volumeHalfLifeSeconds);

        emit LOG_JOIN(c.sideStaking, c.datatoken, c.datatokenAmount);
        emit LOG_JOIN(c.publisher, c.baseToken, c.baseAmount);
        _mint(c.publisher, INIT_POOL_SUPPLY / 2);
        _mint(c.sideStaking, INIT_POOL_SUPPLY / 2);
    }

    // ---------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------

    function isInitialized() external view returns (bool) {
        return _initialized;
    }

    /// @notice Always true: the pool is finalised at creation.
    function isFinalized() external view returns (bool) {
        return _initialized;
    }

    /// @notice Always true: swaps are public from creation.
    function isPublicSwap() external view returns (bool) {
        return _initialized;
    }

    function isBound(address token) public view returns (bool) {
        return token != address(0) && (token == _datatoken || token == _baseToken);
    }

    function getNumTokens() external pure returns (uint256) {
        return 2;
    }

    /// @notice [datatoken, base token].
    function getCurrentTokens() public view _viewlock_ returns (address[] memory tokens) {
        tokens = new address[](2);
        tokens[0] = _datatoken;
        tokens[1] = _baseToken;
    }

    /// @notice [datatoken, base token] (same as `getCurrentTokens`).
    function getFinalTokens() external view returns (address[] memory) {
        return getCurrentTokens();
    }

    function getDatatoken() external view returns (address) {
        return _datatoken;
    }

    function getBaseToken() external view returns (address) {
        return _baseToken;
    }

    function getSideStaking() external view returns (address) {
        return _sideStaking;
    }

    /// @notice The fee rates: current effective LP fee, community fee,
    /// publish-market fee (18-decimal fractions of the amount in).
    function getFees() external view _viewlock_ returns (uint256 lpFee, uint256 communityFee, uint256 publishMarketFee) {
        return (_currentFee(), _communityFee, _publishMarketFee);
    }

    /// @notice Where the community and publish-market fees go.
    function getFeeCollectors() external view returns (address communityFeeCollector, address publishMarketFeeCollector) {
        return (_communityFeeCollector, _publishMarketFeeCollector);
    }

    function getBalance(address token) external view _viewlock_ returns (uint256) {
        return _isDatatoken(token) ? _dtBalance : _baseBalance;
    }

    /// @notice Current denormalised weight (it moves during the burn-in).
    function getDenormalizedWeight(address token) external view _viewlock_ returns (uint256) {
        bool isDt = _isDatatoken(token);
        (uint256 dtWeight, uint256 baseWeight) = _weights();
        return isDt ? dtWeight : baseWeight;
    }

    function getTotalDenormalizedWeight() external view _viewlock_ returns (uint256) {
        (uint256 dtWeight, uint256 baseWeight) = _weights();
        return dtWeight + baseWeight;
    }

    function getNormalizedWeight(address token) external view _viewlock_ returns (uint256) {
        bool isDt = _isDatatoken(token);
        (uint256 dtWeight, uint256 baseWeight) = _weights();
        return bdiv(isDt ? dtWeight : baseWeight, dtWeight + baseWeight);
    }

    /// @notice The current effective LP fee (same as `currentSwapFee`).
    function getSwapFee() external view _viewlock_ returns (uint256) {
        return _currentFee();
    }

    /// @notice Price of `tokenOut` in units of `tokenIn`, with the LP,
    /// community and publish-market fees (not a consume-market fee).
    function getSpotPrice(address tokenIn, address tokenOut) external view _viewlock_ returns (uint256) {
        Trade memory t = _load(tokenIn, tokenOut, 0);
        return _spotPrice(t, t.balanceIn, t.balanceOut);
    }

    /// @notice Price of `tokenOut` in units of `tokenIn`, without fees.
    function getSpotPriceSansFee(address tokenIn, address tokenOut) external view _viewlock_ returns (uint256) {
        Trade memory t = _load(tokenIn, tokenOut, 0);
        return calcSpotPrice(t.balanceIn, t.weightIn, t.balanceOut, t.weightOut, 0);
    }

    /// @notice Quote: what `swapExactAmountIn` would pay out now.
    function getAmountOutExactIn(address tokenIn, address tokenOut, uint256 tokenAmountIn, uint256 consumeMarketFee)
        external
        view
        _viewlock_
        returns (uint256 tokenAmountOut)
    {
        Trade memory t = _load(tokenIn, tokenOut, consumeMarketFee);
        _quoteExactIn(t, tokenAmountIn);
        return t.amountOut;
    }

    /// @notice Quote: what `swapExactAmountOut` would charge now (gross).
    function getAmountInExactOut(address tokenIn, address tokenOut, uint256 tokenAmountOut, uint256 consumeMarketFee)
        external
        view
        _viewlock_
        returns (uint256 tokenAmountIn)
    {
        Trade memory t = _load(tokenIn, tokenOut, consumeMarketFee);
        _quoteExactOut(t, tokenAmountOut);
        return t.amountIn;
    }

    // ---------------------------------------------------------------------
    // Swaps
    // ---------------------------------------------------------------------

    /// @notice Sells exactly `tokenAmountIn` (gross, fees included) of
    /// `tokenIn` for at least `minAmountOut` of `tokenOut`. `maxPrice` caps
    /// the spot price with fees (tokenIn per tokenOut) before and after.
    /// `consumeMarketFee` (<= MAX_MARKET_FEE) goes to
    /// `consumeMarketFeeCollector`.
    function swapExactAmountIn(
        address tokenIn,
        uint256 tokenAmountIn,
        address tokenOut,
        uint256 minAmountOut,
        uint256 maxPrice,
        address consumeMarketFeeCollector,
        uint256 consumeMarketFee
    ) external _lock_ returns (uint256 tokenAmountOut, uint256 spotPriceAfter) {
        Trade memory t = _load(tokenIn, tokenOut, consumeMarketFee);
        require(tokenAmountIn <= bmul(t.balanceIn, MAX_IN_RATIO), "ERR_MAX_IN_RATIO");
        uint256 spotPriceBefore = _checkedSpotBefore(t, maxPrice);

        _quoteExactIn(t, tokenAmountIn);
        require(t.amountOut >= minAmountOut, "ERR_LIMIT_OUT");

        spotPriceAfter = _settle(t, spotPriceBefore, maxPrice, consumeMarketFeeCollector);
        tokenAmountOut = t.amountOut;
    }

    /// @notice Buys exactly `tokenAmountOut` of `tokenOut` for at most
    /// `maxAmountIn` (gross, fees included) of `tokenIn`; the other
    /// arguments as in `swapExactAmountIn`.
    function swapExactAmountOut(
        address tokenIn,
        uint256 maxAmountIn,
        address tokenOut,
        uint256 tokenAmountOut,
        uint256 maxPrice,
        address consumeMarketFeeCollector,
        uint256 consumeMarketFee
    ) external _lock_ returns (uint256 tokenAmountIn, uint256 spotPriceAfter) {
        Trade memory t = _load(tokenIn, tokenOut, consumeMarketFee);
        require(tokenAmountOut <= bmul(t.balanceOut, MAX_OUT_RATIO), "ERR_MAX_OUT_RATIO");
        uint256 spotPriceBefore = _checkedSpotBefore(t, maxPrice);

        _quoteExactOut(t, tokenAmountOut);
        require(t.amountIn <= maxAmountIn, "ERR_LIMIT_IN");

        spotPriceAfter = _settle(t, spotPriceBefore, maxPrice, consumeMarketFeeCollector);
        tokenAmountIn = t.amountIn;
    }

    // ---------------------------------------------------------------------
    // Staking (base side only, mirrored by the bot)
    // ---------------------------------------------------------------------

    /// @notice Stakes exactly `baseAmountIn` base tokens for at least
    /// `minPoolAmountOut` shares; the bot adds D*a/B datatokens and gets as
    /// many shares as the staker. There is no datatoken-side staking.
    function joinswapExternAmountIn(uint256 baseAmountIn, uint256 minPoolAmountOut)
        external
        _lock_
        returns (uint256 poolAmountOut)
    {
        uint256 baseBalance = _baseBalance;
        uint256 dtBalance = _dtBalance;
        require(baseAmountIn <= bmul(baseBalance, MAX_IN_RATIO), "ERR_MAX_IN_RATIO");

        // Each side gets S * (a/B) / 2 shares; the bot mirrors a with D*a/B DTs.
        poolAmountOut = (totalSupply * baseAmountIn) / (2 * baseBalance);
        uint256 dtAmountIn = (dtBalance * baseAmountIn) / baseBalance;
        require(poolAmountOut != 0 && dtAmountIn != 0, "ERR_MATH_APPROX");
        require(poolAmountOut >= minPoolAmountOut, "ERR_LIMIT_OUT");

        _baseBalance = baseBalance + baseAmountIn;
        _dtBalance = dtBalance + dtAmountIn;

        emit LOG_JOIN(msg.sender, _baseToken, baseAmountIn);
        emit LOG_JOIN(_sideStaking, _datatoken, dtAmountIn);

        _pull(_baseToken, msg.sender, address(this), baseAmountIn);
        SideStaking(_sideStaking).stakeDatatokens(_datatoken, dtAmountIn);
        _mint(msg.sender, poolAmountOut);
        _mint(_sideStaking, poolAmountOut);
    }

    /// @notice Unstakes: burns `poolAmountIn` of the caller's shares and as
    /// many of the bot's, pays the caller 2P/S * B base tokens (at least
    /// `minBaseAmountOut`) and returns 2P/S * D datatokens to the bot.
    function exitswapPoolAmountIn(uint256 poolAmountIn, uint256 minBaseAmountOut)
        external
        _lock_
        returns (uint256 baseAmountOut)
    {
        address bot = _sideStaking;
        require(msg.sender != bot, "ERR_BOT_CANNOT_EXIT");
        uint256 supply = totalSupply;
        uint256 baseBalance = _baseBalance;
        uint256 dtBalance = _dtBalance;

        baseAmountOut = (baseBalance * 2 * poolAmountIn) / supply;
        uint256 dtAmountOut = (dtBalance * 2 * poolAmountIn) / supply;
        require(baseAmountOut != 0, "ERR_MATH_APPROX");
        require(baseAmountOut >= minBaseAmountOut, "ERR_LIMIT_OUT");
        require(baseAmountOut <= bmul(baseBalance, MAX_OUT_RATIO), "ERR_MAX_OUT_RATIO");
        require(balanceOf[bot] >= poolAmountIn, "ERR_BOT_SHARES");

        _baseBalance = baseBalance - baseAmountOut;
        _dtBalance = dtBalance - dtAmountOut;

        emit LOG_EXIT(msg.sender, _baseToken, baseAmountOut);
        emit LOG_EXIT(bot, _datatoken, dtAmountOut);

        _burn(msg.sender, poolAmountIn);
        _burn(bot, poolAmountIn);
        _push(_baseToken, msg.sender, baseAmountOut);
        _push(_datatoken, bot, dtAmountOut);
    }

    // ---------------------------------------------------------------------
    // Consume volume
    // ---------------------------------------------------------------------

    /// @notice Called by the datatoken on every order: adds 1 DT at the
    /// current spot price sans fee to the trailing consume volume.
    function recordConsume() external override _lock_ {
        require(msg.sender == _datatoken, "ERR_NOT_DATATOKEN");
        (uint256 dtWeight, uint256 baseWeight) = _weights();
        uint256 value = calcSpotPrice(_baseBalance, baseWeight, _dtBalance, dtWeight, 0);
        _recordVolume(0, value);
        emit LOG_CONSUME(value, consumeVolume());
    }

    // ---------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------

    /// @dev Whether `token` is the datatoken; reverts if it is not bound.
    function _isDatatoken(address token) private view returns (bool) {
        require(isBound(token), "ERR_NOT_BOUND");
        return token == _datatoken;
    }

    /// @dev Balances, weights and fee rates of a swap from tokenIn to tokenOut.
    function _load(address tokenIn, address tokenOut, uint256 consumeMarketFee)
        private
        view
        returns (Trade memory t)
    {
        bool dtIn = _isDatatoken(tokenIn);
        require(_isDatatoken(tokenOut) != dtIn, "ERR_SAME_TOKEN");
        require(consumeMarketFee <= MAX_MARKET_FEE, "ERR_MAX_MARKET_FEE");
        (uint256 dtWeight, uint256 baseWeight) = _weights();

        t.tokenIn = tokenIn;
        t.tokenOut = tokenOut;
        t.baseIn = !dtIn;
        (t.balanceIn, t.weightIn, t.balanceOut, t.weightOut) = dtIn
            ? (_dtBalance, dtWeight, _baseBalance, baseWeight)
            : (_baseBalance, baseWeight, _dtBalance, dtWeight);
        t.lpFee = _currentFee();
        t.consumeMarketFeeRate = consumeMarketFee;
        t.protocolFeeRate = _communityFee + _publishMarketFee + consumeMarketFee;
    }

    /// @dev Spot price with all of the trade's fees at the given balances.
    function _spotPrice(Trade memory t, uint256 balanceIn, uint256 balanceOut) private pure returns (uint256) {
        uint256 withLpFee = calcSpotPrice(balanceIn, t.weightIn, balanceOut, t.weightOut, t.lpFee);
        return bdiv(withLpFee, bsub(ONE, t.protocolFeeRate));
    }

    function _checkedSpotBefore(Trade memory t, uint256 maxPrice) private pure returns (uint256 spotPriceBefore) {
        spotPriceBefore = _spotPrice(t, t.balanceIn, t.balanceOut);
        require(spotPriceBefore <= maxPrice, "ERR_BAD_LIMIT_PRICE");
    }

    /// @dev Protocol fee amounts as fractions of `gross`.
    function _splitFees(Trade memory t, uint256 gross) private view {
        t.communityFee = bmul(gross, _communityFee);
        t.publishMarketFee = bmul(gross, _publishMarketFee);
        t.consumeMarketFee = bmul(gross, t.consumeMarketFeeRate);
    }

    function _protocolFees(Trade memory t) private pure returns (uint256) {
        return t.communityFee + t.publishMarketFee + t.consumeMarketFee;
    }

    function _quoteExactIn(Trade memory t, uint256 amountIn) private view {
        t.amountIn = amountIn;
        _splitFees(t, amountIn);
        t.netIn = bsub(amountIn, _protocolFees(t));
        t.amountOut = calcOutGivenIn(t.balanceIn, t.weightIn, t.balanceOut, t.weightOut, t.netIn, t.lpFee);
    }

    function _quoteExactOut(Trade memory t, uint256 amountOut) private view {
        t.amountOut = amountOut;
        t.netIn = calcInGivenOut(t.balanceIn, t.weightIn, t.balanceOut, t.weightOut, amountOut, t.lpFee);
        _splitFees(t, bdiv(t.netIn, bsub(ONE, t.protocolFeeRate)));
        t.amountIn = t.netIn + _protocolFees(t);
    }

    /// @dev Post-swap checks (as Balancer V1), state update, volume, events
    /// and transfers. Returns the spot price after, with the trade's fees.
    function _settle(Trade memory t, uint256 spotPriceBefore, uint256 maxPrice, address consumeMarketFeeCollector)
        private
        returns (uint256 spotPriceAfter)
    {
        require(t.consumeMarketFee == 0 || consumeMarketFeeCollector != address(0), "ERR_ZERO_ADDRESS");
        uint256 newBalanceIn = badd(t.balanceIn, t.netIn);
        uint256 newBalanceOut = bsub(t.balanceOut, t.amountOut);

        spotPriceAfter = _spotPrice(t, newBalanceIn, newBalanceOut);
        require(spotPriceAfter >= spotPriceBefore, "ERR_MATH_APPROX");
        require(spotPriceAfter <= maxPrice, "ERR_LIMIT_PRICE");
        require(spotPriceBefore <= bdiv(t.amountIn, t.amountOut), "ERR_MATH_APPROX");

        if (t.baseIn) {
            (_baseBalance, _dtBalance) = (newBalanceIn, newBalanceOut);
            _recordVolume(t.amountIn, 0);
        } else {
            (_dtBalance, _baseBalance) = (newBalanceIn, newBalanceOut);
            _recordVolume(t.amountOut, 0);
        }

        emit LOG_SWAP(msg.sender, t.tokenIn, t.tokenOut, t.amountIn, t.amountOut);
        emit LOG_SWAP_FEES(
            t.tokenIn,
            bmul(t.netIn, t.lpFee),
            t.communityFee,
            t.publishMarketFee,
            t.consumeMarketFee,
            consumeMarketFeeCollector
        );

        _pull(t.tokenIn, msg.sender, address(this), t.netIn);
        _pull(t.tokenIn, msg.sender, _communityFeeCollector, t.communityFee);
        _pull(t.tokenIn, msg.sender, _publishMarketFeeCollector, t.publishMarketFee);
        _pull(t.tokenIn, msg.sender, consumeMarketFeeCollector, t.consumeMarketFee);
        _push(t.tokenOut, msg.sender, t.amountOut);
    }

    /// @dev transferFrom; a zero amount is skipped.
    function _pull(address token, address from, address to, uint256 amount) private {
        if (amount != 0) {
            require(IERC20Minimal(token).transferFrom(from, to, amount), "ERR_ERC20_FALSE");
        }
    }

    function _push(address token, address to, uint256 amount) private {
        if (amount != 0) {
            require(IERC20Minimal(token).transfer(to, amount), "ERR_ERC20_FALSE");
        }
    }
}
