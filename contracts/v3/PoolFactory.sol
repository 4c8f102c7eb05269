// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

import "./Clones.sol";
import "./WeightedPool.sol";

/// @title PoolFactory
/// @notice Creates Ocean V3 pools as EIP-1167 clones of a `WeightedPool`
/// template. The caller of `newPool` becomes the pool's controller and then
/// calls `setup` (or bind/setSwapFee/finalize) on the new pool itself.
contract PoolFactory {
    address public immutable poolTemplate;
    uint256 public poolCount;
    mapping(address => bool) public isPool;

    event PoolCreated(address indexed pool, address indexed creator);

    constructor(address poolTemplate_) {
        require(poolTemplate_ != address(0), "PoolFactory: template is zero address");
        poolTemplate = poolTemplate_;
    }

    /// @notice Clones the template and makes the caller its controller.
    function newPool() external returns (address pool) {
        pool = Clones.clone(poolTemplate);
        WeightedPool(pool).initialize(msg.sender);
        isPool[pool] = true;
        poolCount += 1;
        emit PoolCreated(pool, msg.sender);
    }
}
