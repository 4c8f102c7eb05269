// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

import "./IERC20Minimal.sol";

/// @title CommunityFeeCollector
/// @notice Receives the Ocean community fee (datatokens from `startOrder`, and
/// ETH). Withdrawals always pay the owner, so, as in Ocean V3's collector,
/// anyone may trigger them; only the owner can hand over ownership.
contract CommunityFeeCollector {
    address public owner;

    event OwnerChanged(address indexed previousOwner, address indexed newOwner);

    constructor(address owner_) {
        require(owner_ != address(0), "CommunityFeeCollector: zero address");
        owner = owner_;
        emit OwnerChanged(address(0), owner_);
    }

    receive() external payable {}

    /// @notice Sends the collector's whole balance of `token` to the owner.
    function withdrawToken(address token) external {
        uint256 amount = IERC20Minimal(token).balanceOf(address(this));
        require(IERC20Minimal(token).transfer(owner, amount), "CommunityFeeCollector: transfer failed");
    }

    /// @notice Sends the collector's whole ETH balance to the owner.
    function withdrawETH() external {
        (bool ok,) = owner.call{value: address(this).balance}("");
        require(ok, "CommunityFeeCollector: ETH transfer failed");
    }

    function changeOwner(address newOwner) external {
        require(msg.sender == owner, "CommunityFeeCollector: not owner");
        require(newOwner != address(0), "CommunityFeeCollector: zero address");
        emit OwnerChanged(owner, newOwner);
        owner = newOwner;
    }
}
