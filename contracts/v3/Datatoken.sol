// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

import "../tokens/ERC20.sol";

/// @title Datatoken
/// @notice Ocean V3 datatoken: a capped ERC20 with a single minter (the
/// publisher). Spending one token through `startOrder` is how a consumer
/// pays for access to the dataset. Plain transfers carry no fee.
/// @dev Deployed once as a template and cloned by `DatatokenFactory`; state is
/// set by `initialize`, and the template's constructor locks the template.
contract Datatoken is ERC20 {
    /// Community fee and market fee, each 1/1000 (0.1%) of the order amount.
    uint256 public constant FEE_DIVISOR = 1000;

    bool private _initialized;
    address private _minter;
    address private _proposedMinter;
    uint256 private _cap;
    address private _communityFeeCollector;

    event MinterProposed(address indexed currentMinter, address indexed newMinter);
    event MinterApproved(address indexed currentMinter, address indexed newMinter);
    event OrderStarted(
        address indexed consumer,
        address indexed payer,
        uint256 amount,
        uint256 serviceId,
        uint256 timestamp,
        address indexed marketFeeCollector,
        uint256 marketFee
    );

    modifier onlyMinter() {
        require(msg.sender == _minter, "Datatoken: not minter");
        _;
    }

    /// @dev Locks the template: only clones can be initialised.
    constructor() {
        _initialized = true;
    }

    /// @notice One-time initialiser of a clone.
    function initialize(
        string calldata name_,
        string calldata symbol_,
        address minter_,
        uint256 cap_,
        address communityFeeCollector_
    ) external {
        require(!_initialized, "Datatoken: already initialized");
        require(minter_ != address(0), "Datatoken: minter is zero address");
        require(communityFeeCollector_ != address(0), "Datatoken: fee collector is zero address");
        require(cap_ > 0, "Datatoken: cap is zero");
        _initialized = true;
        _name = name_;
        _symbol = symbol_;
        _minter = minter_;
        _cap = cap_;
        _communityFeeCollector = communityFeeCollector_;
    }

    // ---------------------------------------------------------------------
    // Supply
    // ---------------------------------------------------------------------

    /// @notice Mints `amount` to `to`; only the minter, never above the cap.
    function mint(address to, uint256 amount) external onlyMinter {
        require(totalSupply + amount <= _cap, "Datatoken: cap exceeded");
        _mint(to, amount);
    }

    /// @notice Burns `amount` of the caller's tokens.
    function burn(uint256 amount) external {
        _burn(msg.sender, amount);
    }

    // ---------------------------------------------------------------------
    // Two-step minter change
    // ---------------------------------------------------------------------

    /// @notice Step 1: the current minter names its successor.
    function proposeMinter(address newMinter) external onlyMinter {
        require(newMinter != address(0), "Datatoken: minter is zero address");
        _proposedMinter = newMinter;
        emit MinterProposed(msg.sender, newMinter);
    }

    /// @notice Step 2: the proposed minter accepts the role.
    function approveMinter() external {
        require(msg.sender == _proposedMinter, "Datatoken: not proposed minter");
        emit MinterApproved(_minter, msg.sender);
        _minter = msg.sender;
        _proposedMinter = address(0);
    }

    // ---------------------------------------------------------------------
    // Consume
    // ---------------------------------------------------------------------

    /// @notice Pays for a service: `amount` tokens leave the caller (the
    /// payer) and are split between the community fee collector, the market
    /// fee collector (if non-zero) and the minter (the publisher).
    /// @dev Rounding: each fee is floor(amount / 1000), i.e. 0.1% rounded
    /// down (an amount below 1000 wei pays no fee); the minter receives the
    /// remainder, amount - communityFee - marketFee, so no wei is lost.
    /// floor(amount / 1000) equals Ocean V3's amount * 1e15 / 1e18 exactly.
    function startOrder(address consumer, uint256 amount, uint256 serviceId, address marketFeeCollector) external {
        uint256 communityFee = amount / FEE_DIVISOR;
        uint256 marketFee = 0;

        _transfer(msg.sender, _communityFeeCollector, communityFee);
        if (marketFeeCollector != address(0)) {
            marketFee = amount / FEE_DIVISOR;
            _transfer(msg.sender, marketFeeCollector, marketFee);
        }
        _transfer(msg.sender, _minter, amount - communityFee - marketFee);

        emit OrderStarted(consumer, msg.sender, amount, serviceId, block.timestamp, marketFeeCollector, marketFee);
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

    function proposedMinter() external view returns (address) {
        return _proposedMinter;
    }

    function communityFeeCollector() external view returns (address) {
        return _communityFeeCollector;
    }
}
