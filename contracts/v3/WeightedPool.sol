// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

import "../tokens/ERC20.sol";
import "./BalancerMath.sol";
import "./IERC20Minimal.sol";

/// @title WeightedPool
/// @notice Balancer V1 weighted pool, the AMM of Ocean V3. The pool is its own
/// share token ("Tokenspice Pool Share", TSP-S).
/// @dev Deployed once as a template and cloned by `PoolFactory` with EIP-1167
/// minimal proxies, so state is set by `initialize` instead of a constructor;
/// the template's constructor marks the template itself as initialised.
///
/// Life cycle: the controller binds 2..8 tokens (pulling their balances from
/// itself), sets the fee and finalises, which makes swaps public and mints
/// the 100 initial shares to the controller; `setup` does all of that for
/// one datatoken and one base token in one call. After finalisation anyone
/// can swap, join and exit. Swap fees stay in the pool; there is no exit fee.
/// Every state-changing entry point holds a simple re-entrancy lock, and the
/// views refuse to run while it is held.
contract WeightedPool is ERC20, BalancerMath {
    struct Record {
        bool bound; // is the token bound to the pool
        uint256 index; // position in _tokens
        uint256 denorm; // denormalised weight
        uint256 balance; // the pool's accounted balance
    }

    event LOG_SWAP(
        address indexed caller,
        address indexed tokenIn,
        address indexed tokenOut,
        uint256 tokenAmountIn,
        uint256 tokenAmountOut
    );
    event LOG_JOIN(address indexed caller, address indexed tokenIn, uint256 tokenAmountIn);
    event LOG_EXIT(address indexed caller, address indexed tokenOut, uint256 tokenAmountOut);

    bool private _mutex;
    bool private _initialized;

    address private _controller;
    bool private _publicSwap;
    uint256 private _swapFee;
    bool private _finalized;

    address[] private _tokens;
    mapping(address => Record) private _records;
    uint256 private _totalWeight;

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

    modifier onlyController() {
        require(msg.sender == _controller, "ERR_NOT_CONTROLLER");
        _;
    }

    /// @dev Locks the template: only clones can be initialised.
    constructor() {
        _initialized = true;
    }

    // ---------------------------------------------------------------------
    // Initialisation and controller actions
    // ---------------------------------------------------------------------

    /// @notice One-time initialiser of a clone.
    function initialize(address controller) external {
        require(!_initialized, "ERR_ALREADY_INITIALIZED");
        require(controller != address(0), "ERR_ZERO_ADDRESS");
        _initialized = true;
        _name = "Tokenspice Pool Share";
        _symbol = "TSP-S";
        _controller = controller;
        _swapFee = MIN_FEE;
        _publicSwap = false;
        _finalized = false;
    }

    function setSwapFee(uint256 swapFee) external _lock_ {
        _setSwapFee(swapFee);
    }

    function setController(address manager) external _lock_ onlyController {
        require(manager != address(0), "ERR_ZERO_ADDRESS");
        _controller = manager;
    }

    function setPublicSwap(bool public_) external _lock_ {
        require(!_finalized, "ERR_IS_FINALIZED");
        require(msg.sender == _controller, "ERR_NOT_CONTROLLER");
        _publicSwap = public_;
    }

    function finalize() external _lock_ {
        _finalize();
    }

    /// @notice Binds `token` with weight `denorm`, pulling `balance` from the
    /// controller (which must have approved the pool).
    function bind(address token, uint256 balance, uint256 denorm) external _lock_ {
        _bind(token, balance, denorm);
    }

    /// @notice Changes a bound token's weight and balance before finalisation;
    /// the balance difference is pulled from / pushed to the controller.
    function rebind(address token, uint256 balance, uint256 denorm) external _lock_ {
        _rebind(token, balance, denorm);
    }

    /// @notice Removes a token before finalisation and returns its balance to
    /// the controller.
    function unbind(address token) external _lock_ onlyController {
        require(_records[token].bound, "ERR_NOT_BOUND");
        require(!_finalized, "ERR_IS_FINALIZED");

        uint256 tokenBalance = _records[token].balance;
        _totalWeight = bsub(_totalWeight, _records[token].denorm);

        // Swap with the last token, then pop.
        uint256 index = _records[token].index;
        uint256 last = _tokens.length - 1;
        _tokens[index] = _tokens[last];
        _records[_tokens[index]].index = index;
        _tokens.pop();
        delete _records[token];

        _pushUnderlying(token, msg.sender, tokenBalance);
    }

    /// @notice Absorbs tokens sent to the pool outside of its entry points.
    function gulp(address token) external _lock_ {
        require(_records[token].bound, "ERR_NOT_BOUND");
        _records[token].balance = IERC20Minimal(token).balanceOf(address(this));
    }

    /// @notice Ocean V3 one-call pool creation: bind the datatoken and the base
    /// token, set the swap fee and finalise. The controller receives the
    /// INIT_POOL_SUPPLY shares and must have approved both amounts.
    function setup(
        address dataToken,
        uint256 dataTokenAmount,
        uint256 dataTokenWeight,
        address baseToken,
        uint256 baseTokenAmount,
        uint256 baseTokenWeight,
        uint256 swapFee
    ) external _lock_ {
        require(dataToken != address(0) && baseToken != address(0), "ERR_ZERO_ADDRESS");

        _bind(dataToken, dataTokenAmount, dataTokenWeight);
        emit LOG_JOIN(msg.sender, dataToken, dataTokenAmount);

        _bind(baseToken, baseTokenAmount, baseTokenWeight);
        emit LOG_JOIN(msg.sender, baseToken, baseTokenAmount);

        _setSwapFee(swapFee);
        _finalize();
    }

    // ---------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------

    function isInitialized() external view returns (bool) {
        return _initialized;
    }

    function isPublicSwap() external view returns (bool) {
        return _publicSwap;
    }

    function isFinalized() external view returns (bool) {
        return _finalized;
    }

    function isBound(address token) external view returns (bool) {
        return _records[token].bound;
    }

    function getNumTokens() external view returns (uint256) {
        return _tokens.length;
    }

    function getCurrentTokens() external view _viewlock_ returns (address[] memory) {
        return _tokens;
    }

    function getFinalTokens() external view _viewlock_ returns (address[] memory) {
        require(_finalized, "ERR_NOT_FINALIZED");
        return _tokens;
    }

    function getDenormalizedWeight(address token) external view _viewlock_ returns (uint256) {
        require(_records[token].bound, "ERR_NOT_BOUND");
        return _records[token].denorm;
    }

    function getTotalDenormalizedWeight() external view _viewlock_ returns (uint256) {
        return _totalWeight;
    }

    function getNormalizedWeight(address token) external view _viewlock_ returns (uint256) {
        require(_records[token].bound, "ERR_NOT_BOUND");
        return bdiv(_records[token].denorm, _totalWeight);
    }

    function getBalance(address token) external view _viewlock_ returns (uint256) {
        require(_records[token].bound, "ERR_NOT_BOUND");
        return _records[token].balance;
    }

    function getSwapFee() external view _viewlock_ returns (uint256) {
        return _swapFee;
    }

    function getController() external view _viewlock_ returns (address) {
        return _controller;
    }

    /// @notice Price of `tokenOut` in units of `tokenIn`, swap fee included.
    function getSpotPrice(address tokenIn, address tokenOut) external view _viewlock_ returns (uint256) {
        return _spotPrice(tokenIn, tokenOut, _swapFee);
    }

    /// @notice Price of `tokenOut` in units of `tokenIn`, without the fee.
    function getSpotPriceSansFee(address tokenIn, address tokenOut) external view _viewlock_ returns (uint256) {
        return _spotPrice(tokenIn, tokenOut, 0);
    }

    // ---------------------------------------------------------------------
    // Proportional join / exit
    // ---------------------------------------------------------------------

    /// @notice Mints `poolAmountOut` shares for a proportional deposit of
    /// every bound token (ratio r = P/S, each token moves r*b).
    function joinPool(uint256 poolAmountOut, uint256[] calldata maxAmountsIn) external _lock_ {
        require(_finalized, "ERR_NOT_FINALIZED");
        require(maxAmountsIn.length == _tokens.length, "ERR_ARRAY_LENGTH");

        uint256 ratio = bdiv(poolAmountOut, totalSupply);
        require(ratio != 0, "ERR_MATH_APPROX");

        for (uint256 i = 0; i < _tokens.length; i++) {
            address token = _tokens[i];
            uint256 bal = _records[token].balance;
            uint256 tokenAmountIn = bmul(ratio, bal);
            require(tokenAmountIn != 0, "ERR_MATH_APPROX");
            require(tokenAmountIn <= maxAmountsIn[i], "ERR_LIMIT_IN");
            _records[token].balance = badd(bal, tokenAmountIn);
            emit LOG_JOIN(msg.sender, token, tokenAmountIn);
            _pullUnderlying(token, msg.sender, tokenAmountIn);
        }
        _mint(msg.sender, poolAmountOut);
    }

    /// @notice Burns `poolAmountIn` shares for a proportional withdrawal of
    /// every bound token. No exit fee.
    function exitPool(uint256 poolAmountIn, uint256[] calldata minAmountsOut) external _lock_ {
        require(_finalized, "ERR_NOT_FINALIZED");
        require(minAmountsOut.length == _tokens.length, "ERR_ARRAY_LENGTH");

        uint256 ratio = bdiv(poolAmountIn, totalSupply);
        require(ratio != 0, "ERR_MATH_APPROX");

        _pullAndBurnPoolShare(msg.sender, poolAmountIn);

        for (uint256 i = 0; i < _tokens.length; i++) {
            address token = _tokens[i];
            uint256 bal = _records[token].balance;
            uint256 tokenAmountOut = bmul(ratio, bal);
            require(tokenAmountOut != 0, "ERR_MATH_APPROX");
            require(tokenAmountOut >= minAmountsOut[i], "ERR_LIMIT_OUT");
            _records[token].balance = bsub(bal, tokenAmountOut);
            emit LOG_EXIT(msg.sender, token, tokenAmountOut);
            _pushUnderlying(token, msg.sender, tokenAmountOut);
        }
    }

    // ---------------------------------------------------------------------
    // Swaps
    // ---------------------------------------------------------------------

    /// @notice Sells exactly `tokenAmountIn` of `tokenIn` for at least
    /// `minAmountOut` of `tokenOut`; `maxPrice` caps the spot price (tokenIn
    /// per tokenOut) before and after the swap.
    function swapExactAmountIn(
        address tokenIn,
        uint256 tokenAmountIn,
        address tokenOut,
        uint256 minAmountOut,
        uint256 maxPrice
    ) external _lock_ returns (uint256 tokenAmountOut, uint256 spotPriceAfter) {
        require(_records[tokenIn].bound, "ERR_NOT_BOUND");
        require(_records[tokenOut].bound, "ERR_NOT_BOUND");
        require(_publicSwap, "ERR_SWAP_NOT_PUBLIC");

        Record storage inRecord = _records[tokenIn];
        Record storage outRecord = _records[tokenOut];

        require(tokenAmountIn <= bmul(inRecord.balance, MAX_IN_RATIO), "ERR_MAX_IN_RATIO");

        uint256 spotPriceBefore =
            calcSpotPrice(inRecord.balance, inRecord.denorm, outRecord.balance, outRecord.denorm, _swapFee);
        require(spotPriceBefore <= maxPrice, "ERR_BAD_LIMIT_PRICE");

        tokenAmountOut = calcOutGivenIn(
            inRecord.balance, inRecord.denorm, outRecord.balance, outRecord.denorm, tokenAmountIn, _swapFee
        );
        require(tokenAmountOut >= minAmountOut, "ERR_LIMIT_OUT");

        inRecord.balance = badd(inRecord.balance, tokenAmountIn);
        outRecord.balance = bsub(outRecord.balance, tokenAmountOut);

        spotPriceAfter =
            calcSpotPrice(inRecord.balance, inRecord.denorm, outRecord.balance, outRecord.denorm, _swapFee);
        require(spotPriceAfter >= spotPriceBefore, "ERR_MATH_APPROX");
        require(spotPriceAfter <= maxPrice, "ERR_LIMIT_PRICE");
        require(spotPriceBefore <= bdiv(tokenAmountIn, tokenAmountOut), "ERR_MATH_APPROX");

        emit LOG_SWAP(msg.sender, tokenIn, tokenOut, tokenAmountIn, tokenAmountOut);

        _pullUnderlying(tokenIn, msg.sender, tokenAmountIn);
        _pushUnderlying(tokenOut, msg.sender, tokenAmountOut);
    }

    /// @notice Buys exactly `tokenAmountOut` of `tokenOut` for at most
    /// `maxAmountIn` of `tokenIn`; `maxPrice` as in `swapExactAmountIn`.
    function swapExactAmountOut(
        address tokenIn,
        uint256 maxAmountIn,
        address tokenOut,
        uint256 tokenAmountOut,
        uint256 maxPrice
    ) external _lock_ returns (uint256 tokenAmountIn, uint256 spotPriceAfter) {
        require(_records[tokenIn].bound, "ERR_NOT_BOUND");
        require(_records[tokenOut].bound, "ERR_NOT_BOUND");
        require(_publicSwap, "ERR_SWAP_NOT_PUBLIC");

        Record storage inRecord = _records[tokenIn];
        Record storage outRecord = _records[tokenOut];

        require(tokenAmountOut <= bmul(outRecord.balance, MAX_OUT_RATIO), "ERR_MAX_OUT_RATIO");

        uint256 spotPriceBefore =
            calcSpotPrice(inRecord.balance, inRecord.denorm, outRecord.balance, outRecord.denorm, _swapFee);
        require(spotPriceBefore <= maxPrice, "ERR_BAD_LIMIT_PRICE");

        tokenAmountIn = calcInGivenOut(
            inRecord.balance, inRecord.denorm, outRecord.balance, outRecord.denorm, tokenAmountOut, _swapFee
        );
        require(tokenAmountIn <= maxAmountIn, "ERR_LIMIT_IN");

        inRecord.balance = badd(inRecord.balance, tokenAmountIn);
        outRecord.balance = bsub(outRecord.balance, tokenAmountOut);

        spotPriceAfter =
            calcSpotPrice(inRecord.balance, inRecord.denorm, outRecord.balance, outRecord.denorm, _swapFee);
        require(spotPriceAfter >= spotPriceBefore, "ERR_MATH_APPROX");
        require(spotPriceAfter <= maxPrice, "ERR_LIMIT_PRICE");
        require(spotPriceBefore <= bdiv(tokenAmountIn, tokenAmountOut), "ERR_MATH_APPROX");

        emit LOG_SWAP(msg.sender, tokenIn, tokenOut, tokenAmountIn, tokenAmountOut);

        _pullUnderlying(tokenIn, msg.sender, tokenAmountIn);
        _pushUnderlying(tokenOut, msg.sender, tokenAmountOut);
    }

    // ---------------------------------------------------------------------
    // Single-sided join / exit (staking / unstaking)
    // ---------------------------------------------------------------------

    /// @notice Deposits exactly `tokenAmountIn` of one token for at least
    /// `minPoolAmountOut` shares.
    function joinswapExternAmountIn(address tokenIn, uint256 tokenAmountIn, uint256 minPoolAmountOut)
        external
        _lock_
        returns (uint256 poolAmountOut)
    {
        require(_finalized, "ERR_NOT_FINALIZED");
        require(_records[tokenIn].bound, "ERR_NOT_BOUND");

        Record storage inRecord = _records[tokenIn];
        require(tokenAmountIn <= bmul(inRecord.balance, MAX_IN_RATIO), "ERR_MAX_IN_RATIO");

        poolAmountOut = calcPoolOutGivenSingleIn(
            inRecord.balance, inRecord.denorm, totalSupply, _totalWeight, tokenAmountIn, _swapFee
        );
        require(poolAmountOut >= minPoolAmountOut, "ERR_LIMIT_OUT");

        inRecord.balance = badd(inRecord.balance, tokenAmountIn);

        emit LOG_JOIN(msg.sender, tokenIn, tokenAmountIn);

        _mint(msg.sender, poolAmountOut);
        _pullUnderlying(tokenIn, msg.sender, tokenAmountIn);
    }

    /// @notice Mints exactly `poolAmountOut` shares for at most `maxAmountIn`
    /// of one token.
    function joinswapPoolAmountOut(address tokenIn, uint256 poolAmountOut, uint256 maxAmountIn)
        external
        _lock_
        returns (uint256 tokenAmountIn)
    {
        require(_finalized, "ERR_NOT_FINALIZED");
        require(_records[tokenIn].bound, "ERR_NOT_BOUND");

        Record storage inRecord = _records[tokenIn];

        tokenAmountIn = calcSingleInGivenPoolOut(
            inRecord.balance, inRecord.denorm, totalSupply, _totalWeight, poolAmountOut, _swapFee
        );
        require(tokenAmountIn != 0, "ERR_MATH_APPROX");
        require(tokenAmountIn <= maxAmountIn, "ERR_LIMIT_IN");
        require(tokenAmountIn <= bmul(inRecord.balance, MAX_IN_RATIO), "ERR_MAX_IN_RATIO");

        inRecord.balance = badd(inRecord.balance, tokenAmountIn);

        emit LOG_JOIN(msg.sender, tokenIn, tokenAmountIn);

        _mint(msg.sender, poolAmountOut);
        _pullUnderlying(tokenIn, msg.sender, tokenAmountIn);
    }

    /// @notice Burns exactly `poolAmountIn` shares for at least `minAmountOut`
    /// of one token.
    function exitswapPoolAmountIn(address tokenOut, uint256 poolAmountIn, uint256 minAmountOut)
        external
        _lock_
        returns (uint256 tokenAmountOut)
    {
        require(_finalized, "ERR_NOT_FINALIZED");
        require(_records[tokenOut].bound, "ERR_NOT_BOUND");

        Record storage outRecord = _records[tokenOut];

        tokenAmountOut = calcSingleOutGivenPoolIn(
            outRecord.balance, outRecord.denorm, totalSupply, _totalWeight, poolAmountIn, _swapFee
        );
        require(tokenAmountOut >= minAmountOut, "ERR_LIMIT_OUT");
        require(tokenAmountOut <= bmul(outRecord.balance, MAX_OUT_RATIO), "ERR_MAX_OUT_RATIO");

        outRecord.balance = bsub(outRecord.balance, tokenAmountOut);

        emit LOG_EXIT(msg.sender, tokenOut, tokenAmountOut);

        _pullAndBurnPoolShare(msg.sender, poolAmountIn);
        _pushUnderlying(tokenOut, msg.sender, tokenAmountOut);
    }

    /// @notice Withdraws exactly `tokenAmountOut` of one token for at most
    /// `maxPoolAmountIn` shares.
    function exitswapExternAmountOut(address tokenOut, uint256 tokenAmountOut, uint256 maxPoolAmountIn)
        external
        _lock_
        returns (uint256 poolAmountIn)
    {
        require(_finalized, "ERR_NOT_FINALIZED");
        require(_records[tokenOut].bound, "ERR_NOT_BOUND");

        Record storage outRecord = _records[tokenOut];
        require(tokenAmountOut <= bmul(outRecord.balance, MAX_OUT_RATIO), "ERR_MAX_OUT_RATIO");

        poolAmountIn = calcPoolInGivenSingleOut(
            outRecord.balance, outRecord.denorm, totalSupply, _totalWeight, tokenAmountOut, _swapFee
        );
        require(poolAmountIn != 0, "ERR_MATH_APPROX");
        require(poolAmountIn <= maxPoolAmountIn, "ERR_LIMIT_IN");

        outRecord.balance = bsub(outRecord.balance, tokenAmountOut);

        emit LOG_EXIT(msg.sender, tokenOut, tokenAmountOut);

        _pullAndBurnPoolShare(msg.sender, poolAmountIn);
        _pushUnderlying(tokenOut, msg.sender, tokenAmountOut);
    }

    // ---------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------

    function _setSwapFee(uint256 swapFee) internal {
        require(!_finalized, "ERR_IS_FINALIZED");
        require(msg.sender == _controller, "ERR_NOT_CONTROLLER");
        require(swapFee >= MIN_FEE, "ERR_MIN_FEE");
        require(swapFee <= MAX_FEE, "ERR_MAX_FEE");
        _swapFee = swapFee;
    }

    function _finalize() internal {
        require(msg.sender == _controller, "ERR_NOT_CONTROLLER");
        require(!_finalized, "ERR_IS_FINALIZED");
        require(_tokens.length >= MIN_BOUND_TOKENS, "ERR_MIN_TOKENS");

        _finalized = true;
        _publicSwap = true;

        _mint(msg.sender, INIT_POOL_SUPPLY);
    }

    function _bind(address token, uint256 balance, uint256 denorm) internal {
        require(msg.sender == _controller, "ERR_NOT_CONTROLLER");
        require(!_records[token].bound, "ERR_IS_BOUND");
        require(!_finalized, "ERR_IS_FINALIZED");
        require(_tokens.length < MAX_BOUND_TOKENS, "ERR_MAX_TOKENS");

        _records[token] = Record({bound: true, index: _tokens.length, denorm: 0, balance: 0});
        _tokens.push(token);
        _rebind(token, balance, denorm);
    }

    function _rebind(address token, uint256 balance, uint256 denorm) internal {
        require(msg.sender == _controller, "ERR_NOT_CONTROLLER");
        require(_records[token].bound, "ERR_NOT_BOUND");
        require(!_finalized, "ERR_IS_FINALIZED");
        require(denorm >= MIN_WEIGHT, "ERR_MIN_WEIGHT");
        require(denorm <= MAX_WEIGHT, "ERR_MAX_WEIGHT");
        require(balance >= MIN_BALANCE, "ERR_MIN_BALANCE");

        // Adjust the total weight.
        uint256 oldWeight = _records[token].denorm;
        if (denorm > oldWeight) {
            _totalWeight = badd(_totalWeight, bsub(denorm, oldWeight));
            require(_totalWeight <= MAX_TOTAL_WEIGHT, "ERR_MAX_TOTAL_WEIGHT");
        } else if (denorm < oldWeight) {
            _totalWeight = bsub(_totalWeight, bsub(oldWeight, denorm));
        }
        _records[token].denorm = denorm;

        // Adjust the balance, moving the difference from / to the controller.
        uint256 oldBalance = _records[token].balance;
        _records[token].balance = balance;
        if (balance > oldBalance) {
            _pullUnderlying(token, msg.sender, bsub(balance, oldBalance));
        } else if (balance < oldBalance) {
            _pushUnderlying(token, msg.sender, bsub(oldBalance, balance));
        }
    }

    function _spotPrice(address tokenIn, address tokenOut, uint256 swapFee) internal view returns (uint256) {
        require(_records[tokenIn].bound, "ERR_NOT_BOUND");
        require(_records[tokenOut].bound, "ERR_NOT_BOUND");
        Record storage inRecord = _records[tokenIn];
        Record storage outRecord = _records[tokenOut];
        return calcSpotPrice(inRecord.balance, inRecord.denorm, outRecord.balance, outRecord.denorm, swapFee);
    }

    /// @dev Moves shares from `from` to the pool, then burns them (two
    /// Transfer events, as in Balancer V1).
    function _pullAndBurnPoolShare(address from, uint256 amount) internal {
        _transfer(from, address(this), amount);
        _burn(address(this), amount);
    }

    function _pullUnderlying(address token, address from, uint256 amount) internal {
        bool ok = IERC20Minimal(token).transferFrom(from, address(this), amount);
        require(ok, "ERR_ERC20_FALSE");
    }

    function _pushUnderlying(address token, address to, uint256 amount) internal {
        bool ok = IERC20Minimal(token).transfer(to, amount);
        require(ok, "ERR_ERC20_FALSE");
    }
}
