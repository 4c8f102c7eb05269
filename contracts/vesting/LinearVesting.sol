// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

import "../v3/IERC20Minimal.sol";

/// @title LinearVesting
/// @notice Holds one ERC20 for a beneficiary and releases it linearly over
/// time: nothing before `start`, everything after `start + duration`, in
/// proportion in between. Anyone may call `release`; tokens always go to the
/// beneficiary. Tokens sent later join the schedule (vested share of the
/// total ever received).
contract LinearVesting {
    address public immutable beneficiary;
    address public immutable token;
    uint64 public immutable start;
    uint64 public immutable duration;
    uint256 public released;

    event Released(address indexed beneficiary, uint256 amount);

    constructor(address beneficiary_, address token_, uint64 start_, uint64 duration_) {
        require(beneficiary_ != address(0), "LinearVesting: zero beneficiary");
        require(token_ != address(0), "LinearVesting: zero token");
        require(duration_ > 0, "LinearVesting: zero duration");
        beneficiary = beneficiary_;
        token = token_;
        start = start_;
        duration = duration_;
    }

    /// @notice Tokens vested by `timestamp`, of everything ever received.
    function vestedAmount(uint64 timestamp) public view returns (uint256) {
        uint256 total = IERC20Minimal(token).balanceOf(address(this)) + released;
        if (timestamp <= start) return 0;
        if (timestamp >= start + duration) return total;
        return (total * (timestamp - start)) / duration;
    }

    /// @notice Vested and not yet released.
    function releasable() public view returns (uint256) {
        return vestedAmount(uint64(block.timestamp)) - released;
    }

    /// @notice Send what has vested to the beneficiary.
    function release() external returns (uint256 amount) {
        amount = releasable();
        released += amount;
        require(IERC20Minimal(token).transfer(beneficiary, amount), "LinearVesting: transfer failed");
        emit Released(beneficiary, amount);
    }
}
