// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

import "../tokens/ERC20.sol";
import "./IConsumeRecorder.sol";

/// @title DatatokenV4
/// @notice Ocean V4 datatoken: a capped ERC20 with one minter. Consuming the
/// dataset costs exactly 1 datatoken, paid through `startOrder`: 0.03 DT to
/// the community fee collector, 0.97 DT to the publisher's payment collector.
/// Plain transfers carry no fee.
/// @dev Deployed once as a template and cloned by `PoolV4Factory`; state is
/// set by `initialize`, and the template's constructor locks the template.
/// With a pool the minter is the `SideStaking` bot, which mints the whole
/// cap to itself when the asset is created; a datatoken without a pool
/// (pool = address(0)) can have the publisher as minter.
///
/// Consume volume: when a pool is registered, every `startOrder` calls
/// `IConsumeRecorder(pool).recordConsume()` in the same transaction (push,
/// not a lazy read of `orderCount`), so the pool's trailing consume volume is
/// current at every swap. If that call reverts the order reverts too.
contract DatatokenV4 is ERC20 {
    /// Every order spends exactly this amount (1 DT).
    uint256 public constant ORDER_AMOUNT = 1e18;
    /// Part of an order that goes to the community fee collector (0.03 DT).
    uint256 public constant COMMUNITY_ORDER_FEE = 3e16;

    bool private _initialized;
    address private _minter;
    uint256 private _cap;
    address private _communityFeeCollector;
    address private _paymentCollector;
    address private _pool;

    /// @notice Number of orders started so far.
    uint256 public orderCount;

    event OrderStarted(
        address indexed consumer,
        address indexed payer,
        uint256 amount,
        uint256 serviceIndex,
        uint256 timestamp,
        address indexed consumeMarketFeeCollector,
        uint256 communityFee
    );

    modifier onlyMinter() {
        require(msg.sender == _minter, "DatatokenV4: not minter");
        _;
    }

    /// @dev Locks the template: only clones can be initialised.
    constructor() {
        _initialized = true;
    }

    /// @notice One-time initialiser of a clone. `pool_` may be address(0)
    /// (no consume notification).
    function initialize(
        string calldata name_,
        string calldata symbol_,
        address minter_,
        uint256 cap_,
        address communityFeeCollector_,
        address paymentCollector_,
        address pool_
    ) external {
        require(!_initialized, "DatatokenV4: already initialized");
        require(minter_ != address(0), "DatatokenV4: minter is zero address");
        require(communityFeeCollector_ != address(0), "DatatokenV4: fee collector is zero address");
        require(paymentCollector_ != address(0), "DatatokenV4: payment collector is zero address");
        require(cap_ > 0, "DatatokenV4: cap is zero");
        _initialized = true;
        _name = name_;
        _symbol = symbol_;
        _minter = minter_;
        _cap = cap_;
        _communityFeeCollector = communityFeeCollector_;
        _paymentCollector = paymentCollector_;
        _pool = pool_;
    }

    // ---------------------------------------------------------------------
    // Supply
    // ---------------------------------------------------------------------

    /// @notice Mints `amount` to `to`; only the minter, never above the cap.
    function mint(address to, uint256 amount) external onlyMinter {
        require(totalSupply + amount <= _cap, "DatatokenV4: cap exceeded");
        _mint(to, amount);
    }

    /// @notice Burns `amount` of the caller's tokens.
    function burn(uint256 amount) external {
        _burn(msg.sender, amount);
    }

    // ---------------------------------------------------------------------
    // Consume
    // ---------------------------------------------------------------------

    /// @notice Pays for one use of service `serviceIndex` on behalf of
    /// `consumer`: exactly ORDER_AMOUNT (1 DT) leaves the caller (the payer);
    /// COMMUNITY_ORDER_FEE goes to the community fee collector and the rest
    /// (0.97 DT) to the publisher's payment collector.
    /// @dev `consumeMarketFeeCollector` is only recorded in the event: the
    /// V4 consume-market fee on orders is a separate payment the simulator
    /// does not model (ocean.md lists no consume-market share of the DT).
    function startOrder(address consumer, uint256 serviceIndex, address consumeMarketFeeCollector) external {
        _transfer(msg.sender, _communityFeeCollector, COMMUNITY_ORDER_FEE);
        _transfer(msg.sender, _paymentCollector, ORDER_AMOUNT - COMMUNITY_ORDER_FEE);
        orderCount += 1;

        emit OrderStarted(
            consumer,
            msg.sender,
            ORDER_AMOUNT,
            serviceIndex,
            block.timestamp,
            consumeMarketFeeCollector,
            COMMUNITY_ORDER_FEE
        );

        if (_pool != address(0)) {
            IConsumeRecorder(_pool).recordConsume();
        }
    }

    // ---------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------

    function isInitialized() external view returns (bool) {
        return _initialized;
    }

    function cap() external view returns (uint256) {
        return _cap;
    }

    function minter() external view returns (address) {
        return _minter;
    }

    function isMinter(address account) external view returns (bool) {
        return account == _minter;
    }

    function communityFeeCollector() external view returns (address) {
        return _communityFeeCollector;
    }

    function paymentCollector() external view returns (address) {
        return _paymentCollector;
    }

    /// @notice The pool told about every order (address(0) if none).
    function pool() external view returns (address) {
        return _pool;
    }
}
